#pragma once
// Translation of a ClusterSnapshot into metric families, with kafka_exporter's names and
// labels where the meaning is the same (dashboards and alerts keep working).
//
// Lag = high watermark - committed offset, never negative: the probe reads committed
// offsets before end offsets, and a committed offset above the watermark (a truncated
// log) counts as 0. A partition without a committed offset has no lag series at all,
// where kafka_exporter reports -1.

#include "exporter/probe.hpp"
#include "probes/kafka/lag/cluster_snapshot.hpp"

namespace msgwatch::kafka {

MetricFamilies lag_metrics(const ClusterSnapshot& snapshot);

}  // namespace msgwatch::kafka
