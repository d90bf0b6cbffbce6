#pragma once
// The one place that knows every probe family: which configuration keys exist, and which
// probes the parsed configuration makes.

#include "exporter/app/config.hpp"
#include "exporter/sdk/probe_family.hpp"

#include <memory>
#include <span>
#include <vector>

namespace msgwatch {

std::span<const ProbeFamily* const> probe_families();

std::vector<std::unique_ptr<Probe>> make_probes(const config::Config& config, const ProbeContext& context);

}  // namespace msgwatch
