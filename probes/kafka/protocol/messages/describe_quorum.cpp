#include "probes/kafka/protocol/messages/describe_quorum.hpp"

#include "probes/kafka/protocol/message_version.hpp"

namespace msgwatch::kafka::protocol {

namespace {

using Response = DescribeQuorumResponse;

Response::ReplicaState decode_replica_state(Reader& r, std::int16_t version) {
  Response::ReplicaState s;
  s.replica_id = r.int32("replica_state.replica_id");
  if (version >= 2) {
    s.replica_directory_id = r.uuid("replica_state.replica_directory_id");
  }
  s.log_end_offset = r.int64("replica_state.log_end_offset");
  if (version >= 1) {
    s.last_fetch_timestamp = r.int64("replica_state.last_fetch_timestamp");
    s.last_caught_up_timestamp = r.int64("replica_state.last_caught_up_timestamp");
  }
  r.tagged_fields();
  return s;
}

void encode_replica_state(Writer& w, const Response::ReplicaState& s, std::int16_t version) {
  w.int32(s.replica_id);
  if (version >= 2) {
    w.uuid(s.replica_directory_id);
  }
  w.int64(s.log_end_offset);
  if (version >= 1) {
    w.int64(s.last_fetch_timestamp);
    w.int64(s.last_caught_up_timestamp);
  }
  w.tagged_fields();
}

Response::Partition decode_partition(Reader& r, std::int16_t version) {
  const auto replica_state = [version](Reader& r) { return decode_replica_state(r, version); };
  Response::Partition p;
  p.partition_index = r.int32("partitions.partition_index");
  p.error_code = r.error_code("partitions.error_code");
  if (version >= 2) {
    p.error_message = r.nullable_string("partitions.error_message");
  }
  p.leader_id = r.int32("partitions.leader_id");
  p.leader_epoch = r.int32("partitions.leader_epoch");
  p.high_watermark = r.int64("partitions.high_watermark");
  p.current_voters = r.array("partitions.current_voters", replica_state);
  p.observers = r.array("partitions.observers", replica_state);
  r.tagged_fields();
  return p;
}

void encode_partition(Writer& w, const Response::Partition& p, std::int16_t version) {
  const auto replica_state = [version](Writer& w, const Response::ReplicaState& s) {
    encode_replica_state(w, s, version);
  };
  w.int32(p.partition_index);
  w.error_code(p.error_code);
  if (version >= 2) {
    w.nullable_string(p.error_message);
  }
  w.int32(p.leader_id);
  w.int32(p.leader_epoch);
  w.int64(p.high_watermark);
  w.array(p.current_voters, replica_state);
  w.array(p.observers, replica_state);
  w.tagged_fields();
}

Response::Node decode_node(Reader& r) {
  Response::Node n;
  n.node_id = r.int32("nodes.node_id");
  n.listeners = r.array("nodes.listeners", [](Reader& r) {
    Response::Listener l;
    l.name = r.string("listeners.name");
    l.host = r.string("listeners.host");
    l.port = r.uint16("listeners.port");
    r.tagged_fields();
    return l;
  });
  r.tagged_fields();
  return n;
}

void encode_node(Writer& w, const Response::Node& n) {
  w.int32(n.node_id);
  w.array(n.listeners, [](Writer& w, const Response::Listener& l) {
    w.string(l.name);
    w.string(l.host);
    w.uint16(l.port);
    w.tagged_fields();
  });
  w.tagged_fields();
}

}  // namespace

DescribeQuorumRequest DescribeQuorumRequest::for_cluster_metadata() {
  DescribeQuorumRequest request;
  request.topics = {{std::string(cluster_metadata_topic), {{cluster_metadata_partition}}}};
  return request;
}

void DescribeQuorumRequest::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<DescribeQuorumRequest>(w, version);
  w.array(topics, [](Writer& w, const Topic& t) {
    w.string(t.topic_name);
    w.array(t.partitions, [](Writer& w, const Partition& p) {
      w.int32(p.partition_index);
      w.tagged_fields();
    });
    w.tagged_fields();
  });
  w.tagged_fields();
}

DescribeQuorumRequest DescribeQuorumRequest::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<DescribeQuorumRequest>(r, version);
  DescribeQuorumRequest request;
  request.topics = r.array("topics", [](Reader& r) {
    Topic t;
    t.topic_name = r.string("topics.topic_name");
    t.partitions = r.array("topics.partitions", [](Reader& r) {
      Partition p;
      p.partition_index = r.int32("partitions.partition_index");
      r.tagged_fields();
      return p;
    });
    r.tagged_fields();
    return t;
  });
  r.tagged_fields();
  return request;
}

void DescribeQuorumResponse::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<DescribeQuorumResponse>(w, version);
  w.error_code(error_code);
  if (version >= 2) {
    w.nullable_string(error_message);
  }
  w.array(topics, [version](Writer& w, const Topic& t) {
    w.string(t.topic_name);
    w.array(t.partitions, [version](Writer& w, const Partition& p) { encode_partition(w, p, version); });
    w.tagged_fields();
  });
  if (version >= 2) {
    w.array(nodes, encode_node);
  }
  w.tagged_fields();
}

DescribeQuorumResponse DescribeQuorumResponse::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<DescribeQuorumResponse>(r, version);
  DescribeQuorumResponse response;
  response.error_code = r.error_code();
  if (version >= 2) {
    response.error_message = r.nullable_string("error_message");
  }
  response.topics = r.array("topics", [version](Reader& r) {
    Topic t;
    t.topic_name = r.string("topics.topic_name");
    t.partitions = r.array("topics.partitions", [version](Reader& r) { return decode_partition(r, version); });
    r.tagged_fields();
    return t;
  });
  if (version >= 2) {
    response.nodes = r.array("nodes", decode_node);
  }
  r.tagged_fields();
  return response;
}

}  // namespace msgwatch::kafka::protocol
