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

// AlterPartitionReassignments (key 45), AlterPartitionReassignmentsRequest.json /
// AlterPartitionReassignmentsResponse.json, versions 0-1, all flexible (KIP-455; v1 adds the
// replication factor guard of KIP-860). Kafka 3.9 and 4.0 serve 0, 4.1 on 0-1. In KRaft a broker
// forwards it to the active controller. Needs ALTER on the cluster.
struct AlterPartitionReassignmentsRequest {
  static constexpr ApiKey api_key = ApiKey::alter_partition_reassignments;
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 1;
  static constexpr std::int16_t first_flexible_version = 0;

  static constexpr std::int32_t default_timeout_ms = 60000;

  struct Partition {
    std::int32_t partition_index = 0;
    // The target replica set, or nullopt to cancel the partition's pending reassignment.
    std::optional<std::vector<std::int32_t>> replicas;
    bool operator==(const Partition&) const = default;
  };
  struct Topic {
    std::string name;
    std::vector<Partition> partitions;
    bool operator==(const Topic&) const = default;
  };

  std::int32_t timeout_ms = default_timeout_ms;
  // v1+: false makes the controller refuse any reassignment that would change a partition's
  // replication factor. v0 cannot carry it: encoding false at v0 throws std::invalid_argument
  // rather than silently dropping the guard.
  bool allow_replication_factor_change = true;
  std::vector<Topic> topics;

  void encode(Writer& writer, std::int16_t version) const;
  static AlterPartitionReassignmentsRequest decode(Reader& reader, std::int16_t version);
  bool operator==(const AlterPartitionReassignmentsRequest&) const = default;
};

struct AlterPartitionReassignmentsResponse {
  static constexpr ApiKey api_key = ApiKey::alter_partition_reassignments;
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 1;
  static constexpr std::int16_t first_flexible_version = 0;

  struct Partition {
    std::int32_t partition_index = 0;
    ErrorCode error_code = ErrorCode::none;
    std::optional<std::string> error_message;  // null when there was no error
    bool operator==(const Partition&) const = default;
  };
  struct Topic {
    std::string name;
    std::vector<Partition> partitions;
    bool operator==(const Topic&) const = default;
  };

  std::int32_t throttle_time_ms = 0;
  bool allow_replication_factor_change = true;  // v1+: whether the request allowed such changes
  ErrorCode error_code = ErrorCode::none;
  std::optional<std::string> error_message;  // null when there was no error
  std::vector<Topic> responses;

  void encode(Writer& writer, std::int16_t version) const;
  static AlterPartitionReassignmentsResponse decode(Reader& reader, std::int16_t version);
  bool operator==(const AlterPartitionReassignmentsResponse&) const = default;
};

}  // namespace msgwatch::kafka::protocol
