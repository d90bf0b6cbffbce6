#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "probes/kafka/protocol/api_key.hpp"
#include "probes/kafka/protocol/authorized_operations.hpp"
#include "probes/kafka/protocol/error_code.hpp"
#include "probes/kafka/protocol/reader.hpp"
#include "probes/kafka/protocol/writer.hpp"

namespace msgwatch::kafka::protocol {

// DescribeGroups (key 15), DescribeGroupsRequest.json / DescribeGroupsResponse.json, versions
// 5-6. Kafka 3.9 serves up to 5; 4.x adds 6 (an error message per group, and GROUP_ID_NOT_FOUND
// instead of a Dead group for unknown ids). Describes classic-protocol groups; KIP-848 groups
// need ConsumerGroupDescribe.
struct DescribeGroupsRequest {
  static constexpr ApiKey api_key = ApiKey::describe_groups;
  static constexpr std::int16_t min_version = 5;
  static constexpr std::int16_t max_version = 6;
  static constexpr std::int16_t first_flexible_version = 5;

  std::vector<std::string> groups;
  bool include_authorized_operations = false;

  void encode(Writer& writer, std::int16_t version) const;
  static DescribeGroupsRequest decode(Reader& reader, std::int16_t version);
  bool operator==(const DescribeGroupsRequest&) const = default;
};

struct DescribeGroupsResponse {
  static constexpr ApiKey api_key = ApiKey::describe_groups;
  static constexpr std::int16_t min_version = 5;
  static constexpr std::int16_t max_version = 6;
  static constexpr std::int16_t first_flexible_version = 5;

  struct Member {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::string client_id;
    std::string client_host;
    // Protocol-specific; for protocol_type "consumer" the assignment decodes with
    // decode_consumer_protocol_assignment(). Only filled while the group is Stable.
    std::vector<std::uint8_t> member_metadata;
    std::vector<std::uint8_t> member_assignment;
    bool operator==(const Member&) const = default;
  };
  struct Group {
    ErrorCode error_code = ErrorCode::none;
    std::optional<std::string> error_message;  // v6+
    std::string group_id;
    std::string group_state;
    std::string protocol_type;
    std::string protocol_data;
    std::vector<Member> members;
    std::int32_t authorized_operations = authorized_operations_unknown;
    bool operator==(const Group&) const = default;
  };

  std::int32_t throttle_time_ms = 0;
  std::vector<Group> groups;

  void encode(Writer& writer, std::int16_t version) const;
  static DescribeGroupsResponse decode(Reader& reader, std::int16_t version);
  bool operator==(const DescribeGroupsResponse&) const = default;
};

}  // namespace msgwatch::kafka::protocol
