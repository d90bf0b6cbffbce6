#pragma once
// What one collection cycle learnt about a cluster, as plain data: snapshot_reader fills it
// from the brokers' answers, cluster_metrics and group_metrics turn it into metric
// families. Keeping the two apart lets the translation be tested on hand-made snapshots.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace msgwatch::kafka {

struct BrokerState {
  std::int32_t id = 0;
  std::string host;
  std::int32_t port = 0;
};

struct PartitionState {
  std::int32_t leader = -1;  // -1: no leader (offline)
  std::vector<std::int32_t> replicas;
  std::vector<std::int32_t> in_sync_replicas;
  // Each absent when ListOffsets failed for the partition.
  std::optional<std::int64_t> oldest_offset;
  std::optional<std::int64_t> newest_offset;  // the high watermark
  std::optional<std::int64_t> stable_offset;  // the last stable offset (read_committed end)
};

struct TopicState {
  // Unselected topics (filtered out) count in the cluster totals only: an offline
  // partition of __consumer_offsets matters even when its lag series are not wanted.
  bool selected = true;
  std::map<std::int32_t, PartitionState> partitions;
  std::optional<std::int32_t> min_insync_replicas;  // absent when DescribeConfigs failed
};

using TopicPartition = std::pair<std::string, std::int32_t>;

struct MemberState {
  std::string member_id;
  std::string client_id;
  std::string client_host;
  std::map<std::string, std::int32_t> assigned_partitions;  // per topic
};

// A share group's position on one partition (DescribeShareGroupOffsets).
struct SharePartitionState {
  std::int64_t start_offset = -1;  // the share-partition start offset
  // Kafka's lag (KIP-932): end offset − start offset − records acknowledged at or above the
  // start offset, as the coordinator computes it; absent where the broker has none to give
  // (before Kafka 4.2, or -1: not known yet).
  std::optional<std::int64_t> lag;
};

struct GroupState {
  std::string state;          // "Stable", "Empty", ... ; empty when the coordinator did not say
  std::string type;           // "classic", "consumer" (KIP-848) or "share" (KIP-932)
  std::string protocol_type;  // "consumer", "connect", ... (classic groups)
  std::string protocol;       // the assignor: "range", "cooperative-sticky", "uniform", ...
  std::int32_t coordinator = -1;
  std::optional<std::int32_t> members;  // absent when the group could not be described
  std::vector<MemberState> member_details;
  // Committed offsets; a partition without a commit is absent (it has no lag to report).
  // Share groups commit nothing: their partitions are in `share_partitions`, those with a
  // share-partition state only.
  std::map<TopicPartition, std::int64_t> committed;
  std::map<TopicPartition, SharePartitionState> share_partitions;
};

// The KRaft metadata quorum (DescribeQuorum), absent on clusters that do not answer it.
struct QuorumReplica {
  std::int32_t id = -1;
  std::int64_t log_end_offset = -1;
  bool voter = false;
};

struct QuorumState {
  std::int32_t leader = -1;  // the active controller
  std::int32_t leader_epoch = -1;
  std::int64_t high_watermark = -1;
  std::vector<QuorumReplica> replicas;  // voters first, then observers
};

struct ClusterSnapshot {
  std::vector<BrokerState> brokers;
  // The active controller: DescribeQuorum's leader on KRaft clusters, Metadata's controller
  // id on ZooKeeper clusters (which do not answer DescribeQuorum); -1 when unknown.
  std::int32_t controller = -1;
  std::optional<QuorumState> quorum;
  std::map<std::string, TopicState> topics;  // every topic; see TopicState::selected
  // The first broker's transaction.max.timeout.ms; absent when DescribeConfigs failed.
  std::optional<std::int64_t> transaction_max_timeout_ms;
  std::map<std::string, GroupState> groups;  // selected groups whose offsets were read
  // Whether the brokers offer share groups (ShareGroupDescribe); absent when no broker said.
  std::optional<bool> share_groups_offered;

  // What a partial outage left out. A broker is reachable when every request of the cycle
  // to it was answered; the partitions an unreachable broker leads have no offsets and the
  // groups it coordinates are missing.
  std::map<std::int32_t, bool> broker_reachable;
  // False when some broker's ListGroups failed: groups may be missing without being named.
  bool groups_complete = true;
  // Selected groups known to exist whose committed offsets could not be read this cycle.
  std::set<std::string> unread_groups;
  // Selected partitions with a leader whose offsets could not be read this cycle.
  std::size_t unread_partitions = 0;
  // The requests the brokers refused for lack of permission ("DescribeQuorum",
  // "DescribeConfigs", and "Fetch" of record timestamps, added after the snapshot is read):
  // what they read is missing.
  std::set<std::string, std::less<>> not_permitted;

  [[nodiscard]] bool partial() const { return !groups_complete || !unread_groups.empty() || unread_partitions > 0; }

  // A selected partition whose end offsets this cycle could not read: its leader did not
  // answer, or it has none. What depends on them (its offsets, the lag of groups on it and
  // their totals) is left out.
  [[nodiscard]] bool end_offsets_unread(const TopicPartition& key) const {
    const auto topic = topics.find(key.first);
    if (topic == topics.end() || !topic->second.selected) return false;
    const auto partition = topic->second.partitions.find(key.second);
    return partition != topic->second.partitions.end() && !partition->second.newest_offset;
  }
};

}  // namespace msgwatch::kafka
