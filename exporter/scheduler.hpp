#pragma once
// Runs every probe on its own interval on one io_context thread. Each attempt is timed; an
// exception or an overrun (the probe is abort()ed) marks it failed without touching the
// others, and the probe's last good families stay on /metrics. The scheduler, not the
// probes, exports the `msgwatch_probe_*` self-metrics and adds the `cluster` label.
//
// Not thread-safe: every member runs on the io_context thread.

#include "exporter/exposition.hpp"
#include "exporter/probe.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <vector>

namespace msgwatch {

class Scheduler {
 public:
  // `on_result` runs after every probe attempt, successful or not.
  Scheduler(boost::asio::io_context& io, std::vector<std::unique_ptr<Probe>> probes, std::function<void()> on_result);

  void start();
  // Stops the loops and aborts running probes; loops end at their next step.
  void stop();

  // Every probe's last good families, labelled with `cluster` (with its failure families in
  // place while it fails), plus the self-metrics, which are written into `self_metrics`.
  // The pointers stay valid until the next attempt ends.
  [[nodiscard]] FamilyView families(MetricFamilies& self_metrics) const;
  // True once every probe finished its first attempt, successful or not.
  [[nodiscard]] bool every_probe_ran() const;

 private:
  struct Slot {
    std::unique_ptr<Probe> probe;
    boost::asio::steady_timer sleep;
    MetricFamilies last_good;
    MetricFamilies replacements;  // the probe's failure families, while it fails
    bool ran = false;
    bool running = false;
    bool success = false;
    double duration_seconds = 0;
    double last_success_unix_seconds = 0;
    double failures = 0;
  };

  boost::asio::awaitable<void> run(Slot& slot);
  boost::asio::awaitable<void> attempt(Slot& slot);

  boost::asio::io_context& io_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::function<void()> on_result_;
  bool stopping_ = false;
};

}  // namespace msgwatch
