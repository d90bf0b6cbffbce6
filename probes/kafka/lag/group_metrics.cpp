#include "probes/kafka/lag/group_metrics.hpp"

#include <algorithm>

namespace msgwatch::kafka {
namespace {

constexpr LabelNames kGroup{"consumergroup"};
constexpr LabelNames kGroupTopic{"consumergroup", "topic"};
constexpr LabelNames kGroupPartition{"consumergroup", "topic", "partition"};

constexpr auto kInfo = gauge_family("kafka_consumergroup_info",
                                    "Consumer groups with their state, type, protocol and coordinator; always 1.",
                                    {"consumergroup", "state", "type", "protocol_type", "protocol", "coordinator"});
constexpr auto kMembers =
    gauge_family("kafka_consumergroup_members", "Number of members of the consumer group.", kGroup);
constexpr auto kAssigned = gauge_family("kafka_consumergroup_member_assigned_partitions",
                                        "Partitions of the topic assigned to the group member.",
                                        {"consumergroup", "member", "client_id", "client_host", "topic"});
constexpr auto kCurrentOffset = gauge_family(
    "kafka_consumergroup_current_offset", "Committed offset of the consumer group on the partition.", kGroupPartition);
constexpr auto kCurrentOffsetSum =
    gauge_family("kafka_consumergroup_current_offset_sum",
                 "Sum of the consumer group's committed offsets over the topic's partitions.", kGroupTopic);
constexpr auto kLag = gauge_family("kafka_consumergroup_lag",
                                   "Messages the consumer group has still to consume on the partition "
                                   "(high watermark - committed offset).",
                                   kGroupPartition);
constexpr auto kLagStable =
    gauge_family("kafka_consumergroup_lag_stable",
                 "For groups configured as read_committed: last stable offset - committed offset.", kGroupPartition);
constexpr auto kLagSum =
    gauge_family("kafka_consumergroup_lag_sum", "Sum of the consumer group's lag over the topic.", kGroupTopic);
constexpr auto kTopicMaxLag =
    gauge_family("kafka_consumergroup_group_topic_max_lag",
                 "Largest lag of the consumer group on a partition of the topic.", kGroupTopic);
constexpr auto kGroupSumLag = gauge_family("kafka_consumergroup_group_sum_lag",
                                           "Sum of the consumer group's lag over all its partitions.", kGroup);
constexpr auto kGroupMaxLag =
    gauge_family("kafka_consumergroup_group_max_lag", "Largest lag of the consumer group on any partition.", kGroup);
constexpr auto kLagSeconds = gauge_family("kafka_consumergroup_lag_seconds",
                                          "How long ago the partition's log end was at the group's committed offset: "
                                          "the age of the oldest message the group has not consumed; 0 when caught up.",
                                          kGroupPartition);
constexpr auto kGroupMaxLagSeconds =
    gauge_family("kafka_consumergroup_group_max_lag_seconds", "Largest lag in seconds of the consumer group.", kGroup);
constexpr auto kPartitionStatus =
    gauge_family("kafka_consumergroup_partition_status",
                 "Status of the group on the partition: 0 OK, 1 WARN (lag rising), 2 STALL, "
                 "3 STOP, 4 REWIND, 5 BLOCKED (by an open transaction).",
                 kGroupPartition);
constexpr auto kGroupStatus = gauge_family(
    "kafka_consumergroup_status", "Worst partition status of the consumer group (0 OK ... 5 BLOCKED).", kGroup);
constexpr auto kCommittedMessages =
    counter_family("kafka_consumergroup_committed_messages_total",
                   "Messages the group's committed offsets moved forward over, per topic, "
                   "since the daemon started: rate() is the group's commit rate.",
                   kGroupTopic);

struct TopicTotals {
  double offset_sum = 0;
  double lag_sum = 0;
  double lag_max = 0;
  bool has_lag = false;
  bool complete = true;  // every partition's lag is known
};

template <class Map, class Key>
const typename Map::mapped_type* find(const Map& map, const Key& key) {
  const auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

void write_group(SeriesSet& out, const ClusterSnapshot& snapshot, const GroupHistory& history,
                 const GroupMetricsOptions& options, const std::string& group, const GroupState& state) {
  out.add(kInfo, {group, state.state, state.type, state.protocol_type, state.protocol, state.coordinator}, 1);
  if (state.members) out.add(kMembers, {group}, *state.members);
  for (const auto& member : state.member_details) {
    for (const auto& [topic, count] : member.assigned_partitions) {
      out.add(kAssigned, {group, member.member_id, member.client_id, member.client_host, topic}, count);
    }
  }
  const bool read_committed = options.read_committed_groups && options.read_committed_groups->selects(group);
  std::map<std::string, TopicTotals> topics;
  double group_lag_sum = 0;
  double group_lag_max = 0;
  bool group_has_lag = false;
  std::optional<double> group_lag_seconds_max;
  int worst_status = -1;
  // An aggregate over partitions is exported only when every partition it covers has a
  // value: a maximum or sum over part of them would understate (a group that was stuck
  // before a restart, a partition whose leader did not answer).
  bool lag_complete = true;
  bool seconds_complete = true;
  bool status_complete = true;
  for (const auto& [key, committed] : state.committed) {
    const auto& [topic, index] = key;
    const auto* topic_state = find(snapshot.topics, topic);
    if (topic_state == nullptr || !topic_state->selected) continue;  // deleted or filtered out
    const auto* partition = find(topic_state->partitions, index);
    if (partition == nullptr) continue;
    auto& totals = topics[topic];
    totals.offset_sum += static_cast<double>(committed);
    if (options.per_partition) out.add(kCurrentOffset, {group, topic, index}, static_cast<double>(committed));
    if (partition->newest_offset) {
      const auto lag = static_cast<double>(std::max<std::int64_t>(0, *partition->newest_offset - committed));
      if (options.per_partition) out.add(kLag, {group, topic, index}, lag);
      totals.lag_sum += lag;
      totals.lag_max = std::max(totals.lag_max, lag);
      totals.has_lag = true;
      group_lag_sum += lag;
      group_lag_max = std::max(group_lag_max, lag);
      group_has_lag = true;
    } else {
      totals.complete = false;
      lag_complete = false;
    }
    if (read_committed && partition->stable_offset && options.per_partition) {
      out.add(kLagStable, {group, topic, index},
              static_cast<double>(std::max<std::int64_t>(0, *partition->stable_offset - committed)));
    }
    const GroupPartition id{group, topic, index};
    const auto* seconds = partition->newest_offset ? find(history.lag_seconds, id) : nullptr;
    if (seconds != nullptr) {
      if (options.per_partition) out.add(kLagSeconds, {group, topic, index}, *seconds);
      group_lag_seconds_max = std::max(group_lag_seconds_max.value_or(0), *seconds);
    } else if (!partition->newest_offset || *partition->newest_offset > committed) {
      seconds_complete = false;  // lag without an estimate (a caught-up partition is 0 s behind)
    }
    if (const auto* status = find(history.status, id)) {
      if (options.per_partition) out.add(kPartitionStatus, {group, topic, index}, *status);
      worst_status = std::max(worst_status, *status);
    } else {
      status_complete = false;
    }
  }
  for (const auto& [topic, totals] : topics) {
    out.add(kCurrentOffsetSum, {group, topic}, totals.offset_sum);
    if (totals.has_lag && totals.complete) {
      out.add(kLagSum, {group, topic}, totals.lag_sum);
      out.add(kTopicMaxLag, {group, topic}, totals.lag_max);
    }
    if (const auto* messages = find(history.committed_messages, std::pair{group, topic})) {
      out.add(kCommittedMessages, {group, topic}, *messages);
    }
  }
  if (group_has_lag && lag_complete) {
    out.add(kGroupSumLag, {group}, group_lag_sum);
    out.add(kGroupMaxLag, {group}, group_lag_max);
  }
  if (group_has_lag && seconds_complete) out.add(kGroupMaxLagSeconds, {group}, group_lag_seconds_max.value_or(0));
  if (worst_status >= 0 && status_complete) out.add(kGroupStatus, {group}, worst_status);
}

}  // namespace

void write_group_metrics(const ClusterSnapshot& snapshot, const GroupHistory& history,
                         const GroupMetricsOptions& options, SeriesSet& out) {
  for (const auto& [name, state] : snapshot.groups) write_group(out, snapshot, history, options, name, state);
}

}  // namespace msgwatch::kafka
