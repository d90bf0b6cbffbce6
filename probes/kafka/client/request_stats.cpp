#include "probes/kafka/client/request_stats.hpp"

namespace msgwatch::kafka {
namespace {

// From 1 ms (a broker answering from memory) to 10 s (the request timeout).
const prometheus::Histogram::BucketBoundaries kDurationBuckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                               0.1,   0.25,   0.5,   1,    2.5,   10};

prometheus::Counter* counter_for(prometheus::Family<prometheus::Counter>& family, const std::string& cluster,
                                 protocol::ApiKey api, std::map<protocol::ApiKey, prometheus::Counter*>& cache) {
  auto& slot = cache[api];
  if (slot == nullptr) slot = &family.Add({{"cluster", cluster}, {"api", protocol::to_string(api)}});
  return slot;
}

}  // namespace

RequestStats::RequestStats(std::shared_ptr<prometheus::Registry> registry, std::string cluster)
    : registry_(std::move(registry)),
      cluster_(std::move(cluster)),
      sent_family_(&prometheus::BuildCounter()
                        .Name("msgwatch_kafka_requests_total")
                        .Help("Kafka requests sent by the probe, by API.")
                        .Register(*registry_)),
      failed_family_(&prometheus::BuildCounter()
                          .Name("msgwatch_kafka_request_failures_total")
                          .Help("Kafka requests that got no answer or an unreadable one, by API.")
                          .Register(*registry_)),
      duration_family_(&prometheus::BuildHistogram()
                            .Name("msgwatch_kafka_request_duration_seconds")
                            .Help("Time from sending a Kafka request to its answer, by API and broker.")
                            .Register(*registry_)) {}

RequestStats::RequestStats() : RequestStats(std::make_shared<prometheus::Registry>(), "") {}

void RequestStats::sent(protocol::ApiKey api) { counter_for(*sent_family_, cluster_, api, sent_)->Increment(); }

void RequestStats::failed(protocol::ApiKey api) { counter_for(*failed_family_, cluster_, api, failed_)->Increment(); }

void RequestStats::answered(protocol::ApiKey api, const std::string& broker, double seconds) {
  auto& slot = durations_[{api, broker}];
  if (slot == nullptr) {
    slot = &duration_family_->Add({{"cluster", cluster_}, {"api", protocol::to_string(api)}, {"broker", broker}},
                                  kDurationBuckets);
  }
  slot->Observe(seconds);
}

double RequestStats::sent_count(protocol::ApiKey api) const {
  const auto it = sent_.find(api);
  return it == sent_.end() ? 0 : it->second->Value();
}

double RequestStats::failed_count(protocol::ApiKey api) const {
  const auto it = failed_.find(api);
  return it == failed_.end() ? 0 : it->second->Value();
}

}  // namespace msgwatch::kafka
