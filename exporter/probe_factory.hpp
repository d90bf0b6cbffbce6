#pragma once
// The one place that knows every probe family: turns the configuration into probes.

#include "config.hpp"
#include "probe.hpp"

#include <memory>
#include <vector>

namespace msgwatch {

std::vector<std::unique_ptr<Probe>> make_probes(const config::Config& config);

}  // namespace msgwatch
