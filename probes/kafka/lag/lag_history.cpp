#include "probes/kafka/lag/lag_history.hpp"

#include "exporter/sdk/log_event.hpp"

namespace msgwatch::kafka {

LagHistory::LagHistory(std::string cluster_name, StatusOptions status_options, const NameFilter* read_committed_groups)
    : cluster_name_(std::move(cluster_name)),
      read_committed_groups_(read_committed_groups),
      statuses_(status_options) {}

void LagHistory::record_end_offsets(const ClusterSnapshot& snapshot, std::chrono::steady_clock::time_point now) {
  std::map<TopicPartition, OffsetHistory> kept;
  for (const auto& [topic, state] : snapshot.topics) {
    if (!state.selected) continue;
    for (const auto& [index, partition] : state.partitions) {
      const TopicPartition key{topic, index};
      auto node = end_offsets_.extract(key);
      auto history = node ? std::move(node.mapped()) : OffsetHistory();
      if (partition.newest_offset && !history.record(*partition.newest_offset, now)) {
        truncations_[key] += 1;
        log_event(spdlog::level::warn, "high watermark went back: the log was truncated",
                  {{"cluster", cluster_name_},
                   {"topic", topic},
                   {"partition", std::to_string(index)},
                   {"from", std::to_string(history.previous_end_offset().value_or(-1))},
                   {"to", std::to_string(*partition.newest_offset)}});
      }
      kept.emplace(key, std::move(history));
    }
  }
  end_offsets_ = std::move(kept);  // partitions that disappeared are forgotten
  std::erase_if(truncations_, [this](const auto& entry) { return end_offsets_.count(entry.first) == 0; });
}

GroupHistory LagHistory::update(const ClusterSnapshot& snapshot, std::chrono::steady_clock::time_point now,
                                const std::function<bool(const TopicPartition&)>& frozen) {
  record_end_offsets(snapshot, now);
  GroupHistory out;
  for (const auto& [group, state] : snapshot.groups) {
    const bool active = state.members.value_or(0) > 0;
    const bool read_committed = read_committed_groups_ != nullptr && read_committed_groups_->selects(group);
    for (const auto& [key, committed] : state.committed) {
      const auto history = end_offsets_.find(key);
      if (history == end_offsets_.end()) continue;  // topic deleted or not selected
      const auto& partition = snapshot.topics.at(key.first).partitions.at(key.second);
      if (!partition.newest_offset) continue;
      const GroupPartition id{group, key.first, key.second};
      if (const auto seconds = history->second.lag_seconds(committed, now)) out.lag_seconds[id] = *seconds;
      const GroupTopicPartition status_key{group, key.first, key.second};
      statuses_.observe(status_key,
                        {committed, *partition.newest_offset, read_committed ? partition.stable_offset : std::nullopt,
                         now, active, read_committed && frozen && frozen(key)});
      if (const auto status = statuses_.partition_status(status_key)) out.status[id] = to_int(*status);
    }
  }
  // What this cycle could not see is kept, not forgotten: groups whose coordinator did not
  // answer, partitions whose leader did not, and everything while the group list itself is
  // incomplete (a broker's ListGroups failed, so a missing group may just be unlisted).
  if (snapshot.groups_complete) {
    statuses_.forget_unobserved_since(now, [&snapshot](const GroupTopicPartition& key) {
      return snapshot.unread_groups.contains(key.group) || snapshot.end_offsets_unread({key.topic, key.partition});
    });
  }
  for (const auto& [group_topic, messages] : statuses_.committed_messages()) {
    out.committed_messages[group_topic] = static_cast<double>(messages);
  }
  return out;
}

void LagHistory::write_metrics(SeriesSet& out) const {
  static constexpr auto kTruncations =
      counter_family("kafka_topic_partition_truncations_total",
                     "Times the partition's high watermark went backwards (a truncated log: data lost after an "
                     "unclean leader election).",
                     {"topic", "partition"});
  // At 0 from the first cycle for every watched partition: increase() sees a first truncation
  // only on a series that existed before it.
  for (const auto& [key, history] : end_offsets_) {
    const auto count = truncations_.find(key);
    out.add(kTruncations, {key.first, key.second}, count == truncations_.end() ? 0 : count->second);
  }
}

}  // namespace msgwatch::kafka
