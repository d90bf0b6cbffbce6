#include "probes/kafka/protocol/messages/offset_fetch.hpp"

#include "probes/kafka/protocol/message_version.hpp"

namespace msgwatch::kafka::protocol {

namespace {

using Request = OffsetFetchRequest;
using Response = OffsetFetchResponse;

Request::Topic decode_request_topic(Reader& r) {
  Request::Topic t;
  t.name = r.string("topics.name");
  t.partition_indexes = r.int32_array("topics.partition_indexes");
  r.tagged_fields();
  return t;
}

void encode_request_topic(Writer& w, const Request::Topic& t) {
  w.string(t.name);
  w.int32_array(t.partition_indexes);
  w.tagged_fields();
}

Response::Partition decode_partition(Reader& r) {
  Response::Partition p;
  p.partition_index = r.int32("partitions.partition_index");
  p.committed_offset = r.int64("partitions.committed_offset");
  p.committed_leader_epoch = r.int32("partitions.committed_leader_epoch");
  p.metadata = r.nullable_string("partitions.metadata");
  p.error_code = r.error_code("partitions.error_code");
  r.tagged_fields();
  return p;
}

void encode_partition(Writer& w, const Response::Partition& p) {
  w.int32(p.partition_index);
  w.int64(p.committed_offset);
  w.int32(p.committed_leader_epoch);
  w.nullable_string(p.metadata);
  w.error_code(p.error_code);
  w.tagged_fields();
}

Response::Topic decode_response_topic(Reader& r) {
  Response::Topic t;
  t.name = r.string("topics.name");
  t.partitions = r.array("topics.partitions", decode_partition);
  r.tagged_fields();
  return t;
}

void encode_response_topic(Writer& w, const Response::Topic& t) {
  w.string(t.name);
  w.array(t.partitions, encode_partition);
  w.tagged_fields();
}

}  // namespace

void OffsetFetchRequest::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<OffsetFetchRequest>(w, version);
  w.array(groups, [version](Writer& w, const Group& g) {
    w.string(g.group_id);
    if (version >= 9) {
      w.nullable_string(g.member_id);
      w.int32(g.member_epoch);
    }
    w.nullable_array(g.topics, encode_request_topic);
    w.tagged_fields();
  });
  w.boolean(require_stable);
  w.tagged_fields();
}

OffsetFetchRequest OffsetFetchRequest::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<OffsetFetchRequest>(r, version);
  OffsetFetchRequest request;
  request.groups = r.array("groups", [version](Reader& r) {
    Group g;
    g.group_id = r.string("groups.group_id");
    if (version >= 9) {
      g.member_id = r.nullable_string("groups.member_id");
      g.member_epoch = r.int32("groups.member_epoch");
    }
    g.topics = r.nullable_array("groups.topics", decode_request_topic);
    r.tagged_fields();
    return g;
  });
  request.require_stable = r.boolean("require_stable");
  r.tagged_fields();
  return request;
}

void OffsetFetchResponse::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<OffsetFetchResponse>(w, version);
  w.int32(throttle_time_ms);
  w.array(groups, [](Writer& w, const Group& g) {
    w.string(g.group_id);
    w.array(g.topics, encode_response_topic);
    w.error_code(g.error_code);
    w.tagged_fields();
  });
  w.tagged_fields();
}

OffsetFetchResponse OffsetFetchResponse::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<OffsetFetchResponse>(r, version);
  OffsetFetchResponse response;
  response.throttle_time_ms = r.int32("throttle_time_ms");
  response.groups = r.array("groups", [](Reader& r) {
    Group g;
    g.group_id = r.string("groups.group_id");
    g.topics = r.array("groups.topics", decode_response_topic);
    g.error_code = r.error_code("groups.error_code");
    r.tagged_fields();
    return g;
  });
  r.tagged_fields();
  return response;
}

}  // namespace msgwatch::kafka::protocol
