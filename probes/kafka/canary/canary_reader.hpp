#pragma once
// A librdkafka consumer of the canary topic that assign()s every partition (no group, so no
// rebalance ever delays a measurement), each from its high watermark as it was when the
// reader started following it: nothing sent afterwards is missed, nothing older is read.
// read_uncommitted for the canary, read_committed for the transactional canary. Used from
// one thread.

#include "probes/kafka/canary/canary_message.hpp"
#include "probes/kafka/canary/canary_topic.hpp"
#include "probes/kafka/canary/canary_tracker.hpp"
#include "probes/kafka/kafka_config.hpp"
#include "probes/kafka/rdkafka/rdkafka_client.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>

namespace msgwatch::kafka {

class CanaryReader {
 public:
  enum class Isolation { read_uncommitted, read_committed };
  // A record read: its partition and offset, and its canary message (nullopt for any other
  // value), and when it was read.
  using Handler = std::function<void(std::int32_t partition, std::int64_t offset,
                                     const std::optional<CanaryMessage>& message, CanaryClock::time_point read_at)>;

  // `role` names the never-joined group librdkafka's assign() needs: <client_id>-<role>.
  CanaryReader(const KafkaCluster& cluster, Isolation isolation, const std::string& role);
  ~CanaryReader();
  CanaryReader(const CanaryReader&) = delete;
  CanaryReader& operator=(const CanaryReader&) = delete;

  // Starts reading the partitions of `view` it does not read yet, from their high watermarks
  // queried with `client` now. Stops after `timeout` (a leader that does not answer): the
  // rest at the next call.
  void follow(rd_kafka_t* client, const CanaryTopicView& view, std::chrono::milliseconds timeout);
  [[nodiscard]] bool follows(std::int32_t partition) const { return followed_.count(partition) > 0; }

  // Hands every record that arrives within `wait` (and then every one already there, at
  // most 10,000) to `handle`.
  void drain(std::chrono::milliseconds wait, const Handler& handle);

 private:
  std::string topic_;
  RdKafkaHandle<rd_kafka_t> consumer_;
  std::set<std::int32_t> followed_;
};

}  // namespace msgwatch::kafka
