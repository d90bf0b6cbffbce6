#include "exporter/runtime/scheduler.hpp"

#include "exporter/sdk/async_event.hpp"
#include "exporter/sdk/log_event.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <optional>

namespace msgwatch {
namespace asio = boost::asio;

namespace {

constexpr LabelNames kProbeLabels{"probe", "cluster"};
constexpr auto kSuccess =
    gauge_family("msgwatch_probe_success", "1 if the probe's last attempt succeeded, 0 if it failed.", kProbeLabels);
constexpr auto kDuration =
    gauge_family("msgwatch_probe_duration_seconds", "How long the probe's last attempt took.", kProbeLabels);
constexpr auto kLastSuccess =
    gauge_family("msgwatch_probe_last_success_timestamp_seconds",
                 "Unix time of the probe's last successful attempt (0: never).", kProbeLabels);
constexpr auto kFailures = counter_family("msgwatch_probe_failures_total",
                                          "Failed attempts of the probe since the daemon started.", kProbeLabels);
constexpr auto kInternalErrors =
    counter_family("msgwatch_probe_internal_errors_total",
                   "Errors outside the probe's own collection (rendering its result, the scheduler loop), caught "
                   "and logged; anything above 0 is a bug to report.",
                   kProbeLabels);

std::string seconds(double value) { return fmt::format("{:.3f}s", value); }

}  // namespace

double unix_now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

// One collect() call. Shared with the completion handler, which may run after the attempt
// that started it gave up on it.
struct Scheduler::Collection {
  explicit Collection(const asio::any_io_executor& executor) : done(executor) {}
  AsyncEvent done;
  std::exception_ptr error;
  SeriesSet result;
};

Scheduler::Scheduler(asio::io_context& io, std::vector<std::unique_ptr<Probe>> probes, std::function<void()> on_result,
                     std::chrono::milliseconds abort_grace)
    : io_(io), on_result_(std::move(on_result)), abort_grace_(abort_grace) {
  for (auto& probe : probes) add("", std::move(probe));
}

void Scheduler::add(const std::string& group, std::unique_ptr<Probe> probe, std::shared_ptr<const void> keep_alive) {
  auto slot = std::make_shared<Slot>(group, std::move(probe), std::move(keep_alive), io_);
  slots_.push_back(slot);
  if (started_ && !stopping_) spawn(slot);
}

void Scheduler::remove(const std::string& group) {
  std::erase_if(slots_, [&group](const std::shared_ptr<Slot>& slot) {
    if (slot->group != group) return false;
    slot->removed = true;
    slot->sleep.cancel();
    if (slot->running) slot->probe->abort();
    return true;
  });
}

void Scheduler::start() {
  started_ = true;
  for (const auto& slot : slots_) spawn(slot);
}

void Scheduler::spawn(const std::shared_ptr<Slot>& slot) {
  // run() catches everything itself; this handler is the last line, never the plan.
  asio::co_spawn(io_, run(slot), [slot](const std::exception_ptr& error) {
    if (!error) return;
    slot->errors += 1;
    log_event(spdlog::level::err, "scheduler loop ended",
              {{"probe", slot->probe->kind()}, {"cluster", slot->probe->target()}, {"error", describe_error(error)}});
  });
}

void Scheduler::stop() {
  stopping_ = true;
  for (auto& slot : slots_) {
    slot->sleep.cancel();
    if (slot->running) slot->probe->abort();
  }
}

asio::awaitable<void> Scheduler::run(std::shared_ptr<Slot> owned) {
  auto& slot = *owned;
  while (!stopping_ && !slot.removed) {
    const auto started = Clock::now();
    try {
      co_await attempt(owned);
    } catch (const std::exception& e) {
      slot.errors += 1;
      log_event(spdlog::level::err, "attempt failed in the scheduler",
                {{"probe", slot.probe->kind()}, {"cluster", slot.probe->target()}, {"error", e.what()}});
    }
    if (stopping_ || slot.removed) break;
    try {
      on_result_();
    } catch (const std::exception& e) {
      slot.errors += 1;
      log_event(spdlog::level::err, "handling the result failed",
                {{"probe", slot.probe->kind()}, {"cluster", slot.probe->target()}, {"error", e.what()}});
    }
    slot.sleep.expires_at(started + slot.probe->schedule().interval);
    boost::system::error_code ignored;
    co_await slot.sleep.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

asio::awaitable<void> Scheduler::attempt(std::shared_ptr<Slot> owned) {
  auto& slot = *owned;
  auto& probe = *slot.probe;
  const auto schedule = probe.schedule();
  const auto started = Clock::now();
  if (slot.running && !slot.running->done.is_set()) {
    slot.duration_seconds = 0;
    record_failure(slot, "the previous attempt has still not returned after abort()");
    co_return;
  }
  auto collection = std::make_shared<Collection>(co_await asio::this_coro::executor);
  slot.running = collection;
  // The handler holds the probe's slot: a probe removed or left behind is destroyed only
  // once its collect() has returned.
  asio::co_spawn(io_, probe.collect(), [collection, owned](const std::exception_ptr& error, SeriesSet result) {
    collection->error = error;
    collection->result = std::move(result);
    collection->done.set();
  });
  bool timed_out = !co_await collection->done.wait_until(started + schedule.timeout);
  if (timed_out) {
    probe.abort();
    // abort() closes the probe's sockets, so collect() ends promptly; wait for it (within a
    // bound) so that two collections of one probe never overlap.
    co_await collection->done.wait_until(Clock::now() + abort_grace_);
  }
  slot.duration_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  if (!collection->done.is_set()) {
    record_failure(slot, "timed out after " + log_duration(schedule.timeout) + " and did not stop within " +
                             log_duration(abort_grace_) + " of abort()");
    co_return;
  }
  slot.running.reset();
  if (timed_out || collection->error) {
    record_failure(slot,
                   timed_out ? "timed out after " + log_duration(schedule.timeout) : describe_error(collection->error));
    co_return;
  }
  slot.ran = true;
  slot.success = true;
  slot.last_good = std::move(collection->result);
  slot.last_good.set_cluster(probe.target());
  slot.last_good.shrink_to_fit();
  slot.failure = SeriesSet();
  slot.last_success = Clock::now();
  slot.last_success_unix_seconds = unix_now();
  log_event(spdlog::level::debug, "probe succeeded",
            {{"probe", probe.kind()}, {"cluster", probe.target()}, {"duration", seconds(slot.duration_seconds)}});
}

void Scheduler::record_failure(Slot& slot, const std::string& reason) {
  auto& probe = *slot.probe;
  slot.ran = true;
  slot.success = false;
  slot.failures += 1;
  slot.failure = SeriesSet();
  try {
    probe.failure_series(slot.failure);
  } catch (const std::exception& e) {
    slot.errors += 1;
    log_event(spdlog::level::err, "failure series failed",
              {{"probe", probe.kind()}, {"cluster", probe.target()}, {"error", e.what()}});
  }
  slot.failure.set_cluster(probe.target());
  for (const auto& family : slot.failure.families()) slot.last_good.clear(family.family().name);
  const auto stale_after = probe.schedule().effective_stale_after();
  const bool stale = slot.last_success == Clock::time_point{} || Clock::now() - slot.last_success > stale_after;
  if (stale && slot.last_good.series() > 0) {
    slot.last_good = SeriesSet();
    log_event(spdlog::level::warn, "no success for stale_after: series dropped until the probe succeeds again",
              {{"probe", probe.kind()}, {"cluster", probe.target()}, {"stale_after", log_duration(stale_after)}});
  }
  if (!stopping_ && !slot.removed) {
    log_event(spdlog::level::warn, "probe failed",
              {{"probe", probe.kind()},
               {"cluster", probe.target()},
               {"error", reason},
               {"duration", seconds(slot.duration_seconds)}});
  }
}

std::vector<const SeriesSet*> Scheduler::series() const {
  std::vector<const SeriesSet*> sets;
  for (const auto& slot : slots_) {
    sets.push_back(&slot->last_good);
    sets.push_back(&slot->failure);
  }
  return sets;
}

void Scheduler::write_self_metrics(SeriesSet& out) const {
  for (const auto& slot : slots_) {
    if (!slot->ran) continue;
    const auto kind = slot->probe->kind();
    const auto target = slot->probe->target();
    out.add(kSuccess, {kind, target}, slot->success ? 1 : 0);
    out.add(kDuration, {kind, target}, slot->duration_seconds);
    out.add(kLastSuccess, {kind, target}, slot->last_success_unix_seconds);
    out.add(kFailures, {kind, target}, slot->failures);
    out.add(kInternalErrors, {kind, target}, slot->errors);
  }
}

bool Scheduler::every_probe_ran() const {
  for (const auto& slot : slots_) {
    if (!slot->ran) return false;
  }
  return true;
}

}  // namespace msgwatch
