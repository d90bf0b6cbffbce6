#include "probes/kafka/protocol/messages/describe_transactions.hpp"

#include "probes/kafka/protocol/message_version.hpp"

namespace msgwatch::kafka::protocol {

namespace {

using Response = DescribeTransactionsResponse;

Response::Topic decode_topic(Reader& r) {
  Response::Topic t;
  t.topic = r.string("topics.topic");
  t.partitions = r.int32_array("topics.partitions");
  r.tagged_fields();
  return t;
}

void encode_topic(Writer& w, const Response::Topic& t) {
  w.string(t.topic);
  w.int32_array(t.partitions);
  w.tagged_fields();
}

}  // namespace

void DescribeTransactionsRequest::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<DescribeTransactionsRequest>(w, version);
  w.string_array(transactional_ids);
  w.tagged_fields();
}

DescribeTransactionsRequest DescribeTransactionsRequest::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<DescribeTransactionsRequest>(r, version);
  DescribeTransactionsRequest request;
  request.transactional_ids = r.string_array("transactional_ids");
  r.tagged_fields();
  return request;
}

void DescribeTransactionsResponse::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<DescribeTransactionsResponse>(w, version);
  w.int32(throttle_time_ms);
  w.array(transaction_states, [](Writer& w, const TransactionState& t) {
    w.error_code(t.error_code);
    w.string(t.transactional_id);
    w.string(t.transaction_state);
    w.int32(t.transaction_timeout_ms);
    w.int64(t.transaction_start_time_ms);
    w.int64(t.producer_id);
    w.int16(t.producer_epoch);
    w.array(t.topics, encode_topic);
    w.tagged_fields();
  });
  w.tagged_fields();
}

DescribeTransactionsResponse DescribeTransactionsResponse::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<DescribeTransactionsResponse>(r, version);
  DescribeTransactionsResponse response;
  response.throttle_time_ms = r.int32("throttle_time_ms");
  response.transaction_states = r.array("transaction_states", [](Reader& r) {
    TransactionState t;
    t.error_code = r.error_code("transaction_states.error_code");
    t.transactional_id = r.string("transaction_states.transactional_id");
    t.transaction_state = r.string("transaction_states.transaction_state");
    t.transaction_timeout_ms = r.int32("transaction_states.transaction_timeout_ms");
    t.transaction_start_time_ms = r.int64("transaction_states.transaction_start_time_ms");
    t.producer_id = r.int64("transaction_states.producer_id");
    t.producer_epoch = r.int16("transaction_states.producer_epoch");
    t.topics = r.array("transaction_states.topics", decode_topic);
    r.tagged_fields();
    return t;
  });
  r.tagged_fields();
  return response;
}

}  // namespace msgwatch::kafka::protocol
