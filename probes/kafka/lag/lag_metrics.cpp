#include "probes/kafka/lag/lag_metrics.hpp"

#include "exporter/metric_family_builder.hpp"

#include <algorithm>

namespace msgwatch::kafka {
namespace {

struct TopicFamilies {
  FamilyBuilder partitions = gauge("kafka_topic_partitions", "Number of partitions of the topic.");
  FamilyBuilder current_offset =
      gauge("kafka_topic_partition_current_offset", "High watermark (next offset to be written) of the partition.");
  FamilyBuilder oldest_offset = gauge("kafka_topic_partition_oldest_offset", "Oldest offset still in the partition.");
  FamilyBuilder leader = gauge("kafka_topic_partition_leader", "Broker id of the partition's leader (-1: none).");
  FamilyBuilder replicas = gauge("kafka_topic_partition_replicas", "Number of replicas of the partition.");
  FamilyBuilder in_sync =
      gauge("kafka_topic_partition_in_sync_replica", "Number of in-sync replicas of the partition.");
  FamilyBuilder preferred =
      gauge("kafka_topic_partition_leader_is_preferred", "1 if the partition's leader is its preferred replica.");
  FamilyBuilder under_replicated = gauge("kafka_topic_partition_under_replicated_partition",
                                         "1 if the partition has fewer in-sync replicas than replicas.");
};

void add_topic(TopicFamilies& out, const std::string& topic, const TopicState& state) {
  out.partitions.add({{"topic", topic}}, static_cast<double>(state.partitions.size()));
  for (const auto& [index, partition] : state.partitions) {
    const Labels labels{{"topic", topic}, {"partition", std::to_string(index)}};
    if (partition.newest_offset) out.current_offset.add(labels, static_cast<double>(*partition.newest_offset));
    if (partition.oldest_offset) out.oldest_offset.add(labels, static_cast<double>(*partition.oldest_offset));
    out.leader.add(labels, partition.leader);
    out.replicas.add(labels, static_cast<double>(partition.replicas.size()));
    out.in_sync.add(labels, static_cast<double>(partition.in_sync_replicas.size()));
    const bool preferred = !partition.replicas.empty() && partition.replicas.front() == partition.leader;
    out.preferred.add(labels, preferred ? 1 : 0);
    out.under_replicated.add(labels, partition.in_sync_replicas.size() < partition.replicas.size() ? 1 : 0);
  }
}

struct GroupFamilies {
  FamilyBuilder current_offset =
      gauge("kafka_consumergroup_current_offset", "Committed offset of the consumer group on the partition.");
  FamilyBuilder current_offset_sum =
      gauge("kafka_consumergroup_current_offset_sum",
            "Sum of the consumer group's committed offsets over the topic's partitions.");
  FamilyBuilder lag = gauge("kafka_consumergroup_lag",
                            "Messages the consumer group has still to consume on the partition "
                            "(high watermark - committed offset).");
  FamilyBuilder lag_sum = gauge("kafka_consumergroup_lag_sum", "Sum of the consumer group's lag over the topic.");
  FamilyBuilder members = gauge("kafka_consumergroup_members", "Number of members of the consumer group.");
};

void add_group(GroupFamilies& out, const ClusterSnapshot& snapshot, const std::string& group, const GroupState& state) {
  if (state.members) out.members.add({{"consumergroup", group}}, *state.members);
  // committed is ordered by (topic, partition): accumulate per topic and flush on change.
  std::string topic;
  double offset_sum = 0;
  double lag_sum = 0;
  bool topic_has_lag = false;
  const auto flush = [&] {
    if (topic.empty()) return;
    out.current_offset_sum.add({{"consumergroup", group}, {"topic", topic}}, offset_sum);
    if (topic_has_lag) out.lag_sum.add({{"consumergroup", group}, {"topic", topic}}, lag_sum);
  };
  for (const auto& [key, committed] : state.committed) {
    const auto topic_state = snapshot.topics.find(key.first);
    if (topic_state == snapshot.topics.end()) continue;  // deleted or filtered out
    const auto partition = topic_state->second.partitions.find(key.second);
    if (partition == topic_state->second.partitions.end()) continue;
    if (key.first != topic) {
      flush();
      topic = key.first;
      offset_sum = lag_sum = 0;
      topic_has_lag = false;
    }
    const Labels labels{{"consumergroup", group}, {"topic", key.first}, {"partition", std::to_string(key.second)}};
    out.current_offset.add(labels, static_cast<double>(committed));
    offset_sum += static_cast<double>(committed);
    if (partition->second.newest_offset) {
      const auto lag = std::max<std::int64_t>(0, *partition->second.newest_offset - committed);
      out.lag.add(labels, static_cast<double>(lag));
      lag_sum += static_cast<double>(lag);
      topic_has_lag = true;
    }
  }
  flush();
}

}  // namespace

MetricFamilies lag_metrics(const ClusterSnapshot& snapshot) {
  auto brokers = gauge("kafka_brokers", "Number of brokers in the cluster.");
  brokers.add({}, static_cast<double>(snapshot.brokers.size()));
  auto broker_info = gauge("kafka_broker_info", "Brokers of the cluster; always 1.");
  for (const auto& broker : snapshot.brokers) {
    broker_info.add({{"id", std::to_string(broker.id)}, {"address", broker.host + ":" + std::to_string(broker.port)}},
                    1);
  }
  auto controller = gauge("kafka_controller_id", "Broker id of the active controller (-1: unknown).");
  controller.add({}, snapshot.controller);

  TopicFamilies topics;
  for (const auto& [name, state] : snapshot.topics) add_topic(topics, name, state);
  GroupFamilies groups;
  for (const auto& [name, state] : snapshot.groups) add_group(groups, snapshot, name, state);

  MetricFamilies out;
  for (auto* builder :
       {&brokers, &broker_info, &controller, &topics.partitions, &topics.current_offset, &topics.oldest_offset,
        &topics.leader, &topics.replicas, &topics.in_sync, &topics.preferred, &topics.under_replicated,
        &groups.current_offset, &groups.current_offset_sum, &groups.lag, &groups.lag_sum, &groups.members}) {
    out.push_back(builder->take());
  }
  return out;
}

}  // namespace msgwatch::kafka
