#include "probes/kafka/protocol/messages/describe_groups.hpp"

#include "probes/kafka/protocol/message_version.hpp"

namespace msgwatch::kafka::protocol {

namespace {

using Response = DescribeGroupsResponse;

Response::Member decode_member(Reader& r) {
  Response::Member m;
  m.member_id = r.string("members.member_id");
  m.group_instance_id = r.nullable_string("members.group_instance_id");
  m.client_id = r.string("members.client_id");
  m.client_host = r.string("members.client_host");
  m.member_metadata = r.bytes("members.member_metadata");
  m.member_assignment = r.bytes("members.member_assignment");
  r.tagged_fields();
  return m;
}

void encode_member(Writer& w, const Response::Member& m) {
  w.string(m.member_id);
  w.nullable_string(m.group_instance_id);
  w.string(m.client_id);
  w.string(m.client_host);
  w.bytes(m.member_metadata);
  w.bytes(m.member_assignment);
  w.tagged_fields();
}

}  // namespace

void DescribeGroupsRequest::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<DescribeGroupsRequest>(w, version);
  w.string_array(groups);
  w.boolean(include_authorized_operations);
  w.tagged_fields();
}

DescribeGroupsRequest DescribeGroupsRequest::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<DescribeGroupsRequest>(r, version);
  DescribeGroupsRequest request;
  request.groups = r.string_array("groups");
  request.include_authorized_operations = r.boolean("include_authorized_operations");
  r.tagged_fields();
  return request;
}

void DescribeGroupsResponse::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<DescribeGroupsResponse>(w, version);
  w.int32(throttle_time_ms);
  w.array(groups, [version](Writer& w, const Group& g) {
    w.error_code(g.error_code);
    if (version >= 6) {
      w.nullable_string(g.error_message);
    }
    w.string(g.group_id);
    w.string(g.group_state);
    w.string(g.protocol_type);
    w.string(g.protocol_data);
    w.array(g.members, encode_member);
    w.int32(g.authorized_operations);
    w.tagged_fields();
  });
  w.tagged_fields();
}

DescribeGroupsResponse DescribeGroupsResponse::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<DescribeGroupsResponse>(r, version);
  DescribeGroupsResponse response;
  response.throttle_time_ms = r.int32("throttle_time_ms");
  response.groups = r.array("groups", [version](Reader& r) {
    Group g;
    g.error_code = r.error_code("groups.error_code");
    if (version >= 6) {
      g.error_message = r.nullable_string("groups.error_message");
    }
    g.group_id = r.string("groups.group_id");
    g.group_state = r.string("groups.group_state");
    g.protocol_type = r.string("groups.protocol_type");
    g.protocol_data = r.string("groups.protocol_data");
    g.members = r.array("groups.members", decode_member);
    g.authorized_operations = r.int32("groups.authorized_operations");
    r.tagged_fields();
    return g;
  });
  r.tagged_fields();
  return response;
}

}  // namespace msgwatch::kafka::protocol
