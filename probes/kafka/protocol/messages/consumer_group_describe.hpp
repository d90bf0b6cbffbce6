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

// ConsumerGroupDescribe (key 69), ConsumerGroupDescribeRequest.json /
// ConsumerGroupDescribeResponse.json, versions 0-1: the describe call for KIP-848 ("consumer"
// type) groups. It exists from Kafka 3.7 on; 3.9 serves v0 (when the new group protocol is
// enabled), 4.x adds v1 with the member type.
struct ConsumerGroupDescribeRequest {
  static constexpr ApiKey api_key = ApiKey::consumer_group_describe;
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 1;
  static constexpr std::int16_t first_flexible_version = 0;

  std::vector<std::string> group_ids;
  bool include_authorized_operations = false;

  void encode(Writer& writer, std::int16_t version) const;
  static ConsumerGroupDescribeRequest decode(Reader& reader, std::int16_t version);
  bool operator==(const ConsumerGroupDescribeRequest&) const = default;
};

struct ConsumerGroupDescribeResponse {
  static constexpr ApiKey api_key = ApiKey::consumer_group_describe;
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 1;
  static constexpr std::int16_t first_flexible_version = 0;

  static constexpr std::int8_t member_type_unknown = -1;
  static constexpr std::int8_t member_type_classic = 0;
  static constexpr std::int8_t member_type_consumer = 1;

  struct TopicPartitions {
    Uuid topic_id;
    std::string topic_name;
    std::vector<std::int32_t> partitions;
    bool operator==(const TopicPartitions&) const = default;
  };
  struct Assignment {
    std::vector<TopicPartitions> topic_partitions;
    bool operator==(const Assignment&) const = default;
  };
  struct Member {
    std::string member_id;
    std::optional<std::string> instance_id;
    std::optional<std::string> rack_id;
    std::int32_t member_epoch = 0;
    std::string client_id;
    std::string client_host;
    std::vector<std::string> subscribed_topic_names;
    std::optional<std::string> subscribed_topic_regex;
    Assignment assignment;
    Assignment target_assignment;
    std::int8_t member_type = member_type_unknown;  // v1+
    bool operator==(const Member&) const = default;
  };
  struct Group {
    ErrorCode error_code = ErrorCode::none;
    std::optional<std::string> error_message;
    std::string group_id;
    std::string group_state;
    std::int32_t group_epoch = 0;
    std::int32_t assignment_epoch = 0;
    std::string assignor_name;
    std::vector<Member> members;
    std::int32_t authorized_operations = authorized_operations_unknown;
    bool operator==(const Group&) const = default;
  };

  std::int32_t throttle_time_ms = 0;
  std::vector<Group> groups;

  void encode(Writer& writer, std::int16_t version) const;
  static ConsumerGroupDescribeResponse decode(Reader& reader, std::int16_t version);
  bool operator==(const ConsumerGroupDescribeResponse&) const = default;
};

}  // namespace msgwatch::kafka::protocol
