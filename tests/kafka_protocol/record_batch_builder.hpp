#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "probes/kafka/protocol/record_batch.hpp"

namespace msgwatch::kafka::protocol {

// Readable failure messages for tests comparing results (found by argument-dependent lookup).
inline void PrintTo(const RecordTimestamp& found, std::ostream* os) {
  *os << "{offset " << found.offset << ", timestamp ";
  if (found.timestamp_ms) {
    *os << *found.timestamp_ms;
  } else {
    *os << "absent";
  }
  *os << (found.type == TimestampType::log_append_time ? ", LogAppendTime" : ", CreateTime")
      << (found.exact ? ", exact}" : ", inexact}");
}

}  // namespace msgwatch::kafka::protocol

namespace msgwatch::kafka::protocol::testing {

// One record of a magic 2 batch, as a producer writes it uncompressed.
struct TestRecord {
  std::int32_t offset_delta = 0;
  std::int64_t timestamp_delta = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

// A magic 2 record batch, written field by field. The optional fields override what would
// otherwise be derived from the records, to build inconsistent (malformed) batches.
struct TestBatch {
  std::int64_t base_offset = 0;
  std::int32_t partition_leader_epoch = 0;
  std::int8_t magic = 2;
  std::int16_t attributes = 0;
  std::int64_t base_timestamp = -1;
  std::int64_t max_timestamp = -1;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::int32_t base_sequence = -1;
  std::vector<TestRecord> records;
  // Written instead of the records: stands for a compressed payload, which is never decoded.
  std::optional<std::vector<std::uint8_t>> payload;
  std::optional<std::int32_t> last_offset_delta;  // default: the last record's offset delta, or 0
  std::optional<std::int32_t> record_count;       // default: the number of records
  std::optional<std::int32_t> batch_length;       // default: the bytes that follow the field
};

// Attribute bits of a batch.
inline constexpr std::int16_t attributes_gzip = 0x01;
inline constexpr std::int16_t attributes_snappy = 0x02;
inline constexpr std::int16_t attributes_zstd = 0x04;
inline constexpr std::int16_t attributes_log_append_time = 0x08;
inline constexpr std::int16_t attributes_transactional = 0x10;
inline constexpr std::int16_t attributes_control = 0x20;
inline constexpr std::int16_t attributes_delete_horizon = 0x40;

// The CRC is left at 0: the decoder does not verify it.
std::vector<std::uint8_t> encode_batch(const TestBatch& batch);

// A message of the old format magic 1 (offset, size, crc, magic, attributes, timestamp, key,
// value) with a null key and the value "hi"; attributes 1 marks a gzip wrapper, whose offset
// is that of the last message inside. The CRC is left at 0.
std::vector<std::uint8_t> encode_magic_1_message(std::int64_t offset, std::int8_t attributes, std::int64_t timestamp);

// Batches of several kinds back to back (uncompressed CreateTime, a control batch, a
// compressed one, LogAppendTime), for Fetch response samples and the fuzz corpus. Offsets run
// from 1000 to 1015, timestamps from 1700000000000.
std::vector<std::uint8_t> sample_record_set();

}  // namespace msgwatch::kafka::protocol::testing
