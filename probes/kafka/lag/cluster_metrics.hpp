#pragma once
// Brokers, cluster totals, topics and partitions of a ClusterSnapshot as series,
// with kafka_exporter's names and labels where the meaning is the same.

#include "exporter/sdk/series_set.hpp"
#include "probes/kafka/lag/cluster_snapshot.hpp"

namespace msgwatch::kafka {

// `per_partition` false leaves out the families labelled by partition (granularity topic).
void write_cluster_metrics(const ClusterSnapshot& snapshot, bool per_partition, SeriesSet& out);

}  // namespace msgwatch::kafka
