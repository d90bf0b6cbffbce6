// The canary's message format and its bookkeeping: what counts as received, lost, failed,
// duplicated and out of order, and against which partition and broker.

#include "probes/kafka/canary/canary_message.hpp"
#include "probes/kafka/canary/canary_thread.hpp"
#include "probes/kafka/canary/canary_tracker.hpp"
#include "probes/kafka/canary/group_latency.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <thread>

namespace msgwatch::kafka {
namespace {

using namespace std::chrono_literals;

TEST(CanaryMessage, RoundTripsAndRefusesEverythingElse) {
  const CanaryMessage message{"0123456789abcdef", 42, 1'796'190'929'280'123};
  const auto text = encode_canary_message(message);
  EXPECT_EQ(text, "msgwatch-canary/1 0123456789abcdef 42 1796190929280123");
  EXPECT_EQ(decode_canary_message(text), message);
  for (const std::string_view bad :
       {"", "msgwatch-canary/1 ", "msgwatch-canary/2 a 1 2", "msgwatch-canary/1 a 1", "msgwatch-canary/1 a 1 2 3",
        "msgwatch-canary/1 a -1 2", "msgwatch-canary/1 a 1 x", "msgwatch-canary/1  1 2",
        "msgwatch-canary/1 a 99999999999999999999 2", "msgwatch-canary/1 a 1 2 ", "hello"}) {
    EXPECT_EQ(decode_canary_message(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(decode_canary_message("msgwatch-canary/1 " + std::string(65, 'a') + " 1 2"), std::nullopt);
  const auto a = new_canary_instance();
  EXPECT_EQ(a.size(), 16u);
  EXPECT_NE(a, new_canary_instance());
}

const CanaryClock::time_point t0 = CanaryClock::time_point(std::chrono::seconds(1'800'000'000));

// A partition's counts; all zero where nothing was counted.
CanaryCounts counts(const CanaryTracker& tracker, std::int32_t partition) {
  const auto it = tracker.partitions().find(partition);
  return it == tracker.partitions().end() ? CanaryCounts{} : it->second;
}

TEST(CanaryTracker, ReceivedLostAndFailedCountAgainstThePartitionAndItsLeaderAtSendTime) {
  CanaryTracker tracker("me", 10s);
  const auto m0 = tracker.send(0, 1, t0);
  const auto m1 = tracker.send(1, 2, t0);
  const auto m2 = tracker.send(2, 2, t0);
  EXPECT_EQ(m0.sequence, 0);
  EXPECT_EQ(m0.instance, "me");
  tracker.delivered(0, m0.sequence, 100);
  tracker.delivered(1, m1.sequence, 7);
  tracker.failed(2, m2.sequence, "_MSG_TIMED_OUT");
  // Partition 0 is read back 250 ms later, after its leadership moved to broker 3.
  tracker.read(0, 100);
  const auto latency = tracker.received(0, 3, m0, t0 + 250ms);
  ASSERT_TRUE(latency.has_value());
  EXPECT_EQ(*latency, 250ms);
  // Partition 1's consumer reads offset 6, then 8: offset 7 no longer holds the message.
  tracker.read(1, 6);
  EXPECT_TRUE(tracker.expire(t0 + 1s).empty());
  EXPECT_EQ(tracker.pending(), 1u);
  tracker.read(1, 8);
  const auto lost = tracker.expire(t0 + 1s);
  ASSERT_EQ(lost.size(), 1u);  // what the warning names
  EXPECT_EQ(lost[0].partition, 1);
  EXPECT_EQ(lost[0].sequence, m1.sequence);
  EXPECT_EQ(lost[0].offset, 7);
  EXPECT_EQ(lost[0].read_to, 9);
  EXPECT_EQ(lost[0].leader, 2);
  EXPECT_EQ(tracker.pending(), 0u);

  const auto& partitions = tracker.partitions();
  EXPECT_EQ(partitions.at(0).sent, 1);
  EXPECT_EQ(partitions.at(0).received, 1);
  EXPECT_EQ(partitions.at(0).last_round_trip, t0 + 250ms);
  EXPECT_EQ(partitions.at(1).lost, 1);
  EXPECT_EQ(partitions.at(1).received, 0);
  EXPECT_EQ(partitions.at(2).failures.at("_MSG_TIMED_OUT"), 1);
  EXPECT_EQ(partitions.at(2).lost, 0);
  const auto& brokers = tracker.brokers();
  EXPECT_EQ(brokers.at(1).received, 1) << "counted against the leader when it was sent";
  EXPECT_EQ(brokers.count(3), 0u);
  EXPECT_EQ(brokers.at(2).sent, 2);
  EXPECT_EQ(brokers.at(2).lost, 1);
  EXPECT_EQ(brokers.at(2).failures.at("_MSG_TIMED_OUT"), 1);

  // Lost stays lost should the message turn up after all; reading it again is a duplicate.
  EXPECT_EQ(tracker.received(1, 2, m1, t0 + 11s), std::nullopt);
  EXPECT_EQ(tracker.partitions().at(1).received, 0);
  EXPECT_EQ(tracker.partitions().at(1).duplicates, 0);
  EXPECT_EQ(tracker.received(1, 2, m1, t0 + 12s), std::nullopt);
  EXPECT_EQ(tracker.partitions().at(1).duplicates, 1);
}

TEST(CanaryTracker, AMessageNotReadBackInTimeIsOverdueNotLostUntilTheConsumerGetsPastIt) {
  CanaryTracker tracker("me", 10s);
  const auto m = tracker.send(0, 1, t0);
  tracker.delivered(0, m.sequence, 40);
  tracker.read(0, 39);
  tracker.expire(t0 + 10s);
  EXPECT_EQ(counts(tracker, 0).overdue, 0);
  // A broker restarts; the consumer waits at offset 40 for a minute.
  tracker.expire(t0 + 70s);
  EXPECT_EQ(counts(tracker, 0).overdue, 1);
  EXPECT_EQ(counts(tracker, 0).lost, 0);
  tracker.read(0, 40);
  EXPECT_TRUE(tracker.received(0, 1, m, t0 + 71s).has_value());
  tracker.expire(t0 + 71s);
  EXPECT_EQ(counts(tracker, 0).overdue, 0);
  EXPECT_EQ(counts(tracker, 0).received, 1);
  EXPECT_EQ(counts(tracker, 0).lost, 0);
}

TEST(CanaryTracker, AMessageNeitherAcknowledgedNorFailedIsGivenUpAfterFiveMinutes) {
  CanaryTracker tracker("me", 5s);
  (void)tracker.send(0, 1, t0);
  tracker.expire(t0 + 4min);
  EXPECT_EQ(tracker.pending(), 1u) << "its delivery report (message.timeout.ms = ack_sla) is still to come";
  tracker.expire(t0 + 5min + 1s);
  EXPECT_EQ(tracker.pending(), 0u);
  EXPECT_EQ(counts(tracker, 0).failures.at("_NO_DELIVERY_REPORT"), 1);
  EXPECT_EQ(counts(tracker, 0).lost, 0);
}

TEST(CanaryTracker, EveryStreamIsCheckedForDuplicatesAndOrder) {
  CanaryTracker tracker("me", 10s);
  const auto from = [](std::int64_t sequence) { return CanaryMessage{"other", sequence, 0}; };
  for (const std::int64_t sequence : {0, 1, 2, 1, 5, 4, 4, 6}) {
    EXPECT_EQ(tracker.received(7, 1, from(sequence), t0), std::nullopt) << "not this instance's";
  }
  EXPECT_EQ(tracker.partitions().at(7).duplicates, 2);    // 1 and the second 4
  EXPECT_EQ(tracker.partitions().at(7).out_of_order, 1);  // the first 4, after 5
  EXPECT_EQ(tracker.brokers().at(1).duplicates, 2);
  // Another sender's sequence 1 on another partition is a stream of its own.
  EXPECT_EQ(tracker.received(8, 1, from(1), t0), std::nullopt);
  EXPECT_EQ(counts(tracker, 8).duplicates, 0);
  EXPECT_EQ(counts(tracker, 8).received, 0);

  // Own messages read out of order count once as out of order, and as received.
  const auto a = tracker.send(3, 1, t0);
  const auto b = tracker.send(3, 1, t0);
  tracker.delivered(3, a.sequence, 11);
  tracker.delivered(3, b.sequence, 10);
  EXPECT_TRUE(tracker.received(3, 1, b, t0 + 1ms));
  EXPECT_TRUE(tracker.received(3, 1, a, t0 + 2ms));
  EXPECT_EQ(tracker.partitions().at(3).out_of_order, 1);
  EXPECT_EQ(tracker.partitions().at(3).received, 2);
  EXPECT_EQ(tracker.received(3, 1, a, t0 + 3ms), std::nullopt);
  EXPECT_EQ(tracker.partitions().at(3).duplicates, 1);
}

TEST(CanaryTracker, OtherSendersAreForgottenAfterAnHourWithoutRecords) {
  CanaryTracker tracker("me", 10s);
  EXPECT_EQ(tracker.received(0, 1, CanaryMessage{"gone", 5, 0}, t0), std::nullopt);
  tracker.expire(t0 + std::chrono::hours(2));
  // Its sequence 5 again is new: the stream starts over.
  EXPECT_EQ(tracker.received(0, 1, CanaryMessage{"gone", 5, 0}, t0 + std::chrono::hours(2)), std::nullopt);
  EXPECT_EQ(counts(tracker, 0).duplicates, 0);
}

// The canary threads' loop: a round every interval, `between` all the time (bounded waits),
// the tracker's expiry at most once a second, and an exception in any does not end it.
TEST(CanaryLoop, RoundsEveryIntervalExpiryOnceASecondAndExceptionsDoNotEndIt) {
  std::atomic<bool> stopping{false};
  std::atomic<int> rounds{0};
  std::atomic<int> betweens{0};
  std::atomic<int> seconds{0};
  std::thread loop([&] {
    run_canary_loop(
        stopping, 1s,
        [&] {
          if (++rounds == 1) throw std::runtime_error("the first round fails");
        },
        [&](std::chrono::milliseconds wait) {
          ++betweens;
          std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(wait, 10ms));
        },
        [&] { ++seconds; }, "test", "canary loop test");
  });
  std::this_thread::sleep_for(2500ms);
  stopping = true;
  loop.join();
  EXPECT_GE(rounds, 2) << "the loop went on after the first round threw";
  EXPECT_LE(rounds, 4);
  EXPECT_GE(betweens, 20);
  EXPECT_GE(seconds, 2);
  EXPECT_LE(seconds, 4) << "not on every turn of the loop";
}

TEST(GroupLatency, TheNewestCanaryAGroupPassedGivesItsLatencyAndTheOldestNotPassedHowLongItWaits) {
  GroupLatency latency;
  latency.landed("orders", 0, 100, t0);
  latency.landed("orders", 0, 250, t0 + 60s);
  latency.landed("orders", 1, 40, t0 + 1s);
  // Read at t0 + 10 s: the group is at 101 on partition 0 (past the first canary message),
  // at 40 on partition 1 (not past it yet).
  latency.committed("billing", "orders", 0, 101, t0 + 10s);
  latency.committed("billing", "orders", 1, 40, t0 + 10s);
  auto figures = latency.figures(t0 + 70s);
  const GroupLatency::Key p0{"billing", "orders", 0};
  const GroupLatency::Key p1{"billing", "orders", 1};
  EXPECT_EQ(figures.at(p0).latency_seconds, 10.0);
  EXPECT_EQ(figures.at(p0).waiting_seconds, 10.0) << "the second message, sent at t0 + 60 s";
  EXPECT_EQ(figures.at(p1).latency_seconds, std::nullopt);
  EXPECT_EQ(figures.at(p1).waiting_seconds, 69.0);
  // Later the group passes both on partition 0: the newest one's latency counts.
  latency.committed("billing", "orders", 0, 300, t0 + 63s);
  figures = latency.figures(t0 + 70s);
  EXPECT_EQ(figures.at(p0).latency_seconds, 3.0);
  EXPECT_EQ(figures.at(p0).waiting_seconds, 0.0);
  // Reading the same committed offset again changes nothing.
  latency.committed("billing", "orders", 0, 300, t0 + 90s);
  EXPECT_EQ(latency.figures(t0 + 90s).at(p0).latency_seconds, 3.0);
  // Another group is its own.
  latency.committed("audit", "orders", 0, 50, t0 + 90s);
  EXPECT_EQ(latency.figures(t0 + 90s).at(GroupLatency::Key{"audit", "orders", 0}).waiting_seconds, 90.0);
}

}  // namespace
}  // namespace msgwatch::kafka
