#pragma once
// What the daemon changes in its canary topic so that every broker stays the preferred
// leader (first replica) of at least one canary partition as brokers come and go, moving as
// little as possible: one step per round, at most one partition reassigned at a time, no
// step while a reassignment of the topic is under way. Pure: canary_topic_keeper.cpp carries
// the step out. In order of precedence:
//   1. a partition with a replica on a removed broker gets that replica replaced by the
//      broker holding the fewest canary replicas (dropped when every broker already holds one);
//   2. a broker that is the preferred leader of no partition gets partitions added (up to
//      partitions_per_broker × brokers, itself the first replica), or, when the topic has
//      that many, one partition of the broker preferred for the most: a partition it already
//      replicates is only reordered, otherwise the partition's last replica is replaced;
//   3. partitions whose preferred leader is in the cluster and in sync but does not lead get
//      a preferred leader election.
// A broker only missing from the metadata (restarting) is not removed: nothing moves for it.

#include "probes/kafka/canary/canary_topic.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace msgwatch::kafka {

struct CanaryPlanStep {
  enum class Kind { none, add_partitions, reassign, elect_preferred_leaders };
  Kind kind = Kind::none;
  std::vector<std::vector<std::int32_t>> new_partitions;  // add_partitions: each new one's replicas
  std::int32_t partition = -1;                            // reassign
  std::vector<std::int32_t> replicas;                     // reassign: the partition's new replicas
  std::vector<std::int32_t> elect;                        // elect_preferred_leaders: partitions
  std::string reason;                                     // why, for the log
  bool operator==(const CanaryPlanStep&) const = default;
};

struct CanaryPlanInput {
  const CanaryTopicView& view;
  std::set<std::int32_t> removed;  // brokers gone long enough to move their replicas away
  std::int64_t partitions_per_broker = 1;
  bool reassignment_in_progress = false;
};

CanaryPlanStep plan_canary_topic(const CanaryPlanInput& input);

// Broker or partition ids as the log shows them: "1,2,3".
std::string id_list(const std::vector<std::int32_t>& ids);

// When each broker was last in the cluster's metadata, to tell a removed broker (missing for
// `removed_after`) from one restarting. A broker the topic names but the daemon has not seen
// counts from the first time it is named.
class CanaryBrokerSightings {
 public:
  using Clock = std::chrono::steady_clock;
  void update(const CanaryTopicView& view, Clock::time_point now);
  [[nodiscard]] std::set<std::int32_t> removed(Clock::time_point now, std::chrono::milliseconds removed_after) const;

 private:
  std::map<std::int32_t, Clock::time_point> last_seen_;
  std::set<std::int32_t> present_;
};

// A change made shows in the metadata only later (a broker's cache follows the controller's,
// a reassignment ends after its listing does), and more so on a busy cluster: planned again
// from a view that does not show it yet, it would be made twice, the second time failing
// ("already has 4 partitions"). So after each change, planning waits until the view shows
// it, or `settle` has passed.
class CanaryChangeInFlight {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds settle{30};
  // `partitions`: how many the topic had when the step was planned.
  void made(const CanaryPlanStep& step, std::size_t partitions, Clock::time_point now);
  // True while the change made last does not show in `view` and has time left to; then
  // nothing is awaited any more.
  bool awaited(const CanaryTopicView& view, Clock::time_point now);

 private:
  std::optional<CanaryPlanStep> step_;
  std::size_t partitions_ = 0;
  Clock::time_point deadline_;
};

}  // namespace msgwatch::kafka
