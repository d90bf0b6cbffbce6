#pragma once
// The one place that knows every probe family: which configuration keys exist (each
// family's targets make their own probes: ProbeTarget::make_probes).

#include "exporter/app/config.hpp"
#include "exporter/sdk/probe_family.hpp"

#include <memory>
#include <span>
#include <vector>

namespace msgwatch {

std::span<const ProbeFamily* const> probe_families();

}  // namespace msgwatch
