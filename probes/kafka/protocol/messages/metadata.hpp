#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "probes/kafka/protocol/api_key.hpp"
#include "probes/kafka/protocol/authorized_operations.hpp"
#include "probes/kafka/protocol/error_code.hpp"
#include "probes/kafka/protocol/reader.hpp"
#include "probes/kafka/protocol/uuid.hpp"
#include "probes/kafka/protocol/writer.hpp"

namespace msgwatch::kafka::protocol {

// Metadata (key 3), MetadataRequest.json / MetadataResponse.json, versions 9-12: the flexible
// versions that Kafka 3.9 (0-12) and 4.x (4-13) both serve.
struct MetadataRequest {
  static constexpr ApiKey api_key = ApiKey::metadata;
  static constexpr std::int16_t min_version = 9;
  static constexpr std::int16_t max_version = 12;
  static constexpr std::int16_t first_flexible_version = 9;

  struct Topic {
    Uuid topic_id;                    // v10+
    std::optional<std::string> name;  // nullable v10+ (ask by id); required before
    bool operator==(const Topic&) const = default;
  };

  // nullopt asks for every topic.
  std::optional<std::vector<Topic>> topics;
  // The spec's default is true; this daemon only observes, and asking a broker for a missing
  // topic must never create it, so the default here is false.
  bool allow_auto_topic_creation = false;
  bool include_cluster_authorized_operations = false;  // v8-10
  bool include_topic_authorized_operations = false;

  void encode(Writer& writer, std::int16_t version) const;
  static MetadataRequest decode(Reader& reader, std::int16_t version);
  bool operator==(const MetadataRequest&) const = default;
};

struct MetadataResponse {
  static constexpr ApiKey api_key = ApiKey::metadata;
  static constexpr std::int16_t min_version = 9;
  static constexpr std::int16_t max_version = 12;
  static constexpr std::int16_t first_flexible_version = 9;

  struct Broker {
    std::int32_t node_id = 0;
    std::string host;
    std::int32_t port = 0;
    std::optional<std::string> rack;
    bool operator==(const Broker&) const = default;
  };
  struct Partition {
    ErrorCode error_code = ErrorCode::none;
    std::int32_t partition_index = 0;
    std::int32_t leader_id = -1;
    std::int32_t leader_epoch = -1;
    std::vector<std::int32_t> replica_nodes;
    std::vector<std::int32_t> isr_nodes;
    std::vector<std::int32_t> offline_replicas;
    bool operator==(const Partition&) const = default;
  };
  struct Topic {
    ErrorCode error_code = ErrorCode::none;
    std::optional<std::string> name;  // nullable v12+ (a topic asked for by an unknown id)
    Uuid topic_id;                    // v10+
    bool is_internal = false;
    std::vector<Partition> partitions;
    std::int32_t topic_authorized_operations = authorized_operations_unknown;
    bool operator==(const Topic&) const = default;
  };

  std::int32_t throttle_time_ms = 0;
  std::vector<Broker> brokers;
  std::optional<std::string> cluster_id;
  std::int32_t controller_id = -1;
  std::vector<Topic> topics;
  std::int32_t cluster_authorized_operations = authorized_operations_unknown;  // v8-10

  void encode(Writer& writer, std::int16_t version) const;
  static MetadataResponse decode(Reader& reader, std::int16_t version);
  bool operator==(const MetadataResponse&) const = default;
};

}  // namespace msgwatch::kafka::protocol
