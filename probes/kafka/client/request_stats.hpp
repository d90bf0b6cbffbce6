#pragma once

#include "exporter/sdk/series_set.hpp"
#include "probes/kafka/protocol/api_key.hpp"

#include <cstdint>
#include <map>

namespace msgwatch::kafka {

// Requests per API since the daemon started, shared by a cluster's connections: probes
// export them, and the benchmark reads "requests per cycle" from them.
struct RequestStats {
  std::map<protocol::ApiKey, std::uint64_t> sent;
  std::map<protocol::ApiKey, std::uint64_t> failed;  // no answer, or an unreadable one
};

// msgwatch_kafka_requests_total{api} and msgwatch_kafka_request_failures_total{api}.
void write_request_metrics(const RequestStats& stats, SeriesSet& out);

}  // namespace msgwatch::kafka
