#include "probes/redis/redis_probe.hpp"

#include "exporter/sdk/async_event.hpp"
#include "exporter/sdk/log_event.hpp"
#include "probes/redis/queue_reader.hpp"
#include "probes/redis/redis_node.hpp"
#include "probes/redis/redis_topology.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <chrono>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>

namespace msgwatch::redis {

namespace asio = boost::asio;

namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kUp = gauge_family("redis_up", "1 when the last collection from this Redis server succeeded.", {"node"});
constexpr auto kNodeInfo = gauge_family("redis_node_info",
                                        "A server of the deployment: its role (master, slave; empty until known) "
                                        "and, for a replica, its primary, as the server itself or the others last "
                                        "said.",
                                        {"node", "role", "primary"});

// Discovery goes at most this many rounds deep in one cycle (seed, its replicas, their
// primary under another name, ...); what is named later is asked in the next cycle.
constexpr int kMaxRounds = 4;

struct Outcome {
  std::optional<NodeReading> reading;
  std::string error;
};

// One round's reads, shared with the coroutines that do them so that nothing they touch
// lives on the waiting coroutine's frame.
struct Round {
  explicit Round(const asio::any_io_executor& executor, std::size_t size)
      : done(executor), remaining(size), outcomes(size) {}
  AsyncEvent done;
  std::size_t remaining;
  std::vector<Outcome> outcomes;
};

// Reads one server before `deadline` (when it interrupts the read) into `round`. Catches
// everything: it runs detached.
asio::awaitable<void> read_node(RedisNode& node, Clock::time_point deadline, std::shared_ptr<Round> round,
                                std::size_t index) {
  auto& outcome = round->outcomes[index];
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  timer.async_wait([&node](const boost::system::error_code& error) {
    if (!error) node.interrupt();
  });
  try {
    outcome.reading = co_await node.read();
  } catch (const std::exception& e) {
    outcome.error = Clock::now() >= deadline ? std::string("timed out: ") + e.what() : e.what();
  }
  timer.cancel();
  if (--round->remaining == 0) round->done.set();
}

// Owned by the scheduler and run on its io_context thread only: collect() and abort() never
// run concurrently.
class RedisProbe final : public Probe {
 public:
  explicit RedisProbe(RedisTarget target)
      : target_(std::move(target)), topology_(target_.addresses, target_.discover) {}

  [[nodiscard]] std::string kind() const override { return "redis"; }
  [[nodiscard]] std::string target() const override { return target_.name; }
  [[nodiscard]] ProbeSchedule schedule() const override { return target_.schedule; }

  asio::awaitable<SeriesSet> collect() override;

  void failure_series(SeriesSet& out) const override {
    for (const auto& [address, node] : topology_.nodes()) {
      if (node.alias_of.empty()) out.add(kUp, {address}, 0);
    }
  }

  void abort() override {
    for (auto& [address, node] : nodes_) node->interrupt();
  }

 private:
  RedisNode& node(const std::string& address) {
    auto& slot = nodes_[address];
    if (!slot) slot = std::make_unique<RedisNode>(address, target_);
    return *slot;
  }

  asio::awaitable<std::vector<Outcome>> read_round(const std::vector<std::string>& addresses,
                                                   Clock::time_point deadline);
  void record(const std::string& address, Outcome& outcome, Clock::time_point now);
  SeriesSet page(Clock::time_point now);

  RedisTarget target_;
  RedisTopology topology_;
  std::map<std::string, std::unique_ptr<RedisNode>> nodes_;
  std::map<std::string, std::string> failing_;  // address -> error, logged when it starts and ends
  std::map<std::string, QueueState> queues_;    // this cycle's, by key
  std::set<std::string> queues_asked_;          // this cycle's: served by a server that answered
};

asio::awaitable<std::vector<Outcome>> RedisProbe::read_round(const std::vector<std::string>& addresses,
                                                             Clock::time_point deadline) {
  const auto executor = co_await asio::this_coro::executor;
  auto round = std::make_shared<Round>(executor, addresses.size());
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    asio::co_spawn(executor, read_node(node(addresses[i]), deadline, round, i), asio::detached);
  }
  // Every read ends at the deadline (its connection closed); the grace only covers the
  // closing itself.
  if (!co_await round->done.wait_until(deadline + std::chrono::seconds(2))) {
    throw std::runtime_error("reads of " + std::to_string(round->remaining) + " servers did not end");
  }
  co_return std::move(round->outcomes);
}

void RedisProbe::record(const std::string& address, Outcome& outcome, Clock::time_point now) {
  if (!outcome.reading) {
    if (failing_.try_emplace(address, outcome.error).second) {
      log_event(spdlog::level::warn, "redis server failing",
                {{"cluster", target_.name}, {"node", address}, {"error", outcome.error}});
    }
    return;
  }
  auto& reading = *outcome.reading;
  topology_.answered(address, reading.report, now);
  if (failing_.erase(address) > 0) {
    log_event(spdlog::level::info, "redis server answers again", {{"cluster", target_.name}, {"node", address}});
  }
  // Two servers may both claim a key's slot during a failover: the first answer counts.
  for (auto& queue : reading.queues) queues_.try_emplace(queue.key, std::move(queue));
  queues_asked_.insert(reading.queues_asked.begin(), reading.queues_asked.end());
  auto& node = this->node(address);
  node.last_good = std::move(reading.series);
  node.last_success = now;
}

asio::awaitable<SeriesSet> RedisProbe::collect() {
  const auto started = Clock::now();
  // Leaves a fifth of the timeout for the page, and the scheduler's own bound untouched.
  const auto deadline = started + target_.schedule.timeout * 4 / 5;
  topology_.begin_cycle();
  queues_.clear();
  queues_asked_.clear();
  for (int round = 0; round < kMaxRounds && Clock::now() < deadline; ++round) {
    const auto addresses = topology_.next_round();
    if (addresses.empty()) break;
    auto outcomes = co_await read_round(addresses, deadline);
    const auto now = Clock::now();
    for (std::size_t i = 0; i < addresses.size(); ++i) record(addresses[i], outcomes[i], now);
  }
  const auto now = Clock::now();
  topology_.end_cycle(now, target_.schedule.effective_stale_after());
  std::erase_if(nodes_, [&](const auto& entry) {
    const auto it = topology_.nodes().find(entry.first);
    const bool keep = it != topology_.nodes().end() && it->second.alias_of.empty();
    if (!keep) entry.second->interrupt();
    return !keep;
  });
  std::erase_if(failing_, [&](const auto& entry) { return !nodes_.contains(entry.first); });

  bool any_answered = false;
  std::string errors;
  for (const auto& [address, node] : topology_.nodes()) {
    any_answered = any_answered || node.answered;
    if (const auto it = failing_.find(address); it != failing_.end()) {
      errors += (errors.empty() ? "" : "; ") + ("redis " + target_.name + " " + address + ": " + it->second);
    }
  }
  if (!any_answered) throw std::runtime_error(errors);
  co_return page(now);
}

// A server that does not answer is redis_up 0 and keeps its last good series until
// stale_after, as a failing probe does.
SeriesSet RedisProbe::page(Clock::time_point now) {
  SeriesSet out;
  const auto stale_after = target_.schedule.effective_stale_after();
  for (const auto& [address, known] : topology_.nodes()) {
    if (!known.alias_of.empty()) continue;
    if (known.asked) out.add(kUp, {address}, known.answered ? 1 : 0);  // named too late this cycle: next
    out.add(kNodeInfo, {address, known.role, known.primary}, 1);
    const auto it = nodes_.find(address);
    if (it == nodes_.end()) continue;
    const auto& node = *it->second;
    if (node.last_success && (known.answered || now - *node.last_success < stale_after)) {
      out.add_labelled(node.last_good, "node", address);
    }
  }
  std::vector<QueueState> queues;
  for (auto& [key, queue] : queues_) queues.push_back(std::move(queue));
  std::vector<std::string> unread;
  for (const auto& key : target_.queues) {
    if (!queues_asked_.contains(key)) unread.push_back(key);
  }
  write_queue_metrics(queues, unread, out);
  return out;
}

}  // namespace

std::unique_ptr<Probe> make_redis_probe(const RedisTarget& target, const ProbeContext& /*context*/) {
  return std::make_unique<RedisProbe>(target);
}

}  // namespace msgwatch::redis
