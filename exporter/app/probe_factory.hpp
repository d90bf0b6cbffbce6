#pragma once
// The one place that knows every probe family: turns the configuration into probes.

#include "exporter/app/config.hpp"
#include "exporter/sdk/probe.hpp"

#include <memory>
#include <vector>

namespace msgwatch {

std::vector<std::unique_ptr<Probe>> make_probes(const config::Config& config, const ProbeContext& context);

}  // namespace msgwatch
