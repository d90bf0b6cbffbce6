#include "probes/kafka/canary/canary_probe.hpp"

#include "probes/kafka/canary/canary_metrics.hpp"
#include "probes/kafka/canary/canary_runner.hpp"
#include "probes/kafka/canary/canary_transactions.hpp"

#include <stdexcept>

namespace msgwatch::kafka {
namespace {

class KafkaCanaryProbe final : public Probe {
 public:
  KafkaCanaryProbe(const KafkaCluster& cluster, const ProbeContext& context)
      : cluster_(cluster.name),
        topic_(cluster.canary.topic),
        schedule_{cluster.canary.interval,
                  std::min<std::chrono::milliseconds>(cluster.canary.interval, std::chrono::seconds(10))},
        runner_(cluster, *context.registry),
        transactions_(cluster.canary.transactions
                          ? std::make_unique<CanaryTransactionRunner>(cluster, *context.registry)
                          : nullptr) {}

  [[nodiscard]] std::string kind() const override { return "kafka_canary"; }
  [[nodiscard]] std::string target() const override { return cluster_; }
  [[nodiscard]] ProbeSchedule schedule() const override { return schedule_; }

  boost::asio::awaitable<SeriesSet> collect() override {
    const CanaryState state = runner_.state();
    if (!state.problem.empty()) throw std::runtime_error(state.problem);
    SeriesSet out;
    write_canary_metrics(state, topic_, out);
    if (transactions_) write_canary_transaction_metrics(transactions_->state(), topic_, out);
    co_return out;
  }

  void abort() override {}  // collect() never waits

 private:
  std::string cluster_;
  std::string topic_;
  ProbeSchedule schedule_;
  CanaryRunner runner_;
  std::unique_ptr<CanaryTransactionRunner> transactions_;  // when canary.transactions is on
};

}  // namespace

std::unique_ptr<Probe> make_kafka_canary_probe(const KafkaCluster& cluster, const ProbeContext& context) {
  return std::make_unique<KafkaCanaryProbe>(cluster, context);
}

}  // namespace msgwatch::kafka
