#pragma once
// The servers of one Redis target, followed from cycle to cycle: the configured seeds and
// every server they name (a primary its replicas, a replica its primary, a cluster node every
// member). Pure bookkeeping, no I/O: the probe says who answered what, this says whom to ask.
//
// - A server is known by the address it is named with ("host:port"), which is its `node`
//   label. Two addresses that turn out to be one server (the same run_id: a seed given by
//   name that the others name by IP) are probed once, under the address the others use.
// - A server is forgotten once it has been neither named by another server nor heard from
//   for `forget_after` (a replica removed, a cluster node deleted), seeds never.
// - With discovery off only the seeds are probed.

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace msgwatch::redis {

// A server as another server (or itself) describes it.
struct NamedNode {
  std::string address;  // host:port
  std::string role;     // "master", "slave" or empty when not said
  std::string primary;  // a replica's primary (host:port), when said
};

// What one server said this cycle.
struct NodeReport {
  std::string run_id;
  NamedNode self;  // its role and primary; its address is the one it was asked at
  std::vector<NamedNode> named;
};

// "host:port", with brackets around an IPv6 host; nullopt when `text` is not an address
// (no port, port 0, an empty host).
std::optional<std::string> normalize_address(std::string_view text);

class RedisTopology {
 public:
  using Clock = std::chrono::steady_clock;

  // At most this many servers are followed; more are ignored (and said so once).
  static constexpr std::size_t kMaxNodes = 1000;

  struct Node {
    std::string role;     // last said, by itself or another server; empty: unknown yet
    std::string primary;  // of a replica
    bool seed = false;
    bool asked = false;     // this cycle
    bool answered = false;  // this cycle
    std::string alias_of;   // set: the same server as that address, not asked
    std::string run_id;
    std::optional<Clock::time_point> last_answer;
    Clock::time_point last_seen;  // answered or named
  };

  RedisTopology(const std::vector<std::string>& seeds, bool discover);

  void begin_cycle();
  // Servers to ask now: known, not an alias and not asked yet this cycle (marked asked).
  std::vector<std::string> next_round();
  // A server asked that does not answer needs no call: it stays unanswered this cycle.
  void answered(const std::string& address, const NodeReport& report, Clock::time_point now);
  // Resolves aliases among this cycle's answers and forgets what is gone.
  void end_cycle(Clock::time_point now, Clock::duration forget_after);

  [[nodiscard]] const std::map<std::string, Node>& nodes() const { return nodes_; }
  // Servers dropped because of kMaxNodes since the start.
  [[nodiscard]] std::size_t overflow() const { return overflow_; }

 private:
  void name(const NamedNode& named, Clock::time_point now);

  std::map<std::string, Node> nodes_;
  bool discover_;
  std::size_t overflow_ = 0;
};

}  // namespace msgwatch::redis
