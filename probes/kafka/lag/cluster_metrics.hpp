#pragma once
// Brokers, cluster totals, topics and partitions of a ClusterSnapshot as series,
// with kafka_exporter's names and labels where the meaning is the same.

#include "exporter/sdk/series_set.hpp"
#include "probes/kafka/lag/cluster_snapshot.hpp"

#include <array>
#include <string_view>

namespace msgwatch::kafka {

// The requests of a cycle the brokers may refuse for lack of permission, each reported by
// msgwatch_kafka_not_permitted (ClusterSnapshot::not_permitted).
inline constexpr std::array<std::string_view, 3> kClusterApis{"DescribeQuorum", "DescribeConfigs", "Fetch"};

// `per_partition` false leaves out the families labelled by partition (granularity topic).
void write_cluster_metrics(const ClusterSnapshot& snapshot, bool per_partition, SeriesSet& out);

}  // namespace msgwatch::kafka
