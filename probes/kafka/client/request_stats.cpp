#include "probes/kafka/client/request_stats.hpp"

namespace msgwatch::kafka {

void write_request_metrics(const RequestStats& stats, SeriesSet& out) {
  static constexpr auto kSent =
      counter_family("msgwatch_kafka_requests_total", "Kafka requests sent by the probe, by API.", {"api"});
  static constexpr auto kFailed =
      counter_family("msgwatch_kafka_request_failures_total",
                     "Kafka requests that got no answer or an unreadable one, by API.", {"api"});
  for (const auto& [api, count] : stats.sent) out.add(kSent, {protocol::to_string(api)}, static_cast<double>(count));
  for (const auto& [api, count] : stats.failed) {
    out.add(kFailed, {protocol::to_string(api)}, static_cast<double>(count));
  }
}

}  // namespace msgwatch::kafka
