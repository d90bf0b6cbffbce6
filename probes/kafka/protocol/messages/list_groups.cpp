#include "probes/kafka/protocol/messages/list_groups.hpp"

#include "probes/kafka/protocol/message_version.hpp"

namespace msgwatch::kafka::protocol {

void ListGroupsRequest::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<ListGroupsRequest>(w, version);
  if (version >= 4) {
    w.string_array(states_filter);
  }
  if (version >= 5) {
    w.string_array(types_filter);
  }
  w.tagged_fields();
}

ListGroupsRequest ListGroupsRequest::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<ListGroupsRequest>(r, version);
  ListGroupsRequest request;
  if (version >= 4) {
    request.states_filter = r.string_array("states_filter");
  }
  if (version >= 5) {
    request.types_filter = r.string_array("types_filter");
  }
  r.tagged_fields();
  return request;
}

void ListGroupsResponse::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<ListGroupsResponse>(w, version);
  w.int32(throttle_time_ms);
  w.error_code(error_code);
  w.array(groups, [version](Writer& w, const Group& g) {
    w.string(g.group_id);
    w.string(g.protocol_type);
    if (version >= 4) {
      w.string(g.group_state);
    }
    if (version >= 5) {
      w.string(g.group_type);
    }
    w.tagged_fields();
  });
  w.tagged_fields();
}

ListGroupsResponse ListGroupsResponse::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<ListGroupsResponse>(r, version);
  ListGroupsResponse response;
  response.throttle_time_ms = r.int32("throttle_time_ms");
  response.error_code = r.error_code();
  response.groups = r.array("groups", [version](Reader& r) {
    Group g;
    g.group_id = r.string("groups.group_id");
    g.protocol_type = r.string("groups.protocol_type");
    if (version >= 4) {
      g.group_state = r.string("groups.group_state");
    }
    if (version >= 5) {
      g.group_type = r.string("groups.group_type");
    }
    r.tagged_fields();
    return g;
  });
  r.tagged_fields();
  return response;
}

}  // namespace msgwatch::kafka::protocol
