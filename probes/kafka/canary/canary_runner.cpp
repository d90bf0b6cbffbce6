#include "probes/kafka/canary/canary_runner.hpp"

#include "exporter/sdk/log_event.hpp"
#include "probes/kafka/canary/canary_thread.hpp"

#include "probes/kafka/canary/canary_topic.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace msgwatch::kafka {
namespace {

prometheus::Family<prometheus::Histogram>& histogram_family(prometheus::Registry& registry, const char* name,
                                                            const char* help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(registry);
}

}  // namespace

CanaryRunner::CanaryRunner(const KafkaCluster& cluster, prometheus::Registry& registry)
    : cluster_(cluster),
      ack_family_(histogram_family(registry, "kafka_canary_ack_latency_seconds",
                                   "Time from sending a canary message to the broker's acknowledgement (acks=all).")),
      end_to_end_family_(histogram_family(registry, "kafka_canary_end_to_end_latency_seconds",
                                          "Time from sending a canary message to reading it back.")),
      ack_buckets_(canary_sla_buckets(cluster.canary.ack_sla)),
      end_to_end_buckets_(canary_sla_buckets(cluster.canary.round_trip_sla)),
      tracker_(new_canary_instance(), cluster.canary.round_trip_sla),
      reader_(cluster, CanaryReader::Isolation::read_uncommitted, "canary"),
      share_(cluster.canary.share ? std::make_unique<CanaryShare>(cluster) : nullptr),
      production_(cluster.canary.production_topics.include.empty()
                      ? nullptr
                      : std::make_unique<ProductionCanary>(cluster, tracker_.instance())),
      keeper_(cluster.canary.manage_topic ? std::make_unique<CanaryTopicKeeper>(cluster_) : nullptr) {
  auto producer_config = rdkafka_config(
      cluster_,
      canary_client_properties(settings_, {
                                              {"enable.idempotence", "true"},
                                              {"linger.ms", "5"},
                                              // A message not acknowledged within ack_sla fails (and is
                                              // counted by its error) instead of being retried on.
                                              {"message.timeout.ms", std::to_string(settings_.ack_sla.count())},
                                          }));
  rd_kafka_conf_set_opaque(producer_config.get(), this);
  rd_kafka_conf_set_dr_msg_cb(producer_config.get(), &CanaryRunner::on_delivery);
  producer_ = make_rdkafka_client(RD_KAFKA_PRODUCER, std::move(producer_config));
  log_event(spdlog::level::info, "canary started",
            {{"cluster", cluster_.name}, {"topic", settings_.topic}, {"instance", tracker_.instance()}});
  thread_ = std::thread([this] { run(); });
}

CanaryRunner::~CanaryRunner() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  // Delivery reports of what is still queued are served here, on this thread, while the
  // tracker still exists.
  rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_flush(producer_.get(), 1000);
  producer_.reset();
}

CanaryState CanaryRunner::state() const {
  CanaryState state;
  if (production_) state.production = production_->state();
  const std::lock_guard lock(mutex_);
  state.instance = tracker_.instance();
  state.problem = problem_;
  state.topic = topic_;
  state.assigned = assigned_;
  // Only the partitions this daemon sends to: one handed to another daemon of the share would
  // otherwise keep its last round trip here, ageing into a false alarm.
  for (const auto& [partition, counts] : tracker_.partitions()) {
    if (sending_to_.contains(partition)) state.partitions.emplace(partition, counts);
  }
  state.brokers = tracker_.brokers();
  state.topic_changes = topic_changes_;
  return state;
}

void CanaryRunner::set_problem(const std::string& problem, bool can_send) {
  {
    const std::lock_guard lock(mutex_);
    problem_ = can_send ? "" : problem;
  }
  if (problem == logged_problem_) return;
  logged_problem_ = problem;
  if (problem.empty()) {
    log_event(spdlog::level::info, "canary back to normal", {{"cluster", cluster_.name}, {"topic", settings_.topic}});
  } else {
    log_event(spdlog::level::warn, can_send ? "canary sends to the partitions last seen" : "canary cannot send",
              {{"cluster", cluster_.name}, {"topic", settings_.topic}, {"error", problem}});
  }
}

void CanaryRunner::run() noexcept {
  run_canary_loop(
      stopping_, settings_.interval,
      [this] {
        try {
          set_problem(round(), true);
        } catch (const std::exception& e) {
          set_problem(e.what(), false);
        }
      },
      [this](std::chrono::milliseconds wait) {
        rd_kafka_poll(producer_.get(), 0);  // delivery reports
        if (share_) share_->poll();
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
        log_lost_canary_messages(lost, cluster_.name, settings_.topic, "canary");
      },
      cluster_.name, "canary");
}

std::string CanaryRunner::round() {
  std::string problem;
  CanaryTopicView view;
  try {
    view = read_canary_topic(producer_.get(), settings_.topic, canary_wait_bound(settings_));
  } catch (const std::exception& e) {
    const std::lock_guard lock(mutex_);
    if (!topic_) throw;
    // The cluster does not answer: send to the partitions as last seen, so that what does
    // not get through counts as failed, per partition and broker.
    problem = e.what();
    view = *topic_;
  }
  if (!view.exists()) {
    if (!settings_.manage_topic) {
      throw std::runtime_error("topic " + settings_.topic + " does not exist (canary.manage_topic is false)");
    }
    create_canary_topic(producer_.get(), settings_.topic, view.brokers.size(), settings_, canary_wait_bound(settings_));
    log_event(spdlog::level::info, "canary topic created",
              {{"cluster", cluster_.name},
               {"topic", settings_.topic},
               {"brokers", std::to_string(view.brokers.size())},
               {"partitions", std::to_string(settings_.partitions_per_broker * view.brokers.size())}});
    view = read_canary_topic(producer_.get(), settings_.topic, canary_wait_bound(settings_));
    if (!view.exists()) throw std::runtime_error("topic " + settings_.topic + " created but not in the metadata yet");
  }
  {
    const std::lock_guard lock(mutex_);
    topic_ = view;
    assigned_ = share_ ? share_->assigned() : view.leaders.size();
    sending_to_.clear();
    for (const auto& [partition, leader] : view.leaders) {
      if (!share_ || share_->owns(partition)) sending_to_.insert(partition);
    }
  }
  reader_.follow(producer_.get(), view, canary_wait_bound(settings_));
  send_all(view);
  if (production_) {
    try {
      production_->round(producer_.get(), canary_wait_bound(settings_));
    } catch (const std::exception& e) {
      problem = e.what();  // the canary topic's round is done; the production one next time
    }
  }
  // Last, so that it never delays a measurement; not with the partitions last seen.
  if (keeper_ && problem.empty()) {
    keeper_->keep(producer_.get(), view);
    const std::lock_guard lock(mutex_);
    topic_changes_ = keeper_->changes();
  }
  return problem;
}

void CanaryRunner::send_all(const CanaryTopicView& view) {
  for (const auto& [partition, leader] : view.leaders) {
    if (!reader_.follows(partition) || partition > kMaxCanaryPartition) continue;  // nothing to measure yet
    if (share_ && !share_->owns(partition)) continue;                              // another daemon's
    CanaryMessage message;
    {
      const std::lock_guard lock(mutex_);
      message = tracker_.send(partition, leader, CanaryClock::now());
    }
    const auto err = produce_canary_message(producer_.get(), settings_.topic, partition, message);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const std::lock_guard lock(mutex_);
      tracker_.failed(partition, message.sequence, rd_kafka_err2name(err));
    }
  }
}

void CanaryRunner::read(std::int32_t partition, std::int64_t offset, const std::optional<CanaryMessage>& message,
                        CanaryClock::time_point read_at) {
  std::optional<std::chrono::microseconds> latency;
  {
    const std::lock_guard lock(mutex_);
    tracker_.read(partition, offset);
    if (!message) return;  // not a canary record
    std::int32_t leader = -1;
    if (topic_) {
      if (const auto it = topic_->leaders.find(partition); it != topic_->leaders.end()) leader = it->second;
    }
    latency = tracker_.received(partition, leader, *message, read_at);
  }
  if (latency) {
    histogram(end_to_end_family_, end_to_end_histograms_, partition, end_to_end_buckets_)
        .Observe(std::chrono::duration<double>(*latency).count());
  }
}

void CanaryRunner::on_delivery(rd_kafka_t* /*client*/, const rd_kafka_message_t* message, void* opaque) noexcept {
  try {
    auto* self = static_cast<CanaryRunner*>(opaque);
    if (self->production_ && self->settings_.topic != rd_kafka_topic_name(message->rkt)) {
      self->production_->delivered(*message);
      return;
    }
    const auto [partition, sequence] = unpack_canary_id(message->_private);
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const std::lock_guard lock(self->mutex_);
      self->tracker_.failed(partition, sequence, rd_kafka_err2name(message->err));
      return;
    }
    {
      const std::lock_guard lock(self->mutex_);
      self->tracker_.delivered(partition, sequence, message->offset);
    }
    const auto micros = rd_kafka_message_latency(message);
    if (micros >= 0) {
      self->histogram(self->ack_family_, self->ack_histograms_, partition, self->ack_buckets_)
          .Observe(static_cast<double>(micros) / 1e6);
    }
  } catch (...) {  // never into C
  }
}

prometheus::Histogram& CanaryRunner::histogram(prometheus::Family<prometheus::Histogram>& family,
                                               std::map<std::int32_t, prometheus::Histogram*>& cache,
                                               std::int32_t partition,
                                               const prometheus::Histogram::BucketBoundaries& buckets) {
  auto& slot = cache[partition];
  if (slot == nullptr) {
    slot = &family.Add(
        {{"cluster", cluster_.name}, {"topic", settings_.topic}, {"partition", std::to_string(partition)}}, buckets);
  }
  return *slot;
}

}  // namespace msgwatch::kafka
