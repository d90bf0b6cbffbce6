#include "probes/kafka/protocol/messages/describe_producers.hpp"

#include "probes/kafka/protocol/message_version.hpp"

namespace msgwatch::kafka::protocol {

namespace {

using Response = DescribeProducersResponse;

Response::ProducerState decode_producer(Reader& r) {
  Response::ProducerState p;
  p.producer_id = r.int64("active_producers.producer_id");
  p.producer_epoch = r.int32("active_producers.producer_epoch");
  p.last_sequence = r.int32("active_producers.last_sequence");
  p.last_timestamp = r.int64("active_producers.last_timestamp");
  p.coordinator_epoch = r.int32("active_producers.coordinator_epoch");
  p.current_txn_start_offset = r.int64("active_producers.current_txn_start_offset");
  r.tagged_fields();
  return p;
}

void encode_producer(Writer& w, const Response::ProducerState& p) {
  w.int64(p.producer_id);
  w.int32(p.producer_epoch);
  w.int32(p.last_sequence);
  w.int64(p.last_timestamp);
  w.int32(p.coordinator_epoch);
  w.int64(p.current_txn_start_offset);
  w.tagged_fields();
}

Response::Partition decode_partition(Reader& r) {
  Response::Partition p;
  p.partition_index = r.int32("partitions.partition_index");
  p.error_code = r.error_code("partitions.error_code");
  p.error_message = r.nullable_string("partitions.error_message");
  p.active_producers = r.array("partitions.active_producers", decode_producer);
  r.tagged_fields();
  return p;
}

void encode_partition(Writer& w, const Response::Partition& p) {
  w.int32(p.partition_index);
  w.error_code(p.error_code);
  w.nullable_string(p.error_message);
  w.array(p.active_producers, encode_producer);
  w.tagged_fields();
}

}  // namespace

void DescribeProducersRequest::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<DescribeProducersRequest>(w, version);
  w.array(topics, [](Writer& w, const Topic& t) {
    w.string(t.name);
    w.int32_array(t.partition_indexes);
    w.tagged_fields();
  });
  w.tagged_fields();
}

DescribeProducersRequest DescribeProducersRequest::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<DescribeProducersRequest>(r, version);
  DescribeProducersRequest request;
  request.topics = r.array("topics", [](Reader& r) {
    Topic t;
    t.name = r.string("topics.name");
    t.partition_indexes = r.int32_array("topics.partition_indexes");
    r.tagged_fields();
    return t;
  });
  r.tagged_fields();
  return request;
}

void DescribeProducersResponse::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<DescribeProducersResponse>(w, version);
  w.int32(throttle_time_ms);
  w.array(topics, [](Writer& w, const Topic& t) {
    w.string(t.name);
    w.array(t.partitions, encode_partition);
    w.tagged_fields();
  });
  w.tagged_fields();
}

DescribeProducersResponse DescribeProducersResponse::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<DescribeProducersResponse>(r, version);
  DescribeProducersResponse response;
  response.throttle_time_ms = r.int32("throttle_time_ms");
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
