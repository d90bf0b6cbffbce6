// find_record_timestamp over record sets built with the test batch builder (whose layout
// known_bytes_test.cpp checks against hand-written bytes).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "probes/kafka/protocol/decode_error.hpp"
#include "probes/kafka/protocol/record_batch.hpp"
#include "tests/kafka_protocol/byte_helpers.hpp"
#include "tests/kafka_protocol/record_batch_builder.hpp"

namespace msgwatch::kafka::protocol {
namespace {

using testing::attributes_control;
using testing::attributes_delete_horizon;
using testing::attributes_gzip;
using testing::attributes_log_append_time;
using testing::attributes_snappy;
using testing::attributes_transactional;
using testing::Bytes;
using testing::encode_batch;
using testing::TestBatch;
using testing::TestRecord;
using testing::operator+;

constexpr std::int64_t t0 = 1700000000000;

RecordTimestamp exact_create_time(std::int64_t offset, std::int64_t timestamp) {
  return {offset, timestamp, TimestampType::create_time, true};
}

RecordTimestamp inexact_create_time(std::int64_t offset, std::optional<std::int64_t> timestamp) {
  return {offset, timestamp, TimestampType::create_time, false};
}

// Offsets 100-104 with 101 compacted away; timestamps not in offset order.
TestBatch uncompressed_batch() {
  TestBatch batch;
  batch.base_offset = 100;
  batch.base_timestamp = t0;
  batch.max_timestamp = t0 + 40;
  batch.records = {{0, 0, "k0", "v0", {}},
                   {2, 40, std::nullopt, "value", {{"h1", "x"}, {"h2", std::nullopt}}},
                   {3, 25, "k3", std::nullopt, {}},
                   {4, 30, "k4", std::string(300, 'v'), {}}};
  return batch;
}

// Offsets 200-204, payload never decompressed.
TestBatch compressed_batch() {
  TestBatch batch;
  batch.base_offset = 200;
  batch.attributes = attributes_gzip;
  batch.base_timestamp = t0 + 100;
  batch.max_timestamp = t0 + 140;
  batch.last_offset_delta = 4;
  batch.record_count = 5;
  batch.payload = Bytes{0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01};
  return batch;
}

// Offsets 300-302, stamped by the broker.
TestBatch log_append_time_batch() {
  TestBatch batch;
  batch.base_offset = 300;
  batch.attributes = attributes_log_append_time;
  batch.base_timestamp = t0 + 200;
  batch.max_timestamp = t0 + 999;
  batch.records = {{0, 0, "a", "1", {}}, {1, 5, "b", "2", {}}, {2, 7, "c", "3", {}}};
  return batch;
}

TestBatch commit_marker(std::int64_t offset) {
  TestBatch batch;
  batch.base_offset = offset;
  batch.attributes = attributes_control | attributes_transactional;
  batch.base_timestamp = t0 + 500;
  batch.max_timestamp = t0 + 500;
  batch.producer_id = 7;
  batch.records = {{0, 0, std::string("\x00\x00\x00\x01", 4), std::string("\x00\x00\x00\x00\x00\x00", 6), {}}};
  return batch;
}

TEST(RecordBatch, EmptySetHoldsNoRecord) {
  EXPECT_EQ(find_record_timestamp({}, 0), std::nullopt);
  EXPECT_EQ(find_record_timestamp({}, -1), std::nullopt);
}

TEST(RecordBatch, UncompressedCreateTimeWalksTheRecords) {
  const Bytes set = encode_batch(uncompressed_batch());
  EXPECT_EQ(find_record_timestamp(set, 100), exact_create_time(100, t0));
  EXPECT_EQ(find_record_timestamp(set, 101), exact_create_time(102, t0 + 40));  // 101 compacted away
  EXPECT_EQ(find_record_timestamp(set, 102), exact_create_time(102, t0 + 40));
  EXPECT_EQ(find_record_timestamp(set, 103), exact_create_time(103, t0 + 25));
  EXPECT_EQ(find_record_timestamp(set, 104), exact_create_time(104, t0 + 30));
  EXPECT_EQ(find_record_timestamp(set, 105), std::nullopt);
}

TEST(RecordBatch, OffsetBeforeTheFirstBatchFindsTheFirstRecord) {
  // Compaction or retention removed everything before: the first record present is the answer.
  TestBatch batch = uncompressed_batch();
  batch.records.erase(batch.records.begin());
  const Bytes set = encode_batch(batch);
  EXPECT_EQ(find_record_timestamp(set, 0), exact_create_time(102, t0 + 40));
  EXPECT_EQ(find_record_timestamp(set, -1), exact_create_time(102, t0 + 40));
}

TEST(RecordBatch, SkipsBatchesEndingBeforeTheOffset) {
  const Bytes set =
      encode_batch(uncompressed_batch()) + encode_batch(compressed_batch()) + encode_batch(log_append_time_batch());
  EXPECT_EQ(find_record_timestamp(set, 150), exact_create_time(200, t0 + 100));
  EXPECT_EQ(find_record_timestamp(set, 250), (RecordTimestamp{300, t0 + 999, TimestampType::log_append_time, true}));
  EXPECT_EQ(find_record_timestamp(set, 303), std::nullopt);
  EXPECT_EQ(find_record_timestamp(set, std::numeric_limits<std::int64_t>::max()), std::nullopt);
}

TEST(RecordBatch, CompressedCreateTimeUsesTheFirstTimestamp) {
  const Bytes set = encode_batch(compressed_batch());
  EXPECT_EQ(find_record_timestamp(set, 200), exact_create_time(200, t0 + 100));
  EXPECT_EQ(find_record_timestamp(set, 17), exact_create_time(200, t0 + 100));
  // Inside the batch: only a lower bound is known without decompressing.
  EXPECT_EQ(find_record_timestamp(set, 201), inexact_create_time(201, t0 + 100));
  EXPECT_EQ(find_record_timestamp(set, 204), inexact_create_time(204, t0 + 100));
  EXPECT_EQ(find_record_timestamp(set, 205), std::nullopt);
}

TEST(RecordBatch, LogAppendTimeIsTheBatchTimeForEveryRecord) {
  const Bytes uncompressed = encode_batch(log_append_time_batch());
  EXPECT_EQ(find_record_timestamp(uncompressed, 301),
            (RecordTimestamp{301, t0 + 999, TimestampType::log_append_time, true}));
  EXPECT_EQ(find_record_timestamp(uncompressed, 0),
            (RecordTimestamp{300, t0 + 999, TimestampType::log_append_time, true}));

  TestBatch batch = compressed_batch();
  batch.attributes = attributes_snappy | attributes_log_append_time;
  batch.max_timestamp = t0 + 777;
  const Bytes compressed = encode_batch(batch);
  EXPECT_EQ(find_record_timestamp(compressed, 203),
            (RecordTimestamp{203, t0 + 777, TimestampType::log_append_time, true}));
  EXPECT_EQ(find_record_timestamp(compressed, 100),
            (RecordTimestamp{200, t0 + 777, TimestampType::log_append_time, true}));
  EXPECT_EQ(find_record_timestamp(compressed, 205), std::nullopt);
}

TEST(RecordBatch, ControlBatchesAreNotMessages) {
  TestBatch data = log_append_time_batch();
  data.base_offset = 401;
  data.attributes = attributes_transactional;  // CreateTime
  const Bytes set = encode_batch(commit_marker(400)) + encode_batch(data);
  EXPECT_EQ(find_record_timestamp(set, 400), exact_create_time(401, t0 + 200));
  EXPECT_EQ(find_record_timestamp(encode_batch(commit_marker(400)), 400), std::nullopt);
  EXPECT_EQ(find_record_timestamp(encode_batch(data) + encode_batch(commit_marker(404)), 404), std::nullopt);
}

TEST(RecordBatch, SearchedToSaysHowFarCompleteBatchesReach) {
  // Only a commit marker at 400 up to the end: nothing found, searched up to 401.
  std::int64_t searched_to = 400;
  EXPECT_EQ(find_record_timestamp(encode_batch(commit_marker(400)), 400, &searched_to), std::nullopt);
  EXPECT_EQ(searched_to, 401);
  // A cut-off batch does not count: the search may have stopped short of the record.
  const Bytes next = encode_batch(uncompressed_batch());
  const Bytes cut = encode_batch(commit_marker(400)) + Bytes(next.begin(), next.begin() + 30);
  searched_to = 400;
  EXPECT_EQ(find_record_timestamp(cut, 400, &searched_to), std::nullopt);
  EXPECT_EQ(searched_to, 401);
  // Never lowered.
  searched_to = 1000;
  EXPECT_EQ(find_record_timestamp(encode_batch(commit_marker(400)), 400, &searched_to), std::nullopt);
  EXPECT_EQ(searched_to, 1000);
}

TEST(RecordBatch, EmptyBatchesLeftByCompactionAreSkipped) {
  TestBatch empty = compressed_batch();
  empty.attributes = 0;
  empty.payload = Bytes{};
  empty.record_count = 0;
  empty.base_timestamp = -1;
  TestBatch next = uncompressed_batch();
  next.base_offset = 205;
  const Bytes set = encode_batch(empty) + encode_batch(next);
  EXPECT_EQ(find_record_timestamp(set, 200), exact_create_time(205, t0));
}

TEST(RecordBatch, NoTimestampIsAbsent) {
  TestBatch batch = uncompressed_batch();
  batch.base_timestamp = -1;
  batch.max_timestamp = -1;
  for (TestRecord& record : batch.records) {
    record.timestamp_delta = 0;
  }
  const Bytes set = encode_batch(batch);
  EXPECT_EQ(find_record_timestamp(set, 100), (RecordTimestamp{100, std::nullopt, TimestampType::create_time, true}));

  TestBatch compressed = compressed_batch();
  compressed.base_timestamp = -1;
  EXPECT_EQ(find_record_timestamp(encode_batch(compressed), 202), inexact_create_time(202, std::nullopt));
}

TEST(RecordBatch, DeleteHorizonIsNotARecordTimestamp) {
  // Compaction stores the delete horizon in baseTimestamp; deltas are relative to it.
  const std::int64_t horizon = t0 + 86400000;
  TestBatch batch = uncompressed_batch();
  batch.attributes = attributes_delete_horizon;
  batch.base_timestamp = horizon;
  for (TestRecord& record : batch.records) {
    record.timestamp_delta -= 86400000;
  }
  const Bytes set = encode_batch(batch);
  EXPECT_EQ(find_record_timestamp(set, 103), exact_create_time(103, t0 + 25));

  TestBatch compressed = compressed_batch();
  compressed.attributes = attributes_gzip | attributes_delete_horizon;
  compressed.base_timestamp = horizon;
  EXPECT_EQ(find_record_timestamp(encode_batch(compressed), 200), inexact_create_time(200, std::nullopt));
  EXPECT_EQ(find_record_timestamp(encode_batch(compressed), 203), inexact_create_time(203, std::nullopt));

  // Cut off before the record asked for: nothing but the horizon to go by.
  const Bytes cut(set.begin(), set.begin() + 70);
  EXPECT_EQ(find_record_timestamp(cut, 103), inexact_create_time(103, std::nullopt));
}

// Offsets 50-54, to come before the other batches.
TestBatch earlier_compressed_batch() {
  TestBatch batch = compressed_batch();
  batch.base_offset = 50;
  return batch;
}

TEST(RecordBatch, CutOffBatchIsUsedAsFarAsItGoes) {
  const Bytes set = encode_batch(earlier_compressed_batch()) + encode_batch(uncompressed_batch());
  // Header complete, records cut inside the fourth record (offset 104, 300-byte value).
  const Bytes cut(set.begin(), set.end() - 100);
  EXPECT_EQ(find_record_timestamp(cut, 100), exact_create_time(100, t0));
  EXPECT_EQ(find_record_timestamp(cut, 103), exact_create_time(103, t0 + 25));
  EXPECT_EQ(find_record_timestamp(cut, 104), inexact_create_time(104, t0));
  // Past the batch's last offset: its header says nothing later is present.
  EXPECT_EQ(find_record_timestamp(cut, 105), std::nullopt);
  // Earlier batches stay usable.
  EXPECT_EQ(find_record_timestamp(cut, 52), inexact_create_time(52, t0 + 100));

  // A cut-off LogAppendTime batch still knows the time of all its records.
  const Bytes appended = encode_batch(log_append_time_batch());
  EXPECT_EQ(find_record_timestamp(std::span(appended).first(appended.size() - 3), 302),
            (RecordTimestamp{302, t0 + 999, TimestampType::log_append_time, true}));
}

TEST(RecordBatch, CutOffHeaderHoldsNoRecord) {
  const Bytes first = encode_batch(earlier_compressed_batch());
  const Bytes set = first + encode_batch(uncompressed_batch());
  for (std::size_t length = first.size(); length < first.size() + 61; ++length) {
    EXPECT_EQ(find_record_timestamp(std::span(set).first(length), 100), std::nullopt) << length;
  }
  // Header complete, no record bytes yet.
  EXPECT_EQ(find_record_timestamp(std::span(set).first(first.size() + 61), 100), inexact_create_time(100, t0));
}

TEST(RecordBatch, OldMessageFormatsAreLocatedButNotDecoded) {
  // The second message is a gzip wrapper around offsets 6-9.
  const Bytes set = testing::encode_magic_1_message(5, 0x00, t0) + testing::encode_magic_1_message(9, 0x01, t0);
  EXPECT_EQ(find_record_timestamp(set, 5), inexact_create_time(5, std::nullopt));
  EXPECT_EQ(find_record_timestamp(set, 7), inexact_create_time(7, std::nullopt));
  EXPECT_EQ(find_record_timestamp(set, 10), std::nullopt);
  // Followed by a magic 2 batch, as after a message format upgrade.
  EXPECT_EQ(find_record_timestamp(set + encode_batch(uncompressed_batch()), 10), exact_create_time(100, t0));
  // A magic 1 message is at least 22 bytes after its size field; magic 0, 14.
  Bytes short_message = testing::encode_magic_1_message(5, 0x00, t0);
  short_message[11] = 21;
  EXPECT_THROW(find_record_timestamp(short_message, 5), DecodeError);
}

TEST(RecordBatch, EveryTruncatedPrefixIsACutOffNeverAnError) {
  TestBatch data = log_append_time_batch();
  data.base_offset = 401;
  data.attributes = 0;
  const Bytes set = encode_batch(uncompressed_batch()) + encode_batch(compressed_batch()) +
                    encode_batch(commit_marker(205)) + encode_batch(log_append_time_batch()) + encode_batch(data) +
                    testing::sample_record_set();
  for (const std::int64_t offset : {-1, 0, 100, 101, 103, 104, 150, 202, 205, 206, 301, 402, 403, 1000, 1005, 1015}) {
    const auto whole = find_record_timestamp(set, offset);
    for (std::size_t length = 0; length <= set.size(); ++length) {
      std::optional<RecordTimestamp> found;
      ASSERT_NO_THROW(found = find_record_timestamp(std::span(set).first(length), offset))
          << "offset " << offset << ", prefix of " << length;
      if (found) {
        EXPECT_GE(found->offset, offset);
        // A prefix can only lose precision, never find another record.
        if (found->exact && whole) {
          EXPECT_EQ(*found, *whole) << "offset " << offset << ", prefix of " << length;
        }
      }
    }
  }
}

TEST(RecordBatch, MalformedBatchesAreRejected) {
  const auto with = [](auto change) {
    TestBatch batch = uncompressed_batch();
    change(batch);
    return encode_batch(batch);
  };
  const auto rejects = [](const Bytes& set, std::int64_t offset) {
    EXPECT_THROW(find_record_timestamp(set, offset), DecodeError);
  };
  rejects(with([](TestBatch& b) { b.batch_length = 48; }), 100);  // below the header
  rejects(with([](TestBatch& b) { b.batch_length = -1; }), 100);
  rejects(with([](TestBatch& b) { b.magic = 3; }), 100);
  rejects(with([](TestBatch& b) { b.magic = -1; }), 100);
  rejects(with([](TestBatch& b) { b.record_count = -1; }), 100);
  rejects(with([](TestBatch& b) { b.last_offset_delta = -1; }), 0);
  rejects(with([](TestBatch& b) { b.attributes = 5; }), 100);  // no such codec
  // More records than a complete batch could hold.
  rejects(with([](TestBatch& b) { b.record_count = 1000; }), 104);
  // Records overrunning or not filling the batch they are in, once walked to the end.
  rejects(with([](TestBatch& b) {
            b.record_count = 5;
            b.last_offset_delta = 5;
          }),
          105);
  rejects(with([](TestBatch& b) { b.record_count = 3; }), 104);
  TestBatch padded = uncompressed_batch();
  padded.last_offset_delta = 6;
  Bytes longer = encode_batch(padded) + Bytes(5, 0x00);
  longer[11] = static_cast<std::uint8_t>(longer[11] + 5);
  rejects(longer, 105);
  Bytes shorter = encode_batch(uncompressed_batch());
  shorter[11] = static_cast<std::uint8_t>(shorter[11] - 5);
  rejects(shorter, 104);
  // Records outside the batch's offset range.
  rejects(with([](TestBatch& b) { b.last_offset_delta = 1; }), 101);
  rejects(with([](TestBatch& b) { b.records[1].offset_delta = -1; }), 102);
  // Offsets and timestamps beyond int64.
  rejects(with([](TestBatch& b) { b.base_offset = std::numeric_limits<std::int64_t>::max() - 1; }), 0);
  rejects(with([](TestBatch& b) { b.base_timestamp = std::numeric_limits<std::int64_t>::max(); }), 102);

  // Bad varints and negative lengths inside a record: the first record starts at byte 61.
  Bytes negative_length = encode_batch(uncompressed_batch());
  negative_length[61] = 0x01;  // zig-zag -1
  rejects(negative_length, 100);
  Bytes long_varint = with([](TestBatch& b) { b.records[0].key = std::string(20, 'k'); });
  std::fill_n(long_varint.begin() + 63, 10, 0xff);  // timestampDelta: 10 bytes, still continued
  rejects(long_varint, 100);
  Bytes record_too_short = encode_batch(uncompressed_batch());
  record_too_short[61] = 0x02;  // length 1: attributes only
  rejects(record_too_short, 100);
}

}  // namespace
}  // namespace msgwatch::kafka::protocol
