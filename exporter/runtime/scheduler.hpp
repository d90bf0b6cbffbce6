#pragma once
// Runs every probe on its own interval on one io_context thread. Each attempt is timed; an
// exception or an overrun (the probe is abort()ed) marks it failed without touching the
// others. The scheduler, not the probes, exports the `msgwatch_probe_*` self-metrics and
// sets the `cluster` label.
//
// Nothing can end a probe's loop but stop(): every exception is caught where it happens
// (in collect(), in the result callback, in the loop itself), logged and counted. Every
// wait has a bound: an attempt that overruns its timeout is aborted, and a probe that does
// not return within `abort_grace` after abort() is left behind (its late result is thrown
// away); its next attempts fail at once until it has returned, so that two collections of
// one probe never overlap.
//
// Staleness: while a probe fails, its last good series stay on the page for
// `stale_after` after its last success, then only its self-metrics and its failure series
// (such as redis_up 0) remain: nothing frozen pretends to be current.
//
// Probes come and go with a configuration reload: add() starts one (at once if the
// scheduler runs), remove() stops every probe of a group (aborting a running attempt); a
// removed probe is destroyed once its loop and its last collect() have ended.
//
// Not thread-safe: every member runs on the io_context thread.

#include "exporter/sdk/probe.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace msgwatch {

// Unix time now in seconds, as the *_timestamp_seconds series write it.
double unix_now();

class Scheduler {
 public:
  using Clock = std::chrono::steady_clock;

  // `on_result` runs after every probe attempt, successful or not.
  Scheduler(boost::asio::io_context& io, std::vector<std::unique_ptr<Probe>> probes, std::function<void()> on_result,
            std::chrono::milliseconds abort_grace = std::chrono::seconds(5));

  void start();
  // Stops the loops and aborts running probes; loops end at their next step.
  void stop();

  // Adds a probe to `group` (the probes made from one configured target), started at once
  // when the scheduler runs. The probes given to the constructor are in group "".
  // `keep_alive`: what the probe uses but does not own (its target's registry of live
  // instruments, which its threads may write to until it is destroyed); released only after
  // the probe is destroyed, whenever that is (a removed probe's collection may still run).
  void add(const std::string& group, std::unique_ptr<Probe> probe, std::shared_ptr<const void> keep_alive = {});
  // Stops and drops every probe of `group`: its series and self-metrics leave the page now.
  void remove(const std::string& group);

  // Every probe's current series sets (last good result, failure series), valid until the
  // next attempt ends.
  [[nodiscard]] std::vector<const SeriesSet*> series() const;
  // msgwatch_probe_* for every probe that ran at least once.
  void write_self_metrics(SeriesSet& out) const;
  // True once every probe finished its first attempt, successful or not.
  [[nodiscard]] bool every_probe_ran() const;

 private:
  struct Collection;
  struct Slot {
    Slot(std::string group, std::unique_ptr<Probe> probe, std::shared_ptr<const void> keep_alive,
         boost::asio::io_context& io)
        : group(std::move(group)), keep_alive(std::move(keep_alive)), probe(std::move(probe)), sleep(io) {}
    std::string group;
    std::shared_ptr<const void> keep_alive;  // before probe: destroyed after it
    std::unique_ptr<Probe> probe;
    boost::asio::steady_timer sleep;
    SeriesSet last_good;
    SeriesSet failure;                    // the probe's failure series, while it fails
    std::shared_ptr<Collection> running;  // a collect() that has not returned yet
    bool ran = false;
    bool success = false;
    double duration_seconds = 0;
    double last_success_unix_seconds = 0;
    Clock::time_point last_success;
    double failures = 0;
    double errors = 0;  // exceptions outside collect(): the result callback, the loop
    bool removed = false;
  };

  void spawn(const std::shared_ptr<Slot>& slot);
  // Holds `slot` until its loop ends, after remove() too.
  boost::asio::awaitable<void> run(std::shared_ptr<Slot> slot);
  boost::asio::awaitable<void> attempt(std::shared_ptr<Slot> owned);
  void record_failure(Slot& slot, const std::string& reason);

  boost::asio::io_context& io_;
  std::vector<std::shared_ptr<Slot>> slots_;
  std::function<void()> on_result_;
  std::chrono::milliseconds abort_grace_;
  bool started_ = false;
  bool stopping_ = false;
};

}  // namespace msgwatch
