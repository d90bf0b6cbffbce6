// The scheduler with scripted probes: success, failure, overrun, and what stays on the page.

#include "exporter/scheduler.hpp"
#include "exporter/async_event.hpp"
#include "exporter/exposition.hpp"
#include "exporter/metric_family_builder.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <deque>
#include <stdexcept>

namespace msgwatch {
namespace {

using namespace std::chrono_literals;

// Each collect() takes the next scripted step: a value to export, an error, or "hang"
// (wait until abort()).
struct Step {
  enum class Kind { value, error, hang } kind;
  double value = 0;
};

class ScriptedProbe final : public Probe {
 public:
  ScriptedProbe(std::deque<Step> steps, int* aborts) : steps_(std::move(steps)), aborts_(aborts) {}
  std::string kind() const override { return "scripted"; }
  std::string target() const override { return "t"; }
  ProbeSchedule schedule() const override { return {10ms, 50ms}; }
  MetricFamilies failure_families() const override {
    MetricFamilies families;
    families.push_back(gauge("scripted_up", "Up.").add({}, 0).take());
    return families;
  }
  boost::asio::awaitable<MetricFamilies> collect() override {
    const auto step = steps_.empty() ? Step{Step::Kind::hang} : steps_.front();
    if (!steps_.empty()) steps_.pop_front();
    if (step.kind == Step::Kind::error) throw std::runtime_error("scripted failure");
    if (step.kind == Step::Kind::hang) {
      aborted_ = std::make_unique<AsyncEvent>(co_await boost::asio::this_coro::executor);
      co_await aborted_->wait();
      throw std::runtime_error("aborted");
    }
    MetricFamilies families;
    families.push_back(gauge("scripted_up", "Up.").add({}, 1).take());
    families.push_back(gauge("scripted_value", "Value.").add({{"k", "v"}}, step.value).take());
    co_return families;
  }
  void abort() override {
    ++*aborts_;
    if (aborted_) aborted_->set();
  }

 private:
  std::deque<Step> steps_;
  int* aborts_;
  std::unique_ptr<AsyncEvent> aborted_;
};

// Runs the scheduler until `results` attempts have finished and returns the page then.
std::string page_after(std::deque<Step> steps, int results, int* aborts) {
  boost::asio::io_context io;
  std::vector<std::unique_ptr<Probe>> probes;
  probes.push_back(std::make_unique<ScriptedProbe>(std::move(steps), aborts));
  int seen = 0;
  std::string page;
  std::unique_ptr<Scheduler> scheduler;
  scheduler = std::make_unique<Scheduler>(io, std::move(probes), [&] {
    if (++seen < results) return;
    MetricFamilies self_metrics;
    page = render_text(scheduler->families(self_metrics));
    scheduler->stop();
  });
  scheduler->start();
  io.run_for(10s);
  return page;
}

TEST(Scheduler, ExportsTheResultWithClusterLabelAndSelfMetrics) {
  int aborts = 0;
  const auto page = page_after({{Step::Kind::value, 7}}, 1, &aborts);
  EXPECT_NE(page.find("scripted_value{cluster=\"t\",k=\"v\"} 7\n"), std::string::npos) << page;
  EXPECT_NE(page.find("scripted_up{cluster=\"t\"} 1\n"), std::string::npos) << page;
  EXPECT_NE(page.find("msgwatch_probe_success{probe=\"scripted\",cluster=\"t\"} 1\n"), std::string::npos) << page;
  EXPECT_NE(page.find("msgwatch_probe_failures_total{probe=\"scripted\",cluster=\"t\"} 0\n"), std::string::npos);
}

TEST(Scheduler, AFailureKeepsTheLastGoodSeriesButReplacesTheFailureFamilies) {
  int aborts = 0;
  const auto page = page_after({{Step::Kind::value, 7}, {Step::Kind::error}}, 2, &aborts);
  EXPECT_NE(page.find("scripted_value{cluster=\"t\",k=\"v\"} 7\n"), std::string::npos) << page;
  EXPECT_NE(page.find("scripted_up{cluster=\"t\"} 0\n"), std::string::npos) << page;
  EXPECT_EQ(page.find("scripted_up{cluster=\"t\"} 1\n"), std::string::npos) << page;
  EXPECT_NE(page.find("msgwatch_probe_success{probe=\"scripted\",cluster=\"t\"} 0\n"), std::string::npos) << page;
  EXPECT_NE(page.find("msgwatch_probe_failures_total{probe=\"scripted\",cluster=\"t\"} 1\n"), std::string::npos);
  EXPECT_EQ(aborts, 0);
}

TEST(Scheduler, AnOverrunIsAbortedMarkedFailedAndTheNextAttemptSucceeds) {
  int aborts = 0;
  const auto page = page_after({{Step::Kind::hang}, {Step::Kind::value, 3}}, 2, &aborts);
  EXPECT_EQ(aborts, 1);
  EXPECT_NE(page.find("scripted_value{cluster=\"t\",k=\"v\"} 3\n"), std::string::npos) << page;
  EXPECT_NE(page.find("msgwatch_probe_success{probe=\"scripted\",cluster=\"t\"} 1\n"), std::string::npos) << page;
  EXPECT_NE(page.find("msgwatch_probe_failures_total{probe=\"scripted\",cluster=\"t\"} 1\n"), std::string::npos);
}

TEST(Scheduler, ANewSnapshotDropsSeriesThatDisappeared) {
  // A probe whose second result lacks a family: only what the last result holds remains.
  class Shrinking final : public Probe {
   public:
    std::string kind() const override { return "shrinking"; }
    std::string target() const override { return "t"; }
    ProbeSchedule schedule() const override { return {10ms, 50ms}; }
    boost::asio::awaitable<MetricFamilies> collect() override {
      MetricFamilies families;
      if (calls_++ == 0) families.push_back(gauge("gone_soon", "Gone.").add({}, 1).take());
      families.push_back(gauge("stays", "Stays.").add({}, 1).take());
      co_return families;
    }
    void abort() override {}

   private:
    int calls_ = 0;
  };
  boost::asio::io_context io;
  std::vector<std::unique_ptr<Probe>> probes;
  probes.push_back(std::make_unique<Shrinking>());
  int seen = 0;
  std::string page;
  std::unique_ptr<Scheduler> scheduler;
  scheduler = std::make_unique<Scheduler>(io, std::move(probes), [&] {
    if (++seen < 2) return;
    MetricFamilies self_metrics;
    page = render_text(scheduler->families(self_metrics));
    scheduler->stop();
  });
  scheduler->start();
  io.run_for(10s);
  EXPECT_EQ(page.find("gone_soon"), std::string::npos) << page;
  EXPECT_NE(page.find("stays{cluster=\"t\"} 1"), std::string::npos) << page;
}

}  // namespace
}  // namespace msgwatch
