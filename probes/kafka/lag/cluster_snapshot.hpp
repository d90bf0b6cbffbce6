#pragma once
// What one collection cycle learnt about a cluster, as plain data: the probe fills it from
// the brokers' answers, lag_metrics.hpp turns it into metric families. Keeping the two
// apart lets the translation be tested on hand-made snapshots.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace msgwatch::kafka {

struct BrokerState {
  std::int32_t id = 0;
  std::string host;
  std::int32_t port = 0;
};

struct PartitionState {
  std::int32_t leader = -1;  // -1: no leader (offline)
  std::vector<std::int32_t> replicas;
  std::vector<std::int32_t> in_sync_replicas;
  std::optional<std::int64_t> oldest_offset;  // absent when ListOffsets failed for it
  std::optional<std::int64_t> newest_offset;  // the high watermark
};

struct TopicState {
  std::map<std::int32_t, PartitionState> partitions;
};

using TopicPartition = std::pair<std::string, std::int32_t>;

struct GroupState {
  std::string state;  // "Stable", "Empty", ... ; empty when the coordinator did not say
  std::string type;   // "classic" or "consumer" (KIP-848)
  std::optional<std::int32_t> members;
  // Committed offsets; a partition without a commit is absent (it has no lag to report).
  std::map<TopicPartition, std::int64_t> committed;
};

struct ClusterSnapshot {
  std::vector<BrokerState> brokers;
  std::int32_t controller = -1;
  std::map<std::string, TopicState> topics;  // selected topics only
  std::map<std::string, GroupState> groups;  // selected groups only
};

}  // namespace msgwatch::kafka
