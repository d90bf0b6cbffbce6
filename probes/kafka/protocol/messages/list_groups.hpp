#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "probes/kafka/protocol/api_key.hpp"
#include "probes/kafka/protocol/error_code.hpp"
#include "probes/kafka/protocol/reader.hpp"
#include "probes/kafka/protocol/writer.hpp"

namespace msgwatch::kafka::protocol {

// ListGroups (key 16), ListGroupsRequest.json / ListGroupsResponse.json, versions 3-5 (the
// flexible ones; 3.9 and 4.x both serve 0-5). The answer covers only groups coordinated by the
// broker asked, so listing a cluster means asking every broker.
struct ListGroupsRequest {
  static constexpr ApiKey api_key = ApiKey::list_groups;
  static constexpr std::int16_t min_version = 3;
  static constexpr std::int16_t max_version = 5;
  static constexpr std::int16_t first_flexible_version = 3;

  std::vector<std::string> states_filter;  // v4+, empty = all states
  std::vector<std::string> types_filter;   // v5+, empty = all types ("classic", "consumer", ...)

  void encode(Writer& writer, std::int16_t version) const;
  static ListGroupsRequest decode(Reader& reader, std::int16_t version);
  bool operator==(const ListGroupsRequest&) const = default;
};

struct ListGroupsResponse {
  static constexpr ApiKey api_key = ApiKey::list_groups;
  static constexpr std::int16_t min_version = 3;
  static constexpr std::int16_t max_version = 5;
  static constexpr std::int16_t first_flexible_version = 3;

  struct Group {
    std::string group_id;
    std::string protocol_type;
    std::string group_state;  // v4+
    std::string group_type;   // v5+
    bool operator==(const Group&) const = default;
  };

  std::int32_t throttle_time_ms = 0;
  ErrorCode error_code = ErrorCode::none;
  std::vector<Group> groups;

  void encode(Writer& writer, std::int16_t version) const;
  static ListGroupsResponse decode(Reader& reader, std::int16_t version);
  bool operator==(const ListGroupsResponse&) const = default;
};

}  // namespace msgwatch::kafka::protocol
