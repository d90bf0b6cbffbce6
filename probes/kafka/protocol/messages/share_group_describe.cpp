#include "probes/kafka/protocol/messages/share_group_describe.hpp"

#include "probes/kafka/protocol/message_version.hpp"

namespace msgwatch::kafka::protocol {

namespace {

using Response = ShareGroupDescribeResponse;

Response::Member decode_member(Reader& r) {
  Response::Member m;
  m.member_id = r.string("members.member_id");
  m.rack_id = r.nullable_string("members.rack_id");
  m.member_epoch = r.int32("members.member_epoch");
  m.client_id = r.string("members.client_id");
  m.client_host = r.string("members.client_host");
  m.subscribed_topic_names = r.string_array("members.subscribed_topic_names");
  m.assignment = r.array("members.assignment.topic_partitions", [](Reader& r) {
    Response::TopicPartitions tp;
    tp.topic_id = r.uuid("topic_partitions.topic_id");
    tp.topic_name = r.string("topic_partitions.topic_name");
    tp.partitions = r.int32_array("topic_partitions.partitions");
    r.tagged_fields();
    return tp;
  });
  r.tagged_fields();  // the Assignment struct's
  r.tagged_fields();
  return m;
}

void encode_member(Writer& w, const Response::Member& m) {
  w.string(m.member_id);
  w.nullable_string(m.rack_id);
  w.int32(m.member_epoch);
  w.string(m.client_id);
  w.string(m.client_host);
  w.string_array(m.subscribed_topic_names);
  w.array(m.assignment, [](Writer& w, const Response::TopicPartitions& tp) {
    w.uuid(tp.topic_id);
    w.string(tp.topic_name);
    w.int32_array(tp.partitions);
    w.tagged_fields();
  });
  w.tagged_fields();  // the Assignment struct's
  w.tagged_fields();
}

}  // namespace

void ShareGroupDescribeRequest::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<ShareGroupDescribeRequest>(w, version);
  w.string_array(group_ids);
  w.boolean(include_authorized_operations);
  w.tagged_fields();
}

ShareGroupDescribeRequest ShareGroupDescribeRequest::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<ShareGroupDescribeRequest>(r, version);
  ShareGroupDescribeRequest request;
  request.group_ids = r.string_array("group_ids");
  request.include_authorized_operations = r.boolean("include_authorized_operations");
  r.tagged_fields();
  return request;
}

void ShareGroupDescribeResponse::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<ShareGroupDescribeResponse>(w, version);
  w.int32(throttle_time_ms);
  w.array(groups, [](Writer& w, const Group& g) {
    w.error_code(g.error_code);
    w.nullable_string(g.error_message);
    w.string(g.group_id);
    w.string(g.group_state);
    w.int32(g.group_epoch);
    w.int32(g.assignment_epoch);
    w.string(g.assignor_name);
    w.array(g.members, [](Writer& w, const Member& m) { encode_member(w, m); });
    w.int32(g.authorized_operations);
    w.tagged_fields();
  });
  w.tagged_fields();
}

ShareGroupDescribeResponse ShareGroupDescribeResponse::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<ShareGroupDescribeResponse>(r, version);
  ShareGroupDescribeResponse response;
  response.throttle_time_ms = r.int32("throttle_time_ms");
  response.groups = r.array("groups", [](Reader& r) {
    Group g;
    g.error_code = r.error_code("groups.error_code");
    g.error_message = r.nullable_string("groups.error_message");
    g.group_id = r.string("groups.group_id");
    g.group_state = r.string("groups.group_state");
    g.group_epoch = r.int32("groups.group_epoch");
    g.assignment_epoch = r.int32("groups.assignment_epoch");
    g.assignor_name = r.string("groups.assignor_name");
    g.members = r.array("groups.members", [](Reader& r) { return decode_member(r); });
    g.authorized_operations = r.int32("groups.authorized_operations");
    r.tagged_fields();
    return g;
  });
  r.tagged_fields();
  return response;
}

}  // namespace msgwatch::kafka::protocol
