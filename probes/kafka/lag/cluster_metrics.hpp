#pragma once
// Brokers, cluster totals, topics and partitions of a ClusterSnapshot as metric families,
// with kafka_exporter's names and labels where the meaning is the same.

#include "exporter/probe.hpp"
#include "probes/kafka/lag/cluster_snapshot.hpp"

namespace msgwatch::kafka {

// `per_partition` false leaves out the families labelled by partition (granularity topic).
void append_cluster_metrics(const ClusterSnapshot& snapshot, bool per_partition, MetricFamilies& out);

}  // namespace msgwatch::kafka
