#pragma once
// The one interface every probe implements. The scheduler owns probes, runs each on its
// own interval on the daemon's single io_context thread, times it, and turns a thrown
// exception or an overrun into `msgwatch_probe_success 0`: a probe never fails a scrape.

#include "exporter/sdk/series_set.hpp"

#include <prometheus/registry.h>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace msgwatch {

struct ProbeSchedule {
  std::chrono::milliseconds interval{std::chrono::seconds(30)};
  std::chrono::milliseconds timeout{std::chrono::seconds(20)};
  // How long the last good series stay on the page while the probe fails; 0: three intervals.
  std::chrono::milliseconds stale_after{0};

  [[nodiscard]] std::chrono::milliseconds effective_stale_after() const {
    return stale_after.count() > 0 ? stale_after : 3 * interval;
  }
};

// What the daemon hands every probe it makes.
struct ProbeContext {
  // For live instruments: counters and histograms that change as events happen (requests,
  // canary messages), rather than once per attempt. Rendered on the same page; their
  // families carry their own `cluster` label. Thread-safe.
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
};

class Probe {
 public:
  virtual ~Probe() = default;

  // Probe kind, the `probe` label of the self-metrics (e.g. "kafka_lag", "redis").
  [[nodiscard]] virtual std::string kind() const = 0;
  // Target name, the `cluster` label on every series the probe exports.
  [[nodiscard]] virtual std::string target() const = 0;
  [[nodiscard]] virtual ProbeSchedule schedule() const = 0;

  // One complete collection: every series this probe exports now. A thrown exception marks
  // the attempt failed; the previous series stay on the page for `stale_after`.
  virtual boost::asio::awaitable<SeriesSet> collect() = 0;

  // While the probe fails, these families replace the same-named ones of its last good
  // result, for "up" gauges that must say 0 (e.g. redis_up); they stay after the rest went
  // stale. The default has none.
  virtual void failure_series(SeriesSet& out) const {}

  // Called on the io_context thread when collect() overran its timeout or the daemon stops:
  // close sockets so that pending operations complete with an error and collect() returns.
  // The scheduler waits for that only so long (see Scheduler).
  virtual void abort() = 0;
};

}  // namespace msgwatch
