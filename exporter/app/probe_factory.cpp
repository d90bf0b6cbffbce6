#include "exporter/app/probe_factory.hpp"

#include "probes/kafka/lag/kafka_lag_probe.hpp"
#include "probes/redis/redis_probe.hpp"

namespace msgwatch {

std::vector<std::unique_ptr<Probe>> make_probes(const config::Config& config, const ProbeContext& context) {
  std::vector<std::unique_ptr<Probe>> probes;
  for (const auto& cluster : config.kafka) probes.push_back(kafka::make_kafka_lag_probe(cluster, context));
  for (const auto& target : config.redis) probes.push_back(redis::make_redis_probe(target, context));
  return probes;
}

}  // namespace msgwatch
