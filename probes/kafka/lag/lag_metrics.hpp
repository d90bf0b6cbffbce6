#pragma once
// The kafka_lag probe's whole page: cluster_metrics + group_metrics.

#include "probes/kafka/lag/cluster_metrics.hpp"
#include "probes/kafka/lag/group_metrics.hpp"

namespace msgwatch::kafka {

inline void write_lag_metrics(const ClusterSnapshot& snapshot, const GroupHistory& history,
                              const GroupMetricsOptions& options, SeriesSet& out) {
  write_cluster_metrics(snapshot, options.per_partition, out);
  write_group_metrics(snapshot, history, options, out);
}

}  // namespace msgwatch::kafka
