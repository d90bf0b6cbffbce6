// The probe's memory across cycles as whole snapshots feed it: what a partial outage must
// not erase.

#include "probes/kafka/lag/lag_history.hpp"

#include "exporter/runtime/exposition.hpp"

#include <gtest/gtest.h>

namespace msgwatch::kafka {
namespace {

using std::chrono::seconds;

std::chrono::steady_clock::time_point at(std::int64_t secs) {
  return std::chrono::steady_clock::time_point{} + seconds(secs);
}

// Group "stuck" sits at 500 of 600 with members: STALL after a full window.
ClusterSnapshot cycle(bool coordinator_answers, bool leader_answers = true) {
  ClusterSnapshot snapshot;
  snapshot.brokers = {{1, "b1", 9092}};
  auto& partition = snapshot.topics["orders"].partitions[0];
  partition = {1, {1}, {1}, 0, 600, 600};
  if (!leader_answers) partition.newest_offset = partition.oldest_offset = partition.stable_offset = std::nullopt;
  if (coordinator_answers) {
    auto& group = snapshot.groups["stuck"];
    group.members = 1;
    group.committed[{"orders", 0}] = 500;
  } else {
    snapshot.unread_groups.insert("stuck");
  }
  return snapshot;
}

const GroupPartition kStuck{"stuck", "orders", 0};

TEST(LagHistory, AGroupWhoseCoordinatorDidNotAnswerKeepsItsStatusWindow) {
  LagHistory history("c", {4, std::chrono::minutes(5)}, nullptr);
  std::int64_t t = 0;
  for (int i = 0; i < 4; ++i) history.update(cycle(true), at(t += 30));
  ASSERT_EQ(history.update(cycle(true), at(t += 30)).status.at(kStuck), 2);  // STALL
  const auto unread = history.update(cycle(false), at(t += 30));
  EXPECT_EQ(unread.status.count(kStuck), 0U) << "nothing is said of a group that could not be read";
  // Back at the next cycle with its window intact: still STALL, not a fresh start.
  EXPECT_EQ(history.update(cycle(true), at(t += 30)).status.at(kStuck), 2);
}

TEST(LagHistory, APartitionWhoseLeaderDidNotAnswerKeepsItsStatusWindow) {
  LagHistory history("c", {4, std::chrono::minutes(5)}, nullptr);
  std::int64_t t = 0;
  for (int i = 0; i < 5; ++i) history.update(cycle(true), at(t += 30));
  history.update(cycle(true, false), at(t += 30));
  EXPECT_EQ(history.update(cycle(true), at(t += 30)).status.at(kStuck), 2);
}

TEST(LagHistory, AnIncompleteGroupListForgetsNothing) {
  LagHistory history("c", {4, std::chrono::minutes(5)}, nullptr);
  std::int64_t t = 0;
  for (int i = 0; i < 5; ++i) history.update(cycle(true), at(t += 30));
  auto unlisted = cycle(true);
  unlisted.groups.clear();
  unlisted.groups_complete = false;
  history.update(unlisted, at(t += 30));
  EXPECT_EQ(history.update(cycle(true), at(t += 30)).status.at(kStuck), 2);
}

TEST(LagHistory, AGroupThatIsGoneIsForgotten) {
  LagHistory history("c", {4, std::chrono::minutes(5)}, nullptr);
  std::int64_t t = 0;
  for (int i = 0; i < 5; ++i) history.update(cycle(true), at(t += 30));
  auto gone = cycle(true);
  gone.groups.clear();
  history.update(gone, at(t += 30));
  const auto back = history.update(cycle(true), at(t += 30));
  EXPECT_EQ(back.status.at(kStuck), 0) << "a new window: too few observations for STALL";
}

// A counter that first appears at 1 shows no increase() to Prometheus: the alert on
// truncations would never fire. Every watched partition's counter exists at 0 from the start.
TEST(LagHistory, TheTruncationCounterExistsAtZeroBeforeTheFirstTruncation) {
  LagHistory history("c", {4, std::chrono::minutes(5)}, nullptr);
  const auto page = [&history] {
    SeriesSet out;
    history.write_metrics(out);
    return render_text(out);
  };
  history.update(cycle(true), at(30));
  EXPECT_NE(page().find("kafka_topic_partition_truncations_total{topic=\"orders\",partition=\"0\"} 0\n"),
            std::string::npos)
      << page();
  auto truncated = cycle(true);
  truncated.topics["orders"].partitions[0].newest_offset = 400;
  history.update(truncated, at(60));
  EXPECT_NE(page().find("kafka_topic_partition_truncations_total{topic=\"orders\",partition=\"0\"} 1\n"),
            std::string::npos)
      << page();
}

}  // namespace
}  // namespace msgwatch::kafka
