#pragma once
// The canary topic as the cluster has it, and its creation (where the daemon manages it).
// Blocking librdkafka calls, each bounded by its timeout: for the canary's own thread.

#include "probes/kafka/kafka_config.hpp"
#include "probes/kafka/rdkafka/rdkafka_client.hpp"

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace msgwatch::kafka {

struct CanaryReplicas {
  std::vector<std::int32_t> replicas;  // the first is the preferred leader
  std::vector<std::int32_t> in_sync;
  bool operator==(const CanaryReplicas&) const = default;
};

struct CanaryTopicView {
  // partition → its leader, or while it has none its preferred leader (the first replica:
  // where it belongs); -1 for neither. Empty when the topic does not exist.
  std::map<std::int32_t, std::int32_t> leaders;
  std::map<std::int32_t, CanaryReplicas> replicas;  // partition → its replicas
  std::vector<std::int32_t> brokers;                // the cluster's brokers, sorted
  [[nodiscard]] bool exists() const { return !leaders.empty(); }
  bool operator==(const CanaryTopicView&) const = default;
};

// The topic's partitions and the cluster's brokers. Never creates the topic (the client
// must have allow.auto.create.topics=false). Throws std::runtime_error when the metadata
// cannot be read.
CanaryTopicView read_canary_topic(rd_kafka_t* client, const std::string& topic, std::chrono::milliseconds timeout);

// Creates the topic: canary.partitions_per_broker × brokers partitions, replication factor
// canary.replication_factor (0: min(3, brokers)), min.insync.replicas one less (at least 1).
// An existing topic is not an error. Throws std::runtime_error with the broker's reason.
void create_canary_topic(rd_kafka_t* client, const std::string& topic, std::size_t brokers,
                         const CanarySettings& canary, std::chrono::milliseconds timeout);

// Grows the topic from `existing` partitions by one per entry of `replicas`, each placed on
// those brokers (the first its preferred leader). Throws std::runtime_error with the reason.
void add_canary_partitions(rd_kafka_t* client, const std::string& topic, std::size_t existing,
                           const std::vector<std::vector<std::int32_t>>& replicas, std::chrono::milliseconds timeout);

// How long one blocking librdkafka call of the canary may take: half its interval, from
// 0.5 s to 5 s.
std::chrono::milliseconds canary_wait_bound(const CanarySettings& canary);

// The librdkafka properties every canary client has, then `more`: never create a topic, and
// refresh the topic's metadata every interval (1 s to 10 s), so that a partition whose
// leader was unknown or moved is served again within that, not after librdkafka's
// default 5 minutes.
RdKafkaProperties canary_client_properties(const CanarySettings& canary, RdKafkaProperties more);

// Brokers that lead none of the topic's partitions.
std::vector<std::int32_t> brokers_without_leadership(const CanaryTopicView& view);

}  // namespace msgwatch::kafka
