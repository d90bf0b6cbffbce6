#pragma once
// The one place that knows every probe family: turns the configuration into probes.

#include "exporter/config.hpp"
#include "exporter/probe.hpp"

#include <memory>
#include <vector>

namespace msgwatch {

std::vector<std::unique_ptr<Probe>> make_probes(const config::Config& config);

}  // namespace msgwatch
