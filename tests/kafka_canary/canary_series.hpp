#pragma once
// What the canary's integration tests share: a daemon configuration with the canary on at a
// 1 s interval, and reading a partition's series whatever its broker label says.

#include "support/prometheus_text.hpp"
#include "support/test_environment.hpp"

#include <optional>
#include <string>

namespace msgwatch::test {

// The lag probe on `bootstrap` watching only `topic`, and the canary on that topic every
// second, round_trip_sla 5 s, plus `settings` (canary lines, six spaces in).
std::string canary_config(const std::string& topic, const std::string& settings = "",
                          const std::string& bootstrap = kafka_bootstrap());

// The value of a partition's series, whatever its leader label says.
std::optional<double> partition_value(const Exposition& m, const std::string& family, const std::string& partition);

// The label `name` of a partition's series.
std::string partition_label(const Exposition& m, const std::string& family, const std::string& partition,
                            const std::string& name);

// What the canary did on a partition, for a wait that times out.
std::string partition_story(const Exposition& m, const std::string& partition);

}  // namespace msgwatch::test
