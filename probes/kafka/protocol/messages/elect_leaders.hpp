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

// ElectLeaders (key 43), ElectLeadersRequest.json / ElectLeadersResponse.json, versions 0-2
// (KIP-183; v1 adds the election type and the response's top-level error code of KIP-460, v2 is
// the first flexible version). Served by 3.9 and 4.x (0-2). In KRaft a broker forwards it to the
// active controller. Needs ALTER on the cluster.
struct ElectLeadersRequest {
  static constexpr ApiKey api_key = ApiKey::elect_leaders;
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 2;
  static constexpr std::int16_t first_flexible_version = 2;

  // Election types (v1+): the preferred (first assigned) replica, or, when no in-sync replica is
  // left, the first live one even if it is out of sync (data loss is possible). v0 requests can
  // only ask for preferred elections.
  static constexpr std::int8_t election_type_preferred = 0;
  static constexpr std::int8_t election_type_unclean = 1;

  static constexpr std::int32_t default_timeout_ms = 60000;

  struct TopicPartitions {
    std::string topic;
    std::vector<std::int32_t> partitions;
    bool operator==(const TopicPartitions&) const = default;
  };

  std::int8_t election_type = election_type_preferred;           // v1+
  std::optional<std::vector<TopicPartitions>> topic_partitions;  // nullopt: every partition
  std::int32_t timeout_ms = default_timeout_ms;

  void encode(Writer& writer, std::int16_t version) const;
  static ElectLeadersRequest decode(Reader& reader, std::int16_t version);
  bool operator==(const ElectLeadersRequest&) const = default;
};

// A partition that needs no election (for a preferred election: its preferred replica already
// leads) answers ELECTION_NOT_NEEDED. When every partition was asked for (null topic_partitions),
// those partitions are left out: each topic is listed with only the partitions where an election
// took place or failed, possibly none.
struct ElectLeadersResponse {
  static constexpr ApiKey api_key = ApiKey::elect_leaders;
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 2;
  static constexpr std::int16_t first_flexible_version = 2;

  struct PartitionResult {
    std::int32_t partition_id = 0;
    ErrorCode error_code = ErrorCode::none;
    std::optional<std::string> error_message;  // null when there was no error
    bool operator==(const PartitionResult&) const = default;
  };
  struct ReplicaElectionResult {
    std::string topic;
    std::vector<PartitionResult> partition_result;
    bool operator==(const ReplicaElectionResult&) const = default;
  };

  std::int32_t throttle_time_ms = 0;
  ErrorCode error_code = ErrorCode::none;  // v1+
  std::vector<ReplicaElectionResult> replica_election_results;

  void encode(Writer& writer, std::int16_t version) const;
  static ElectLeadersResponse decode(Reader& reader, std::int16_t version);
  bool operator==(const ElectLeadersResponse&) const = default;
};

}  // namespace msgwatch::kafka::protocol
