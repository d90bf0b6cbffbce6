#pragma once
// Requests to one cluster's brokers, counted as they happen in live instruments of the
// daemon's prometheus::Registry:
//   msgwatch_kafka_requests_total{cluster,api}
//   msgwatch_kafka_request_failures_total{cluster,api}   no answer, or an unreadable one
//   msgwatch_kafka_request_duration_seconds{cluster,api,broker}   answered requests
// so an operator sees which broker is slow, and the benchmark how much of a cycle is the
// brokers' own time. Shared by a cluster's connections; use from the io_context thread
// (the instruments themselves are thread-safe, the pointer caches here are not).

#include "probes/kafka/protocol/api_key.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <string>
#include <utility>

namespace msgwatch::kafka {

class RequestStats {
 public:
  RequestStats(std::shared_ptr<prometheus::Registry> registry, std::string cluster);
  // Instruments in a registry of their own, for tests and tools.
  RequestStats();

  void sent(protocol::ApiKey api);
  void failed(protocol::ApiKey api);
  // `broker`: the node id, or "bootstrap" for a connection made before the metadata named it.
  void answered(protocol::ApiKey api, const std::string& broker, double seconds);

  [[nodiscard]] double sent_count(protocol::ApiKey api) const;
  [[nodiscard]] double failed_count(protocol::ApiKey api) const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::string cluster_;
  prometheus::Family<prometheus::Counter>* sent_family_;
  prometheus::Family<prometheus::Counter>* failed_family_;
  prometheus::Family<prometheus::Histogram>* duration_family_;
  std::map<protocol::ApiKey, prometheus::Counter*> sent_;
  std::map<protocol::ApiKey, prometheus::Counter*> failed_;
  std::map<std::pair<protocol::ApiKey, std::string>, prometheus::Histogram*> durations_;
};

}  // namespace msgwatch::kafka
