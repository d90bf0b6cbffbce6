#include "probes/kafka/lag/record_timestamps.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace msgwatch::kafka {
namespace {

using std::chrono::seconds;

RecordTimestamps::SteadyTime steady(int secs) { return RecordTimestamps::SteadyTime{} + seconds(secs); }
RecordTimestamps::WallTime wall(int secs) { return RecordTimestamps::WallTime{} + seconds(1'000'000 + secs); }

// One topic "t" whose partitions p have end offset 100 * (p + 1), led by broker p % 2.
ClusterSnapshot snapshot_with(int partitions) {
  ClusterSnapshot snapshot;
  auto& topic = snapshot.topics["t"];
  for (int p = 0; p < partitions; ++p) {
    auto& partition = topic.partitions[p];
    partition.leader = p % 2;
    partition.newest_offset = 100 * (p + 1);
  }
  return snapshot;
}

void commit(ClusterSnapshot& snapshot, const std::string& group, int partition, std::int64_t offset) {
  snapshot.groups[group].committed[{"t", partition}] = offset;
}

RecordTime written(int secs) { return {RecordTime::Kind::written, wall(secs)}; }
const RecordTime unknown{RecordTime::Kind::unknown, {}};

std::vector<RecordKey> keys(const std::vector<RecordRead>& reads) {
  std::vector<RecordKey> out;
  for (const auto& read : reads) out.push_back(read.key);
  return out;
}

// Group "a" behind on partition t-0 (end offset 100), up to 10 records read a cycle.
class RecordTimestampsOneGroup : public ::testing::Test {
 protected:
  void behind_at(std::int64_t offset) { commit(snapshot, "a", 0, offset); }

  ClusterSnapshot snapshot = snapshot_with(1);
  RecordTimestamps timestamps{10};
  GroupHistory history;
};

TEST(RecordTimestamps, ReadsOnlyGapsOncePerRecordAndFillsTheirLag) {
  auto snapshot = snapshot_with(3);
  commit(snapshot, "a", 0, 40);   // lag, no estimate: a gap
  commit(snapshot, "b", 0, 40);   // the same record: read once
  commit(snapshot, "a", 1, 200);  // caught up: no gap
  commit(snapshot, "a", 2, 10);   // lag, but the history has an estimate
  GroupHistory history;
  history.lag_seconds[{"a", "t", 2}] = 7;

  RecordTimestamps timestamps(10);
  const auto reads = timestamps.plan(snapshot, history, steady(0));
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].key, (RecordKey{"t", 0, 40}));
  EXPECT_EQ(reads[0].leader, 0);

  EXPECT_EQ(timestamps.fill(history, wall(0)), 2u) << "nothing read yet";
  timestamps.learn({{{"t", 0, 40}, written(-300)}});
  EXPECT_EQ(timestamps.fill(history, wall(5)), 0u);
  EXPECT_DOUBLE_EQ(history.lag_seconds.at({"a", "t", 0}), 305);
  EXPECT_DOUBLE_EQ(history.lag_seconds.at({"b", "t", 0}), 305);
  EXPECT_DOUBLE_EQ(history.lag_seconds.at({"a", "t", 2}), 7) << "the history's estimate is kept";

  // Settled: not read again while the group stays there, and its lag keeps growing.
  GroupHistory next;
  next.lag_seconds[{"a", "t", 2}] = 8;
  EXPECT_TRUE(timestamps.plan(snapshot, next, steady(30)).empty());
  timestamps.fill(next, wall(35));
  EXPECT_DOUBLE_EQ(next.lag_seconds.at({"a", "t", 0}), 335);
}

TEST_F(RecordTimestampsOneGroup, NothingToBeHadIsSettledAndExportsNothing) {
  behind_at(5);
  ASSERT_EQ(timestamps.plan(snapshot, history, steady(0)).size(), 1u);
  timestamps.learn({{{"t", 0, 5}, unknown}});  // deleted by retention, say
  EXPECT_EQ(timestamps.fill(history, wall(0)), 1u);
  EXPECT_FALSE(history.lag_seconds.contains({"a", "t", 0}));
  EXPECT_TRUE(timestamps.plan(snapshot, history, steady(30)).empty()) << "not read again";
}

TEST_F(RecordTimestampsOneGroup, OnlyTransactionMarkersUnreadIsZeroSeconds) {
  behind_at(99);  // in front of the last commit marker
  ASSERT_EQ(timestamps.plan(snapshot, history, steady(0)).size(), 1u);
  timestamps.learn({{{"t", 0, 99}, {RecordTime::Kind::nothing_unread, {}}}});
  EXPECT_EQ(timestamps.fill(history, wall(100)), 0u);
  EXPECT_DOUBLE_EQ(history.lag_seconds.at({"a", "t", 0}), 0);
}

TEST_F(RecordTimestampsOneGroup, AFailedReadIsTriedAgain) {
  behind_at(5);
  ASSERT_EQ(timestamps.plan(snapshot, history, steady(0)).size(), 1u);
  timestamps.learn({});  // the leader did not answer
  EXPECT_EQ(keys(timestamps.plan(snapshot, history, steady(30))), (std::vector<RecordKey>{{"t", 0, 5}}));
}

TEST(RecordTimestamps, ABoundedNumberPerCycleNewestGapsFirstThenTheLongestWaiting) {
  auto snapshot = snapshot_with(4);
  for (int p = 0; p < 4; ++p) commit(snapshot, "old", p, 0);
  RecordTimestamps timestamps(2);
  GroupHistory history;
  // Four gaps open at once: two reads per cycle, the ones never tried first.
  const auto first = keys(timestamps.plan(snapshot, history, steady(0)));
  ASSERT_EQ(first.size(), 2u);
  const auto second = keys(timestamps.plan(snapshot, history, steady(30)));
  ASSERT_EQ(second.size(), 2u);
  for (const auto& key : second) EXPECT_EQ(std::count(first.begin(), first.end(), key), 0) << key.partition;

  // A gap that opens later goes before all of them.
  commit(snapshot, "new", 3, 50);
  const auto third = keys(timestamps.plan(snapshot, history, steady(60)));
  ASSERT_EQ(third.size(), 2u);
  EXPECT_EQ(third[0], (RecordKey{"t", 3, 50}));
}

TEST(RecordTimestamps, OneReadPerPartitionAndCycle) {
  // Two groups at different offsets of one partition: one Fetch cannot ask for both.
  auto snapshot = snapshot_with(1);
  commit(snapshot, "a", 0, 5);
  commit(snapshot, "b", 0, 9);
  RecordTimestamps timestamps(10);
  GroupHistory history;
  const auto first = keys(timestamps.plan(snapshot, history, steady(0)));
  ASSERT_EQ(first.size(), 1u);
  timestamps.learn({});  // not answered
  const auto second = keys(timestamps.plan(snapshot, history, steady(30)));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_NE(first[0], second[0]) << "the other one's turn";
}

TEST_F(RecordTimestampsOneGroup, AGroupThatMovesNeedsTheRecordAtItsNewOffset) {
  behind_at(5);
  (void)timestamps.plan(snapshot, history, steady(0));
  timestamps.learn({{{"t", 0, 5}, written(-100)}});
  commit(snapshot, "a", 0, 9);
  EXPECT_EQ(keys(timestamps.plan(snapshot, history, steady(30))), (std::vector<RecordKey>{{"t", 0, 9}}));
  // The old record is forgotten, and the old time not used for the new offset.
  EXPECT_EQ(timestamps.fill(history, wall(30)), 1u);
}

TEST_F(RecordTimestampsOneGroup, GapsTheHistoryClosedAreForgotten) {
  behind_at(5);
  (void)timestamps.plan(snapshot, history, steady(0));
  timestamps.learn({{{"t", 0, 5}, written(-100)}});
  history.lag_seconds[{"a", "t", 0}] = 130;  // the history brackets the offset now
  EXPECT_TRUE(timestamps.plan(snapshot, history, steady(30)).empty());
  EXPECT_EQ(timestamps.fill(history, wall(30)), 0u);
  EXPECT_DOUBLE_EQ(history.lag_seconds.at({"a", "t", 0}), 130) << "the history takes over";
}

TEST(RecordTimestamps, PartitionsWithoutALeaderOrEndAreNotRead) {
  auto snapshot = snapshot_with(2);
  snapshot.topics["t"].partitions[0].leader = -1;
  snapshot.topics["t"].partitions[1].newest_offset.reset();
  commit(snapshot, "a", 0, 5);
  commit(snapshot, "a", 1, 5);
  RecordTimestamps timestamps(10);
  GroupHistory history;
  EXPECT_TRUE(timestamps.plan(snapshot, history, steady(0)).empty());
  EXPECT_EQ(timestamps.fill(history, wall(0)), 1u) << "the offline partition's lag has no seconds";
}

TEST(RecordTimestamps, ZeroReadsPerCycleTurnsReadingOff) {
  auto snapshot = snapshot_with(1);
  commit(snapshot, "a", 0, 5);
  RecordTimestamps timestamps(0);
  GroupHistory history;
  EXPECT_TRUE(timestamps.plan(snapshot, history, steady(0)).empty());
  EXPECT_EQ(timestamps.fill(history, wall(0)), 1u);
}

TEST_F(RecordTimestampsOneGroup, ARecordFromTheFutureIsZeroSecondsOld) {
  behind_at(5);
  (void)timestamps.plan(snapshot, history, steady(0));
  timestamps.learn({{{"t", 0, 5}, written(60)}});  // a producer whose clock is ahead
  timestamps.fill(history, wall(0));
  EXPECT_DOUBLE_EQ(history.lag_seconds.at({"a", "t", 0}), 0);
}

}  // namespace
}  // namespace msgwatch::kafka
