#pragma once
// The canary's own thread: every interval it reads the canary topic (creating it where the
// daemon manages it) and sends one message to every partition with an idempotent
// librdkafka producer; in between it reads the topic back with a librdkafka consumer that
// assign()s every partition (no group, so no rebalance ever delays a measurement) and feeds
// a CanaryTracker. Where the daemon manages the topic, a CanaryTopicKeeper then keeps every
// broker the preferred leader of one of its partitions. Acknowledgement and end-to-end latencies go into live
// histograms of the registry as they happen:
//   kafka_canary_ack_latency_seconds{cluster,topic,partition}
//   kafka_canary_end_to_end_latency_seconds{cluster,topic,partition}
// state() copies what the probe exports; everything else stays on the thread. Every
// librdkafka wait is bounded (100 ms polls, metadata and creation within the interval), so
// the destructor returns within a few seconds.

#include "probes/kafka/canary/canary_reader.hpp"
#include "probes/kafka/canary/canary_share.hpp"
#include "probes/kafka/canary/canary_topic.hpp"
#include "probes/kafka/canary/canary_topic_keeper.hpp"
#include "probes/kafka/canary/canary_tracker.hpp"
#include "probes/kafka/canary/production_canary.hpp"
#include "probes/kafka/kafka_config.hpp"
#include "probes/kafka/rdkafka/rdkafka_client.hpp"

#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

namespace msgwatch::kafka {

struct CanaryState {
  std::string instance;
  // Why the canary cannot send at all (the topic is missing and not managed, the cluster has
  // not answered since the start); empty while it sends.
  std::string problem;
  std::optional<CanaryTopicView> topic;  // as last read
  std::size_t assigned = 0;              // partitions this daemon sends to
  std::map<std::int32_t, CanaryCounts> partitions;
  std::map<std::int32_t, CanaryCounts> brokers;
  std::optional<ProductionCanary::State> production;  // when canary.production names topics
  std::optional<CanaryTopicChanges> topic_changes;    // where the daemon manages the topic
};

class CanaryRunner {
 public:
  CanaryRunner(const KafkaCluster& cluster, prometheus::Registry& registry);
  ~CanaryRunner();
  CanaryRunner(const CanaryRunner&) = delete;
  CanaryRunner& operator=(const CanaryRunner&) = delete;

  [[nodiscard]] CanaryState state() const;

 private:
  void run() noexcept;
  // One round: returns what went wrong that did not stop the sending (the metadata could not
  // be read, the partitions last seen were used); throws when nothing could be sent.
  std::string round();
  void send_all(const CanaryTopicView& view);
  void read(std::int32_t partition, std::int64_t offset, const std::optional<CanaryMessage>& message,
            CanaryClock::time_point read_at);
  // Records the round's outcome (`can_send` false: the probe fails) and logs each change once.
  void set_problem(const std::string& problem, bool can_send);
  static void on_delivery(rd_kafka_t* client, const rd_kafka_message_t* message, void* opaque) noexcept;
  prometheus::Histogram& histogram(prometheus::Family<prometheus::Histogram>& family,
                                   std::map<std::int32_t, prometheus::Histogram*>& cache, std::int32_t partition,
                                   const prometheus::Histogram::BucketBoundaries& buckets);

  const KafkaCluster cluster_;
  const CanarySettings& settings_ = cluster_.canary;
  prometheus::Family<prometheus::Histogram>& ack_family_;
  prometheus::Family<prometheus::Histogram>& end_to_end_family_;
  prometheus::Histogram::BucketBoundaries ack_buckets_;
  prometheus::Histogram::BucketBoundaries end_to_end_buckets_;
  std::map<std::int32_t, prometheus::Histogram*> ack_histograms_;         // the thread's
  std::map<std::int32_t, prometheus::Histogram*> end_to_end_histograms_;  // the thread's

  mutable std::mutex mutex_;  // guards tracker_, sending_to_, problem_, topic_
  CanaryTracker tracker_;
  std::set<std::int32_t> sending_to_;  // the partitions of the last round that are this daemon's
  std::string problem_;
  std::optional<CanaryTopicView> topic_;
  std::size_t assigned_ = 0;
  std::optional<CanaryTopicChanges> topic_changes_;

  CanaryReader reader_;                           // the thread's
  std::unique_ptr<CanaryShare> share_;            // the thread's; when canary.share is on
  std::unique_ptr<ProductionCanary> production_;  // when canary.production names topics
  std::unique_ptr<CanaryTopicKeeper> keeper_;     // the thread's; when canary.manage_topic is on
  RdKafkaHandle<rd_kafka_t> producer_;
  std::string logged_problem_;  // the thread's
  std::atomic<bool> stopping_{false};
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace msgwatch::kafka
