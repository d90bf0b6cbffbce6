#include "exporter/app/running_targets.hpp"

#include <set>
#include <utility>

namespace msgwatch {

RunningTargets::Change RunningTargets::apply(const config::Config& config) {
  struct Starting {
    std::string section;
    ProbeContext context;
    std::vector<std::unique_ptr<Probe>> probes;
  };
  // Every new target's probes are made before anything stops, so that a target that cannot
  // be made leaves the running ones as they were.
  Change change;
  std::set<std::string> wanted;
  std::vector<Starting> starting;
  for (const auto& target : config.targets) {
    wanted.insert(target.section);
    if (running_.contains(target.section)) {
      ++change.kept;
      continue;
    }
    Starting next{target.section, ProbeContext{}, {}};
    next.probes = target.parsed->make_probes(next.context);
    starting.push_back(std::move(next));
  }
  for (auto it = running_.begin(); it != running_.end();) {
    if (wanted.contains(it->first)) {
      ++it;
      continue;
    }
    scheduler_.remove(it->first);
    it = running_.erase(it);
    ++change.stopped;
  }
  for (auto& next : starting) {
    // The probes write to the registry until they are destroyed (the canary's thread does
    // until it is joined), which may be after the target leaves running_.
    for (auto& probe : next.probes) scheduler_.add(next.section, std::move(probe), next.context.registry);
    running_.emplace(std::move(next.section), std::move(next.context));
    ++change.started;
  }
  return change;
}

void RunningTargets::collect_instruments(std::vector<prometheus::MetricFamily>& out) const {
  for (const auto& [section, context] : running_) {
    for (auto& family : context.registry->Collect()) out.push_back(std::move(family));
  }
}

}  // namespace msgwatch
