#pragma once
// Translates a parsed INFO reply (and the few CONFIG values) into series.
//
// Names, types and labels are redis_exporter's (oliver006/redis_exporter, exporter.go and
// info.go), so that its dashboards and alert rules work unchanged. Where redis_exporter's name
// breaks the Prometheus naming rules that `promtool check metrics` enforces (abbreviated units
// such as `_sec`/`_ms`, counters without `_total`), the field gets a name that follows them where
// the incidents need it (the README marks these) and is left out otherwise. The `cluster`
// label is added by the scheduler.

#include "exporter/sdk/series_set.hpp"
#include "probes/redis/info_parser.hpp"

#include <chrono>
#include <map>
#include <span>
#include <string>
#include <string_view>

namespace msgwatch::redis {

enum class MetricKind { gauge, counter };

// How a field's text becomes a number: strictly numeric, or a status where "ok"/"true" is 1
// and "err"/"fail"/"false" is 0 (redis_exporter's convention). Anything else is skipped.
enum class ValueStyle { number, status };

// One INFO field exported as one unlabelled series.
struct InfoMetric {
  std::string_view field;  // INFO field name
  std::string_view name;   // metric name
  MetricKind kind;
  double scale;  // multiplies the field's value into the metric's unit
  ValueStyle style;
  std::string_view help;
  std::string_view redis_version;  // which Redis versions have the field, when not all do
};

// Every INFO field exported one-to-one. The other families (keyspace, replication links,
// instance info, commandstats, errorstats, the latencystats summary, derived values) are built
// in code because they have labels or combine fields; they are listed in the README's metric
// reference.
std::span<const InfoMetric> info_metric_table();
// The fields of CLUSTER INFO (the same text format as INFO), exported the same way.
std::span<const InfoMetric> cluster_info_metric_table();

// One CONFIG GET parameter exported as a gauge (redis_exporter's redis_config_*).
struct ConfigMetric {
  std::string_view parameter;
  std::string_view name;
  std::string_view help;
};
std::span<const ConfigMetric> config_metric_table();

// `config` maps CONFIG GET parameter names to values; empty when CONFIG is not available.
// `now` only feeds redis_start_time_seconds.
void write_info_metrics(const Info& info, const std::map<std::string, std::string>& config,
                        std::chrono::system_clock::time_point now, SeriesSet& out);

// `cluster_info`: CLUSTER INFO parsed by parse_info.
void write_cluster_info_metrics(const Info& cluster_info, SeriesSet& out);

}  // namespace msgwatch::redis
