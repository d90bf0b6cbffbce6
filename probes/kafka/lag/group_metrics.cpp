#include "probes/kafka/lag/group_metrics.hpp"

#include "exporter/metric_family_builder.hpp"

#include <algorithm>

namespace msgwatch::kafka {
namespace {

struct Families {
  FamilyBuilder info =
      gauge("kafka_consumergroup_info", "Consumer groups with their state, type, protocol and coordinator; always 1.");
  FamilyBuilder members = gauge("kafka_consumergroup_members", "Number of members of the consumer group.");
  FamilyBuilder assigned =
      gauge("kafka_consumergroup_member_assigned_partitions", "Partitions of the topic assigned to the group member.");
  FamilyBuilder current_offset =
      gauge("kafka_consumergroup_current_offset", "Committed offset of the consumer group on the partition.");
  FamilyBuilder current_offset_sum =
      gauge("kafka_consumergroup_current_offset_sum",
            "Sum of the consumer group's committed offsets over the topic's partitions.");
  FamilyBuilder lag = gauge("kafka_consumergroup_lag",
                            "Messages the consumer group has still to consume on the partition "
                            "(high watermark - committed offset).");
  FamilyBuilder lag_stable = gauge("kafka_consumergroup_lag_stable",
                                   "For groups configured as read_committed: last stable offset - committed offset.");
  FamilyBuilder lag_sum = gauge("kafka_consumergroup_lag_sum", "Sum of the consumer group's lag over the topic.");
  FamilyBuilder topic_max_lag = gauge("kafka_consumergroup_group_topic_max_lag",
                                      "Largest lag of the consumer group on a partition of the topic.");
  FamilyBuilder group_sum_lag =
      gauge("kafka_consumergroup_group_sum_lag", "Sum of the consumer group's lag over all its partitions.");
  FamilyBuilder group_max_lag =
      gauge("kafka_consumergroup_group_max_lag", "Largest lag of the consumer group on any partition.");
  FamilyBuilder lag_seconds = gauge("kafka_consumergroup_lag_seconds",
                                    "How long ago the partition's log end was at the group's committed offset: "
                                    "the age of the oldest message the group has not consumed; 0 when caught up.");
  FamilyBuilder group_max_lag_seconds =
      gauge("kafka_consumergroup_group_max_lag_seconds", "Largest lag in seconds of the consumer group.");
  FamilyBuilder partition_status = gauge("kafka_consumergroup_partition_status",
                                         "Status of the group on the partition: 0 OK, 1 WARN (lag rising), 2 STALL, "
                                         "3 STOP, 4 REWIND.");
  FamilyBuilder group_status =
      gauge("kafka_consumergroup_status", "Worst partition status of the consumer group (0 OK ... 4 REWIND).");
  FamilyBuilder committed_messages = counter("kafka_consumergroup_committed_messages_total",
                                             "Messages the group's committed offsets moved forward over, per topic, "
                                             "since the daemon started: rate() is the group's commit rate.");
};

struct TopicTotals {
  double offset_sum = 0;
  double lag_sum = 0;
  double lag_max = 0;
  bool has_lag = false;
};

template <class Map, class Key>
const typename Map::mapped_type* find(const Map& map, const Key& key) {
  const auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

void add_group(Families& out, const ClusterSnapshot& snapshot, const GroupHistory& history,
               const GroupMetricsOptions& options, const std::string& group, const GroupState& state) {
  const Labels group_labels{{"consumergroup", group}};
  out.info.add({{"consumergroup", group},
                {"state", state.state},
                {"type", state.type},
                {"protocol_type", state.protocol_type},
                {"protocol", state.protocol},
                {"coordinator", std::to_string(state.coordinator)}},
               1);
  if (state.members) out.members.add(group_labels, *state.members);
  for (const auto& member : state.member_details) {
    for (const auto& [topic, count] : member.assigned_partitions) {
      out.assigned.add({{"consumergroup", group},
                        {"member", member.member_id},
                        {"client_id", member.client_id},
                        {"client_host", member.client_host},
                        {"topic", topic}},
                       count);
    }
  }
  const bool read_committed = options.read_committed_groups && options.read_committed_groups->selects(group);
  std::map<std::string, TopicTotals> topics;
  double group_lag_sum = 0;
  double group_lag_max = 0;
  bool group_has_lag = false;
  std::optional<double> group_lag_seconds_max;
  int worst_status = -1;
  for (const auto& [key, committed] : state.committed) {
    const auto& [topic, index] = key;
    const auto* topic_state = find(snapshot.topics, topic);
    if (topic_state == nullptr || !topic_state->selected) continue;  // deleted or filtered out
    const auto* partition = find(topic_state->partitions, index);
    if (partition == nullptr) continue;
    const Labels labels{{"consumergroup", group}, {"topic", topic}, {"partition", std::to_string(index)}};
    auto& totals = topics[topic];
    totals.offset_sum += static_cast<double>(committed);
    if (options.per_partition) out.current_offset.add(labels, static_cast<double>(committed));
    if (partition->newest_offset) {
      const auto lag = static_cast<double>(std::max<std::int64_t>(0, *partition->newest_offset - committed));
      if (options.per_partition) out.lag.add(labels, lag);
      totals.lag_sum += lag;
      totals.lag_max = std::max(totals.lag_max, lag);
      totals.has_lag = true;
      group_lag_sum += lag;
      group_lag_max = std::max(group_lag_max, lag);
      group_has_lag = true;
    }
    if (read_committed && partition->stable_offset && options.per_partition) {
      out.lag_stable.add(labels, static_cast<double>(std::max<std::int64_t>(0, *partition->stable_offset - committed)));
    }
    const GroupPartition id{group, topic, index};
    if (const auto* seconds = find(history.lag_seconds, id)) {
      if (options.per_partition) out.lag_seconds.add(labels, *seconds);
      group_lag_seconds_max = std::max(group_lag_seconds_max.value_or(0), *seconds);
    }
    if (const auto* status = find(history.status, id)) {
      if (options.per_partition) out.partition_status.add(labels, *status);
      worst_status = std::max(worst_status, *status);
    }
  }
  for (const auto& [topic, totals] : topics) {
    const Labels labels{{"consumergroup", group}, {"topic", topic}};
    out.current_offset_sum.add(labels, totals.offset_sum);
    if (totals.has_lag) {
      out.lag_sum.add(labels, totals.lag_sum);
      out.topic_max_lag.add(labels, totals.lag_max);
    }
    if (const auto* messages = find(history.committed_messages, std::pair{group, topic})) {
      out.committed_messages.add(labels, *messages);
    }
  }
  if (group_has_lag) {
    out.group_sum_lag.add(group_labels, group_lag_sum);
    out.group_max_lag.add(group_labels, group_lag_max);
  }
  if (group_lag_seconds_max) out.group_max_lag_seconds.add(group_labels, *group_lag_seconds_max);
  if (worst_status >= 0) out.group_status.add(group_labels, worst_status);
}

}  // namespace

void append_group_metrics(const ClusterSnapshot& snapshot, const GroupHistory& history,
                          const GroupMetricsOptions& options, MetricFamilies& out) {
  Families families;
  for (const auto& [name, state] : snapshot.groups) add_group(families, snapshot, history, options, name, state);
  for (auto* builder :
       {&families.info, &families.members, &families.assigned, &families.current_offset, &families.current_offset_sum,
        &families.lag, &families.lag_stable, &families.lag_sum, &families.topic_max_lag, &families.group_sum_lag,
        &families.group_max_lag, &families.lag_seconds, &families.group_max_lag_seconds, &families.partition_status,
        &families.group_status, &families.committed_messages}) {
    out.push_back(builder->take());
  }
}

}  // namespace msgwatch::kafka
