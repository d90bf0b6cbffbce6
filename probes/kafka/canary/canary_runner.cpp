#include "probes/kafka/canary/canary_runner.hpp"

#include "exporter/sdk/log_event.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace msgwatch::kafka {
namespace {

using namespace std::chrono_literals;

constexpr auto kPollWait = 100ms;
constexpr std::size_t kMaxRecordsPerDrain = 10'000;

// Multiples of an SLA, from well inside it to twice past it.
prometheus::Histogram::BucketBoundaries buckets_for(std::chrono::milliseconds sla) {
  const double seconds = std::chrono::duration<double>(sla).count();
  prometheus::Histogram::BucketBoundaries buckets;
  for (const double share : {0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0}) {
    buckets.push_back(seconds * share);
  }
  return buckets;
}

prometheus::Family<prometheus::Histogram>& histogram_family(prometheus::Registry& registry, const char* name,
                                                            const char* help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(registry);
}

// A message's partition (below 2^20, more than Kafka allows a topic) and sequence (below
// 2^44: half a million years at one message a second), carried through librdkafka as its
// opaque pointer.
constexpr int kPartitionBits = 20;
constexpr std::uint64_t kPartitionMask = (std::uint64_t{1} << kPartitionBits) - 1;
static_assert(sizeof(void*) == 8, "the opaque pointer carries 64 bits");

void* pack(std::int32_t partition, std::int64_t sequence) {
  return reinterpret_cast<void*>((static_cast<std::uint64_t>(sequence) << kPartitionBits) |
                                 (static_cast<std::uint64_t>(partition) & kPartitionMask));
}
std::pair<std::int32_t, std::int64_t> unpack(void* opaque) {
  const auto bits = reinterpret_cast<std::uint64_t>(opaque);
  return {static_cast<std::int32_t>(bits & kPartitionMask), static_cast<std::int64_t>(bits >> kPartitionBits)};
}

std::chrono::milliseconds wait_bound(const CanarySettings& settings) {
  return std::clamp<std::chrono::milliseconds>(settings.interval / 2, 500ms, 5s);
}

}  // namespace

CanaryRunner::CanaryRunner(const KafkaCluster& cluster, prometheus::Registry& registry)
    : cluster_(cluster),
      ack_family_(histogram_family(registry, "kafka_canary_ack_latency_seconds",
                                   "Time from sending a canary message to the broker's acknowledgement (acks=all).")),
      end_to_end_family_(histogram_family(registry, "kafka_canary_end_to_end_latency_seconds",
                                          "Time from sending a canary message to reading it back.")),
      ack_buckets_(buckets_for(cluster.canary.ack_sla)),
      end_to_end_buckets_(buckets_for(cluster.canary.round_trip_sla)),
      tracker_(new_canary_instance(), cluster.canary.round_trip_sla) {
  auto producer_config = rdkafka_config(cluster_, {
                                                      {"enable.idempotence", "true"},
                                                      {"linger.ms", "5"},
                                                      // A message not acknowledged within ack_sla fails (and is
                                                      // counted by its error) instead of being retried on.
                                                      {"message.timeout.ms", std::to_string(settings_.ack_sla.count())},
                                                      {"allow.auto.create.topics", "false"},
                                                  });
  rd_kafka_conf_set_opaque(producer_config.get(), this);
  rd_kafka_conf_set_dr_msg_cb(producer_config.get(), &CanaryRunner::on_delivery);
  producer_ = make_rdkafka_client(RD_KAFKA_PRODUCER, std::move(producer_config));
  consumer_ =
      make_rdkafka_client(RD_KAFKA_CONSUMER, rdkafka_config(cluster_, {
                                                                          // Needed by assign(); never joined.
                                                                          {"group.id", cluster_.client_id + "-canary"},
                                                                          {"enable.auto.commit", "false"},
                                                                          {"enable.auto.offset.store", "false"},
                                                                          {"enable.partition.eof", "false"},
                                                                          {"allow.auto.create.topics", "false"},
                                                                          {"fetch.wait.max.ms", "100"},
                                                                      }));
  rd_kafka_poll_set_consumer(consumer_.get());
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
  rd_kafka_consumer_close(consumer_.get());
  consumer_.reset();
}

CanaryState CanaryRunner::state() const {
  const std::lock_guard lock(mutex_);
  return CanaryState{tracker_.instance(), problem_, topic_, tracker_.partitions(), tracker_.brokers()};
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
  auto next_round = CanaryClock::now();
  while (!stopping_) {
    try {
      if (CanaryClock::now() >= next_round) {
        next_round = CanaryClock::now() + settings_.interval;
        try {
          const std::string problem = round();
          set_problem(problem, true);
        } catch (const std::exception& e) {
          set_problem(e.what(), false);
        }
      }
      rd_kafka_poll(producer_.get(), 0);  // delivery reports
      const auto until_round = std::chrono::duration_cast<std::chrono::milliseconds>(next_round - CanaryClock::now());
      drain(std::clamp<std::chrono::milliseconds>(until_round, 0ms, kPollWait));
      const std::lock_guard lock(mutex_);
      tracker_.expire(CanaryClock::now());
    } catch (const std::exception& e) {
      log_event(spdlog::level::err, "canary", {{"cluster", cluster_.name}, {"error", e.what()}});
      std::this_thread::sleep_for(kPollWait);
    } catch (...) {
      std::this_thread::sleep_for(kPollWait);
    }
  }
}

std::string CanaryRunner::round() {
  std::string problem;
  CanaryTopicView view;
  try {
    view = read_canary_topic(producer_.get(), settings_.topic, wait_bound(settings_));
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
    create_canary_topic(producer_.get(), settings_.topic, view.brokers.size(), settings_, wait_bound(settings_));
    log_event(spdlog::level::info, "canary topic created", {{"cluster", cluster_.name}, {"topic", settings_.topic}});
    view = read_canary_topic(producer_.get(), settings_.topic, wait_bound(settings_));
    if (!view.exists()) throw std::runtime_error("topic " + settings_.topic + " created but not in the metadata yet");
  }
  {
    const std::lock_guard lock(mutex_);
    topic_ = view;
  }
  follow(view);
  send_all(view);
  return problem;
}

// Every partition is read from its high watermark as it was before the first message was
// sent to it, so that nothing this instance sends is missed and nothing older is read.
void CanaryRunner::follow(const CanaryTopicView& view) {
  RdKafkaHandle<rd_kafka_topic_partition_list_t> added(rd_kafka_topic_partition_list_new(1));
  const auto deadline = std::chrono::steady_clock::now() + wait_bound(settings_);
  for (const auto& [partition, leader] : view.leaders) {
    if (followed_.count(partition) > 0 || static_cast<std::uint64_t>(partition) > kPartitionMask) continue;
    if (std::chrono::steady_clock::now() > deadline) break;  // the rest next round
    std::int64_t low = 0;
    std::int64_t high = RD_KAFKA_OFFSET_END;
    const auto err = rd_kafka_query_watermark_offsets(producer_.get(), settings_.topic.c_str(), partition, &low, &high,
                                                      static_cast<int>(wait_bound(settings_).count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;  // its leader is away: next round
    rd_kafka_topic_partition_list_add(added.get(), settings_.topic.c_str(), partition)->offset = high;
  }
  if (added->cnt == 0) return;
  if (rd_kafka_error_t* error = rd_kafka_incremental_assign(consumer_.get(), added.get())) {
    const std::string why = rd_kafka_error_string(error);
    rd_kafka_error_destroy(error);
    throw std::runtime_error("assign: " + why);
  }
  for (int i = 0; i < added->cnt; ++i) followed_.insert(added->elems[i].partition);
}

void CanaryRunner::send_all(const CanaryTopicView& view) {
  for (const auto& [partition, leader] : view.leaders) {
    if (followed_.count(partition) == 0) continue;  // not read back yet: nothing to measure
    CanaryMessage message;
    {
      const std::lock_guard lock(mutex_);
      message = tracker_.send(partition, leader, CanaryClock::now());
    }
    const std::string value = encode_canary_message(message);
    const auto err = rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC(settings_.topic.c_str()),
                                       RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                       RD_KAFKA_V_KEY(message.instance.data(), message.instance.size()),
                                       RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                       RD_KAFKA_V_OPAQUE(pack(partition, message.sequence)), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const std::lock_guard lock(mutex_);
      tracker_.failed(partition, message.sequence, rd_kafka_err2name(err));
    }
  }
}

void CanaryRunner::drain(std::chrono::milliseconds wait) {
  for (std::size_t i = 0; i < kMaxRecordsPerDrain; ++i) {
    RdKafkaHandle<rd_kafka_message_t> record(
        rd_kafka_consumer_poll(consumer_.get(), i == 0 ? static_cast<int>(wait.count()) : 0));
    if (!record) return;
    if (record->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      spdlog::debug("canary consumer: {}", rd_kafka_message_errstr(record.get()));
      continue;
    }
    const auto now = CanaryClock::now();
    const std::int32_t partition = record->partition;
    const auto message = decode_canary_message(
        std::string_view(static_cast<const char*>(record->payload), record->payload ? record->len : 0));
    std::optional<std::chrono::microseconds> latency;
    {
      const std::lock_guard lock(mutex_);
      tracker_.read(partition, record->offset);
      if (!message) continue;  // not a canary record
      std::int32_t leader = -1;
      if (topic_) {
        if (const auto it = topic_->leaders.find(partition); it != topic_->leaders.end()) leader = it->second;
      }
      latency = tracker_.received(partition, leader, *message, now);
    }
    if (latency) {
      histogram(end_to_end_family_, end_to_end_histograms_, partition, end_to_end_buckets_)
          .Observe(std::chrono::duration<double>(*latency).count());
    }
  }
}

void CanaryRunner::on_delivery(rd_kafka_t* /*client*/, const rd_kafka_message_t* message, void* opaque) noexcept {
  try {
    auto* self = static_cast<CanaryRunner*>(opaque);
    const auto [partition, sequence] = unpack(message->_private);
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
