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

// ShareGroupDescribe (key 77), ShareGroupDescribeRequest.json /
// ShareGroupDescribeResponse.json, version 1: the describe call for share groups (KIP-932).
// Version 0 was Kafka 4.0's early access and is gone from 4.1 on; 3.9 has neither.
struct ShareGroupDescribeRequest {
  static constexpr ApiKey api_key = ApiKey::share_group_describe;
  static constexpr std::int16_t min_version = 1;
  static constexpr std::int16_t max_version = 1;
  static constexpr std::int16_t first_flexible_version = 1;

  std::vector<std::string> group_ids;
  bool include_authorized_operations = false;

  void encode(Writer& writer, std::int16_t version) const;
  static ShareGroupDescribeRequest decode(Reader& reader, std::int16_t version);
  bool operator==(const ShareGroupDescribeRequest&) const = default;
};

struct ShareGroupDescribeResponse {
  static constexpr ApiKey api_key = ApiKey::share_group_describe;
  static constexpr std::int16_t min_version = 1;
  static constexpr std::int16_t max_version = 1;
  static constexpr std::int16_t first_flexible_version = 1;

  struct TopicPartitions {
    Uuid topic_id;
    std::string topic_name;
    std::vector<std::int32_t> partitions;
    bool operator==(const TopicPartitions&) const = default;
  };
  struct Member {
    std::string member_id;
    std::optional<std::string> rack_id;
    std::int32_t member_epoch = 0;
    std::string client_id;
    std::string client_host;
    std::vector<std::string> subscribed_topic_names;
    std::vector<TopicPartitions> assignment;  // the Assignment struct's only field
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
  static ShareGroupDescribeResponse decode(Reader& reader, std::int16_t version);
  bool operator==(const ShareGroupDescribeResponse&) const = default;
};

}  // namespace msgwatch::kafka::protocol
