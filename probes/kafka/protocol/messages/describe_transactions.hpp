#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "probes/kafka/protocol/api_key.hpp"
#include "probes/kafka/protocol/error_code.hpp"
#include "probes/kafka/protocol/reader.hpp"
#include "probes/kafka/protocol/writer.hpp"

namespace msgwatch::kafka::protocol {

// DescribeTransactions (key 65), DescribeTransactionsRequest.json /
// DescribeTransactionsResponse.json, version 0 (KIP-664; the only version in 3.9 and 4.x). Sent
// to the transaction coordinator of each transactional id.
struct DescribeTransactionsRequest {
  static constexpr ApiKey api_key = ApiKey::describe_transactions;
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 0;
  static constexpr std::int16_t first_flexible_version = 0;

  std::vector<std::string> transactional_ids;

  void encode(Writer& writer, std::int16_t version) const;
  static DescribeTransactionsRequest decode(Reader& reader, std::int16_t version);
  bool operator==(const DescribeTransactionsRequest&) const = default;
};

struct DescribeTransactionsResponse {
  static constexpr ApiKey api_key = ApiKey::describe_transactions;
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 0;
  static constexpr std::int16_t first_flexible_version = 0;

  struct Topic {
    std::string topic;
    std::vector<std::int32_t> partitions;
    bool operator==(const Topic&) const = default;
  };
  struct TransactionState {
    ErrorCode error_code = ErrorCode::none;
    std::string transactional_id;
    std::string transaction_state;
    std::int32_t transaction_timeout_ms = 0;
    std::int64_t transaction_start_time_ms = -1;  // -1 when no transaction is ongoing
    std::int64_t producer_id = -1;
    std::int16_t producer_epoch = -1;
    std::vector<Topic> topics;
    bool operator==(const TransactionState&) const = default;
  };

  std::int32_t throttle_time_ms = 0;
  std::vector<TransactionState> transaction_states;

  void encode(Writer& writer, std::int16_t version) const;
  static DescribeTransactionsResponse decode(Reader& reader, std::int16_t version);
  bool operator==(const DescribeTransactionsResponse&) const = default;
};

}  // namespace msgwatch::kafka::protocol
