#include "probes/kafka/transactions/transaction_metrics.hpp"

#include "probes/kafka/not_permitted.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <string_view>

namespace msgwatch::kafka {
namespace {

constexpr auto kTransactions =
    gauge_family("kafka_transaction_coordinator_transactions",
                 "Transactional ids the coordinator holds in each state (Empty, Ongoing, PrepareCommit, PrepareAbort, "
                 "CompleteCommit, CompleteAbort, PrepareEpochFence).",
                 {"coordinator", "state"});
constexpr auto kIds = gauge_family("kafka_transaction_coordinator_transactional_ids",
                                   "Transactional ids the broker coordinates.", {"coordinator"});
constexpr auto kCoordinatorOldest =
    gauge_family("kafka_transaction_coordinator_oldest_open_seconds",
                 "Age of the oldest transaction open at this coordinator; 0 when none is open.", {"coordinator"});
constexpr auto kClusterOldest =
    gauge_family("kafka_transaction_oldest_open_seconds",
                 "Age of the oldest open transaction in the cluster; 0 when none is open. Absent when a coordinator "
                 "did not answer.");
constexpr auto kOpen = gauge_family("kafka_transaction_open_seconds",
                                    "Age of a transaction open longer than transactions.long_running_after (at most "
                                    "transactions.max_long_running series, the oldest first).",
                                    {"transactional_id", "coordinator", "state"});
constexpr auto kHanging =
    gauge_family("kafka_transaction_hanging",
                 "Hanging transactions in the cluster, as kafka-transactions find-hanging decides them. Absent when a "
                 "coordinator or a partition leader did not answer.");
constexpr auto kPartitionHanging =
    gauge_family("kafka_topic_partition_hanging_transactions",
                 "Hanging transactions on the partition (only partitions that have one).", {"topic", "partition"});
constexpr auto kUnreadCoordinators =
    gauge_family("msgwatch_kafka_transactions_unread_coordinators",
                 "Brokers whose transactions the last cycle could not list or describe.");
constexpr auto kUnreadPartitions =
    gauge_family("msgwatch_kafka_transactions_unread_partitions",
                 "Partitions whose producers the last cycle could not describe (DescribeProducers).");

constexpr std::array<std::string_view, 7> kStates{"Empty",          "Ongoing",       "PrepareCommit",    "PrepareAbort",
                                                  "CompleteCommit", "CompleteAbort", "PrepareEpochFence"};

bool is_open(std::string_view state) {
  return state == "Ongoing" || state == "PrepareCommit" || state == "PrepareAbort" || state == "PrepareEpochFence";
}

}  // namespace

void write_transaction_metrics(const TransactionSnapshot& snapshot, const std::vector<HangingTransaction>& hanging,
                               const TransactionMetricsOptions& options, SeriesSet& out) {
  struct Coordinator {
    std::map<std::string, double> states;
    double ids = 0;
    double oldest_ms = 0;
  };
  std::map<std::int32_t, Coordinator> coordinators;
  const std::size_t unread = snapshot.unread_coordinators();
  for (const auto& [broker, read] : snapshot.coordinator_read) {
    if (!read) continue;
    auto& coordinator = coordinators[broker];
    for (const auto state : kStates) coordinator.states[std::string(state)] = 0;  // every state, from the start
  }

  struct Open {
    double age_ms;
    const TransactionState* transaction;
  };
  std::vector<Open> long_running;
  double cluster_oldest_ms = 0;
  for (const auto& transaction : snapshot.transactions) {
    const auto coordinator = coordinators.find(transaction.coordinator);
    if (coordinator == coordinators.end()) continue;  // its picture is incomplete
    coordinator->second.states[transaction.state] += 1;
    coordinator->second.ids += 1;
    if (!is_open(transaction.state) || transaction.start_time_ms < 0) continue;
    const auto age_ms = static_cast<double>(std::max<std::int64_t>(0, snapshot.now_ms - transaction.start_time_ms));
    coordinator->second.oldest_ms = std::max(coordinator->second.oldest_ms, age_ms);
    cluster_oldest_ms = std::max(cluster_oldest_ms, age_ms);
    if (age_ms > static_cast<double>(options.long_running_after.count()))
      long_running.push_back({age_ms, &transaction});
  }

  for (const auto& [broker, coordinator] : coordinators) {
    for (const auto& [state, count] : coordinator.states) out.add(kTransactions, {broker, state}, count);
    out.add(kIds, {broker}, coordinator.ids);
    out.add(kCoordinatorOldest, {broker}, coordinator.oldest_ms / 1000.0);
  }
  if (unread == 0) out.add(kClusterOldest, {}, cluster_oldest_ms / 1000.0);

  std::sort(long_running.begin(), long_running.end(), [](const Open& a, const Open& b) { return a.age_ms > b.age_ms; });
  if (long_running.size() > options.max_long_running) long_running.resize(options.max_long_running);
  for (const auto& open : long_running) {
    const auto& t = *open.transaction;
    out.add(kOpen, {t.transactional_id, t.coordinator, t.state}, open.age_ms / 1000.0);
  }

  std::map<TopicPartition, double> per_partition;
  for (const auto& h : hanging) per_partition[h.producer.partition] += 1;
  for (const auto& [partition, count] : per_partition)
    out.add(kPartitionHanging, {partition.first, partition.second}, count);
  if (snapshot.complete()) out.add(kHanging, {}, static_cast<double>(hanging.size()));

  out.add(kUnreadCoordinators, {}, static_cast<double>(unread));
  out.add(kUnreadPartitions, {}, static_cast<double>(snapshot.unread_partitions));
  write_not_permitted(kTransactionApis, snapshot.not_permitted, out);
}

}  // namespace msgwatch::kafka
