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

// ListPartitionReassignments (key 46), ListPartitionReassignmentsRequest.json /
// ListPartitionReassignmentsResponse.json, version 0, flexible (KIP-455; the only version in 3.9
// and 4.x). In KRaft a broker forwards it to the active controller. Needs DESCRIBE on the cluster.
struct ListPartitionReassignmentsRequest {
  static constexpr ApiKey api_key = ApiKey::list_partition_reassignments;
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 0;
  static constexpr std::int16_t first_flexible_version = 0;

  static constexpr std::int32_t default_timeout_ms = 60000;

  struct Topic {
    std::string name;
    std::vector<std::int32_t> partition_indexes;
    bool operator==(const Topic&) const = default;
  };

  std::int32_t timeout_ms = default_timeout_ms;
  std::optional<std::vector<Topic>> topics;  // nullopt: every ongoing reassignment

  void encode(Writer& writer, std::int16_t version) const;
  static ListPartitionReassignmentsRequest decode(Reader& reader, std::int16_t version);
  bool operator==(const ListPartitionReassignmentsRequest&) const = default;
};

// Only partitions with a reassignment in progress are listed. While one runs, replicas is the
// union of the original and target replica sets; adding_replicas are the replicas being added,
// removing_replicas those that leave when the reassignment completes (once every added replica
// is in sync).
struct ListPartitionReassignmentsResponse {
  static constexpr ApiKey api_key = ApiKey::list_partition_reassignments;
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 0;
  static constexpr std::int16_t first_flexible_version = 0;

  struct Partition {
    std::int32_t partition_index = 0;
    std::vector<std::int32_t> replicas;
    std::vector<std::int32_t> adding_replicas;
    std::vector<std::int32_t> removing_replicas;
    bool operator==(const Partition&) const = default;
  };
  struct Topic {
    std::string name;
    std::vector<Partition> partitions;
    bool operator==(const Topic&) const = default;
  };

  std::int32_t throttle_time_ms = 0;
  ErrorCode error_code = ErrorCode::none;
  std::optional<std::string> error_message;  // null when there was no error
  std::vector<Topic> topics;

  void encode(Writer& writer, std::int16_t version) const;
  static ListPartitionReassignmentsResponse decode(Reader& reader, std::int16_t version);
  bool operator==(const ListPartitionReassignmentsResponse&) const = default;
};

}  // namespace msgwatch::kafka::protocol
