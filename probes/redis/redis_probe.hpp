#pragma once
// The Redis probe (kind "redis"): one per configured Redis target. Each cycle sends INFO ALL
// (INFO where ALL is refused) and CONFIG GET max* (skipped for the rest of the connection once
// refused, as managed services often do) on a connection kept open between cycles, and turns
// the replies into redis_exporter-compatible metrics (info_metrics.hpp).

#include "exporter/sdk/probe.hpp"
#include "probes/redis/redis_config.hpp"

#include <memory>

namespace msgwatch::redis {

std::unique_ptr<Probe> make_redis_probe(const RedisTarget& target, const ProbeContext& context = {});

}  // namespace msgwatch::redis
