#pragma once
// The configured targets the daemon runs, and what a configuration reload changes of them.
// A target whose section is unchanged (config::Target::section) keeps running as it is: its
// probes with their history (lag-in-seconds samples, status windows, counters) and
// self-metrics, and its live instruments. A removed target is stopped, and its series and
// instruments leave the page with it; a new or changed one starts afresh. Each target's
// live instruments are in a registry of its own for that reason.
//
// Not thread-safe: used on the io_context thread, like the scheduler.

#include "exporter/app/config.hpp"
#include "exporter/runtime/scheduler.hpp"
#include "exporter/sdk/probe.hpp"

#include <prometheus/metric_family.h>

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace msgwatch {

class RunningTargets {
 public:
  explicit RunningTargets(Scheduler& scheduler) : scheduler_(scheduler) {}

  struct Change {
    std::size_t kept = 0;
    std::size_t started = 0;
    std::size_t stopped = 0;
  };
  // Makes the scheduler run `config`'s targets. Throws what a target's make_probes() throws,
  // before anything changed.
  Change apply(const config::Config& config);

  // Every running target's live instruments, appended to `out`.
  void collect_instruments(std::vector<prometheus::MetricFamily>& out) const;

 private:
  Scheduler& scheduler_;
  std::map<std::string, ProbeContext> running_;  // by section
};

}  // namespace msgwatch
