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
                                   "(high watermark - committed offset; a share group's: Kafka's own lag).",
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

constexpr auto kShareStartOffset = gauge_family("kafka_consumergroup_share_start_offset",
                                                "Share groups: the share-partition start offset (records before it "
                                                "are all acknowledged or archived).",
                                                kGroupPartition);

template <class Map, class Key>
const typename Map::mapped_type* find(const Map& map, const Key& key) {
  const auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

// Sums and maxima of a group's partition lags, per topic and for the group. An aggregate
// over partitions is exported only when every partition it covers has a value: a maximum
// or sum over part of them would understate (a partition whose leader did not answer).
class LagTotals {
 public:
  void add(const std::string& topic, double lag) {
    auto& totals = topics_[topic];
    totals.sum += lag;
    totals.max = std::max(totals.max, lag);
    totals.known = true;
    group_.sum += lag;
    group_.max = std::max(group_.max, lag);
    group_.known = true;
  }
  void unknown(const std::string& topic) {
    topics_[topic].complete = false;
    group_.complete = false;
  }
  [[nodiscard]] bool group_known() const { return group_.known; }

  void write(SeriesSet& out, const std::string& group) const {
    for (const auto& [topic, totals] : topics_) {
      if (!totals.known || !totals.complete) continue;
      out.add(kLagSum, {group, topic}, totals.sum);
      out.add(kTopicMaxLag, {group, topic}, totals.max);
    }
    if (group_.known && group_.complete) {
      out.add(kGroupSumLag, {group}, group_.sum);
      out.add(kGroupMaxLag, {group}, group_.max);
    }
  }

 private:
  struct Totals {
    double sum = 0;
    double max = 0;
    bool known = false;    // some partition's lag is known
    bool complete = true;  // every partition's lag is known
  };
  std::map<std::string, Totals> topics_;
  Totals group_;
};

// A share group's lag is Kafka's own (the coordinator's): what is neither acknowledged nor
// archived from the share-partition start offset to the end. No committed offset, so no
// lag in seconds, status or commit rate.
void write_share_lag(SeriesSet& out, const ClusterSnapshot& snapshot, const GroupMetricsOptions& options,
                     const std::string& group, const GroupState& state) {
  LagTotals totals;
  for (const auto& [key, partition] : state.share_partitions) {
    const auto& [topic, index] = key;
    const auto* topic_state = find(snapshot.topics, topic);
    if (topic_state == nullptr || !topic_state->selected) continue;  // deleted or filtered out
    if (options.per_partition) {
      out.add(kShareStartOffset, {group, topic, index}, static_cast<double>(partition.start_offset));
    }
    if (!partition.lag) {
      totals.unknown(topic);
      continue;
    }
    const auto lag = static_cast<double>(*partition.lag);
    if (options.per_partition) out.add(kLag, {group, topic, index}, lag);
    totals.add(topic, lag);
  }
  totals.write(out, group);
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
  if (state.type == "share") {
    write_share_lag(out, snapshot, options, group, state);
    return;
  }
  const bool read_committed = options.read_committed_groups && options.read_committed_groups->selects(group);
  LagTotals lag_totals;
  std::map<std::string, double> offset_sums;
  std::optional<double> group_lag_seconds_max;
  int worst_status = -1;
  // As for the lag totals: a group that was stuck before a restart has no estimate in
  // seconds yet, and no largest lag in seconds is exported until it has.
  bool seconds_complete = true;
  bool status_complete = true;
  for (const auto& [key, committed] : state.committed) {
    const auto& [topic, index] = key;
    const auto* topic_state = find(snapshot.topics, topic);
    if (topic_state == nullptr || !topic_state->selected) continue;  // deleted or filtered out
    const auto* partition = find(topic_state->partitions, index);
    if (partition == nullptr) continue;
    offset_sums[topic] += static_cast<double>(committed);
    if (options.per_partition) out.add(kCurrentOffset, {group, topic, index}, static_cast<double>(committed));
    if (partition->newest_offset) {
      const auto lag = static_cast<double>(std::max<std::int64_t>(0, *partition->newest_offset - committed));
      if (options.per_partition) out.add(kLag, {group, topic, index}, lag);
      lag_totals.add(topic, lag);
    } else {
      lag_totals.unknown(topic);
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
  for (const auto& [topic, offset_sum] : offset_sums) {
    out.add(kCurrentOffsetSum, {group, topic}, offset_sum);
    if (const auto* messages = find(history.committed_messages, std::pair{group, topic})) {
      out.add(kCommittedMessages, {group, topic}, *messages);
    }
  }
  lag_totals.write(out, group);
  if (lag_totals.group_known() && seconds_complete) {
    out.add(kGroupMaxLagSeconds, {group}, group_lag_seconds_max.value_or(0));
  }
  if (worst_status >= 0 && status_complete) out.add(kGroupStatus, {group}, worst_status);
}

}  // namespace

void write_group_metrics(const ClusterSnapshot& snapshot, const GroupHistory& history,
                         const GroupMetricsOptions& options, SeriesSet& out) {
  for (const auto& [name, state] : snapshot.groups) write_group(out, snapshot, history, options, name, state);
}

}  // namespace msgwatch::kafka
