#pragma once
// A TransactionSnapshot as series: transactions by state and transactional ids per
// coordinator, the age of the oldest open transaction (per coordinator and for the cluster),
// long-running transactions by transactional id (a bounded number), hanging transactions.
//
// Open: Ongoing, PrepareCommit, PrepareAbort, PrepareEpochFence (a transaction the
// coordinator has started and not finished). Its age is measured from the start time the
// coordinator recorded, on msgwatch's clock (the two clocks are assumed to agree; a start
// in the future counts as age 0).
//
// As elsewhere, an aggregate over part of the data is absent rather than smaller: the
// cluster's oldest open transaction and hanging total need every coordinator (and, for
// hanging transactions, every partition leader) to have answered.

#include "exporter/sdk/series_set.hpp"
#include "probes/kafka/transactions/hanging_transactions.hpp"
#include "probes/kafka/transactions/transaction_snapshot.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <string_view>
#include <vector>

namespace msgwatch::kafka {

// The requests of a cycle the brokers may refuse for lack of permission, each reported by
// msgwatch_kafka_not_permitted (TransactionSnapshot::not_permitted).
inline constexpr std::array<std::string_view, 2> kTransactionApis{"DescribeTransactions", "DescribeProducers"};

struct TransactionMetricsOptions {
  // Transactions open longer than this get a series of their own, at most max_long_running
  // of them, the oldest first.
  std::chrono::milliseconds long_running_after{std::chrono::minutes(1)};
  std::size_t max_long_running = 100;
};

void write_transaction_metrics(const TransactionSnapshot& snapshot, const std::vector<HangingTransaction>& hanging,
                               const TransactionMetricsOptions& options, SeriesSet& out);

}  // namespace msgwatch::kafka
