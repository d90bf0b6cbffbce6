#include "probes/kafka/protocol/messages/elect_leaders.hpp"

#include "probes/kafka/protocol/message_version.hpp"

namespace msgwatch::kafka::protocol {

namespace {

using Response = ElectLeadersResponse;

Response::PartitionResult decode_partition_result(Reader& r) {
  Response::PartitionResult p;
  p.partition_id = r.int32("partition_result.partition_id");
  p.error_code = r.error_code("partition_result.error_code");
  p.error_message = r.nullable_string("partition_result.error_message");
  r.tagged_fields();
  return p;
}

void encode_partition_result(Writer& w, const Response::PartitionResult& p) {
  w.int32(p.partition_id);
  w.error_code(p.error_code);
  w.nullable_string(p.error_message);
  w.tagged_fields();
}

}  // namespace

void ElectLeadersRequest::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<ElectLeadersRequest>(w, version);
  if (version >= 1) {
    w.int8(election_type);
  }
  w.nullable_array(topic_partitions, [](Writer& w, const TopicPartitions& t) {
    w.string(t.topic);
    w.int32_array(t.partitions);
    w.tagged_fields();
  });
  w.int32(timeout_ms);
  w.tagged_fields();
}

ElectLeadersRequest ElectLeadersRequest::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<ElectLeadersRequest>(r, version);
  ElectLeadersRequest request;
  if (version >= 1) {
    request.election_type = r.int8("election_type");
  }
  request.topic_partitions = r.nullable_array("topic_partitions", [](Reader& r) {
    TopicPartitions t;
    t.topic = r.string("topic_partitions.topic");
    t.partitions = r.int32_array("topic_partitions.partitions");
    r.tagged_fields();
    return t;
  });
  request.timeout_ms = r.int32("timeout_ms");
  r.tagged_fields();
  return request;
}

void ElectLeadersResponse::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<ElectLeadersResponse>(w, version);
  w.int32(throttle_time_ms);
  if (version >= 1) {
    w.error_code(error_code);
  }
  w.array(replica_election_results, [](Writer& w, const ReplicaElectionResult& t) {
    w.string(t.topic);
    w.array(t.partition_result, encode_partition_result);
    w.tagged_fields();
  });
  w.tagged_fields();
}

ElectLeadersResponse ElectLeadersResponse::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<ElectLeadersResponse>(r, version);
  ElectLeadersResponse response;
  response.throttle_time_ms = r.int32("throttle_time_ms");
  if (version >= 1) {
    response.error_code = r.error_code();
  }
  response.replica_election_results = r.array("replica_election_results", [](Reader& r) {
    ReplicaElectionResult t;
    t.topic = r.string("replica_election_results.topic");
    t.partition_result = r.array("replica_election_results.partition_result", decode_partition_result);
    r.tagged_fields();
    return t;
  });
  r.tagged_fields();
  return response;
}

}  // namespace msgwatch::kafka::protocol
