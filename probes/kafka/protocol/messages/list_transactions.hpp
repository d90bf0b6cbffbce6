#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "probes/kafka/protocol/api_key.hpp"
#include "probes/kafka/protocol/error_code.hpp"
#include "probes/kafka/protocol/reader.hpp"
#include "probes/kafka/protocol/writer.hpp"

namespace msgwatch::kafka::protocol {

// ListTransactions (key 66), ListTransactionsRequest.json / ListTransactionsResponse.json,
// versions 0-1 (KIP-664; v1 adds the duration filter of KIP-994). Served by 3.9 (0-1) and 4.x
// (0-2). Like ListGroups, each broker lists only the transactions it coordinates.
struct ListTransactionsRequest {
  static constexpr ApiKey api_key = ApiKey::list_transactions;
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 1;
  static constexpr std::int16_t first_flexible_version = 0;

  std::vector<std::string> state_filters;         // empty = all states
  std::vector<std::int64_t> producer_id_filters;  // empty = all producers
  std::int64_t duration_filter = -1;              // v1+; ms a transaction has run, < 0 = all

  void encode(Writer& writer, std::int16_t version) const;
  static ListTransactionsRequest decode(Reader& reader, std::int16_t version);
  bool operator==(const ListTransactionsRequest&) const = default;
};

struct ListTransactionsResponse {
  static constexpr ApiKey api_key = ApiKey::list_transactions;
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 1;
  static constexpr std::int16_t first_flexible_version = 0;

  struct TransactionState {
    std::string transactional_id;
    std::int64_t producer_id = -1;
    std::string transaction_state;
    bool operator==(const TransactionState&) const = default;
  };

  std::int32_t throttle_time_ms = 0;
  ErrorCode error_code = ErrorCode::none;
  std::vector<std::string> unknown_state_filters;
  std::vector<TransactionState> transaction_states;

  void encode(Writer& writer, std::int16_t version) const;
  static ListTransactionsResponse decode(Reader& reader, std::int16_t version);
  bool operator==(const ListTransactionsResponse&) const = default;
};

}  // namespace msgwatch::kafka::protocol
