#include "exporter/scheduler.hpp"

#include "exporter/async_event.hpp"
#include "exporter/metric_family_builder.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>

namespace msgwatch {
namespace asio = boost::asio;
using std::chrono::steady_clock;

namespace {

// Shared between an attempt and the detached collect() it started, which may outlive a
// timed-out attempt by a little.
struct Outcome {
  explicit Outcome(const asio::any_io_executor& executor) : done(executor) {}
  AsyncEvent done;
  std::exception_ptr error;
  MetricFamilies families;
};

std::string describe(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

void add_cluster_label(MetricFamilies& families, const std::string& cluster) {
  for (auto& family : families) {
    for (auto& metric : family.metric) metric.label.insert(metric.label.begin(), {"cluster", cluster});
  }
}

double unix_now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

}  // namespace

Scheduler::Scheduler(asio::io_context& io, std::vector<std::unique_ptr<Probe>> probes, std::function<void()> on_result)
    : io_(io), on_result_(std::move(on_result)) {
  for (auto& probe : probes) {
    slots_.push_back(std::make_unique<Slot>(Slot{std::move(probe), asio::steady_timer(io_), {}}));
  }
}

void Scheduler::start() {
  for (auto& slot : slots_) asio::co_spawn(io_, run(*slot), asio::detached);
}

void Scheduler::stop() {
  stopping_ = true;
  for (auto& slot : slots_) {
    slot->sleep.cancel();
    if (slot->running) slot->probe->abort();
  }
}

asio::awaitable<void> Scheduler::run(Slot& slot) {
  while (!stopping_) {
    const auto started = steady_clock::now();
    co_await attempt(slot);
    if (stopping_) break;
    on_result_();
    slot.sleep.expires_at(started + slot.probe->schedule().interval);
    boost::system::error_code ignored;
    co_await slot.sleep.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

asio::awaitable<void> Scheduler::attempt(Slot& slot) {
  auto& probe = *slot.probe;
  const auto started = steady_clock::now();
  auto outcome = std::make_shared<Outcome>(co_await asio::this_coro::executor);
  slot.running = true;
  asio::co_spawn(io_, probe.collect(), [outcome](std::exception_ptr error, MetricFamilies families) {
    outcome->error = error;
    outcome->families = std::move(families);
    outcome->done.set();
  });
  const bool timed_out = !co_await outcome->done.wait_until(started + probe.schedule().timeout);
  slot.duration_seconds = std::chrono::duration<double>(steady_clock::now() - started).count();
  if (timed_out) {
    probe.abort();
    // abort() closes the probe's sockets, so collect() ends promptly; wait for it so that
    // two collections of one probe never overlap.
    co_await outcome->done.wait();
  }
  slot.running = false;
  slot.ran = true;
  slot.success = !timed_out && !outcome->error;
  if (slot.success) {
    add_cluster_label(outcome->families, probe.target());
    slot.last_good = std::move(outcome->families);
    slot.replacements.clear();
    slot.last_success_unix_seconds = unix_now();
    spdlog::debug("probe {} cluster {} succeeded in {:.3f}s", probe.kind(), probe.target(), slot.duration_seconds);
  } else {
    slot.failures += 1;
    slot.replacements = probe.failure_families();
    add_cluster_label(slot.replacements, probe.target());
    const auto reason = timed_out ? "timed out after " + std::to_string(probe.schedule().timeout.count()) + "ms"
                                  : describe(outcome->error);
    if (!stopping_) spdlog::warn("probe {} cluster {} failed: {}", probe.kind(), probe.target(), reason);
  }
}

FamilyView Scheduler::families(MetricFamilies& self_metrics) const {
  auto success = gauge("msgwatch_probe_success", "1 if the probe's last attempt succeeded, 0 if it failed.");
  auto duration = gauge("msgwatch_probe_duration_seconds", "How long the probe's last attempt took.");
  auto last_success = gauge("msgwatch_probe_last_success_timestamp_seconds",
                            "Unix time of the probe's last successful attempt (0: never).");
  auto failures = counter("msgwatch_probe_failures_total", "Failed attempts of the probe since the daemon started.");
  FamilyView view;
  for (const auto& slot : slots_) {
    if (!slot->ran) continue;
    const Labels labels{{"probe", slot->probe->kind()}, {"cluster", slot->probe->target()}};
    success.add(labels, slot->success ? 1 : 0);
    duration.add(labels, slot->duration_seconds);
    last_success.add(labels, slot->last_success_unix_seconds);
    failures.add(labels, slot->failures);
    const auto& replacements = slot->replacements;  // empty while the probe succeeds
    for (const auto& family : slot->last_good) {
      const bool replaced = std::any_of(replacements.begin(), replacements.end(),
                                        [&family](const auto& r) { return r.name == family.name; });
      if (!replaced) view.push_back(&family);
    }
    for (const auto& family : replacements) view.push_back(&family);
  }
  self_metrics.clear();
  for (auto* builder : {&success, &duration, &last_success, &failures}) self_metrics.push_back(builder->take());
  for (const auto& family : self_metrics) view.push_back(&family);
  return view;
}

bool Scheduler::every_probe_ran() const {
  for (const auto& slot : slots_) {
    if (!slot->ran) return false;
  }
  return true;
}

}  // namespace msgwatch
