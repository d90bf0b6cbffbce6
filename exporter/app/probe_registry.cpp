#include "exporter/app/probe_registry.hpp"

#include "probes/kafka/kafka_config.hpp"
#include "probes/redis/redis_config.hpp"

#include <array>

namespace msgwatch {

std::span<const ProbeFamily* const> probe_families() {
  // One line per probe family.
  static const std::array<const ProbeFamily*, 2> families{
      &kafka::kafka_family,
      &redis::redis_family,
  };
  return families;
}

std::vector<std::unique_ptr<Probe>> make_probes(const config::Config& config, const ProbeContext& context) {
  std::vector<std::unique_ptr<Probe>> probes;
  for (const auto& [family, target] : config.targets) {
    for (auto& probe : target->make_probes(context)) probes.push_back(std::move(probe));
  }
  return probes;
}

}  // namespace msgwatch
