#include "probes/kafka/protocol/record_batch.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>

#include "probes/kafka/protocol/reader.hpp"

namespace msgwatch::kafka::protocol {

namespace {

// Every entry of a record set, in any format, starts with its offset and its length
// (LOG_OVERHEAD), and has its magic byte at the same place: that is how a reader tells the
// formats apart.
constexpr std::size_t log_overhead = 12;
constexpr std::size_t bytes_through_magic = 17;
// Magic 2: baseOffset through recordCount (RECORD_BATCH_OVERHEAD).
constexpr std::size_t batch_header_size = 61;
// Magic 0 and 1: offset, size, crc, magic, attributes.
constexpr std::size_t legacy_header_size = 18;

// Smallest length field of each format: the v2 header after the length, and LegacyRecord's
// RECORD_OVERHEAD_V0 / V1 (crc, magic, attributes, v1's timestamp, key and value lengths).
constexpr std::int32_t min_length_v2 = 49;
constexpr std::int32_t min_length_v1 = 22;
constexpr std::int32_t min_length_v0 = 14;

constexpr int compression_mask = 0x07;
constexpr int max_compression_codec = 4;  // zstd
constexpr int log_append_time_flag = 0x08;
constexpr int control_flag = 0x20;
constexpr int delete_horizon_flag = 0x40;

constexpr std::int64_t no_timestamp = -1;

// Length, attributes, timestampDelta, offsetDelta, key length, value length, header count: at
// least one byte each.
constexpr std::size_t min_record_size = 7;

// Longest encoding of a 32-bit varint.
constexpr std::size_t max_varint_size = 5;

std::optional<std::int64_t> timestamp_or_absent(std::int64_t timestamp) {
  if (timestamp == no_timestamp) {
    return std::nullopt;
  }
  return timestamp;
}

std::int64_t checked_add(const Reader& r, std::int64_t base, std::int64_t delta, std::string_view field) {
  std::int64_t sum = 0;
  if (__builtin_add_overflow(base, delta, &sum)) {
    r.fail(field, std::to_string(base) + " + " + std::to_string(delta) + " overflows int64");
  }
  return sum;
}

// Whether the bytes hold the whole varint at the reader's position, rather than ending inside
// it (in a cut-off batch). One of max_varint_size bytes or more is left to the reader to judge.
bool varint_complete(const Reader& r) {
  Reader peek = r;
  const auto bytes = peek.raw(std::min(r.remaining(), max_varint_size), "record.length");
  return bytes.size() == max_varint_size ||
         std::any_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return (b & 0x80U) == 0; });
}

struct BatchHeader {
  std::int64_t base_offset = 0;
  std::int32_t last_offset_delta = 0;
  int attributes = 0;
  std::int64_t base_timestamp = no_timestamp;
  std::int64_t max_timestamp = no_timestamp;
  std::int32_t record_count = 0;
};

struct RecordSearch {
  enum class Outcome { found, cut_off, absent };
  Outcome outcome = Outcome::absent;
  std::int64_t offset = 0;
  std::int64_t timestamp_delta = 0;
};

// Walks the uncompressed records of a batch (the reader is positioned after the header) up to
// the first whose offset is at least `offset`. In a cut-off batch, bytes ending inside a
// record are the end of the data; in a complete one they are an error.
RecordSearch search_records(Reader& records, bool complete, const BatchHeader& header, std::int64_t offset) {
  using Outcome = RecordSearch::Outcome;
  if (complete && static_cast<std::size_t>(header.record_count) > records.remaining() / min_record_size) {
    records.fail("batch.record_count", "count " + std::to_string(header.record_count) + " cannot fit in the " +
                                           std::to_string(records.remaining()) + " bytes of records");
  }
  for (std::int32_t i = 0; i < header.record_count; ++i) {
    if (!complete && !varint_complete(records)) {
      return {Outcome::cut_off};
    }
    const std::int32_t length = records.varint("record.length");
    if (length < 0) {
      records.fail("record.length", "negative length " + std::to_string(length));
    }
    if (!complete && static_cast<std::size_t>(length) > records.remaining()) {
      return {Outcome::cut_off};
    }
    Reader record = records.sub_reader(static_cast<std::size_t>(length), "record");
    record.int8("record.attributes");
    const std::int64_t timestamp_delta = record.varlong("record.timestamp_delta");
    const std::int32_t offset_delta = record.varint("record.offset_delta");
    // Compaction keeps the batch's offset range, so every record stays inside it.
    if (offset_delta < 0 || offset_delta > header.last_offset_delta) {
      record.fail("record.offset_delta", "delta " + std::to_string(offset_delta) + " lies outside the batch's 0-" +
                                             std::to_string(header.last_offset_delta));
    }
    const std::int64_t record_offset = header.base_offset + offset_delta;  // at most the checked last offset
    if (record_offset >= offset) {
      return {Outcome::found, record_offset, timestamp_delta};
    }
    // Key, value and headers are skipped with the rest of the record.
  }
  if (complete) {
    records.expect_end("record batch");
  }
  return {Outcome::absent};
}

// A magic 2 batch; `batch` holds all of it, or what there is of a cut-off one.
std::optional<RecordTimestamp> search_batch(Reader& batch, bool complete, std::int64_t offset) {
  if (batch.remaining() < batch_header_size) {
    return std::nullopt;  // cut off inside the header (a complete batch's length was checked)
  }
  BatchHeader header;
  header.base_offset = batch.int64("batch.base_offset");
  batch.int32("batch.length");
  batch.int32("batch.partition_leader_epoch");
  batch.int8("batch.magic");
  batch.uint32("batch.crc");
  header.attributes = batch.int16("batch.attributes");
  header.last_offset_delta = batch.int32("batch.last_offset_delta");
  header.base_timestamp = batch.int64("batch.base_timestamp");
  header.max_timestamp = batch.int64("batch.max_timestamp");
  batch.int64("batch.producer_id");
  batch.int16("batch.producer_epoch");
  batch.int32("batch.base_sequence");
  header.record_count = batch.int32("batch.record_count");
  if (header.last_offset_delta < 0) {
    batch.fail("batch.last_offset_delta", "negative delta " + std::to_string(header.last_offset_delta));
  }
  if (header.record_count < 0) {
    batch.fail("batch.record_count", "negative count " + std::to_string(header.record_count));
  }
  const std::int64_t last_offset =
      checked_add(batch, header.base_offset, header.last_offset_delta, "batch.last_offset_delta");
  // Control batches hold transaction markers, not messages; an empty batch is what compaction
  // leaves of one whose records all went (kept for the producer's sequence numbers).
  if (last_offset < offset || (header.attributes & control_flag) != 0 || header.record_count == 0) {
    return std::nullopt;
  }
  const int codec = header.attributes & compression_mask;
  if (codec > max_compression_codec) {
    batch.fail("batch.attributes", "unknown compression codec " + std::to_string(codec));
  }
  const bool compressed = codec != 0;
  const std::int64_t at_least_base = std::max(offset, header.base_offset);
  using Outcome = RecordSearch::Outcome;

  if ((header.attributes & log_append_time_flag) != 0) {
    // The broker stamped every record with the same time, kept in maxTimestamp.
    RecordTimestamp found{at_least_base, timestamp_or_absent(header.max_timestamp), TimestampType::log_append_time,
                          true};
    if (!compressed) {
      const RecordSearch search = search_records(batch, complete, header, offset);
      if (search.outcome == Outcome::absent) {
        return std::nullopt;
      }
      if (search.outcome == Outcome::found) {
        found.offset = search.offset;
      }
    }
    return found;
  }

  // With a delete horizon, baseTimestamp holds the horizon rather than the first record's time;
  // the records' deltas are relative to it all the same.
  const bool has_delete_horizon = (header.attributes & delete_horizon_flag) != 0;
  const std::optional<std::int64_t> first_timestamp =
      has_delete_horizon ? std::nullopt : timestamp_or_absent(header.base_timestamp);
  if (compressed) {
    if (offset <= header.base_offset) {
      return RecordTimestamp{header.base_offset, first_timestamp, TimestampType::create_time, !has_delete_horizon};
    }
    return RecordTimestamp{offset, first_timestamp, TimestampType::create_time, false};
  }
  const RecordSearch search = search_records(batch, complete, header, offset);
  switch (search.outcome) {
    case Outcome::found: {
      const std::int64_t timestamp =
          checked_add(batch, header.base_timestamp, search.timestamp_delta, "record.timestamp_delta");
      return RecordTimestamp{search.offset, timestamp_or_absent(timestamp), TimestampType::create_time, true};
    }
    case Outcome::cut_off:
      return RecordTimestamp{at_least_base, first_timestamp, TimestampType::create_time, false};
    case Outcome::absent:
      break;
  }
  return std::nullopt;
}

// A message of magic 0 or 1. A compressed one wraps others and carries the offset of the last
// of them. Located by offset only: the timestamps are not decoded.
std::optional<RecordTimestamp> search_legacy_message(Reader& message, std::int64_t offset) {
  if (message.remaining() < legacy_header_size) {
    return std::nullopt;  // cut off inside the header
  }
  const std::int64_t message_offset = message.int64("message.offset");
  message.int32("message.size");
  message.uint32("message.crc");
  message.int8("message.magic");
  const std::int8_t attributes = message.int8("message.attributes");
  if (message_offset < offset) {
    return std::nullopt;
  }
  const bool compressed = (attributes & compression_mask) != 0;
  return RecordTimestamp{compressed ? offset : message_offset, std::nullopt, TimestampType::create_time, false};
}

}  // namespace

std::optional<RecordTimestamp> find_record_timestamp(std::span<const std::uint8_t> record_set, std::int64_t offset,
                                                     std::int64_t* searched_to) {
  Reader r(record_set);
  while (r.remaining() != 0) {
    if (r.remaining() < bytes_through_magic) {
      return std::nullopt;  // cut off before the format is known
    }
    Reader peek = r;
    peek.int64("batch.base_offset");
    const std::int32_t length = peek.int32("batch.length");
    peek.int32("batch.partition_leader_epoch");
    const std::int8_t magic = peek.int8("batch.magic");
    if (magic < 0 || magic > 2) {
      peek.fail("batch.magic", "unknown magic " + std::to_string(magic));
    }
    const std::int32_t min_length = magic == 2 ? min_length_v2 : magic == 1 ? min_length_v1 : min_length_v0;
    if (length < min_length) {
      peek.fail("batch.length", "length " + std::to_string(length) + " is below the " + std::to_string(min_length) +
                                    " bytes of a magic " + std::to_string(magic) + " header");
    }
    const std::size_t size = log_overhead + static_cast<std::size_t>(length);
    // Only the last batch may be cut off: the broker's size limit falls where it falls.
    const bool complete = size <= r.remaining();
    Reader batch = r.sub_reader(complete ? size : r.remaining(), "record_batch");
    if (complete && searched_to != nullptr) {
      // A complete batch's header is all there (its length was checked against the minimum).
      Reader header = batch;
      const std::int64_t base_offset = header.int64("batch.base_offset");
      std::int64_t last_offset = base_offset;  // a legacy message carries its (last) offset
      if (magic == 2) {
        header.int32("batch.length");
        header.int32("batch.partition_leader_epoch");
        header.int8("batch.magic");
        header.uint32("batch.crc");
        header.int16("batch.attributes");
        const std::int32_t delta = header.int32("batch.last_offset_delta");
        if (delta < 0) header.fail("batch.last_offset_delta", "negative delta " + std::to_string(delta));
        last_offset = checked_add(header, base_offset, delta, "batch.last_offset_delta");
      }
      if (last_offset < std::numeric_limits<std::int64_t>::max())
        *searched_to = std::max(*searched_to, last_offset + 1);
    }
    auto found = magic == 2 ? search_batch(batch, complete, offset) : search_legacy_message(batch, offset);
    if (found || !complete) {
      return found;
    }
  }
  return std::nullopt;
}

}  // namespace msgwatch::kafka::protocol
