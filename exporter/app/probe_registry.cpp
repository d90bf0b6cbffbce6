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

}  // namespace msgwatch
