#pragma once
// A hard cap on the number of series a probe exports, so that a cluster that grows (or a
// filter that is too wide) cannot blow up Prometheus.

#include "exporter/probe.hpp"

#include <cstddef>

namespace msgwatch {

// Drops series until at most `max_series` remain, always from the family that has the most
// (per-partition detail goes first, cluster totals last), from its end so what stays is
// stable from cycle to cycle. Returns how many were dropped.
std::size_t cap_series(MetricFamilies& families, std::size_t max_series);

}  // namespace msgwatch
