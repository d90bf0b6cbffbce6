#pragma once
// Several daemons share one canary topic: each sends only to the partitions Kafka's own
// consumer-group assignment gives it. A librdkafka consumer joins canary.share_group and
// subscribes to the topic; it never reads (its partitions are paused as soon as they are
// assigned), it only takes part in the group, so that when a daemon dies its partitions
// move to the others within the group's session timeout. Reading back stays with every
// daemon's own assign() reader. Used from the canary's thread.

#include "probes/kafka/kafka_config.hpp"
#include "probes/kafka/rdkafka/rdkafka_client.hpp"

#include <cstdint>
#include <set>
#include <string>

namespace msgwatch::kafka {

class CanaryShare {
 public:
  explicit CanaryShare(const KafkaCluster& cluster);
  // Leaves the group, so that the others take its partitions over at once.
  ~CanaryShare();
  CanaryShare(const CanaryShare&) = delete;
  CanaryShare& operator=(const CanaryShare&) = delete;

  // Serves the group protocol (heartbeats, rebalances) without waiting; call often.
  void poll();
  [[nodiscard]] bool owns(std::int32_t partition) const { return assigned_.count(partition) > 0; }
  [[nodiscard]] std::size_t assigned() const { return assigned_.size(); }

 private:
  static void on_rebalance(rd_kafka_t* client, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
                           void* opaque) noexcept;

  std::string cluster_;
  std::string group_;
  std::set<std::int32_t> assigned_;
  RdKafkaHandle<rd_kafka_t> consumer_;
};

}  // namespace msgwatch::kafka
