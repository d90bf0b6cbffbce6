#include "probes/kafka/transactions/stable_offset_watch.hpp"

#include <algorithm>

namespace msgwatch::kafka {

void StableOffsetWatch::update(const ClusterSnapshot& snapshot, TimePoint now) {
  std::map<TopicPartition, Watch> kept;
  for (const auto& [topic, state] : snapshot.topics) {
    if (!state.selected) continue;  // neither exported nor judged (no group of it is observed)
    for (const auto& [index, partition] : state.partitions) {
      const TopicPartition key{topic, index};
      const auto before = watches_.find(key);
      if (!partition.stable_offset || !partition.newest_offset) {
        if (before != watches_.end()) kept.insert(*before);  // not read this cycle
        continue;
      }
      if (*partition.stable_offset >= *partition.newest_offset) continue;  // nothing held back
      if (before != watches_.end() && before->second.stable_offset == *partition.stable_offset) {
        kept.insert(*before);
      } else {
        kept.emplace(key, Watch{*partition.stable_offset, now});
      }
    }
  }
  watches_ = std::move(kept);
}

double StableOffsetWatch::stalled_seconds(const TopicPartition& partition, TimePoint now) const {
  const auto watch = watches_.find(partition);
  if (watch == watches_.end()) return 0.0;
  return std::max(0.0, std::chrono::duration<double>(now - watch->second.since).count());
}

void StableOffsetWatch::write_metrics(const ClusterSnapshot& snapshot, TimePoint now, SeriesSet& out) const {
  static constexpr auto kUnstable =
      gauge_family("kafka_topic_partition_unstable_messages",
                   "High watermark - last stable offset: messages read_committed consumers cannot receive yet, "
                   "because a transaction that wrote them or an earlier one is still open.",
                   {"topic", "partition"});
  static constexpr auto kStalled =
      gauge_family("kafka_topic_partition_lso_stalled_seconds",
                   "How long the last stable offset has not moved while below the high watermark: an open "
                   "transaction holding back read_committed consumers; 0 when nothing is held back.",
                   {"topic", "partition"});
  for (const auto& [topic, state] : snapshot.topics) {
    if (!state.selected) continue;
    for (const auto& [index, partition] : state.partitions) {
      if (!partition.stable_offset || !partition.newest_offset) continue;
      const auto unstable = std::max<std::int64_t>(0, *partition.newest_offset - *partition.stable_offset);
      out.add(kUnstable, {topic, index}, static_cast<double>(unstable));
      out.add(kStalled, {topic, index}, stalled_seconds({topic, index}, now));
    }
  }
}

}  // namespace msgwatch::kafka
