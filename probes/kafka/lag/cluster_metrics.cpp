#include "probes/kafka/lag/cluster_metrics.hpp"

#include "exporter/metric_family_builder.hpp"

#include <algorithm>

namespace msgwatch::kafka {
namespace {

bool under_min_isr(const TopicState& topic, const PartitionState& partition) {
  return topic.min_insync_replicas &&
         static_cast<std::int32_t>(partition.in_sync_replicas.size()) < *topic.min_insync_replicas;
}

bool under_replicated(const PartitionState& partition) {
  return partition.in_sync_replicas.size() < partition.replicas.size();
}

void append_cluster_totals(const ClusterSnapshot& snapshot, MetricFamilies& out) {
  double partitions = 0;
  double offline = 0;
  double under_replicated_count = 0;
  double under_min_isr_count = 0;
  bool min_isr_known = false;
  std::map<std::int32_t, double> replicas_per_broker;
  std::map<std::int32_t, double> leaders_per_broker;
  for (const auto& broker : snapshot.brokers) replicas_per_broker[broker.id] = leaders_per_broker[broker.id] = 0;
  for (const auto& [name, topic] : snapshot.topics) {
    min_isr_known = min_isr_known || topic.min_insync_replicas.has_value();
    for (const auto& [index, partition] : topic.partitions) {
      partitions += 1;
      offline += partition.leader < 0 ? 1 : 0;
      under_replicated_count += under_replicated(partition) ? 1 : 0;
      under_min_isr_count += under_min_isr(topic, partition) ? 1 : 0;
      for (const auto replica : partition.replicas) {
        replicas_per_broker[replica] += 1;
        leaders_per_broker.try_emplace(replica, 0);  // a broker that is down still hosts replicas, leads none
      }
      if (partition.leader >= 0) leaders_per_broker[partition.leader] += 1;
    }
  }
  out.push_back(gauge("kafka_brokers", "Number of brokers in the cluster.")
                    .add({}, static_cast<double>(snapshot.brokers.size()))
                    .take());
  auto info = gauge("kafka_broker_info", "Brokers of the cluster; always 1.");
  for (const auto& broker : snapshot.brokers) {
    info.add({{"id", std::to_string(broker.id)}, {"address", broker.host + ":" + std::to_string(broker.port)}}, 1);
  }
  out.push_back(info.take());
  out.push_back(gauge("kafka_controller_id", "Broker id of the active controller (-1: unknown).")
                    .add({}, snapshot.controller)
                    .take());
  out.push_back(gauge("kafka_cluster_partitions", "Partitions of all topics.").add({}, partitions).take());
  out.push_back(gauge("kafka_cluster_offline_partitions", "Partitions without a leader.").add({}, offline).take());
  out.push_back(
      gauge("kafka_cluster_under_replicated_partitions", "Partitions with fewer in-sync replicas than replicas.")
          .add({}, under_replicated_count)
          .take());
  if (min_isr_known) {
    out.push_back(gauge("kafka_cluster_under_min_isr_partitions",
                        "Partitions with fewer in-sync replicas than their topic's min.insync.replicas "
                        "(producers with acks=all fail on them), over the topics whose setting could be read.")
                      .add({}, under_min_isr_count)
                      .take());
  }
  auto hosted = gauge("kafka_broker_partitions", "Partition replicas the broker hosts.");
  for (const auto& [broker, count] : replicas_per_broker) hosted.add({{"broker", std::to_string(broker)}}, count);
  out.push_back(hosted.take());
  auto leads = gauge("kafka_broker_leaders", "Partitions the broker leads.");
  for (const auto& [broker, count] : leaders_per_broker) leads.add({{"broker", std::to_string(broker)}}, count);
  out.push_back(leads.take());
}

}  // namespace

void append_cluster_metrics(const ClusterSnapshot& snapshot, bool per_partition, MetricFamilies& out) {
  append_cluster_totals(snapshot, out);
  auto partitions = gauge("kafka_topic_partitions", "Number of partitions of the topic.");
  auto uneven = gauge("kafka_topic_partitions_uneven",
                      "1 if the topic's partition count is not a multiple of the number of brokers, "
                      "so its load cannot spread evenly.");
  auto current_offset =
      gauge("kafka_topic_partition_current_offset", "High watermark (next offset to be written) of the partition.");
  auto oldest_offset = gauge("kafka_topic_partition_oldest_offset", "Oldest offset still in the partition.");
  auto stable_offset = gauge("kafka_topic_partition_last_stable_offset",
                             "Last stable offset: the end of the partition for read_committed consumers.");
  auto leader = gauge("kafka_topic_partition_leader", "Broker id of the partition's leader (-1: none).");
  auto replicas = gauge("kafka_topic_partition_replicas", "Number of replicas of the partition.");
  auto in_sync = gauge("kafka_topic_partition_in_sync_replica", "Number of in-sync replicas of the partition.");
  auto preferred =
      gauge("kafka_topic_partition_leader_is_preferred", "1 if the partition's leader is its preferred replica.");
  auto replicated = gauge("kafka_topic_partition_under_replicated_partition",
                          "1 if the partition has fewer in-sync replicas than replicas.");
  auto offline = gauge("kafka_topic_partition_offline", "1 if the partition has no leader.");
  auto min_isr = gauge("kafka_topic_partition_under_min_isr",
                       "1 if the partition has fewer in-sync replicas than min.insync.replicas.");
  const auto brokers = static_cast<std::int64_t>(snapshot.brokers.size());
  for (const auto& [topic, state] : snapshot.topics) {
    if (!state.selected) continue;
    const auto count = static_cast<std::int64_t>(state.partitions.size());
    partitions.add({{"topic", topic}}, static_cast<double>(count));
    uneven.add({{"topic", topic}}, brokers > 0 && count % brokers != 0 ? 1 : 0);
    if (!per_partition) continue;
    for (const auto& [index, partition] : state.partitions) {
      const Labels labels{{"topic", topic}, {"partition", std::to_string(index)}};
      if (partition.newest_offset) current_offset.add(labels, static_cast<double>(*partition.newest_offset));
      if (partition.oldest_offset) oldest_offset.add(labels, static_cast<double>(*partition.oldest_offset));
      if (partition.stable_offset) stable_offset.add(labels, static_cast<double>(*partition.stable_offset));
      leader.add(labels, partition.leader);
      replicas.add(labels, static_cast<double>(partition.replicas.size()));
      in_sync.add(labels, static_cast<double>(partition.in_sync_replicas.size()));
      const bool is_preferred = !partition.replicas.empty() && partition.replicas.front() == partition.leader;
      preferred.add(labels, is_preferred ? 1 : 0);
      replicated.add(labels, under_replicated(partition) ? 1 : 0);
      offline.add(labels, partition.leader < 0 ? 1 : 0);
      if (state.min_insync_replicas) min_isr.add(labels, under_min_isr(state, partition) ? 1 : 0);
    }
  }
  for (auto* builder : {&partitions, &uneven, &current_offset, &oldest_offset, &stable_offset, &leader, &replicas,
                        &in_sync, &preferred, &replicated, &offline, &min_isr}) {
    out.push_back(builder->take());
  }
}

}  // namespace msgwatch::kafka
