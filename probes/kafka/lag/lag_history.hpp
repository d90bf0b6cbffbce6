#pragma once
// The kafka_lag probe's memory across cycles: per partition a history of high watermarks
// (for lag in seconds and truncation detection), per group partition a status window, and
// the committed-messages counters. Everything of a partition or group that disappeared is
// forgotten at the next cycle, so memory follows the cluster's size.
//
// Not thread-safe: the probe calls it once per cycle on the io_context thread.

#include "exporter/sdk/name_filter.hpp"
#include "exporter/sdk/series_set.hpp"
#include "probes/kafka/lag/cluster_snapshot.hpp"
#include "probes/kafka/lag/consumer_status.hpp"
#include "probes/kafka/lag/group_metrics.hpp"
#include "probes/kafka/lag/offset_history.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <string>

namespace msgwatch::kafka {

class LagHistory {
 public:
  // `read_committed_groups` (may be null) are judged against the last stable offset.
  LagHistory(std::string cluster_name, StatusOptions status_options, const NameFilter* read_committed_groups);

  // Records the cycle's offsets and returns what the history says about each group
  // partition. `now` is when the cycle read the offsets; `frozen` says which partitions'
  // last stable offsets are frozen (read_committed groups waiting there are BLOCKED).
  GroupHistory update(const ClusterSnapshot& snapshot, std::chrono::steady_clock::time_point now,
                      const std::function<bool(const TopicPartition&)>& frozen = {});

  // kafka_topic_partition_truncations_total for every selected partition, 0 until one is
  // seen truncated.
  void write_metrics(SeriesSet& out) const;

 private:
  void record_end_offsets(const ClusterSnapshot& snapshot, std::chrono::steady_clock::time_point now);

  std::string cluster_name_;
  const NameFilter* read_committed_groups_;
  std::map<TopicPartition, OffsetHistory> end_offsets_;
  std::map<TopicPartition, double> truncations_;
  ConsumerStatusTracker statuses_;
};

}  // namespace msgwatch::kafka
