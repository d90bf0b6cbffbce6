#pragma once
// Frozen last stable offsets. A partition's last stable offset (LSO) is the first offset of
// its oldest open transaction (the high watermark when none is open); read_committed
// consumers receive nothing past it. Per partition this remembers since when the LSO has
// not moved while it is below the high watermark: on a busy transactional topic it moves
// with every transaction that ends, so that time stays short; a transaction that never ends
// makes it grow without bound.
//
// Memory: one entry per partition whose LSO is below its high watermark. Time is a
// steady_clock time point passed in by the caller. Not thread-safe: one probe cycle owns it.

#include "exporter/sdk/series_set.hpp"
#include "probes/kafka/lag/cluster_snapshot.hpp"

#include <chrono>
#include <map>

namespace msgwatch::kafka {

class StableOffsetWatch {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // Records the cycle's offsets of the selected topics. A partition whose offsets the cycle
  // could not read keeps what it had; one that disappeared is forgotten.
  void update(const ClusterSnapshot& snapshot, TimePoint now);

  // For every selected partition with both offsets: kafka_topic_partition_unstable_messages
  // (high watermark - LSO) and kafka_topic_partition_lso_stalled_seconds (0 unless the LSO
  // is below the high watermark).
  void write_metrics(const ClusterSnapshot& snapshot, TimePoint now, SeriesSet& out) const;

  // Seconds the partition's LSO has been stuck below its high watermark; 0 when it is not.
  [[nodiscard]] double stalled_seconds(const TopicPartition& partition, TimePoint now) const;

 private:
  struct Watch {
    std::int64_t stable_offset = 0;
    TimePoint since;
  };
  std::map<TopicPartition, Watch> watches_;
};

}  // namespace msgwatch::kafka
