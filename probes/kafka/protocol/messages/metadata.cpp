#include "probes/kafka/protocol/messages/metadata.hpp"

#include <stdexcept>

#include "probes/kafka/protocol/message_version.hpp"

namespace msgwatch::kafka::protocol {

namespace {

// Topic names become nullable in different versions of request (10) and response (12); before
// that a null name cannot be encoded at all.
void encode_topic_name(Writer& w, const std::optional<std::string>& name, bool nullable) {
  if (nullable) {
    w.nullable_string(name);
  } else if (name) {
    w.string(*name);
  } else {
    throw std::invalid_argument("kafka protocol: Metadata topic name is null in a version without topic ids");
  }
}

std::optional<std::string> decode_topic_name(Reader& r, bool nullable) {
  if (nullable) {
    return r.nullable_string("topics.name");
  }
  return r.string("topics.name");
}

MetadataResponse::Broker decode_broker(Reader& r) {
  MetadataResponse::Broker b;
  b.node_id = r.int32("brokers.node_id");
  b.host = r.string("brokers.host");
  b.port = r.int32("brokers.port");
  b.rack = r.nullable_string("brokers.rack");
  r.tagged_fields();
  return b;
}

void encode_broker(Writer& w, const MetadataResponse::Broker& b) {
  w.int32(b.node_id);
  w.string(b.host);
  w.int32(b.port);
  w.nullable_string(b.rack);
  w.tagged_fields();
}

MetadataResponse::Partition decode_partition(Reader& r) {
  MetadataResponse::Partition p;
  p.error_code = r.error_code("partitions.error_code");
  p.partition_index = r.int32("partitions.partition_index");
  p.leader_id = r.int32("partitions.leader_id");
  p.leader_epoch = r.int32("partitions.leader_epoch");
  p.replica_nodes = r.int32_array("partitions.replica_nodes");
  p.isr_nodes = r.int32_array("partitions.isr_nodes");
  p.offline_replicas = r.int32_array("partitions.offline_replicas");
  r.tagged_fields();
  return p;
}

void encode_partition(Writer& w, const MetadataResponse::Partition& p) {
  w.error_code(p.error_code);
  w.int32(p.partition_index);
  w.int32(p.leader_id);
  w.int32(p.leader_epoch);
  w.int32_array(p.replica_nodes);
  w.int32_array(p.isr_nodes);
  w.int32_array(p.offline_replicas);
  w.tagged_fields();
}

}  // namespace

void MetadataRequest::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<MetadataRequest>(w, version);
  w.nullable_array(topics, [version](Writer& w, const Topic& t) {
    if (version >= 10) {
      w.uuid(t.topic_id);
    }
    encode_topic_name(w, t.name, version >= 10);
    w.tagged_fields();
  });
  w.boolean(allow_auto_topic_creation);
  if (version <= 10) {
    w.boolean(include_cluster_authorized_operations);
  }
  w.boolean(include_topic_authorized_operations);
  w.tagged_fields();
}

MetadataRequest MetadataRequest::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<MetadataRequest>(r, version);
  MetadataRequest request;
  request.topics = r.nullable_array("topics", [version](Reader& r) {
    Topic t;
    if (version >= 10) {
      t.topic_id = r.uuid("topics.topic_id");
    }
    t.name = decode_topic_name(r, version >= 10);
    r.tagged_fields();
    return t;
  });
  request.allow_auto_topic_creation = r.boolean("allow_auto_topic_creation");
  if (version <= 10) {
    request.include_cluster_authorized_operations = r.boolean("include_cluster_authorized_operations");
  }
  request.include_topic_authorized_operations = r.boolean("include_topic_authorized_operations");
  r.tagged_fields();
  return request;
}

void MetadataResponse::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<MetadataResponse>(w, version);
  w.int32(throttle_time_ms);
  w.array(brokers, encode_broker);
  w.nullable_string(cluster_id);
  w.int32(controller_id);
  w.array(topics, [version](Writer& w, const Topic& t) {
    w.error_code(t.error_code);
    encode_topic_name(w, t.name, version >= 12);
    if (version >= 10) {
      w.uuid(t.topic_id);
    }
    w.boolean(t.is_internal);
    w.array(t.partitions, encode_partition);
    w.int32(t.topic_authorized_operations);
    w.tagged_fields();
  });
  if (version <= 10) {
    w.int32(cluster_authorized_operations);
  }
  w.tagged_fields();
}

MetadataResponse MetadataResponse::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<MetadataResponse>(r, version);
  MetadataResponse response;
  response.throttle_time_ms = r.int32("throttle_time_ms");
  response.brokers = r.array("brokers", decode_broker);
  response.cluster_id = r.nullable_string("cluster_id");
  response.controller_id = r.int32("controller_id");
  response.topics = r.array("topics", [version](Reader& r) {
    Topic t;
    t.error_code = r.error_code("topics.error_code");
    t.name = decode_topic_name(r, version >= 12);
    if (version >= 10) {
      t.topic_id = r.uuid("topics.topic_id");
    }
    t.is_internal = r.boolean("topics.is_internal");
    t.partitions = r.array("topics.partitions", decode_partition);
    t.topic_authorized_operations = r.int32("topics.topic_authorized_operations");
    r.tagged_fields();
    return t;
  });
  if (version <= 10) {
    response.cluster_authorized_operations = r.int32("cluster_authorized_operations");
  }
  r.tagged_fields();
  return response;
}

}  // namespace msgwatch::kafka::protocol
