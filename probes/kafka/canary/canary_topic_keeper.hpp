#pragma once
// Keeps the canary topic as canary_plan.hpp plans it, on the canary's thread, where the
// daemon manages the topic: partitions are added with librdkafka (CreatePartitions with the
// planned replicas), reassignments listed and made and preferred leaders elected with the
// daemon's own protocol client (librdkafka 2.0.2 has none of those three), each request
// bounded by the canary's wait bound. Counts what it changed and what failed:
//   kafka_canary_topic_changes_total{topic,change}, kafka_canary_topic_change_failures_total{topic,change}
//   kafka_canary_reassignment_in_progress{topic} (absent while unknown)

#include "probes/kafka/canary/canary_plan.hpp"
#include "probes/kafka/client/cluster_client.hpp"
#include "probes/kafka/kafka_config.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace msgwatch::kafka {

struct CanaryTopicChanges {
  // By change: partitions_added, reassigned, leaders_elected (each present from the start);
  // failed also counts `planning`, rounds that could not plan a step because the
  // reassignments under way could not be read.
  std::map<std::string, std::int64_t> made;
  std::map<std::string, std::int64_t> failed;
  // As last read; unknown before the first read and after a failed one.
  std::optional<bool> reassignment_in_progress;
  bool operator==(const CanaryTopicChanges&) const = default;
};

class CanaryTopicKeeper {
 public:
  explicit CanaryTopicKeeper(const KafkaCluster& cluster);
  ~CanaryTopicKeeper();
  CanaryTopicKeeper(const CanaryTopicKeeper&) = delete;
  CanaryTopicKeeper& operator=(const CanaryTopicKeeper&) = delete;

  // One step for the topic as `view` shows it (`client` adds partitions), none while the
  // view does not show the last change made yet. Never throws: a failure is counted, logged
  // (once for the same cause until a round succeeds), and the step planned again next round.
  void keep(rd_kafka_t* client, const CanaryTopicView& view);
  [[nodiscard]] const CanaryTopicChanges& changes() const { return changes_; }

 private:
  void carry_out(rd_kafka_t* client, const CanaryTopicView& view, const CanaryPlanStep& step);
  bool reassignment_in_progress(const CanaryTopicView& view);
  // Runs `task` on the keeper's own io_context until it ends, at most the wait bound (then the
  // connections are closed and it throws).
  template <class Result>
  Result run(boost::asio::awaitable<Result> task);
  // Sends the request to a broker of the metadata (any forwards these to the controller): the
  // same one each time, the next one after a failure.
  template <class Request, class Response>
  boost::asio::awaitable<Response> ask_any(Request request);

  const KafkaCluster& cluster_;
  const CanarySettings& settings_ = cluster_.canary;
  CanaryBrokerSightings sightings_;
  CanaryChangeInFlight in_flight_;
  CanaryTopicChanges changes_;
  std::string logged_;  // the cause of the last failure logged: logged once until a round succeeds
  std::size_t next_broker_ = 0;
  boost::asio::io_context io_;
  std::unique_ptr<ClusterClient> client_;  // after io_: closed before it
};

}  // namespace msgwatch::kafka
