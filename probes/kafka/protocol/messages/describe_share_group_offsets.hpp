#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "probes/kafka/protocol/api_key.hpp"
#include "probes/kafka/protocol/error_code.hpp"
#include "probes/kafka/protocol/reader.hpp"
#include "probes/kafka/protocol/uuid.hpp"
#include "probes/kafka/protocol/writer.hpp"

namespace msgwatch::kafka::protocol {

// DescribeShareGroupOffsets (key 90), DescribeShareGroupOffsetsRequest.json /
// DescribeShareGroupOffsetsResponse.json, versions 0-1: a share group's share-partition start
// offsets, asked of its coordinator. Version 1 (Kafka 4.2 on) adds the lag the broker
// computes (-1: not known, such as a share partition not initialised yet).
struct DescribeShareGroupOffsetsRequest {
  static constexpr ApiKey api_key = ApiKey::describe_share_group_offsets;
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 1;
  static constexpr std::int16_t first_flexible_version = 0;

  struct Topic {
    std::string topic_name;
    std::vector<std::int32_t> partitions;
    bool operator==(const Topic&) const = default;
  };
  struct Group {
    std::string group_id;
    std::optional<std::vector<Topic>> topics;  // nullopt: every topic-partition of the group
    bool operator==(const Group&) const = default;
  };

  std::vector<Group> groups;

  void encode(Writer& writer, std::int16_t version) const;
  static DescribeShareGroupOffsetsRequest decode(Reader& reader, std::int16_t version);
  bool operator==(const DescribeShareGroupOffsetsRequest&) const = default;
};

struct DescribeShareGroupOffsetsResponse {
  static constexpr ApiKey api_key = ApiKey::describe_share_group_offsets;
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 1;
  static constexpr std::int16_t first_flexible_version = 0;

  struct Partition {
    std::int32_t partition_index = 0;
    std::int64_t start_offset = -1;
    std::int32_t leader_epoch = -1;
    std::int64_t lag = -1;  // v1+
    ErrorCode error_code = ErrorCode::none;
    std::optional<std::string> error_message;
    bool operator==(const Partition&) const = default;
  };
  struct Topic {
    std::string topic_name;
    Uuid topic_id;
    std::vector<Partition> partitions;
    bool operator==(const Topic&) const = default;
  };
  struct Group {
    std::string group_id;
    std::vector<Topic> topics;
    ErrorCode error_code = ErrorCode::none;
    std::optional<std::string> error_message;
    bool operator==(const Group&) const = default;
  };

  std::int32_t throttle_time_ms = 0;
  std::vector<Group> groups;

  void encode(Writer& writer, std::int16_t version) const;
  static DescribeShareGroupOffsetsResponse decode(Reader& reader, std::int16_t version);
  bool operator==(const DescribeShareGroupOffsetsResponse&) const = default;
};

}  // namespace msgwatch::kafka::protocol
