#include "probes/kafka/lag/cluster_metrics.hpp"

#include "probes/kafka/not_permitted.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace msgwatch::kafka {
namespace {

constexpr auto kBrokers = gauge_family("kafka_brokers", "Number of brokers in the cluster.");
constexpr auto kBrokerInfo = gauge_family("kafka_broker_info", "Brokers of the cluster; always 1.", {"id", "address"});
constexpr auto kController = gauge_family("kafka_controller_id", "Broker id of the active controller (-1: unknown).");
constexpr auto kPartitionsTotal = gauge_family("kafka_cluster_partitions", "Partitions of all topics.");
constexpr auto kOfflineTotal = gauge_family("kafka_cluster_offline_partitions", "Partitions without a leader.");
constexpr auto kUnderReplicatedTotal =
    gauge_family("kafka_cluster_under_replicated_partitions", "Partitions with fewer in-sync replicas than replicas.");
constexpr auto kUnderMinIsrTotal =
    gauge_family("kafka_cluster_under_min_isr_partitions",
                 "Partitions with fewer in-sync replicas than their topic's min.insync.replicas "
                 "(producers with acks=all fail on them), over the topics whose setting could be read.");
constexpr auto kBrokerPartitions =
    gauge_family("kafka_broker_partitions", "Partition replicas the broker hosts.", {"broker"});
constexpr auto kBrokerLeaders = gauge_family("kafka_broker_leaders", "Partitions the broker leads.", {"broker"});

constexpr auto kQuorumEpoch =
    gauge_family("kafka_metadata_quorum_leader_epoch", "Epoch of the KRaft metadata quorum's leader.");
constexpr auto kQuorumHighWatermark =
    gauge_family("kafka_metadata_quorum_high_watermark", "High watermark of the KRaft metadata log.");
constexpr auto kQuorumReplicaLag =
    gauge_family("kafka_metadata_quorum_replica_lag",
                 "Records of the metadata log a quorum replica is behind the leader's log end offset "
                 "(as kafka-metadata-quorum describe --replication shows it).",
                 {"replica", "role"});
constexpr auto kQuorumMaxLag = gauge_family("kafka_metadata_quorum_max_follower_lag",
                                            "Largest kafka_metadata_quorum_replica_lag (MaxFollowerLag).");
constexpr auto kQuorumVoters = gauge_family("kafka_metadata_quorum_voters", "Voters of the KRaft metadata quorum.");
constexpr auto kBrokerReachable =
    gauge_family("msgwatch_kafka_broker_reachable",
                 "1 if every request of the last cycle to the broker was answered, 0 if the broker could not be "
                 "reached (the partitions it leads and the groups it coordinates are left out).",
                 {"broker"});
constexpr auto kPartial = gauge_family("msgwatch_kafka_cycle_partial",
                                       "1 if the last cycle left something out because a broker failed (see "
                                       "msgwatch_kafka_broker_reachable), 0 if it read everything.");
constexpr auto kUnreadGroups =
    gauge_family("msgwatch_kafka_unread_groups",
                 "Selected consumer groups the last cycle could not read whole: their offsets, or the end offsets "
                 "of a partition they committed on.");
constexpr auto kGroupUnread =
    gauge_family("msgwatch_kafka_group_unread",
                 "1 for each selected consumer group the last cycle could not read whole: its offsets (its "
                 "coordinator did not answer or was moving: its other series are left out), or the end offsets of a "
                 "partition it committed on (see msgwatch_kafka_partition_unread: its totals are left out). Alerts on "
                 "the group are held while this is 1.",
                 {"consumergroup"});
constexpr auto kUnreadPartitions =
    gauge_family("msgwatch_kafka_unread_partitions",
                 "Selected partitions with a leader whose offsets the last cycle could not read.");
constexpr auto kPartitionUnread =
    gauge_family("msgwatch_kafka_partition_unread",
                 "1 for each selected partition whose offsets the last cycle could not read (its leader did not "
                 "answer, or it has none): its offset series are left out of the cycle, and alerts on them are held "
                 "while this is 1.",
                 {"topic", "partition"});

constexpr LabelNames kTopic{"topic"};
constexpr LabelNames kPartition{"topic", "partition"};
constexpr auto kTopicPartitions = gauge_family("kafka_topic_partitions", "Number of partitions of the topic.", kTopic);
constexpr auto kUneven = gauge_family("kafka_topic_partitions_uneven",
                                      "1 if the topic's partition count is not a multiple of the number of brokers, "
                                      "so its load cannot spread evenly.",
                                      kTopic);
constexpr auto kCurrentOffset = gauge_family(
    "kafka_topic_partition_current_offset", "High watermark (next offset to be written) of the partition.", kPartition);
constexpr auto kOldestOffset =
    gauge_family("kafka_topic_partition_oldest_offset", "Oldest offset still in the partition.", kPartition);
constexpr auto kStableOffset =
    gauge_family("kafka_topic_partition_last_stable_offset",
                 "Last stable offset: the end of the partition for read_committed consumers.", kPartition);
constexpr auto kLeader =
    gauge_family("kafka_topic_partition_leader", "Broker id of the partition's leader (-1: none).", kPartition);
constexpr auto kReplicas =
    gauge_family("kafka_topic_partition_replicas", "Number of replicas of the partition.", kPartition);
constexpr auto kInSync =
    gauge_family("kafka_topic_partition_in_sync_replica", "Number of in-sync replicas of the partition.", kPartition);
constexpr auto kPreferred = gauge_family("kafka_topic_partition_leader_is_preferred",
                                         "1 if the partition's leader is its preferred replica.", kPartition);
constexpr auto kUnderReplicated =
    gauge_family("kafka_topic_partition_under_replicated_partition",
                 "1 if the partition has fewer in-sync replicas than replicas.", kPartition);
constexpr auto kOffline =
    gauge_family("kafka_topic_partition_offline", "1 if the partition has no leader.", kPartition);
constexpr auto kUnderMinIsr =
    gauge_family("kafka_topic_partition_under_min_isr",
                 "1 if the partition has fewer in-sync replicas than min.insync.replicas.", kPartition);

bool under_min_isr(const TopicState& topic, const PartitionState& partition) {
  return topic.min_insync_replicas &&
         static_cast<std::int32_t>(partition.in_sync_replicas.size()) < *topic.min_insync_replicas;
}

bool under_replicated(const PartitionState& partition) {
  return partition.in_sync_replicas.size() < partition.replicas.size();
}

void write_quorum(const QuorumState& quorum, SeriesSet& out) {
  out.add(kQuorumEpoch, {}, quorum.leader_epoch);
  out.add(kQuorumHighWatermark, {}, static_cast<double>(quorum.high_watermark));
  std::int64_t leader_end = -1;
  double voters = 0;
  for (const auto& replica : quorum.replicas) {
    if (replica.voter && replica.id == quorum.leader) leader_end = replica.log_end_offset;
    voters += replica.voter ? 1 : 0;
  }
  out.add(kQuorumVoters, {}, voters);
  if (leader_end < 0) return;
  double max_lag = 0;
  for (const auto& replica : quorum.replicas) {
    if (replica.log_end_offset < 0) continue;  // not known to the leader yet
    const auto lag = static_cast<double>(std::max<std::int64_t>(0, leader_end - replica.log_end_offset));
    out.add(kQuorumReplicaLag, {replica.id, replica.voter ? "voter" : "observer"}, lag);
    max_lag = std::max(max_lag, lag);
  }
  out.add(kQuorumMaxLag, {}, max_lag);
}

// The groups the cycle could not read whole: those whose offsets it could not read, and
// those that committed on a partition whose end offsets it could not read (their lag totals,
// largest lag in seconds and status are left out: group_metrics.cpp).
std::set<std::string> groups_not_read_whole(const ClusterSnapshot& snapshot) {
  auto groups = snapshot.unread_groups;
  for (const auto& [group, state] : snapshot.groups) {
    if (std::ranges::any_of(state.committed,
                            [&snapshot](const auto& entry) { return snapshot.end_offsets_unread(entry.first); })) {
      groups.insert(group);
    }
  }
  return groups;
}

void write_cluster_totals(const ClusterSnapshot& snapshot, SeriesSet& out) {
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
  out.add(kBrokers, {}, static_cast<double>(snapshot.brokers.size()));
  for (const auto& broker : snapshot.brokers) {
    out.add(kBrokerInfo, {broker.id, broker.host + ":" + std::to_string(broker.port)}, 1);
  }
  out.add(kController, {}, snapshot.controller);
  if (snapshot.quorum) write_quorum(*snapshot.quorum, out);
  for (const auto& [broker, reachable] : snapshot.broker_reachable)
    out.add(kBrokerReachable, {broker}, reachable ? 1 : 0);
  out.add(kPartial, {}, snapshot.partial() ? 1 : 0);
  const auto unread_groups = groups_not_read_whole(snapshot);
  out.add(kUnreadGroups, {}, static_cast<double>(unread_groups.size()));
  for (const auto& group : unread_groups) out.add(kGroupUnread, {group}, 1);
  out.add(kUnreadPartitions, {}, static_cast<double>(snapshot.unread_partitions));
  write_not_permitted(kClusterApis, snapshot.not_permitted, out);
  out.add(kPartitionsTotal, {}, partitions);
  out.add(kOfflineTotal, {}, offline);
  out.add(kUnderReplicatedTotal, {}, under_replicated_count);
  if (min_isr_known) out.add(kUnderMinIsrTotal, {}, under_min_isr_count);
  for (const auto& [broker, count] : replicas_per_broker) out.add(kBrokerPartitions, {broker}, count);
  for (const auto& [broker, count] : leaders_per_broker) out.add(kBrokerLeaders, {broker}, count);
}

}  // namespace

void write_cluster_metrics(const ClusterSnapshot& snapshot, bool per_partition, SeriesSet& out) {
  write_cluster_totals(snapshot, out);
  const auto brokers = static_cast<std::int64_t>(snapshot.brokers.size());
  for (const auto& [topic, state] : snapshot.topics) {
    if (!state.selected) continue;
    const auto count = static_cast<std::int64_t>(state.partitions.size());
    out.add(kTopicPartitions, {topic}, static_cast<double>(count));
    out.add(kUneven, {topic}, brokers > 0 && count % brokers != 0 ? 1 : 0);
    // Named whether or not partition series are wanted: the transaction series of a
    // partition (its last stable offset stalled) are exported either way.
    for (const auto& [index, partition] : state.partitions) {
      if (!partition.newest_offset) out.add(kPartitionUnread, {topic, index}, 1);
    }
    if (!per_partition) continue;
    for (const auto& [index, partition] : state.partitions) {
      if (partition.newest_offset) {
        out.add(kCurrentOffset, {topic, index}, static_cast<double>(*partition.newest_offset));
      }
      if (partition.oldest_offset)
        out.add(kOldestOffset, {topic, index}, static_cast<double>(*partition.oldest_offset));
      if (partition.stable_offset)
        out.add(kStableOffset, {topic, index}, static_cast<double>(*partition.stable_offset));
      out.add(kLeader, {topic, index}, partition.leader);
      out.add(kReplicas, {topic, index}, static_cast<double>(partition.replicas.size()));
      out.add(kInSync, {topic, index}, static_cast<double>(partition.in_sync_replicas.size()));
      const bool is_preferred = !partition.replicas.empty() && partition.replicas.front() == partition.leader;
      out.add(kPreferred, {topic, index}, is_preferred ? 1 : 0);
      out.add(kUnderReplicated, {topic, index}, under_replicated(partition) ? 1 : 0);
      out.add(kOffline, {topic, index}, partition.leader < 0 ? 1 : 0);
      if (state.min_insync_replicas) out.add(kUnderMinIsr, {topic, index}, under_min_isr(state, partition) ? 1 : 0);
    }
  }
}

}  // namespace msgwatch::kafka
