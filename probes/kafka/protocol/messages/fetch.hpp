#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "probes/kafka/protocol/api_key.hpp"
#include "probes/kafka/protocol/error_code.hpp"
#include "probes/kafka/protocol/reader.hpp"
#include "probes/kafka/protocol/writer.hpp"

namespace msgwatch::kafka::protocol {

// Fetch (key 1), FetchRequest.json / FetchResponse.json, versions 4-11: the non-flexible versions
// both Kafka 3.9 and 4.x serve (4.0 removed only 0-3). Topics are named (v13+ uses topic ids).
// v5 adds the log start offsets, v7 the fetch session fields of KIP-227 (the defaults ask for a
// full fetch outside any session), v9 the current leader epoch (KIP-320), v11 the rack id and
// preferred read replica (KIP-392).
struct FetchRequest {
  static constexpr ApiKey api_key = ApiKey::fetch;
  static constexpr std::int16_t min_version = 4;
  static constexpr std::int16_t max_version = 11;
  static constexpr std::int16_t first_flexible_version = 12;  // past max_version: none is flexible

  static constexpr std::int8_t read_uncommitted = 0;
  static constexpr std::int8_t read_committed = 1;

  // A sessionless fetch: session id 0 with epoch -1 (FINAL_EPOCH) creates no session, so the
  // broker answers for every partition asked and keeps no state behind.
  static constexpr std::int32_t no_session_id = 0;
  static constexpr std::int32_t sessionless_epoch = -1;

  struct Partition {
    std::int32_t partition = 0;
    std::int32_t current_leader_epoch = -1;  // v9+; -1 = not checked
    std::int64_t fetch_offset = 0;
    std::int64_t log_start_offset = -1;  // v5+; only followers set it
    std::int32_t partition_max_bytes = 0;
    bool operator==(const Partition&) const = default;
  };
  struct Topic {
    std::string topic;
    std::vector<Partition> partitions;
    bool operator==(const Topic&) const = default;
  };
  // v7+: partitions an incremental fetch removes from its session.
  struct ForgottenTopic {
    std::string topic;
    std::vector<std::int32_t> partitions;
    bool operator==(const ForgottenTopic&) const = default;
  };

  // -1: a consumer, not a follower broker.
  std::int32_t replica_id = -1;
  std::int32_t max_wait_ms = 0;
  std::int32_t min_bytes = 0;
  std::int32_t max_bytes = 0x7fffffff;
  std::int8_t isolation_level = read_uncommitted;
  std::int32_t session_id = no_session_id;         // v7+
  std::int32_t session_epoch = sessionless_epoch;  // v7+
  std::vector<Topic> topics;
  std::vector<ForgottenTopic> forgotten_topics_data;  // v7+
  std::string rack_id;                                // v11+

  void encode(Writer& writer, std::int16_t version) const;
  static FetchRequest decode(Reader& reader, std::int16_t version);
  bool operator==(const FetchRequest&) const = default;
};

// The record set of each partition is kept as the raw bytes the broker sent (a sequence of
// record batches, the last of which may be cut off by the size limits); record_batch.hpp reads
// timestamps out of it.
struct FetchResponse {
  static constexpr ApiKey api_key = ApiKey::fetch;
  static constexpr std::int16_t min_version = 4;
  static constexpr std::int16_t max_version = 11;
  static constexpr std::int16_t first_flexible_version = 12;

  struct AbortedTransaction {
    std::int64_t producer_id = 0;
    std::int64_t first_offset = 0;
    bool operator==(const AbortedTransaction&) const = default;
  };
  struct Partition {
    std::int32_t partition_index = 0;
    ErrorCode error_code = ErrorCode::none;
    std::int64_t high_watermark = 0;
    std::int64_t last_stable_offset = -1;
    std::int64_t log_start_offset = -1;  // v5+
    // Null unless the request was read_committed and aborted transactions overlap the records.
    std::optional<std::vector<AbortedTransaction>> aborted_transactions;
    std::int32_t preferred_read_replica = -1;  // v11+
    std::optional<std::vector<std::uint8_t>> records;
    bool operator==(const Partition&) const = default;
  };
  struct Topic {
    std::string topic;
    std::vector<Partition> partitions;
    bool operator==(const Topic&) const = default;
  };

  std::int32_t throttle_time_ms = 0;
  ErrorCode error_code = ErrorCode::none;  // v7+
  std::int32_t session_id = 0;             // v7+
  std::vector<Topic> responses;

  void encode(Writer& writer, std::int16_t version) const;
  static FetchResponse decode(Reader& reader, std::int16_t version);
  bool operator==(const FetchResponse&) const = default;
};

}  // namespace msgwatch::kafka::protocol
