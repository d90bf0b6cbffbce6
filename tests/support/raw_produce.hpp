#pragma once
// A record batch written exactly as a test composes it, with the project's own protocol
// client (probes/kafka/client): the way to put on a partition what no well-behaved producer
// writes, such as a transactional batch of a producer id no coordinator knows, which a broker
// with transaction.partition.verification.enable=false appends as it is (a hanging
// transaction). Test-only: the daemon itself never produces.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "probes/kafka/protocol/api_key.hpp"
#include "probes/kafka/protocol/error_code.hpp"
#include "probes/kafka/protocol/reader.hpp"
#include "probes/kafka/protocol/writer.hpp"

namespace msgwatch::test {

using namespace std::chrono_literals;

// Produce (key 0), ProduceRequest.json / ProduceResponse.json, versions 3-8: the classic
// (non-flexible) versions both Kafka 3.9 (0-11) and 4.x serve (4.0 removed 0-2, KIP-896).
// Version 3 adds the transactional id and record batches (magic 2), 8 the record errors.
// Encode only: this side never decodes a request.
struct RawProduceRequest {
  static constexpr kafka::protocol::ApiKey api_key = kafka::protocol::ApiKey::produce;
  static constexpr std::int16_t min_version = 3;
  static constexpr std::int16_t max_version = 8;
  static constexpr std::int16_t first_flexible_version = 9;

  struct Partition {
    std::int32_t index = 0;
    std::optional<std::vector<std::uint8_t>> records;  // one record batch (v3+)
  };
  struct Topic {
    std::string name;
    std::vector<Partition> partitions;
  };

  // Required for transactional batches: the broker authorizes the write by it.
  std::optional<std::string> transactional_id;
  std::int16_t acks = -1;  // -1: every in-sync replica
  std::int32_t timeout_ms = 10000;
  std::vector<Topic> topics;

  void encode(kafka::protocol::Writer& writer, std::int16_t version) const;
};

// Decode only.
struct RawProduceResponse {
  static constexpr kafka::protocol::ApiKey api_key = kafka::protocol::ApiKey::produce;
  static constexpr std::int16_t min_version = 3;
  static constexpr std::int16_t max_version = 8;
  static constexpr std::int16_t first_flexible_version = 9;

  struct RecordError {
    std::int32_t batch_index = 0;
    std::optional<std::string> message;
  };
  struct Partition {
    std::int32_t index = 0;
    kafka::protocol::ErrorCode error_code = kafka::protocol::ErrorCode::none;
    std::int64_t base_offset = -1;
    std::int64_t log_append_time_ms = -1;
    std::int64_t log_start_offset = -1;        // v5+
    std::vector<RecordError> record_errors;    // v8+
    std::optional<std::string> error_message;  // v8+
  };
  struct Topic {
    std::string name;
    std::vector<Partition> partitions;
  };

  std::vector<Topic> responses;
  std::int32_t throttle_time_ms = 0;

  static RawProduceResponse decode(kafka::protocol::Reader& reader, std::int16_t version);
};

struct RawRecord {
  std::optional<std::string> key;
  std::optional<std::string> value;
};

// One uncompressed record batch of magic 2 (Kafka's DefaultRecordBatch), every record with
// the same CreateTime and no headers.
struct RecordBatchSpec {
  std::int64_t producer_id = -1;  // -1: none (neither idempotent nor transactional)
  std::int16_t producer_epoch = -1;
  std::int32_t base_sequence = -1;
  bool transactional = false;  // attributes bit 4
  std::int64_t timestamp_ms = 0;
  std::vector<RawRecord> records;  // at least one
};

// The batch's bytes: base offset 0 (the broker assigns offsets), partition leader epoch -1,
// and the CRC-32C over the bytes from attributes to the end.
std::vector<std::uint8_t> encode_record_batch(const RecordBatchSpec& spec);

struct ProduceResult {
  std::int16_t version = -1;  // of Produce, as negotiated with the leader
  std::int32_t leader = -1;
  kafka::protocol::ErrorCode error_code = kafka::protocol::ErrorCode::none;
  std::int64_t base_offset = -1;
  std::int64_t log_start_offset = -1;
  std::optional<std::string> error_message;
  std::vector<RawProduceResponse::RecordError> record_errors;
};

// Sends one Produce request with `batch` for topic/partition to the partition's leader (found
// with Metadata), acks=-1, and returns that partition's answer. Throws std::runtime_error
// when the leader cannot be found or reached, or the answer does not name the partition.
ProduceResult produce_record_batch(const std::string& bootstrap, const std::string& topic, std::int32_t partition,
                                   std::vector<std::uint8_t> batch, const std::optional<std::string>& transactional_id,
                                   std::chrono::milliseconds deadline = 60s);

}  // namespace msgwatch::test
