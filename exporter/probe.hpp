#pragma once
// The one interface every probe implements. The scheduler owns probes, runs each on its
// own interval on the daemon's single io_context thread, times it, and turns a thrown
// exception or an overrun into `msgwatch_probe_success 0`: a probe never fails a scrape.

#include <prometheus/metric_family.h>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace msgwatch {

using MetricFamilies = std::vector<prometheus::MetricFamily>;

struct ProbeSchedule {
  std::chrono::milliseconds interval{std::chrono::seconds(30)};
  std::chrono::milliseconds timeout{std::chrono::seconds(20)};
};

class Probe {
 public:
  virtual ~Probe() = default;

  // Probe kind, the `probe` label of the self-metrics (e.g. "kafka_lag", "redis").
  [[nodiscard]] virtual std::string kind() const = 0;
  // Target name, the `cluster` label on every series the probe exports.
  [[nodiscard]] virtual std::string target() const = 0;
  [[nodiscard]] virtual ProbeSchedule schedule() const = 0;

  // One complete collection. Returns every family this probe exports now; a thrown
  // exception marks the cycle failed and keeps the previous families on /metrics.
  virtual boost::asio::awaitable<MetricFamilies> collect() = 0;

  // While the probe fails, these families replace the same-named ones of its last good
  // result, for "up" gauges that must say 0 (e.g. redis_up). The default has none.
  [[nodiscard]] virtual MetricFamilies failure_families() const { return {}; }

  // Called on the io_context thread when collect() overran its timeout or the daemon stops:
  // close sockets so that pending operations complete with an error and collect() returns.
  virtual void abort() = 0;
};

}  // namespace msgwatch
