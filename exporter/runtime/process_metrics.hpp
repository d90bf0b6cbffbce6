#pragma once
// The process_* self-metrics every Prometheus exporter has (the names of the Go and Python
// clients' process collectors), read from /proc at render time.

#include "exporter/sdk/series_set.hpp"

#include <string_view>

namespace msgwatch {

// Writes what can be read; a field that cannot is left out rather than reported as 0.
void write_process_metrics(SeriesSet& out);

// Parsers of the /proc texts, separate for tests. `stat` is /proc/self/stat, `proc_stat` /proc/stat.
struct ProcessStat {
  double cpu_seconds = 0;
  double virtual_bytes = 0;
  double resident_bytes = 0;
  double start_seconds_since_boot = 0;
};
bool parse_process_stat(std::string_view stat, long ticks_per_second, long page_bytes, ProcessStat& out);
bool parse_boot_time(std::string_view proc_stat, double& boot_unix_seconds);

}  // namespace msgwatch
