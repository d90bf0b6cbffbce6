#pragma once
// One collection cycle's requests: everything a ClusterSnapshot holds, in a number of
// requests that grows with brokers and coordinators, not with groups or partitions.

#include "exporter/sdk/name_filter.hpp"
#include "probes/kafka/client/cluster_client.hpp"
#include "probes/kafka/lag/cluster_snapshot.hpp"

#include <boost/asio/awaitable.hpp>

namespace msgwatch::kafka {

// Where each group was coordinated in earlier cycles: a group no broker lists now (its
// coordinator failed, or it is moving to another coordinator, or it was deleted) is still
// known by name and gets a retry at the coordinator FindCoordinator names now; if that
// coordinator cannot answer for it, it is counted as unread rather than silently missing.
struct KnownGroup {
  std::int32_t coordinator = -1;
  std::string type;
};
using KnownGroups = std::map<std::string, KnownGroup>;

struct SnapshotOptions {
  const NameFilter& topics;
  const NameFilter& groups;
  const KnownGroups& known_groups;
};

// The known groups after `snapshot`: those it read, plus those it could not see.
KnownGroups remember_groups(const ClusterSnapshot& snapshot, const KnownGroups& before);

// Throws KafkaError only when the cluster cannot be read at all (no broker answers
// Metadata). A broker that fails costs what depends on it: the groups it coordinates, the
// partitions it leads; the snapshot says what was left out (ClusterSnapshot::partial). A
// group whose coordinator moved or is loading, and a partition whose leader moved, get one
// retry within the cycle at the coordinator or leader named afresh.
boost::asio::awaitable<ClusterSnapshot> read_snapshot(ClusterClient& client, SnapshotOptions options);

}  // namespace msgwatch::kafka
