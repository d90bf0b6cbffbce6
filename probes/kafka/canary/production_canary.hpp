#pragma once
// Canary messages in production topics (canary.production): each round one message to every
// partition of the selected topics, with a header (canary.production.header: "1") that their
// consumers can skip it by, through the canary's idempotent producer; then the named
// groups' committed offsets, for GroupLatency. The daemon never reads production data.
// Counts, per topic, what was sent and what failed:
//   kafka_canary_production_sent_total{topic}
//   kafka_canary_production_send_failures_total{topic,error}
// Called from the canary's thread (round) and its delivery reports; state() from any thread.

#include "exporter/sdk/name_filter.hpp"
#include "probes/kafka/canary/group_latency.hpp"
#include "probes/kafka/kafka_config.hpp"

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace msgwatch::kafka {

class ProductionCanary {
 public:
  ProductionCanary(const KafkaCluster& cluster, std::string instance);

  // One round, with `producer` (the canary's); every blocking call within `timeout`.
  // Throws std::runtime_error when the metadata cannot be read.
  void round(rd_kafka_t* producer, std::chrono::milliseconds timeout);
  // A delivery report of one of its messages.
  void delivered(const rd_kafka_message_t& message);

  struct State {
    std::map<std::string, std::int64_t> sent;
    std::map<std::pair<std::string, std::string>, std::int64_t> failures;  // (topic, error)
    std::map<GroupLatency::Key, GroupLatency::Figure> groups;
  };
  [[nodiscard]] State state() const;

 private:
  void read_group(rd_kafka_t* producer, const std::string& group, std::chrono::milliseconds timeout);

  const CanarySettings settings_;
  const NameFilter topics_;
  const std::string instance_;
  std::vector<std::pair<std::string, std::int32_t>> partitions_;                // the thread's: as last read
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> next_sequence_;  // the thread's

  mutable std::mutex mutex_;  // guards what follows
  std::map<std::string, std::int64_t> sent_;
  std::map<std::pair<std::string, std::string>, std::int64_t> failures_;
  GroupLatency latency_;
};

}  // namespace msgwatch::kafka
