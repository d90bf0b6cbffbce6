#include "probes/kafka/lag/consumer_status.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace msgwatch::kafka {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

std::chrono::steady_clock::time_point at(std::int64_t secs) {
  return std::chrono::steady_clock::time_point{} + seconds(secs);
}

// One observation per 30 s cycle.
ConsumerObservation cycle(std::int64_t n, std::int64_t committed, std::int64_t high_watermark, bool members = true,
                          std::optional<std::int64_t> last_stable_offset = std::nullopt) {
  return {committed, high_watermark, last_stable_offset, at(30 * n), members};
}

// Feeds one observation per cycle and returns the status after each.
template <typename Observe>
std::vector<ConsumerStatus> run(PartitionStatusWindow& window, std::int64_t cycles, Observe observation) {
  std::vector<ConsumerStatus> statuses;
  for (std::int64_t n = 0; n < cycles; ++n) {
    window.observe(observation(n));
    statuses.push_back(window.status());
  }
  return statuses;
}

std::vector<ConsumerStatus> repeat(ConsumerStatus status, std::size_t count) { return std::vector(count, status); }

std::vector<ConsumerStatus> concat(std::vector<ConsumerStatus> a, const std::vector<ConsumerStatus>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

constexpr auto ok = ConsumerStatus::ok;
constexpr auto warn = ConsumerStatus::warn;
constexpr auto stall = ConsumerStatus::stall;
constexpr auto stop = ConsumerStatus::stop;
constexpr auto rewind = ConsumerStatus::rewind;

TEST(ConsumerStatus, GaugeValuesAndNames) {
  EXPECT_EQ(to_int(ok), 0);
  EXPECT_EQ(to_int(warn), 1);
  EXPECT_EQ(to_int(stall), 2);
  EXPECT_EQ(to_int(stop), 3);
  EXPECT_EQ(to_int(rewind), 4);
  EXPECT_EQ(to_string(ok), "OK");
  EXPECT_EQ(to_string(warn), "WARN");
  EXPECT_EQ(to_string(stall), "STALL");
  EXPECT_EQ(to_string(stop), "STOP");
  EXPECT_EQ(to_string(rewind), "REWIND");
  EXPECT_EQ(to_int(ConsumerStatus::blocked), 5);
  EXPECT_EQ(to_string(ConsumerStatus::blocked), "BLOCKED");
}

TEST(ConsumerStatus, CaughtUpConsumerIsOk) {
  PartitionStatusWindow window;
  EXPECT_EQ(run(window, 30, [](auto n) { return cycle(n, 100 * n, 100 * n); }), repeat(ok, 30));
  EXPECT_EQ(window.lag(), 0);
}

TEST(ConsumerStatus, SteadyConsumerAtAConstantLagIsOk) {
  // Burrow would warn on a level lag; a consumer keeping pace is not falling behind.
  PartitionStatusWindow window;
  EXPECT_EQ(run(window, 30, [](auto n) { return cycle(n, 100 * n, 100 * n + 500); }), repeat(ok, 30));
  EXPECT_EQ(window.lag(), 500);
}

TEST(ConsumerStatus, RisingLagWarnsOnceTheWindowIsFull) {
  // Consumes 50 a cycle while 100 arrive: lag 100, 150, 200, ...
  PartitionStatusWindow window;
  EXPECT_EQ(run(window, 15, [](auto n) { return cycle(n, 50 * n, 100 * n + 100); }),
            concat(repeat(ok, 9), repeat(warn, 6)));
}

TEST(ConsumerStatus, FallingLagIsOk) {
  // Consumes 150 a cycle while 100 arrive: lag 2000, 1950, ...
  PartitionStatusWindow window;
  EXPECT_EQ(run(window, 15, [](auto n) { return cycle(n, 150 * n, 100 * n + 2000); }), repeat(ok, 15));
}

TEST(ConsumerStatus, OneDipDoesNotHideARisingLag) {
  PartitionStatusWindow window;
  const auto statuses = run(window, 15, [](auto n) {
    const std::int64_t dip = n >= 12 ? 200 : 0;  // catches up by 200 once, at cycle 12
    return cycle(n, 50 * n + dip, 100 * n + 100);
  });
  // Lags 100, 150, ..., 650, then 500, 550, 600. At cycle 12 the newer half of the window
  // (500-650) is still above the older half (250-450): the trend holds. From cycle 13 the
  // halves overlap (older up to 500, newer down to 500): no longer clearly falling behind.
  EXPECT_EQ(statuses, concat(concat(repeat(ok, 9), repeat(warn, 4)), repeat(ok, 2)));
}

TEST(ConsumerStatus, LagJitteringByAMessageOrTwoIsOk) {
  // A healthy consumer a message or two behind, committing as it goes: lags 1,1,1,1,2 in a
  // window of 5 rose from start to end, but not from one half to the other.
  PartitionStatusWindow window({.window = 5, .commit_window = minutes(5)});
  const std::int64_t lags[] = {1, 1, 1, 1, 2, 1, 2, 2, 1, 2, 2, 2, 3, 2, 2, 1, 2, 3, 2, 3};
  EXPECT_EQ(run(window, 20, [&](auto n) { return cycle(n, 100 * n, 100 * n + lags[n]); }), repeat(ok, 20));

  // 100 cycles of a lag between 1 and 3 (never 0), in a fixed pseudo-random order.
  PartitionStatusWindow long_run;
  std::uint32_t state = 12345;
  const auto statuses = run(long_run, 100, [&](auto n) {
    state = state * 1103515245U + 12345U;
    return cycle(n, 100 * n, 100 * n + 1 + static_cast<std::int64_t>((state >> 16) % 3));
  });
  EXPECT_EQ(statuses, repeat(ok, 100));
}

TEST(ConsumerStatus, WarnNeedsAConsumerThatIsStillConsuming) {
  // A committer without members falls behind (WARN, rightly), then stops committing: the lag
  // keeps rising, but nobody is consuming to fall behind. OK until the commit window says
  // STOP, never WARN.
  PartitionStatusWindow window({.window = 10, .commit_window = minutes(5)});
  const auto statuses =
      run(window, 24, [](auto n) { return cycle(n, 50 * std::min<std::int64_t>(n, 11), 100 * n + 100, false); });
  // Cycle 11 (t = 330 s) is the last commit; STOP once t - 330 s > 300 s, at cycle 22.
  EXPECT_EQ(statuses, concat(concat(concat(repeat(ok, 9), repeat(warn, 3)), repeat(ok, 10)), repeat(stop, 2)));
}

TEST(ConsumerStatus, ZeroLagAnywhereInTheWindowIsOk) {
  // Caught up at cycle 0, then falling behind: OK until cycle 0 leaves the window.
  PartitionStatusWindow window;
  EXPECT_EQ(run(window, 12, [](auto n) { return cycle(n, 50 * n, 100 * n); }), concat(repeat(ok, 10), repeat(warn, 2)));
}

TEST(ConsumerStatus, StalledConsumerWithMembers) {
  // Members are there, the offset stays at 500 while messages arrive.
  PartitionStatusWindow window;
  EXPECT_EQ(run(window, 12, [](auto n) { return cycle(n, 500, 600 + 100 * n); }),
            concat(repeat(ok, 9), repeat(stall, 3)));
}

TEST(ConsumerStatus, StalledConsumerOnAQuietTopic) {
  PartitionStatusWindow window;
  EXPECT_EQ(run(window, 12, [](auto n) { return cycle(n, 500, 600); }), concat(repeat(ok, 9), repeat(stall, 3)));
}

TEST(ConsumerStatus, StallNeedsMembersThroughoutTheWindow) {
  // A consumer that joined at cycle 5 gets a full window before it is called stuck.
  PartitionStatusWindow window;
  EXPECT_EQ(run(window, 16, [](auto n) { return cycle(n, 500, 600, n >= 5); }),
            concat(repeat(ok, 14), repeat(stall, 2)));
}

TEST(ConsumerStatus, StoppedConsumerAfterTheCommitWindowNotBefore) {
  // No members, the offset unchanged since cycle 0 (t = 0), messages waiting. The commit
  // window is 5 minutes: t = 300 s is not beyond it, t = 330 s is.
  PartitionStatusWindow window({.window = 10, .commit_window = minutes(5)});
  const auto statuses = run(window, 14, [](auto n) { return cycle(n, 500, 600 + 10 * n, false); });
  EXPECT_EQ(statuses, concat(repeat(ok, 11), repeat(stop, 3)));
}

TEST(ConsumerStatus, StopIsMeasuredFromTheLastMoveOfTheOffset) {
  PartitionStatusWindow window({.window = 10, .commit_window = minutes(5)});
  // Moves until cycle 4 (t = 120 s), then no more: stop once t > 420 s, at cycle 15.
  const auto statuses =
      run(window, 17, [](auto n) { return cycle(n, 100 * std::min<std::int64_t>(n, 4), 2000, false); });
  EXPECT_EQ(statuses, concat(repeat(ok, 15), repeat(stop, 2)));
}

TEST(ConsumerStatus, StoppedButCaughtUpIsOk) {
  PartitionStatusWindow window;
  EXPECT_EQ(run(window, 40, [](auto n) { return cycle(n, 500, 500, false); }), repeat(ok, 40));
}

TEST(ConsumerStatus, MembersLeavingALagBehindIsAStopAtTheNextCycle) {
  // Members consume until cycle 5 and leave without a last commit while messages arrive.
  PartitionStatusWindow window({.window = 10, .commit_window = minutes(5)});
  const auto statuses = run(window, 20, [](auto n) {
    const bool members = n < 5;
    return cycle(n, 100 * std::min<std::int64_t>(n, 4), 100 * n + 50, members);
  });
  EXPECT_EQ(statuses, concat(repeat(ok, 5), repeat(stop, 15)));
}

TEST(ConsumerStatus, ALastCommitOnLeavingDelaysTheStopByOneCycle) {
  PartitionStatusWindow window({.window = 10, .commit_window = minutes(5)});
  const auto statuses = run(window, 8, [](auto n) {
    const bool members = n < 4;
    // The consumers' closing commit lands between cycles 3 and 4.
    return cycle(n, 100 * std::min<std::int64_t>(n, 4), 100 * n + 50, members);
  });
  EXPECT_EQ(statuses, concat(repeat(ok, 5), repeat(stop, 3)));
}

TEST(ConsumerStatus, ConsumersLeavingWhileFallingBehindAreNeverAWarnAfterwards) {
  // Falling behind (WARN), then the members leave with a last commit between cycles 14 and
  // 15: that commit is not consuming. OK for the cycle that sees it, then STOP.
  PartitionStatusWindow window({.window = 10, .commit_window = minutes(5)});
  const auto statuses = run(window, 20, [](auto n) {
    const bool members = n < 15;
    return cycle(n, 50 * std::min<std::int64_t>(n, 15), 100 * n + 100, members);
  });
  EXPECT_EQ(statuses, concat(concat(concat(repeat(ok, 9), repeat(warn, 6)), repeat(ok, 1)), repeat(stop, 4)));
}

TEST(ConsumerStatus, MessagesArrivingAfterTheConsumersLeftAreAStop) {
  PartitionStatusWindow window({.window = 10, .commit_window = minutes(5)});
  const auto statuses = run(window, 8, [](auto n) {
    // Caught up when the members leave at cycle 3; new messages from cycle 5 on.
    return cycle(n, 300, n < 5 ? 300 : 300 + 10 * n, n < 3);
  });
  EXPECT_EQ(statuses, concat(repeat(ok, 5), repeat(stop, 3)));
}

TEST(ConsumerStatus, ACommitterWithoutMembersPausingWithinTheCommitWindowIsNotAStop) {
  // Commits every 4 cycles (2 minutes), never joins: never STOP, never WARN.
  PartitionStatusWindow window({.window = 10, .commit_window = minutes(5)});
  const auto statuses = run(window, 40, [](auto n) { return cycle(n, 100 * (n / 4) * 4, 100 * n + 300, false); });
  EXPECT_EQ(statuses, repeat(ok, 40));
}

TEST(ConsumerStatus, CommitsWithoutMembersAreNotAStop) {
  // Flink and Spark commit offsets without joining the group.
  PartitionStatusWindow window;
  EXPECT_EQ(run(window, 40, [](auto n) { return cycle(n, 100 * n, 100 * n + 300, false); }), repeat(ok, 40));
}

TEST(ConsumerStatus, RewindIsReportedAtOnceAndForTheWindow) {
  PartitionStatusWindow window;
  const auto statuses = run(window, 14, [](auto n) {
    const std::int64_t committed = n < 2 ? 1000 + n : 400 + n;  // reset to an earlier offset at cycle 2
    return cycle(n, committed, 1001 + n);
  });
  // From cycle 2 until the observation of cycle 1 leaves the window of 10 (at cycle 11).
  EXPECT_EQ(statuses, concat(concat(repeat(ok, 2), repeat(rewind, 9)), repeat(ok, 3)));
}

TEST(ConsumerStatus, RewindNeedsOnlyTwoObservations) {
  PartitionStatusWindow window;
  window.observe(cycle(0, 1000, 1000));
  EXPECT_EQ(window.status(), ok);
  window.observe(cycle(1, 0, 1000));
  EXPECT_EQ(window.status(), rewind);
}

TEST(ConsumerStatus, ReadCommittedConsumerAtTheLastStableOffsetIsOk) {
  // The consumer stands at the last stable offset; past it there is only a transaction
  // marker (or an open transaction still writing). Against the LSO its lag is 0.
  PartitionStatusWindow read_committed;
  EXPECT_EQ(run(read_committed, 20, [](auto n) { return cycle(n, 1000, 1001, true, 1000); }), repeat(ok, 20));
  EXPECT_EQ(read_committed.lag(), 0);

  PartitionStatusWindow open_transaction;
  EXPECT_EQ(run(open_transaction, 20, [](auto n) { return cycle(n, 1000, 1001 + 10 * n, true, 1000); }),
            repeat(ok, 20));

  // Judged against the high watermark, the same consumer would look stuck.
  PartitionStatusWindow against_watermark;
  EXPECT_EQ(run(against_watermark, 12, [](auto n) { return cycle(n, 1000, 1001); }),
            concat(repeat(ok, 9), repeat(stall, 3)));
  EXPECT_EQ(against_watermark.lag(), 1);
}

TEST(ConsumerStatus, ReadCommittedConsumerInFrontOfTheLastCommitMarkerIsOk) {
  // No transaction open (LSO = watermark = 1001) and the group committed 1000, the offset of
  // the commit marker: lag 1 is the marker, not a message.
  PartitionStatusWindow at_marker;
  EXPECT_EQ(run(at_marker, 20, [](auto n) { return cycle(n, 1000, 1001, true, 1001); }), repeat(ok, 20));
  EXPECT_EQ(at_marker.lag(), 0);
  // Two messages behind is a real lag.
  PartitionStatusWindow behind;
  EXPECT_EQ(run(behind, 12, [](auto n) { return cycle(n, 999, 1001, true, 1001); }),
            concat(repeat(ok, 9), repeat(stall, 3)));
}

TEST(ConsumerStatus, ReadCommittedConsumerBehindTheLastStableOffsetIsJudged) {
  PartitionStatusWindow window;
  EXPECT_EQ(run(window, 12, [](auto n) { return cycle(n, 900, 1001, true, 1000); }),
            concat(repeat(ok, 9), repeat(stall, 3)));
  EXPECT_EQ(window.lag(), 100);
}

TEST(ConsumerStatus, ReadCommittedConsumerAtAFrozenLastStableOffsetIsBlocked) {
  // At the LSO (1000) with an open transaction beyond it (watermark 1050). Frozen from
  // cycle 3 on, as the caller judges it; the transaction ends at cycle 6 (LSO = watermark).
  PartitionStatusWindow window;
  const auto statuses = run(window, 8, [](auto n) {
    ConsumerObservation o = cycle(n, 1000, n < 6 ? 1050 : 1051, true, n < 6 ? 1000 : 1051);
    o.stable_offset_frozen = n >= 3 && n < 6;
    return o;
  });
  EXPECT_EQ(statuses, concat(concat(repeat(ok, 3), repeat(ConsumerStatus::blocked, 3)), repeat(ok, 2)));

  // Not at the LSO: judged by the usual rules, the frozen offset is not its problem yet.
  PartitionStatusWindow behind;
  ConsumerObservation o = cycle(0, 900, 1050, true, 1000);
  o.stable_offset_frozen = true;
  behind.observe(o);
  EXPECT_EQ(behind.status(), ok);
  // A read_uncommitted consumer (no LSO passed) is never blocked.
  PartitionStatusWindow uncommitted;
  ConsumerObservation u = cycle(0, 1050, 1050);
  u.stable_offset_frozen = true;
  uncommitted.observe(u);
  EXPECT_EQ(uncommitted.status(), ok);
}

TEST(ConsumerStatus, StaleObservationsAreIgnored) {
  PartitionStatusWindow window;
  EXPECT_EQ(window.observe(cycle(2, 100, 100)), 0);
  EXPECT_EQ(window.observe(cycle(1, 0, 100)), 0);  // older: would have been a rewind
  EXPECT_EQ(window.observe(cycle(2, 50, 100)), 0);
  EXPECT_EQ(window.size(), 1u);
  EXPECT_EQ(window.status(), ok);
}

TEST(ConsumerStatus, WindowHasAFloorOfTwo) {
  PartitionStatusWindow window({.window = 0, .commit_window = minutes(5)});
  EXPECT_EQ(run(window, 4, [](auto n) { return cycle(n, 500, 600); }), concat(repeat(ok, 1), repeat(stall, 3)));
  EXPECT_EQ(window.size(), 2u);
}

TEST(ConsumerStatusTracker, EachPartitionHasItsOwnWindow) {
  ConsumerStatusTracker tracker;
  for (std::int64_t n = 0; n < 10; ++n) {
    tracker.observe({"billing", "orders", 0}, cycle(n, 100 * n, 100 * n));       // ok
    tracker.observe({"billing", "orders", 1}, cycle(n, 50 * n, 100 * n + 100));  // warn
    tracker.observe({"billing", "payments", 0}, cycle(n, 500, 600));             // stall
    tracker.observe({"audit", "orders", 0}, cycle(n, 100 * n, 100 * n));         // ok
  }
  EXPECT_EQ(tracker.partition_status({"billing", "orders", 0}), ok);
  EXPECT_EQ(tracker.partition_status({"billing", "orders", 1}), warn);
  EXPECT_EQ(tracker.partition_status({"billing", "orders", 2}), std::nullopt);
  EXPECT_EQ(tracker.partition_status({"billing", "payments", 0}), stall);
  EXPECT_EQ(tracker.partition_status({"audit", "orders", 0}), ok);
}

TEST(ConsumerStatusTracker, CountsForwardMovesOfCommittedOffsetsPerGroupAndTopic) {
  ConsumerStatusTracker tracker;
  const std::vector<std::int64_t> partition0 = {1000, 1100, 1150, 950, 980};  // rewind of 200 not counted
  const std::vector<std::int64_t> partition1 = {7, 7, 17, 17, 20};
  for (std::size_t n = 0; n < partition0.size(); ++n) {
    const auto i = static_cast<std::int64_t>(n);
    tracker.observe({"billing", "orders", 0}, cycle(i, partition0[n], 2000));
    tracker.observe({"billing", "orders", 1}, cycle(i, partition1[n], 2000));
    tracker.observe({"billing", "payments", 0}, cycle(i, 5, 5));
  }
  using Counters = std::map<ConsumerStatusTracker::GroupTopic, std::uint64_t>;
  EXPECT_EQ(tracker.committed_messages(),
            (Counters{{{"billing", "orders"}, 100 + 50 + 30 + 10 + 3}, {{"billing", "payments"}, 0}}));
}

TEST(ConsumerStatusTracker, ForgetsPartitionsAndGroupsThatDisappeared) {
  ConsumerStatusTracker tracker;
  for (std::int64_t n = 0; n < 2; ++n) {
    tracker.observe({"billing", "orders", 0}, cycle(n, 100 * n, 100 * n));
    tracker.observe({"billing", "orders", 1}, cycle(n, 10 * n, 100 * n));
    tracker.observe({"billing", "deleted", 0}, cycle(n, 10 * n, 100 * n));
    tracker.observe({"audit", "orders", 0}, cycle(n, 100 * n, 100 * n));
  }
  // Cycle 2 sees partition 1 of orders and the topic "deleted" no more.
  tracker.observe({"billing", "orders", 0}, cycle(2, 200, 200));
  tracker.observe({"audit", "orders", 0}, cycle(2, 200, 200));
  EXPECT_EQ(tracker.forget_unobserved_since(at(60), [](const auto&) { return false; }), 2u);

  EXPECT_EQ(tracker.partitions().size(), 2u);
  EXPECT_EQ(tracker.partition_status({"billing", "orders", 1}), std::nullopt);
  EXPECT_EQ(tracker.partition_status({"billing", "deleted", 0}), std::nullopt);
  // The counter of a pair lives as long as one of its partitions: its value stays.
  using Counters = std::map<ConsumerStatusTracker::GroupTopic, std::uint64_t>;
  EXPECT_EQ(tracker.committed_messages(), (Counters{{{"audit", "orders"}, 200}, {{"billing", "orders"}, 210}}));

  // A partition that comes back starts a new window.
  tracker.observe({"billing", "orders", 1}, cycle(3, 500, 600));
  EXPECT_EQ(tracker.partitions().at({"billing", "orders", 1}).size(), 1u);
}

// A group the cycle could not read (its coordinator did not answer) keeps its windows and
// its counter: a transient error must not reset a consumer's status.
TEST(ConsumerStatusTracker, KeepsWhatTheCycleCouldNotSee) {
  ConsumerStatusTracker tracker;
  for (std::int64_t n = 0; n < 10; ++n) {
    tracker.observe({"billing", "orders", 0}, cycle(n, 500, 600));  // stall after a full window
    tracker.observe({"audit", "orders", 0}, cycle(n, 100 * n, 100 * n));
  }
  ASSERT_EQ(tracker.partition_status({"billing", "orders", 0}), stall);
  tracker.observe({"audit", "orders", 0}, cycle(10, 1000, 1000));
  const auto unknown = [](const GroupTopicPartition& key) { return key.group == "billing"; };
  EXPECT_EQ(tracker.forget_unobserved_since(at(10 * 30), unknown), 0u);
  EXPECT_EQ(tracker.partition_status({"billing", "orders", 0}), stall);
  EXPECT_EQ(tracker.partitions().at({"billing", "orders", 0}).size(), 10u);
}

}  // namespace
}  // namespace msgwatch::kafka
