#include "probes/kafka/protocol/messages/alter_partition_reassignments.hpp"

#include <stdexcept>

#include "probes/kafka/protocol/message_version.hpp"

namespace msgwatch::kafka::protocol {

namespace {

using Request = AlterPartitionReassignmentsRequest;
using Response = AlterPartitionReassignmentsResponse;

void encode_request_partition(Writer& w, const Request::Partition& p) {
  w.int32(p.partition_index);
  w.nullable_array(p.replicas, [](Writer& w, std::int32_t replica) { w.int32(replica); });
  w.tagged_fields();
}

Request::Partition decode_request_partition(Reader& r) {
  Request::Partition p;
  p.partition_index = r.int32("partitions.partition_index");
  p.replicas = r.nullable_array("partitions.replicas", [](Reader& r) { return r.int32("partitions.replicas"); });
  r.tagged_fields();
  return p;
}

void encode_response_partition(Writer& w, const Response::Partition& p) {
  w.int32(p.partition_index);
  w.error_code(p.error_code);
  w.nullable_string(p.error_message);
  w.tagged_fields();
}

Response::Partition decode_response_partition(Reader& r) {
  Response::Partition p;
  p.partition_index = r.int32("partitions.partition_index");
  p.error_code = r.error_code("partitions.error_code");
  p.error_message = r.nullable_string("partitions.error_message");
  r.tagged_fields();
  return p;
}

}  // namespace

void AlterPartitionReassignmentsRequest::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<AlterPartitionReassignmentsRequest>(w, version);
  if (version < 1 && !allow_replication_factor_change) {
    throw std::invalid_argument(
        "kafka protocol: AlterPartitionReassignments version 0 cannot refuse replication factor changes");
  }
  w.int32(timeout_ms);
  if (version >= 1) {
    w.boolean(allow_replication_factor_change);
  }
  w.array(topics, [](Writer& w, const Topic& t) {
    w.string(t.name);
    w.array(t.partitions, encode_request_partition);
    w.tagged_fields();
  });
  w.tagged_fields();
}

AlterPartitionReassignmentsRequest AlterPartitionReassignmentsRequest::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<AlterPartitionReassignmentsRequest>(r, version);
  AlterPartitionReassignmentsRequest request;
  request.timeout_ms = r.int32("timeout_ms");
  if (version >= 1) {
    request.allow_replication_factor_change = r.boolean("allow_replication_factor_change");
  }
  request.topics = r.array("topics", [](Reader& r) {
    Topic t;
    t.name = r.string("topics.name");
    t.partitions = r.array("topics.partitions", decode_request_partition);
    r.tagged_fields();
    return t;
  });
  r.tagged_fields();
  return request;
}

void AlterPartitionReassignmentsResponse::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<AlterPartitionReassignmentsResponse>(w, version);
  w.int32(throttle_time_ms);
  if (version >= 1) {
    w.boolean(allow_replication_factor_change);
  }
  w.error_code(error_code);
  w.nullable_string(error_message);
  w.array(responses, [](Writer& w, const Topic& t) {
    w.string(t.name);
    w.array(t.partitions, encode_response_partition);
    w.tagged_fields();
  });
  w.tagged_fields();
}

AlterPartitionReassignmentsResponse AlterPartitionReassignmentsResponse::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<AlterPartitionReassignmentsResponse>(r, version);
  AlterPartitionReassignmentsResponse response;
  response.throttle_time_ms = r.int32("throttle_time_ms");
  if (version >= 1) {
    response.allow_replication_factor_change = r.boolean("allow_replication_factor_change");
  }
  response.error_code = r.error_code();
  response.error_message = r.nullable_string("error_message");
  response.responses = r.array("responses", [](Reader& r) {
    Topic t;
    t.name = r.string("responses.name");
    t.partitions = r.array("responses.partitions", decode_response_partition);
    r.tagged_fields();
    return t;
  });
  r.tagged_fields();
  return response;
}

}  // namespace msgwatch::kafka::protocol
