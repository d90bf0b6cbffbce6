#pragma once
// The transactions part of a kafka_lag cycle, after the cluster snapshot: the coordinators'
// state and hanging transactions (transaction_reader, hanging_transactions,
// transaction_metrics), and the outcomes of transactions as they end, from the
// coordinators' log (transaction_log_follower, transaction_outcomes). Lives across cycles.

#include "exporter/sdk/probe.hpp"
#include "exporter/sdk/series_set.hpp"
#include "probes/kafka/client/cluster_client.hpp"
#include "probes/kafka/kafka_config.hpp"
#include "probes/kafka/lag/cluster_snapshot.hpp"
#include "probes/kafka/not_permitted.hpp"
#include "probes/kafka/transactions/hanging_transactions.hpp"
#include "probes/kafka/transactions/transaction_log_follower.hpp"
#include "probes/kafka/transactions/transaction_outcomes.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace msgwatch::kafka {

class TransactionWatch {
 public:
  TransactionWatch(const KafkaCluster& cluster, const ProbeContext& context);

  // Reads this cycle's transaction state and drains the coordinators' log; writes the series.
  boost::asio::awaitable<void> collect(ClusterClient& client, const ClusterSnapshot& snapshot, SeriesSet& out);

 private:
  void read_log(const ClusterSnapshot& snapshot, SeriesSet& out);
  // One log line per hanging transaction, when it is first found: what an operator needs to
  // abort it with kafka-transactions. `complete`: the cycle saw every coordinator and leader.
  void log_new_hanging(const std::vector<HangingTransaction>& hanging, bool complete);

  const KafkaCluster& cluster_;
  TransactionLogFollower log_;
  TransactionOutcomes outcomes_;
  std::set<std::tuple<std::string, std::int32_t, std::int64_t, std::int64_t>> logged_hanging_;
  PermissionLog permissions_{cluster_.name};
};

}  // namespace msgwatch::kafka
