#pragma once
// Consumer groups of a ClusterSnapshot as series: kafka_exporter's names for
// offsets, lag and members, plus per-group aggregates, lag in seconds and status.
//
// Lag = high watermark - committed offset, never negative: the reader fetches committed
// offsets before end offsets, and a committed offset above the watermark (a truncated log)
// counts as 0. A partition without a committed offset has no lag series at all, where
// kafka_exporter reports -1.
//
// Share groups (KIP-932) share the group families (info with type "share", members,
// assignments) and the lag families: their lag is the coordinator's own (Kafka's definition:
// records neither acknowledged nor archived from the share-partition start offset to the
// end), next to the start offset; they have no committed offset, lag in seconds or status.
//
// Aggregates (per topic and per group: lag sums and maxima, the largest lag in seconds, the
// worst status) are exported only when every partition they cover has a value: a partition
// whose end offset could not be read, or that has lag but no estimate in seconds yet, makes
// them absent rather than smaller.

#include "exporter/sdk/name_filter.hpp"
#include "exporter/sdk/series_set.hpp"
#include "probes/kafka/lag/cluster_snapshot.hpp"

#include <functional>
#include <map>
#include <string>
#include <tuple>

namespace msgwatch::kafka {

// (group, topic, partition)
using GroupPartition = std::tuple<std::string, std::string, std::int32_t>;

// What the probe's memory of earlier cycles adds to one snapshot.
struct GroupHistory {
  std::map<GroupPartition, double, std::less<>> lag_seconds;                 // absent: the history cannot tell
  std::map<GroupPartition, int> status;                                      // ConsumerStatus values
  std::map<std::pair<std::string, std::string>, double> committed_messages;  // (group, topic)
};

struct GroupMetricsOptions {
  bool per_partition = true;                          // false: granularity topic
  const NameFilter* read_committed_groups = nullptr;  // groups that also get lag against the LSO
};

void write_group_metrics(const ClusterSnapshot& snapshot, const GroupHistory& history,
                         const GroupMetricsOptions& options, SeriesSet& out);

}  // namespace msgwatch::kafka
