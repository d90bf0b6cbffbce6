#include "probes/kafka/client/request_stats.hpp"

#include "exporter/metric_family_builder.hpp"

namespace msgwatch::kafka {

MetricFamilies request_metrics(const RequestStats& stats) {
  auto sent = counter("msgwatch_kafka_requests_total", "Kafka requests sent by the probe, by API.");
  for (const auto& [api, count] : stats.sent) sent.add({{"api", protocol::to_string(api)}}, static_cast<double>(count));
  auto failed = counter("msgwatch_kafka_request_failures_total",
                        "Kafka requests that got no answer or an unreadable one, by API.");
  for (const auto& [api, count] : stats.failed) {
    failed.add({{"api", protocol::to_string(api)}}, static_cast<double>(count));
  }
  MetricFamilies families;
  families.push_back(sent.take());
  families.push_back(failed.take());
  return families;
}

}  // namespace msgwatch::kafka
