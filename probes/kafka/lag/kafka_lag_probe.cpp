#include "probes/kafka/lag/kafka_lag_probe.hpp"

#include "exporter/sdk/log_event.hpp"
#include "exporter/sdk/name_filter.hpp"
#include "probes/kafka/client/cluster_client.hpp"
#include "probes/kafka/lag/cluster_metrics.hpp"
#include "probes/kafka/lag/lag_history.hpp"
#include "probes/kafka/lag/lag_metrics.hpp"
#include "probes/kafka/lag/record_reader.hpp"
#include "probes/kafka/lag/record_timestamps.hpp"
#include "probes/kafka/lag/snapshot_reader.hpp"
#include "probes/kafka/not_permitted.hpp"
#include "probes/kafka/transactions/stable_offset_watch.hpp"
#include "probes/kafka/transactions/transaction_watch.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/this_coro.hpp>

namespace msgwatch::kafka {
namespace asio = boost::asio;

namespace {

// The client (and its connections) lives across cycles; abort() closes its sockets.
class KafkaLagProbe final : public Probe {
 public:
  KafkaLagProbe(const KafkaCluster& cluster, const ProbeContext& context)
      : cluster_(cluster),
        topic_filter_(cluster.topics),
        group_filter_(cluster.groups),
        read_committed_groups_(cluster.read_committed_groups),
        stats_(std::make_shared<RequestStats>(context.registry, cluster.name)),
        transactions_(cluster.transactions ? std::make_unique<TransactionWatch>(cluster_, context) : nullptr) {}

  std::string kind() const override { return "kafka_lag"; }
  std::string target() const override { return cluster_.name; }
  ProbeSchedule schedule() const override { return cluster_.lag_schedule; }

  asio::awaitable<SeriesSet> collect() override {
    if (!client_) {
      auto options = connection_options(cluster_);
      options.stats = stats_;
      client_ =
          std::make_unique<ClusterClient>(co_await asio::this_coro::executor, cluster_.bootstrap_servers, options);
    }
    auto snapshot = co_await read_snapshot(*client_, {topic_filter_, group_filter_, known_groups_});
    known_groups_ = remember_groups(snapshot, known_groups_);
    note_share_group_support(snapshot);
    GroupMetricsOptions options{cluster_.granularity == Granularity::partition, &read_committed_groups_};
    const auto now = std::chrono::steady_clock::now();
    stable_offsets_.update(snapshot, now);
    const auto stall_after = std::chrono::duration<double>(cluster_.lso_stall_after).count();
    auto history = history_.update(snapshot, now, [&](const TopicPartition& partition) {
      return stable_offsets_.stalled_seconds(partition, now) > stall_after;
    });
    auto reads = record_timestamps_.plan(snapshot, history, now);
    if (!reads.empty()) {
      const auto times = co_await read_record_times(*client_, std::move(reads), snapshot.not_permitted);
      record_timestamps_.learn(times);
    }
    permissions_.update(kClusterApis, snapshot.not_permitted);
    const auto unknown_seconds = record_timestamps_.fill(history, std::chrono::system_clock::now());
    SeriesSet out;
    write_lag_metrics(snapshot, history, options, out);
    stable_offsets_.write_metrics(snapshot, now, out);
    if (transactions_) co_await transactions_->collect(*client_, snapshot, out);
    static constexpr auto kUnknownSeconds =
        gauge_family("msgwatch_kafka_lag_seconds_unknown_partitions",
                     "Partitions on which a group has lag but no lag in seconds: the record at its committed offset "
                     "is not read yet (lag.timestamp_reads per cycle), gone, or without a timestamp.");
    out.add(kUnknownSeconds, {}, static_cast<double>(unknown_seconds));
    history_.write_metrics(out);
    const auto dropped = out.cap(static_cast<std::size_t>(cluster_.max_series));
    if (dropped > 0) {
      log_event(spdlog::level::warn, "series over lag.max_series dropped",
                {{"cluster", cluster_.name}, {"dropped", std::to_string(dropped)}});
    }
    static constexpr auto kDropped =
        gauge_family("msgwatch_kafka_series_dropped", "Series left out of the last cycle because of lag.max_series.");
    out.add(kDropped, {}, static_cast<double>(dropped));
    co_return out;
  }

  void abort() override {
    if (client_) client_->close_all();
  }

 private:
  // Once, the first time the brokers say it (and again should that change): a cluster
  // without share groups (before Kafka 4.1, or the feature switched off) exports none.
  void note_share_group_support(const ClusterSnapshot& snapshot) {
    if (!snapshot.share_groups_offered || snapshot.share_groups_offered == share_groups_offered_) return;
    share_groups_offered_ = snapshot.share_groups_offered;
    log_event(spdlog::level::info,
              *share_groups_offered_ ? "share groups offered: exported with the consumer groups"
                                     : "share groups not offered by the brokers: none exported",
              {{"cluster", cluster_.name}});
  }

  KafkaCluster cluster_;
  NameFilter topic_filter_;
  NameFilter group_filter_;
  NameFilter read_committed_groups_;
  std::shared_ptr<RequestStats> stats_;
  std::unique_ptr<ClusterClient> client_;
  std::unique_ptr<TransactionWatch> transactions_;  // when transactions.enabled
  KnownGroups known_groups_;
  LagHistory history_{cluster_.name,
                      {static_cast<std::size_t>(cluster_.status_window), cluster_.commit_window},
                      &read_committed_groups_};
  RecordTimestamps record_timestamps_{static_cast<std::size_t>(cluster_.timestamp_reads)};
  StableOffsetWatch stable_offsets_;
  std::optional<bool> share_groups_offered_;
  PermissionLog permissions_{cluster_.name};
};

}  // namespace

std::unique_ptr<Probe> make_kafka_lag_probe(const KafkaCluster& cluster, const ProbeContext& context) {
  return std::make_unique<KafkaLagProbe>(cluster, context);
}

}  // namespace msgwatch::kafka
