#include "tests/kafka_protocol/record_batch_builder.hpp"

#include <limits>
#include <span>
#include <stdexcept>

#include "probes/kafka/protocol/writer.hpp"

namespace msgwatch::kafka::protocol::testing {

namespace {

void varint_bytes(Writer& w, const std::optional<std::string>& text) {
  if (!text) {
    w.varint(-1);
    return;
  }
  w.varint(static_cast<std::int32_t>(text->size()));
  w.raw(std::span(reinterpret_cast<const std::uint8_t*>(text->data()), text->size()));
}

std::vector<std::uint8_t> encode_record(const TestRecord& record) {
  Writer body;
  body.int8(0);  // attributes: unused
  body.varlong(record.timestamp_delta);
  body.varint(record.offset_delta);
  varint_bytes(body, record.key);
  varint_bytes(body, record.value);
  body.varint(static_cast<std::int32_t>(record.headers.size()));
  for (const auto& [key, value] : record.headers) {
    varint_bytes(body, key);
    varint_bytes(body, value);
  }
  Writer w;
  w.varint(static_cast<std::int32_t>(body.size()));
  w.raw(body.data());
  return std::move(w).take();
}

}  // namespace

std::vector<std::uint8_t> encode_batch(const TestBatch& batch) {
  Writer w;
  w.int64(batch.base_offset);
  w.int32(0);  // length, patched below
  w.int32(batch.partition_leader_epoch);
  w.int8(batch.magic);
  w.uint32(0);  // crc
  w.int16(batch.attributes);
  w.int32(batch.last_offset_delta.value_or(batch.records.empty() ? 0 : batch.records.back().offset_delta));
  w.int64(batch.base_timestamp);
  w.int64(batch.max_timestamp);
  w.int64(batch.producer_id);
  w.int16(batch.producer_epoch);
  w.int32(batch.base_sequence);
  w.int32(batch.record_count.value_or(static_cast<std::int32_t>(batch.records.size())));
  if (batch.payload) {
    w.raw(*batch.payload);
  } else {
    for (const TestRecord& record : batch.records) {
      w.raw(encode_record(record));
    }
  }
  const std::size_t length = w.size() - 12;
  if (length > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    throw std::length_error("test batch too large");
  }
  w.patch_int32(8, batch.batch_length.value_or(static_cast<std::int32_t>(length)));
  return std::move(w).take();
}

std::vector<std::uint8_t> encode_magic_1_message(std::int64_t offset, std::int8_t attributes, std::int64_t timestamp) {
  Writer w;
  w.int64(offset);
  w.int32(24);  // size: the bytes below
  w.uint32(0);  // crc
  w.int8(1);    // magic
  w.int8(attributes);
  w.int64(timestamp);
  w.int32(-1);  // key null
  w.int32(2);
  w.raw(std::vector<std::uint8_t>{'h', 'i'});
  return std::move(w).take();
}

std::vector<std::uint8_t> sample_record_set() {
  constexpr std::int64_t t0 = 1700000000000;
  TestBatch create_time;
  create_time.base_offset = 1000;
  create_time.base_timestamp = t0;
  create_time.max_timestamp = t0 + 30;
  create_time.records = {{0, 0, "k0", "v0", {}},
                         {1, 10, std::nullopt, "value one", {{"trace", "abc"}}},
                         {3, 30, "k3", std::nullopt, {{"a", std::nullopt}, {"b", "2"}}}};  // 1002 compacted away

  TestBatch commit_marker;
  commit_marker.base_offset = 1004;
  commit_marker.attributes = attributes_control | attributes_transactional;
  commit_marker.base_timestamp = t0 + 40;
  commit_marker.max_timestamp = t0 + 40;
  commit_marker.producer_id = 7;
  commit_marker.producer_epoch = 0;
  // Control record: key is version 0 and type 0 (abort) or 1 (commit), value version and epoch.
  commit_marker.records = {{0, 0, std::string("\x00\x00\x00\x01", 4), std::string("\x00\x00\x00\x00\x00\x00", 6), {}}};

  TestBatch compressed;
  compressed.base_offset = 1005;
  compressed.attributes = attributes_zstd;
  compressed.base_timestamp = t0 + 50;
  compressed.max_timestamp = t0 + 59;
  compressed.last_offset_delta = 4;
  compressed.record_count = 5;
  compressed.payload = std::vector<std::uint8_t>{0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58, 0x01, 0x02, 0x03};

  TestBatch log_append_time;
  log_append_time.base_offset = 1010;
  log_append_time.attributes = attributes_log_append_time;
  log_append_time.base_timestamp = t0 + 60;
  log_append_time.max_timestamp = t0 + 100;
  for (std::int32_t i = 0; i <= 5; ++i) {
    log_append_time.records.push_back({i, i, "key", std::string(static_cast<std::size_t>(i) * 3, 'x'), {}});
  }

  std::vector<std::uint8_t> set;
  for (const TestBatch* batch : {&create_time, &commit_marker, &compressed, &log_append_time}) {
    const auto bytes = encode_batch(*batch);
    set.insert(set.end(), bytes.begin(), bytes.end());
  }
  return set;
}

}  // namespace msgwatch::kafka::protocol::testing
