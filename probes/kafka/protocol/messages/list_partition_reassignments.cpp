#include "probes/kafka/protocol/messages/list_partition_reassignments.hpp"

#include "probes/kafka/protocol/message_version.hpp"

namespace msgwatch::kafka::protocol {

namespace {

using Response = ListPartitionReassignmentsResponse;

Response::Partition decode_partition(Reader& r) {
  Response::Partition p;
  p.partition_index = r.int32("partitions.partition_index");
  p.replicas = r.int32_array("partitions.replicas");
  p.adding_replicas = r.int32_array("partitions.adding_replicas");
  p.removing_replicas = r.int32_array("partitions.removing_replicas");
  r.tagged_fields();
  return p;
}

void encode_partition(Writer& w, const Response::Partition& p) {
  w.int32(p.partition_index);
  w.int32_array(p.replicas);
  w.int32_array(p.adding_replicas);
  w.int32_array(p.removing_replicas);
  w.tagged_fields();
}

}  // namespace

void ListPartitionReassignmentsRequest::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<ListPartitionReassignmentsRequest>(w, version);
  w.int32(timeout_ms);
  w.nullable_array(topics, [](Writer& w, const Topic& t) {
    w.string(t.name);
    w.int32_array(t.partition_indexes);
    w.tagged_fields();
  });
  w.tagged_fields();
}

ListPartitionReassignmentsRequest ListPartitionReassignmentsRequest::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<ListPartitionReassignmentsRequest>(r, version);
  ListPartitionReassignmentsRequest request;
  request.timeout_ms = r.int32("timeout_ms");
  request.topics = r.nullable_array("topics", [](Reader& r) {
    Topic t;
    t.name = r.string("topics.name");
    t.partition_indexes = r.int32_array("topics.partition_indexes");
    r.tagged_fields();
    return t;
  });
  r.tagged_fields();
  return request;
}

void ListPartitionReassignmentsResponse::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<ListPartitionReassignmentsResponse>(w, version);
  w.int32(throttle_time_ms);
  w.error_code(error_code);
  w.nullable_string(error_message);
  w.array(topics, [](Writer& w, const Topic& t) {
    w.string(t.name);
    w.array(t.partitions, encode_partition);
    w.tagged_fields();
  });
  w.tagged_fields();
}

ListPartitionReassignmentsResponse ListPartitionReassignmentsResponse::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<ListPartitionReassignmentsResponse>(r, version);
  ListPartitionReassignmentsResponse response;
  response.throttle_time_ms = r.int32("throttle_time_ms");
  response.error_code = r.error_code();
  response.error_message = r.nullable_string("error_message");
  response.topics = r.array("topics", [](Reader& r) {
    Topic t;
    t.name = r.string("topics.name");
    t.partitions = r.array("topics.partitions", decode_partition);
    r.tagged_fields();
    return t;
  });
  r.tagged_fields();
  return response;
}

}  // namespace msgwatch::kafka::protocol
