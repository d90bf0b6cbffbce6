#include "probes/kafka/canary/canary_transactions.hpp"

#include "exporter/sdk/log_event.hpp"
#include "probes/kafka/canary/canary_thread.hpp"
#include "probes/kafka/canary/canary_topic.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace msgwatch::kafka {
namespace {

// Sequences of aborted transactions remembered per partition.
constexpr std::size_t kAbortedKept = 4096;

using DeliveryCallback = void (*)(rd_kafka_t*, const rd_kafka_message_t*, void*);

// The coordinator aborts a transaction left open this long (a daemon that died inside it),
// and the runner replaces a producer that got nowhere for as long.
std::chrono::milliseconds transaction_timeout(const CanarySettings& canary) {
  using namespace std::chrono_literals;
  return std::max<std::chrono::milliseconds>(10s, 4 * (canary.interval + canary_wait_bound(canary)));
}

RdKafkaHandle<rd_kafka_t> make_transactional_producer(const KafkaCluster& cluster, void* opaque,
                                                      DeliveryCallback on_delivery) {
  auto config = rdkafka_config(
      cluster,
      canary_client_properties(
          cluster.canary, {
                              {"transactional.id", cluster.canary.transactional_id},
                              {"message.timeout.ms", std::to_string(cluster.canary.ack_sla.count())},
                              {"transaction.timeout.ms", std::to_string(transaction_timeout(cluster.canary).count())},
                          }));
  rd_kafka_conf_set_opaque(config.get(), opaque);
  rd_kafka_conf_set_dr_msg_cb(config.get(), on_delivery);
  return make_rdkafka_client(RD_KAFKA_PRODUCER, std::move(config));
}

}  // namespace

CanaryTransactionRunner::CanaryTransactionRunner(const KafkaCluster& cluster, prometheus::Registry& registry)
    : cluster_(cluster),
      phases_(prometheus::BuildHistogram()
                  .Name("kafka_canary_transaction_phase_seconds")
                  .Help("Time the transactional canary spent in each phase of a transaction: init "
                        "(InitProducerId), send (begin, one message to every partition, all acknowledged), "
                        "commit, abort.")
                  .Register(registry)),
      buckets_(canary_sla_buckets(cluster.canary.ack_sla)),
      tracker_(new_canary_instance(), cluster.canary.round_trip_sla),
      reader_(cluster, CanaryReader::Isolation::read_committed, "canary-transactions") {
  log_event(spdlog::level::info, "transactional canary started",
            {{"cluster", cluster_.name},
             {"topic", settings_.topic},
             {"transactional_id", settings_.transactional_id},
             {"instance", tracker_.instance()}});
  thread_ = std::thread([this] { run(); });
}

CanaryTransactionRunner::~CanaryTransactionRunner() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (producer_) {
    rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(producer_.get(), 1000);
    producer_.reset();
  }
}

CanaryTransactionState CanaryTransactionRunner::state() const {
  const std::lock_guard lock(mutex_);
  CanaryTransactionState state = state_;
  state.instance = tracker_.instance();
  state.transactional_id = settings_.transactional_id;
  for (const auto& [partition, counts] : tracker_.partitions()) {
    state.received += counts.received;
    state.lost += counts.lost;
    state.duplicates += counts.duplicates;
    state.overdue += counts.overdue;
  }
  return state;
}

void CanaryTransactionRunner::run() noexcept {
  run_canary_loop(
      stopping_, settings_.interval, [this] { round(); },
      [this](std::chrono::milliseconds wait) {
        if (producer_) rd_kafka_poll(producer_.get(), 0);
        reader_.drain(wait,
                      [this](std::int32_t partition, std::int64_t offset, const std::optional<CanaryMessage>& message,
                             CanaryClock::time_point read_at) { read(partition, offset, message, read_at); });
      },
      [this] {
        std::vector<LostCanaryMessage> lost;
        {
          const std::lock_guard lock(mutex_);
          lost = tracker_.expire(CanaryClock::now());
        }
        log_lost_canary_messages(lost, cluster_.name, settings_.topic, "transactional canary");
      },
      cluster_.name, "transactional canary");
}

void CanaryTransactionRunner::observe(const std::string& phase, std::chrono::steady_clock::time_point since) {
  failing_since_.reset();
  phases_.Add({{"cluster", cluster_.name}, {"phase", phase}}, buckets_)
      .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count());
}

bool CanaryTransactionRunner::failed(const std::string& phase, rd_kafka_error_t* error) {
  const std::string name = rd_kafka_error_name(error);
  const bool fatal = rd_kafka_error_is_fatal(error) != 0;
  const auto now = std::chrono::steady_clock::now();
  if (!failing_since_) failing_since_ = now;
  const auto failing_for = std::chrono::duration_cast<std::chrono::milliseconds>(now - *failing_since_);
  {
    const std::lock_guard lock(mutex_);
    ++state_.failures[{phase, name}];
  }
  log_event(spdlog::level::warn, "transactional canary failed",
            {{"cluster", cluster_.name},
             {"phase", phase},
             {"error", name},
             {"reason", rd_kafka_error_string(error)},
             {"fatal", fatal ? "true" : "false"}});
  rd_kafka_error_destroy(error);
  // librdkafka 2.0 can go on answering "retry call to resume" to an abort for minutes after
  // the coordinator died, long after another broker took over; by the transaction timeout
  // that coordinator has ended the transaction itself, and a new producer's InitProducerId
  // fences the stuck one.
  const bool stuck = !fatal && failing_for >= transaction_timeout(settings_);
  if (stuck) {
    log_event(spdlog::level::warn, "transactional canary producer replaced",
              {{"cluster", cluster_.name},
               {"phase", phase},
               {"failing_for_ms", std::to_string(failing_for.count())},
               {"reason", "no phase succeeded for the transaction timeout"}});
  }
  return fatal || stuck;
}

void CanaryTransactionRunner::forget(const MessageIds& messages) {
  const std::lock_guard lock(mutex_);
  for (const auto& [partition, sequence] : messages) tracker_.withdraw(partition, sequence);
}

void CanaryTransactionRunner::aborted(const MessageIds& messages) {
  for (const auto& [partition, sequence] : messages) {
    auto& sequences = aborted_[partition];
    sequences.insert(sequence);
    while (sequences.size() > kAbortedKept) sequences.erase(sequences.begin());
  }
  forget(messages);
}

// A transaction whose commit or abort librdkafka could not finish (a retriable error) must
// be finished with the same call before the next may begin.
bool CanaryTransactionRunner::finish(int timeout_ms) {
  if (unfinished_ == Unfinished::none) return true;
  const bool commit = unfinished_ == Unfinished::commit;
  const auto start = std::chrono::steady_clock::now();
  rd_kafka_error_t* error = commit ? rd_kafka_commit_transaction(producer_.get(), timeout_ms)
                                   : rd_kafka_abort_transaction(producer_.get(), timeout_ms);
  if (error == nullptr) {
    observe(commit ? "commit" : "abort", start);
    unfinished_ = Unfinished::none;
    return true;
  }
  const bool requires_abort = rd_kafka_error_txn_requires_abort(error) != 0;
  if (failed(commit ? "commit" : "abort", error)) {
    producer_.reset();
  } else if (requires_abort) {
    unfinished_ = Unfinished::abort;
  }
  return false;
}

void CanaryTransactionRunner::round() {
  const auto timeout = canary_wait_bound(settings_);
  const int timeout_ms = static_cast<int>(timeout.count());
  if (!producer_) {
    producer_ = make_transactional_producer(cluster_, this, &CanaryTransactionRunner::on_delivery);
    initialized_ = false;
    unfinished_ = Unfinished::none;
    failing_since_.reset();
  }
  const CanaryTopicView view = read_canary_topic(producer_.get(), settings_.topic, timeout);
  if (!view.exists()) return;  // the canary creates it, or the operator
  reader_.follow(producer_.get(), view, timeout);
  if (!initialized_) {
    const auto start = std::chrono::steady_clock::now();
    if (rd_kafka_error_t* error = rd_kafka_init_transactions(producer_.get(), timeout_ms)) {
      if (failed("init", error)) producer_.reset();
      return;
    }
    observe("init", start);
    initialized_ = true;
  }
  if (!finish(timeout_ms)) return;
  if (rd_kafka_error_t* error = rd_kafka_begin_transaction(producer_.get())) {
    if (failed("begin", error)) producer_.reset();
    return;
  }
  const auto send_start = std::chrono::steady_clock::now();
  MessageIds messages;
  for (const auto& [partition, leader] : view.leaders) {
    if (!reader_.follows(partition) || partition > kMaxCanaryPartition) continue;
    CanaryMessage message;
    {
      const std::lock_guard lock(mutex_);
      message = tracker_.send(partition, leader, CanaryClock::now());
    }
    messages.emplace_back(partition, message.sequence);
    const auto err = produce_canary_message(producer_.get(), settings_.topic, partition, message);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const std::lock_guard lock(mutex_);
      ++state_.failures[{"send", rd_kafka_err2name(err)}];
    }
  }
  const auto flushed = rd_kafka_flush(producer_.get(), timeout_ms);
  if (flushed == RD_KAFKA_RESP_ERR_NO_ERROR) {
    observe("send", send_start);
  } else {
    const std::lock_guard lock(mutex_);
    ++state_.failures[{"send", rd_kafka_err2name(flushed)}];
  }
  const bool planned_abort = settings_.abort_every > 0 && ++rounds_ % settings_.abort_every == 0;
  if (!planned_abort && flushed == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const auto commit_start = std::chrono::steady_clock::now();
    rd_kafka_error_t* error = rd_kafka_commit_transaction(producer_.get(), timeout_ms);
    if (error == nullptr) {
      observe("commit", commit_start);
      const std::lock_guard lock(mutex_);
      ++state_.committed;
      state_.messages_committed += static_cast<std::int64_t>(messages.size());
      return;
    }
    const bool requires_abort = rd_kafka_error_txn_requires_abort(error) != 0;
    if (failed("commit", error)) {
      forget(messages);  // the outcome is the coordinator's: neither expected nor counted
      producer_.reset();
      return;
    }
    if (!requires_abort) {
      forget(messages);  // it may still commit: neither expected nor counted
      unfinished_ = Unfinished::commit;
      return;
    }
  }
  // Aborted: as planned, or because the transaction could not commit. Should the abort not
  // finish, the coordinator aborts it at its timeout.
  aborted(messages);
  const auto abort_start = std::chrono::steady_clock::now();
  if (rd_kafka_error_t* error = rd_kafka_abort_transaction(producer_.get(), timeout_ms)) {
    if (failed("abort", error)) {
      producer_.reset();
    } else {
      unfinished_ = Unfinished::abort;
    }
    return;
  }
  observe("abort", abort_start);
  if (planned_abort && flushed == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const std::lock_guard lock(mutex_);
    ++state_.aborted;
  }
}

void CanaryTransactionRunner::read(std::int32_t partition, std::int64_t offset,
                                   const std::optional<CanaryMessage>& message, CanaryClock::time_point read_at) {
  const std::lock_guard lock(mutex_);
  tracker_.read(partition, offset);
  if (!message || message->instance != tracker_.instance()) return;
  if (const auto it = aborted_.find(partition); it != aborted_.end() && it->second.count(message->sequence) > 0) {
    ++state_.aborted_seen;
    return;
  }
  (void)tracker_.received(partition, -1, *message, read_at);
}

// A failed message fails its transaction's flush or commit, which round() counts.
void CanaryTransactionRunner::on_delivery(rd_kafka_t* /*client*/, const rd_kafka_message_t* message,
                                          void* opaque) noexcept {
  try {
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) return;
    auto* self = static_cast<CanaryTransactionRunner*>(opaque);
    const auto [partition, sequence] = unpack_canary_id(message->_private);
    const std::lock_guard lock(self->mutex_);
    self->tracker_.delivered(partition, sequence, message->offset);
  } catch (...) {  // never into C
  }
}

}  // namespace msgwatch::kafka
