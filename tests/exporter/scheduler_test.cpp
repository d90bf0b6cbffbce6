// The scheduler with scripted probes: success, failure, overrun, a probe that ignores
// abort(), a result callback that throws, staleness, and what stays on the page.

#include "exporter/runtime/scheduler.hpp"

#include "exporter/runtime/exposition.hpp"
#include "exporter/sdk/async_event.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <deque>
#include <functional>
#include <stdexcept>

namespace msgwatch {
namespace {

using namespace std::chrono_literals;

constexpr auto kUp = gauge_family("scripted_up", "Up.");
constexpr auto kValue = gauge_family("scripted_value", "Value.", {"k"});

// Each collect() takes the next scripted step: a value to export, an error, "hang" (wait
// until abort()), or "deaf" (ignore abort() and return a value after `value` milliseconds).
struct Step {
  enum class Kind { value, error, hang, deaf } kind;
  double value = 0;
};

class ScriptedProbe final : public Probe {
 public:
  ScriptedProbe(std::deque<Step> steps, int* aborts, ProbeSchedule schedule = {10ms, 50ms})
      : steps_(std::move(steps)), aborts_(aborts), schedule_(schedule) {}
  std::string kind() const override { return "scripted"; }
  std::string target() const override { return "t"; }
  ProbeSchedule schedule() const override { return schedule_; }
  void failure_series(SeriesSet& out) const override { out.add(kUp, {}, 0); }
  boost::asio::awaitable<SeriesSet> collect() override {
    const auto step = steps_.empty() ? Step{Step::Kind::hang} : steps_.front();
    if (!steps_.empty()) steps_.pop_front();
    if (step.kind == Step::Kind::error) throw std::runtime_error("scripted failure");
    if (step.kind == Step::Kind::hang) {
      aborted_ = std::make_unique<AsyncEvent>(co_await boost::asio::this_coro::executor);
      co_await aborted_->wait();
      throw std::runtime_error("aborted");
    }
    if (step.kind == Step::Kind::deaf) {
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
      timer.expires_after(std::chrono::milliseconds(static_cast<int>(step.value)));
      boost::system::error_code ignored;
      co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
    }
    SeriesSet out;
    out.add(kUp, {}, 1);
    out.add(kValue, {"v"}, step.value);
    co_return out;
  }
  void abort() override {
    ++*aborts_;
    if (aborted_) aborted_->set();
  }

 private:
  std::deque<Step> steps_;
  int* aborts_;
  ProbeSchedule schedule_;
  std::unique_ptr<AsyncEvent> aborted_;
};

std::string page_of(const Scheduler& scheduler) {
  SeriesSet own;
  scheduler.write_self_metrics(own);
  PageSources sources{scheduler.series(), {}};
  sources.sets.push_back(&own);
  return render_text(sources);
}

// Runs the scheduler until `results` attempts have finished and returns the page then.
std::string page_after(std::unique_ptr<Probe> probe, int results, std::chrono::milliseconds abort_grace = 5s,
                       bool throwing_callback = false) {
  boost::asio::io_context io;
  std::vector<std::unique_ptr<Probe>> probes;
  probes.push_back(std::move(probe));
  int seen = 0;
  std::string page;
  std::unique_ptr<Scheduler> scheduler;
  scheduler = std::make_unique<Scheduler>(
      io, std::move(probes),
      [&] {
        if (++seen >= results) {
          page = page_of(*scheduler);
          scheduler->stop();
        }
        if (throwing_callback) throw std::runtime_error("rendering failed");
      },
      abort_grace);
  scheduler->start();
  io.run_for(10s);
  return page;
}

std::string page_after(std::deque<Step> steps, int results, int* aborts) {
  return page_after(std::make_unique<ScriptedProbe>(std::move(steps), aborts), results);
}

bool has(const std::string& page, const std::string& line) { return page.find(line + "\n") != std::string::npos; }

double value_in(const std::string& page, const std::string& series) {
  const auto at = page.find(series + " ");
  return at == std::string::npos ? -1 : std::stod(page.substr(at + series.size() + 1));
}

TEST(Scheduler, ExportsTheResultWithClusterLabelAndSelfMetrics) {
  int aborts = 0;
  const auto page = page_after({{Step::Kind::value, 7}}, 1, &aborts);
  EXPECT_TRUE(has(page, "scripted_value{cluster=\"t\",k=\"v\"} 7")) << page;
  EXPECT_TRUE(has(page, "scripted_up{cluster=\"t\"} 1")) << page;
  EXPECT_TRUE(has(page, "msgwatch_probe_success{probe=\"scripted\",cluster=\"t\"} 1")) << page;
  EXPECT_TRUE(has(page, "msgwatch_probe_failures_total{probe=\"scripted\",cluster=\"t\"} 0")) << page;
  EXPECT_TRUE(has(page, "msgwatch_probe_internal_errors_total{probe=\"scripted\",cluster=\"t\"} 0")) << page;
}

TEST(Scheduler, AFailureKeepsTheLastGoodSeriesButReplacesTheFailureFamilies) {
  int aborts = 0;
  const auto page = page_after({{Step::Kind::value, 7}, {Step::Kind::error}}, 2, &aborts);
  EXPECT_TRUE(has(page, "scripted_value{cluster=\"t\",k=\"v\"} 7")) << page;
  EXPECT_TRUE(has(page, "scripted_up{cluster=\"t\"} 0")) << page;
  EXPECT_FALSE(has(page, "scripted_up{cluster=\"t\"} 1")) << page;
  EXPECT_TRUE(has(page, "msgwatch_probe_success{probe=\"scripted\",cluster=\"t\"} 0")) << page;
  EXPECT_TRUE(has(page, "msgwatch_probe_failures_total{probe=\"scripted\",cluster=\"t\"} 1")) << page;
  EXPECT_EQ(aborts, 0);
}

TEST(Scheduler, AnOverrunIsAbortedMarkedFailedAndTheNextAttemptSucceeds) {
  int aborts = 0;
  const auto page = page_after({{Step::Kind::hang}, {Step::Kind::value, 3}}, 2, &aborts);
  EXPECT_EQ(aborts, 1);
  EXPECT_TRUE(has(page, "scripted_value{cluster=\"t\",k=\"v\"} 3")) << page;
  EXPECT_TRUE(has(page, "msgwatch_probe_success{probe=\"scripted\",cluster=\"t\"} 1")) << page;
  EXPECT_TRUE(has(page, "msgwatch_probe_failures_total{probe=\"scripted\",cluster=\"t\"} 1")) << page;
}

// A probe that ignores abort() costs its own attempts, within a bound, and never overlaps
// itself: attempts fail at once while it has not returned, and it recovers when it does.
TEST(Scheduler, AProbeThatIgnoresAbortIsLeftBehindWithinABoundAndRecovers) {
  int aborts = 0;
  // The deaf step returns after 150 ms: timeout 50 ms, grace 50 ms, interval 10 ms, so
  // several attempts find it still running before it returns; then values follow.
  std::deque<Step> steps{{Step::Kind::deaf, 150}};
  for (int i = 0; i < 40; ++i) steps.push_back({Step::Kind::value, 5});
  const auto page =
      page_after(std::make_unique<ScriptedProbe>(steps, &aborts, ProbeSchedule{10ms, 50ms, 10s}), 25, 50ms);
  EXPECT_EQ(aborts, 1);
  EXPECT_TRUE(has(page, "scripted_value{cluster=\"t\",k=\"v\"} 5")) << page;
  EXPECT_TRUE(has(page, "msgwatch_probe_success{probe=\"scripted\",cluster=\"t\"} 1")) << page;
  EXPECT_FALSE(has(page, "scripted_value{cluster=\"t\",k=\"v\"} 150")) << page;  // the late result is dropped
  // Failed at once while the deaf collection ran, rather than one attempt waiting it out.
  EXPECT_GE(value_in(page, "msgwatch_probe_failures_total{probe=\"scripted\",cluster=\"t\"}"), 3) << page;
}

TEST(Scheduler, AThrowingResultCallbackIsCountedAndTheLoopGoesOn) {
  int aborts = 0;
  const auto page =
      page_after(std::make_unique<ScriptedProbe>(
                     std::deque<Step>{{Step::Kind::value, 1}, {Step::Kind::value, 2}, {Step::Kind::value, 3}}, &aborts),
                 3, 5s, true);
  EXPECT_TRUE(has(page, "scripted_value{cluster=\"t\",k=\"v\"} 3")) << page;
  EXPECT_TRUE(has(page, "msgwatch_probe_internal_errors_total{probe=\"scripted\",cluster=\"t\"} 2")) << page;
}

TEST(Scheduler, SeriesGoStaleAfterStaleAfterButTheFailureSeriesStay) {
  int aborts = 0;
  std::deque<Step> steps{{Step::Kind::value, 7}};
  for (int i = 0; i < 40; ++i) steps.push_back({Step::Kind::error});
  // Interval 10 ms, stale after 100 ms: by the 30th result the last success is long past.
  const auto page = page_after(std::make_unique<ScriptedProbe>(steps, &aborts, ProbeSchedule{10ms, 50ms, 100ms}), 30);
  EXPECT_EQ(page.find("scripted_value"), std::string::npos) << page;
  EXPECT_TRUE(has(page, "scripted_up{cluster=\"t\"} 0")) << page;
  EXPECT_TRUE(has(page, "msgwatch_probe_success{probe=\"scripted\",cluster=\"t\"} 0")) << page;
}

TEST(Scheduler, WithinStaleAfterTheLastGoodSeriesStay) {
  int aborts = 0;
  std::deque<Step> steps{{Step::Kind::value, 7}};
  for (int i = 0; i < 10; ++i) steps.push_back({Step::Kind::error});
  const auto page = page_after(std::make_unique<ScriptedProbe>(steps, &aborts, ProbeSchedule{10ms, 50ms, 60s}), 8);
  EXPECT_TRUE(has(page, "scripted_value{cluster=\"t\",k=\"v\"} 7")) << page;
}

TEST(Scheduler, ANewSnapshotDropsSeriesThatDisappeared) {
  // A probe whose second result lacks a family: only what the last result holds remains.
  class Shrinking final : public Probe {
   public:
    std::string kind() const override { return "shrinking"; }
    std::string target() const override { return "t"; }
    ProbeSchedule schedule() const override { return {10ms, 50ms}; }
    boost::asio::awaitable<SeriesSet> collect() override {
      SeriesSet out;
      if (calls_++ == 0) out.add(gauge_family("gone_soon", "Gone."), {}, 1);
      out.add(gauge_family("stays", "Stays."), {}, 1);
      co_return out;
    }
    void abort() override {}

   private:
    int calls_ = 0;
  };
  const auto page = page_after(std::make_unique<Shrinking>(), 2);
  EXPECT_EQ(page.find("gone_soon"), std::string::npos) << page;
  EXPECT_TRUE(has(page, "stays{cluster=\"t\"} 1")) << page;
}

// What a configuration reload does to the scheduler: a probe added while it runs starts at
// once; removing a group takes its probes off the page at once, aborts a collection in
// progress, and destroys each probe only once its collect() has returned, while the other
// groups' probes go on untouched.
TEST(Scheduler, AddedProbesStartAndARemovedGroupLeavesWithoutCuttingItsCollectionShort) {
  struct Track {
    int collects = 0;
    int aborts = 0;
    bool collecting = false;
    bool destroyed = false;
    bool destroyed_while_collecting = false;
    std::weak_ptr<const void> uses;  // what it was added with to keep alive
    bool used_alive_at_destruction = false;
  };
  // Collects a value each time; with `hang`, every collect() after the first waits for abort().
  class Tracked final : public Probe {
   public:
    Tracked(std::string target, bool hang, Track& track) : target_(std::move(target)), hang_(hang), track_(track) {}
    ~Tracked() override {
      track_.destroyed = true;
      track_.destroyed_while_collecting = track_.collecting;
      track_.used_alive_at_destruction = !track_.uses.expired();
    }
    std::string kind() const override { return "tracked"; }
    std::string target() const override { return target_; }
    ProbeSchedule schedule() const override { return {10ms, 5s}; }
    boost::asio::awaitable<SeriesSet> collect() override {
      track_.collecting = true;
      const int call = ++track_.collects;
      if (hang_ && call > 1) {
        aborted_ = std::make_unique<AsyncEvent>(co_await boost::asio::this_coro::executor);
        co_await aborted_->wait();
        // Still this probe's work after abort(): its members must be alive.
        track_.collecting = false;
        throw std::runtime_error("aborted");
      }
      track_.collecting = false;
      SeriesSet out;
      out.add(kValue, {"v"}, call);
      co_return out;
    }
    void abort() override {
      ++track_.aborts;
      if (aborted_) aborted_->set();
    }

   private:
    std::string target_;
    bool hang_;
    Track& track_;
    std::unique_ptr<AsyncEvent> aborted_;
  };

  boost::asio::io_context io;
  Track kept, gone, added;
  Scheduler scheduler(io, {}, [] {});
  scheduler.add("kept", std::make_unique<Tracked>("kept", false, kept));
  // Its target's registry, say: the target itself is forgotten at remove(), the probe may
  // still write to it until destroyed (a segfault on the canary's thread once showed it).
  auto registry = std::make_shared<int>(0);
  gone.uses = registry;
  scheduler.add("gone", std::make_unique<Tracked>("gone", true, gone), registry);
  registry.reset();
  scheduler.start();
  const auto run_until = [&io](const std::function<bool()>& done) {
    for (int i = 0; i < 500 && !done(); ++i) io.run_for(10ms);
    return done();
  };
  ASSERT_TRUE(run_until([&] { return gone.collecting && gone.collects == 2; })) << "the second collection hangs";
  ASSERT_NE(page_of(scheduler).find("cluster=\"gone\""), std::string::npos);

  scheduler.remove("gone");
  scheduler.add("added", std::make_unique<Tracked>("added", false, added));
  const auto page = page_of(scheduler);
  EXPECT_EQ(page.find("cluster=\"gone\""), std::string::npos) << "off the page at once: " << page;
  EXPECT_EQ(gone.aborts, 1);
  EXPECT_FALSE(gone.destroyed) << "its collect() has not returned yet";

  const int kept_before = kept.collects;
  ASSERT_TRUE(run_until([&] { return gone.destroyed && added.collects >= 3 && kept.collects >= kept_before + 3; }));
  EXPECT_FALSE(gone.destroyed_while_collecting);
  EXPECT_TRUE(gone.used_alive_at_destruction) << "what it uses outlives it";
  EXPECT_TRUE(gone.uses.expired()) << "and goes with it";
  EXPECT_EQ(gone.collects, 2) << "never collected again";
  const auto later = page_of(scheduler);
  EXPECT_NE(later.find("scripted_value{cluster=\"added\",k=\"v\"}"), std::string::npos) << later;
  EXPECT_NE(later.find("scripted_value{cluster=\"kept\",k=\"v\"}"), std::string::npos) << later;
  EXPECT_EQ(later.find("cluster=\"gone\""), std::string::npos) << later;
  scheduler.stop();
  io.run_for(100ms);
}

}  // namespace
}  // namespace msgwatch
