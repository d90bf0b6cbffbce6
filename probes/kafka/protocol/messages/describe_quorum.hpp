#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "probes/kafka/protocol/api_key.hpp"
#include "probes/kafka/protocol/error_code.hpp"
#include "probes/kafka/protocol/reader.hpp"
#include "probes/kafka/protocol/uuid.hpp"
#include "probes/kafka/protocol/writer.hpp"

namespace msgwatch::kafka::protocol {

// DescribeQuorum (key 55), DescribeQuorumRequest.json / DescribeQuorumResponse.json, versions 0-2,
// all flexible (KIP-595; v1 adds the replicas' fetch timestamps of KIP-836, v2 the error messages,
// replica directory ids and voter endpoints of KIP-853). Served by 3.9 and 4.x (0-2). A broker
// forwards the request to the active controller, which describes the KRaft metadata log: topic
// __cluster_metadata, partition 0. Needs DESCRIBE on the cluster.
struct DescribeQuorumRequest {
  static constexpr ApiKey api_key = ApiKey::describe_quorum;
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 2;
  static constexpr std::int16_t first_flexible_version = 0;

  // The one partition a Kafka quorum replicates.
  static constexpr std::string_view cluster_metadata_topic = "__cluster_metadata";
  static constexpr std::int32_t cluster_metadata_partition = 0;

  struct Partition {
    std::int32_t partition_index = 0;
    bool operator==(const Partition&) const = default;
  };
  struct Topic {
    std::string topic_name;
    std::vector<Partition> partitions;
    bool operator==(const Topic&) const = default;
  };

  std::vector<Topic> topics;

  // The request for __cluster_metadata partition 0, as the admin client's describeMetadataQuorum
  // sends it.
  static DescribeQuorumRequest for_cluster_metadata();

  void encode(Writer& writer, std::int16_t version) const;
  static DescribeQuorumRequest decode(Reader& reader, std::int16_t version);
  bool operator==(const DescribeQuorumRequest&) const = default;
};

// No throttle time in any version. The error messages are nullable strings whose spec default is
// the empty string, which is what a broker sends (v2) when there is no error; nullopt here stands
// for "absent" (v0-1) or null.
struct DescribeQuorumResponse {
  static constexpr ApiKey api_key = ApiKey::describe_quorum;
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 2;
  static constexpr std::int16_t first_flexible_version = 0;

  struct ReplicaState {
    std::int32_t replica_id = -1;
    Uuid replica_directory_id;                   // v2+; zero when the replica has none
    std::int64_t log_end_offset = -1;            // -1 if unknown
    std::int64_t last_fetch_timestamp = -1;      // v1+; leader's clock, -1 for the leader or unknown
    std::int64_t last_caught_up_timestamp = -1;  // v1+; leader's clock, -1 if unknown
    bool operator==(const ReplicaState&) const = default;
  };
  struct Partition {
    std::int32_t partition_index = 0;
    ErrorCode error_code = ErrorCode::none;
    std::optional<std::string> error_message;  // v2+
    std::int32_t leader_id = -1;               // -1 if unknown
    std::int32_t leader_epoch = -1;
    std::int64_t high_watermark = -1;
    std::vector<ReplicaState> current_voters;
    std::vector<ReplicaState> observers;
    bool operator==(const Partition&) const = default;
  };
  struct Topic {
    std::string topic_name;
    std::vector<Partition> partitions;
    bool operator==(const Topic&) const = default;
  };
  // v2+: the voters' endpoints, one Node per voter.
  struct Listener {
    std::string name;
    std::string host;
    std::uint16_t port = 0;
    bool operator==(const Listener&) const = default;
  };
  struct Node {
    std::int32_t node_id = -1;
    std::vector<Listener> listeners;
    bool operator==(const Node&) const = default;
  };

  ErrorCode error_code = ErrorCode::none;
  std::optional<std::string> error_message;  // v2+
  std::vector<Topic> topics;
  std::vector<Node> nodes;  // v2+

  void encode(Writer& writer, std::int16_t version) const;
  static DescribeQuorumResponse decode(Reader& reader, std::int16_t version);
  bool operator==(const DescribeQuorumResponse&) const = default;
};

}  // namespace msgwatch::kafka::protocol
