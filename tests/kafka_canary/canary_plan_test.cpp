// The canary topic's planner: every broker the preferred leader of a canary partition,
// one step at a time, moving as little as possible, and nothing for a broker that is only
// restarting.

#include "probes/kafka/canary/canary_plan.hpp"

#include <gtest/gtest.h>

namespace msgwatch::kafka {
namespace {

using namespace std::chrono_literals;
using Kind = CanaryPlanStep::Kind;
using Replicas = std::vector<std::int32_t>;

// A topic whose partitions have these replicas, led by their first, all in sync, on a
// cluster of `brokers`.
CanaryTopicView topic(const std::vector<Replicas>& partitions, Replicas brokers) {
  CanaryTopicView view;
  view.brokers = std::move(brokers);
  for (std::size_t i = 0; i < partitions.size(); ++i) {
    const auto partition = static_cast<std::int32_t>(i);
    view.replicas[partition] = {partitions[i], partitions[i]};
    view.leaders[partition] = partitions[i].front();
  }
  return view;
}

CanaryPlanStep plan(const CanaryTopicView& view, std::set<std::int32_t> removed = {}, std::int64_t per_broker = 1,
                    bool reassigning = false) {
  return plan_canary_topic({view, std::move(removed), per_broker, reassigning});
}

TEST(CanaryPlan, ABalancedTopicLedByItsPreferredLeadersNeedsNothing) {
  EXPECT_EQ(plan(topic({{0, 1, 2}, {1, 2, 0}, {2, 0, 1}}, {0, 1, 2})).kind, Kind::none);
  EXPECT_EQ(plan(CanaryTopicView{}).kind, Kind::none);  // no topic yet: it is created, not planned
}

TEST(CanaryPlan, AnAddedBrokerGetsAPartitionOfItsOwnWithFollowersOnTheLeastLoadedBrokers) {
  const auto step = plan(topic({{0, 1, 2}, {1, 2, 0}, {2, 0, 1}}, {0, 1, 2, 3}));
  ASSERT_EQ(step.kind, Kind::add_partitions);
  EXPECT_EQ(step.new_partitions, (std::vector<Replicas>{{3, 0, 1}}));
  EXPECT_NE(step.reason.find("broker(s) 3"), std::string::npos) << step.reason;
}

TEST(CanaryPlan, PartitionsPerBrokerAddsThatManyAndSpreadsTheRestOverTheLeastPreferred) {
  const auto step = plan(topic({{0, 1}, {1, 0}, {0, 1}, {1, 0}}, {0, 1, 2}), {}, 2);
  ASSERT_EQ(step.kind, Kind::add_partitions);
  // 2 per broker on 3 brokers: 6 partitions, the new ones led by broker 2.
  EXPECT_EQ(step.new_partitions, (std::vector<Replicas>{{2, 0}, {2, 1}}));
}

TEST(CanaryPlan, WithEnoughPartitionsAnIdleBrokerTakesOneFromTheBrokerPreferredForTheMost) {
  // Broker 3 came back after its partition was moved away: broker 0 is preferred for two.
  const auto reordered = plan(topic({{0, 1, 2}, {1, 2, 0}, {2, 0, 1}, {0, 3, 1}}, {0, 1, 2, 3}));
  ASSERT_EQ(reordered.kind, Kind::reassign);
  EXPECT_EQ(reordered.partition, 3);  // it already holds a replica of this one: no data moves
  EXPECT_EQ(reordered.replicas, (Replicas{3, 0, 1}));

  const auto moved = plan(topic({{0, 1, 2}, {1, 2, 0}, {2, 0, 1}, {0, 2, 1}}, {0, 1, 2, 3}));
  ASSERT_EQ(moved.kind, Kind::reassign);
  EXPECT_EQ(moved.partition, 0);
  EXPECT_EQ(moved.replicas, (Replicas{3, 0, 1}));  // one new replica, the last one dropped
}

TEST(CanaryPlan, ReplicasOnARemovedBrokerMoveToTheLeastLoadedBrokerInTheirPlace) {
  const auto view = topic({{0, 1, 2}, {1, 2, 3}, {2, 3, 0}, {3, 0, 1}}, {0, 1, 3, 4});
  const auto step = plan(view, {2});
  ASSERT_EQ(step.kind, Kind::reassign);
  EXPECT_EQ(step.partition, 0);
  EXPECT_EQ(step.replicas, (Replicas{0, 1, 4}));
  EXPECT_NE(step.reason.find("removed broker(s) 2"), std::string::npos) << step.reason;

  // Once partition 0 is done, the next one; a removed preferred leader is replaced in place.
  auto after = view;
  after.replicas[0] = {{0, 1, 4}, {0, 1, 4}};
  const auto next = plan(after, {2});
  ASSERT_EQ(next.kind, Kind::reassign);
  EXPECT_EQ(next.partition, 1);
  EXPECT_EQ(next.replicas, (Replicas{1, 4, 3}));
  after.replicas[1] = {{1, 4, 3}, {1, 4, 3}};
  EXPECT_EQ(plan(after, {2}).replicas, (Replicas{4, 3, 0}));
}

TEST(CanaryPlan, ARemovedReplicaWithNoBrokerToTakeItsPlaceIsDropped) {
  const auto step = plan(topic({{0, 1, 2}, {1, 2, 0}, {2, 0, 1}}, {0, 1}), {2});
  ASSERT_EQ(step.kind, Kind::reassign);
  EXPECT_EQ(step.partition, 0);
  EXPECT_EQ(step.replicas, (Replicas{0, 1}));
}

TEST(CanaryPlan, ABrokerThatIsOnlyRestartingMovesNothing) {
  auto view = topic({{0, 1, 2}, {1, 2, 0}, {2, 0, 1}}, {0, 1});
  view.leaders[2] = 0;
  view.replicas[2].in_sync = {0, 1};
  view.replicas[0].in_sync = {0, 1};
  view.replicas[1].in_sync = {1, 0};
  EXPECT_EQ(plan(view).kind, Kind::none);
}

TEST(CanaryPlan, APreferredLeaderBackInSyncIsElected) {
  auto view = topic({{0, 1, 2}, {1, 2, 0}, {2, 0, 1}}, {0, 1, 2});
  view.leaders[1] = 2;
  view.leaders[2] = 0;
  view.replicas[2].in_sync = {0, 1};  // broker 2 back, not caught up on partition 2 yet
  const auto step = plan(view);
  ASSERT_EQ(step.kind, Kind::elect_preferred_leaders);
  EXPECT_EQ(step.elect, (Replicas{1}));
}

TEST(CanaryPlan, NothingWhileAReassignmentIsUnderWay) {
  EXPECT_EQ(plan(topic({{0, 1, 2}, {1, 2, 0}, {2, 0, 1}}, {0, 1, 2, 3}), {}, 1, true).kind, Kind::none);
}

TEST(CanaryPlan, NoPartitionIsAddedWhenTheBrokersCannotHoldItsReplicas) {
  // Replication factor 3 with two brokers in the metadata (one restarting, one new).
  EXPECT_EQ(plan(topic({{0, 1, 2}, {1, 2, 0}, {2, 0, 1}}, {0, 3})).kind, Kind::none);
}

TEST(CanaryBrokerSightings, ABrokerMissingForTheGivenTimeIsRemovedAndOneSeenAgainIsNot) {
  const CanaryBrokerSightings::Clock::time_point t0{std::chrono::hours(1)};
  CanaryBrokerSightings sightings;
  sightings.update(topic({{0, 1}, {1, 2}}, {0, 1, 2}), t0);
  sightings.update(topic({{0, 1}, {1, 2}}, {0, 1}), t0 + 10s);
  EXPECT_TRUE(sightings.removed(t0 + 10s, 30s).empty());
  EXPECT_EQ(sightings.removed(t0 + 40s, 30s), (std::set<std::int32_t>{2}));
  sightings.update(topic({{0, 1}, {1, 2}}, {0, 1, 2}), t0 + 50s);
  EXPECT_TRUE(sightings.removed(t0 + 50s, 30s).empty());
  // Named by the topic but never in the metadata since the start: counted from the first naming.
  CanaryBrokerSightings fresh;
  fresh.update(topic({{0, 5}}, {0}), t0);
  EXPECT_TRUE(fresh.removed(t0 + 29s, 30s).empty());
  EXPECT_EQ(fresh.removed(t0 + 30s, 30s), (std::set<std::int32_t>{5}));
}

// Each change made is awaited until the view shows it: planned from the view read before it
// showed, it was made again (a fourth partition added twice, the second time refused; a
// reassignment sent twice), as a busy cluster showed.
TEST(CanaryChangeInFlight, AChangeIsAwaitedUntilTheViewShowsItOrItsTimeRunsOut) {
  const CanaryChangeInFlight::Clock::time_point t0{std::chrono::hours(1)};
  const auto before = topic({{0, 1, 2}, {1, 2, 0}, {2, 0, 1}}, {0, 1, 2, 3});
  CanaryChangeInFlight in_flight;
  EXPECT_FALSE(in_flight.awaited(before, t0)) << "nothing made yet";

  const auto add = plan(before);
  ASSERT_EQ(add.kind, Kind::add_partitions);
  in_flight.made(add, before.replicas.size(), t0);
  EXPECT_TRUE(in_flight.awaited(before, t0 + 1s)) << "the view still has 3 partitions";
  EXPECT_EQ(plan(before), add) << "what planning would do again without the wait";
  const auto added = topic({{0, 1, 2}, {1, 2, 0}, {2, 0, 1}, {3, 0, 1}}, {0, 1, 2, 3});
  EXPECT_FALSE(in_flight.awaited(added, t0 + 2s));
  EXPECT_FALSE(in_flight.awaited(before, t0 + 3s)) << "once shown, nothing is awaited any more";

  const auto on_removed = topic({{0, 1, 2}, {1, 2, 0}, {2, 0, 3}}, {0, 1, 2});
  const auto reassign = plan(on_removed, {3});
  ASSERT_EQ(reassign.kind, Kind::reassign);
  in_flight.made(reassign, on_removed.replicas.size(), t0 + 10s);
  EXPECT_TRUE(in_flight.awaited(on_removed, t0 + 11s));
  EXPECT_TRUE(in_flight.awaited(on_removed, t0 + 39s));
  EXPECT_FALSE(in_flight.awaited(on_removed, t0 + 40s)) << "after settle the view is planned from again";

  in_flight.made(reassign, on_removed.replicas.size(), t0 + 50s);
  auto moved = on_removed;
  moved.replicas[reassign.partition].replicas = reassign.replicas;
  EXPECT_FALSE(in_flight.awaited(moved, t0 + 51s));

  auto not_led = topic({{0, 1, 2}, {1, 2, 0}, {2, 0, 1}}, {0, 1, 2});
  not_led.leaders[2] = 0;
  const auto elect = plan(not_led);
  ASSERT_EQ(elect.kind, Kind::elect_preferred_leaders);
  in_flight.made(elect, not_led.replicas.size(), t0 + 60s);
  EXPECT_TRUE(in_flight.awaited(not_led, t0 + 61s));
  EXPECT_FALSE(in_flight.awaited(topic({{0, 1, 2}, {1, 2, 0}, {2, 0, 1}}, {0, 1, 2}), t0 + 62s));
}

}  // namespace
}  // namespace msgwatch::kafka
