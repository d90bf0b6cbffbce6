#include "probes/kafka/protocol/messages/describe_share_group_offsets.hpp"

#include "probes/kafka/protocol/message_version.hpp"

namespace msgwatch::kafka::protocol {

void DescribeShareGroupOffsetsRequest::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<DescribeShareGroupOffsetsRequest>(w, version);
  w.array(groups, [](Writer& w, const Group& g) {
    w.string(g.group_id);
    w.nullable_array(g.topics, [](Writer& w, const Topic& t) {
      w.string(t.topic_name);
      w.int32_array(t.partitions);
      w.tagged_fields();
    });
    w.tagged_fields();
  });
  w.tagged_fields();
}

DescribeShareGroupOffsetsRequest DescribeShareGroupOffsetsRequest::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<DescribeShareGroupOffsetsRequest>(r, version);
  DescribeShareGroupOffsetsRequest request;
  request.groups = r.array("groups", [](Reader& r) {
    Group g;
    g.group_id = r.string("groups.group_id");
    g.topics = r.nullable_array("groups.topics", [](Reader& r) {
      Topic t;
      t.topic_name = r.string("topics.topic_name");
      t.partitions = r.int32_array("topics.partitions");
      r.tagged_fields();
      return t;
    });
    r.tagged_fields();
    return g;
  });
  r.tagged_fields();
  return request;
}

void DescribeShareGroupOffsetsResponse::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<DescribeShareGroupOffsetsResponse>(w, version);
  w.int32(throttle_time_ms);
  w.array(groups, [version](Writer& w, const Group& g) {
    w.string(g.group_id);
    w.array(g.topics, [version](Writer& w, const Topic& t) {
      w.string(t.topic_name);
      w.uuid(t.topic_id);
      w.array(t.partitions, [version](Writer& w, const Partition& p) {
        w.int32(p.partition_index);
        w.int64(p.start_offset);
        w.int32(p.leader_epoch);
        if (version >= 1) {
          w.int64(p.lag);
        }
        w.error_code(p.error_code);
        w.nullable_string(p.error_message);
        w.tagged_fields();
      });
      w.tagged_fields();
    });
    w.error_code(g.error_code);
    w.nullable_string(g.error_message);
    w.tagged_fields();
  });
  w.tagged_fields();
}

DescribeShareGroupOffsetsResponse DescribeShareGroupOffsetsResponse::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<DescribeShareGroupOffsetsResponse>(r, version);
  DescribeShareGroupOffsetsResponse response;
  response.throttle_time_ms = r.int32("throttle_time_ms");
  response.groups = r.array("groups", [version](Reader& r) {
    Group g;
    g.group_id = r.string("groups.group_id");
    g.topics = r.array("groups.topics", [version](Reader& r) {
      Topic t;
      t.topic_name = r.string("topics.topic_name");
      t.topic_id = r.uuid("topics.topic_id");
      t.partitions = r.array("topics.partitions", [version](Reader& r) {
        Partition p;
        p.partition_index = r.int32("partitions.partition_index");
        p.start_offset = r.int64("partitions.start_offset");
        p.leader_epoch = r.int32("partitions.leader_epoch");
        if (version >= 1) {
          p.lag = r.int64("partitions.lag");
        }
        p.error_code = r.error_code("partitions.error_code");
        p.error_message = r.nullable_string("partitions.error_message");
        r.tagged_fields();
        return p;
      });
      r.tagged_fields();
      return t;
    });
    g.error_code = r.error_code("groups.error_code");
    g.error_message = r.nullable_string("groups.error_message");
    r.tagged_fields();
    return g;
  });
  r.tagged_fields();
  return response;
}

}  // namespace msgwatch::kafka::protocol
