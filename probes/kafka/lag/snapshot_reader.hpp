#pragma once
// One collection cycle's requests: everything a ClusterSnapshot holds, in a number of
// requests that grows with brokers and coordinators, not with groups or partitions.

#include "exporter/name_filter.hpp"
#include "probes/kafka/client/cluster_client.hpp"
#include "probes/kafka/lag/cluster_snapshot.hpp"

#include <boost/asio/awaitable.hpp>

namespace msgwatch::kafka {

struct SnapshotFilters {
  const NameFilter& topics;
  const NameFilter& groups;
};

// Throws KafkaError when the cluster cannot be read as a whole (no broker answers Metadata,
// a broker fails its ListGroups, OffsetFetch or ListOffsets); an error code on a single
// group or partition only leaves that one out.
boost::asio::awaitable<ClusterSnapshot> read_snapshot(ClusterClient& client, SnapshotFilters filters);

}  // namespace msgwatch::kafka
