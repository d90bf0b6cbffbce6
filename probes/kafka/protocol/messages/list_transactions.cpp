#include "probes/kafka/protocol/messages/list_transactions.hpp"

#include "probes/kafka/protocol/message_version.hpp"

namespace msgwatch::kafka::protocol {

void ListTransactionsRequest::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<ListTransactionsRequest>(w, version);
  w.string_array(state_filters);
  w.int64_array(producer_id_filters);
  if (version >= 1) {
    w.int64(duration_filter);
  }
  w.tagged_fields();
}

ListTransactionsRequest ListTransactionsRequest::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<ListTransactionsRequest>(r, version);
  ListTransactionsRequest request;
  request.state_filters = r.string_array("state_filters");
  request.producer_id_filters = r.int64_array("producer_id_filters");
  if (version >= 1) {
    request.duration_filter = r.int64("duration_filter");
  }
  r.tagged_fields();
  return request;
}

void ListTransactionsResponse::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<ListTransactionsResponse>(w, version);
  w.int32(throttle_time_ms);
  w.error_code(error_code);
  w.string_array(unknown_state_filters);
  w.array(transaction_states, [](Writer& w, const TransactionState& t) {
    w.string(t.transactional_id);
    w.int64(t.producer_id);
    w.string(t.transaction_state);
    w.tagged_fields();
  });
  w.tagged_fields();
}

ListTransactionsResponse ListTransactionsResponse::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<ListTransactionsResponse>(r, version);
  ListTransactionsResponse response;
  response.throttle_time_ms = r.int32("throttle_time_ms");
  response.error_code = r.error_code();
  response.unknown_state_filters = r.string_array("unknown_state_filters");
  response.transaction_states = r.array("transaction_states", [](Reader& r) {
    TransactionState t;
    t.transactional_id = r.string("transaction_states.transactional_id");
    t.producer_id = r.int64("transaction_states.producer_id");
    t.transaction_state = r.string("transaction_states.transaction_state");
    r.tagged_fields();
    return t;
  });
  r.tagged_fields();
  return response;
}

}  // namespace msgwatch::kafka::protocol
