#include "probes/kafka/lag/lag_metrics.hpp"

#include "exporter/runtime/exposition.hpp"
#include "exporter/sdk/name_filter.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace msgwatch::kafka {
namespace {

std::string page_of(const ClusterSnapshot& snapshot, const GroupHistory& history = {},
                    const GroupMetricsOptions& options = {}) {
  SeriesSet out;
  write_lag_metrics(snapshot, history, options, out);
  return render_text(out);
}

ClusterSnapshot sample() {
  ClusterSnapshot snapshot;
  snapshot.brokers = {{1, "b1", 9092}, {2, "b2", 9092}};
  snapshot.controller = 1;
  snapshot.quorum = QuorumState{1, 7, 1200, {{1, 1250, true}, {2, 1190, true}, {3, -1, false}}};
  snapshot.broker_reachable = {{1, true}, {2, false}};
  snapshot.unread_groups = {"moved"};
  auto& orders = snapshot.topics["orders"];
  orders.min_insync_replicas = 2;
  orders.partitions[0] = {1, {1, 2}, {1, 2}, 10, 1000, 990};  // an open transaction from 990 on
  orders.partitions[1] = {2, {1, 2}, {2}, 0, 500, 500};       // leader not preferred, under min ISR
  orders.partitions[2] = {-1, {2, 1}, {}, std::nullopt, std::nullopt, std::nullopt};  // offline
  // Not selected: counts in the cluster totals only.
  auto& offsets_topic = snapshot.topics["__consumer_offsets"];
  offsets_topic.selected = false;
  offsets_topic.min_insync_replicas = 1;
  offsets_topic.partitions[0] = {1, {1, 2}, {1}, 0, 7, 7};
  auto& billing = snapshot.groups["billing"];
  billing.state = "Stable";
  billing.members = 2;
  billing.type = "classic";
  billing.protocol_type = "consumer";
  billing.protocol = "range";
  billing.coordinator = 2;
  billing.member_details = {{"m-1", "billing-app", "/10.0.0.1", {{"orders", 2}}},
                            {"m-2", "billing-app", "/10.0.0.2", {{"orders", 1}}}};
  billing.committed = {{{"orders", 0}, 400}, {{"orders", 1}, 600}, {{"orders", 2}, 7}, {{"deleted", 0}, 5}};
  auto& audit = snapshot.groups["audit"];
  audit.state = "Empty";
  audit.members = 0;
  audit.committed = {{{"orders", 0}, 1000}};
  return snapshot;
}

// The whole page for a hand-made snapshot, diffed against tests/kafka_lag/golden/. After an
// intended change, rerun with MSGWATCH_UPDATE_GOLDEN=1 and review the golden file's diff.
TEST(LagMetrics, RendersTheGoldenPage) {
  GroupHistory history;
  history.lag_seconds[{"billing", "orders", 0}] = 42.5;
  history.status[{"billing", "orders", 0}] = 1;
  history.status[{"billing", "orders", 1}] = 0;
  history.committed_messages[{"billing", "orders"}] = 1007;
  const NameFilter read_committed(NamePatterns{{"audit"}, {}});
  const auto page = page_of(sample(), history, {true, &read_committed});
  const std::string golden_path = std::string(MSGWATCH_TEST_DIR) + "/golden/lag_metrics.prom";
  if (std::getenv("MSGWATCH_UPDATE_GOLDEN") != nullptr) std::ofstream(golden_path) << page;
  std::ifstream in(golden_path);
  ASSERT_TRUE(in) << golden_path;
  const std::string golden((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(page, golden);
}

TEST(LagMetrics, TopicGranularityKeepsOnlyAggregates) {
  const auto page = page_of(sample(), {}, {false, nullptr});
  EXPECT_EQ(page.find("partition=\""), std::string::npos) << page;
  EXPECT_NE(page.find("kafka_consumergroup_lag_sum{consumergroup=\"billing\",topic=\"orders\"} 600\n"),
            std::string::npos);
  EXPECT_NE(page.find("kafka_consumergroup_group_max_lag{consumergroup=\"billing\"} 600\n"), std::string::npos);
  EXPECT_NE(page.find("kafka_topic_partitions{topic=\"orders\"} 3\n"), std::string::npos);
}

TEST(LagMetrics, LagIsNeverNegativeAndUncommittedPartitionsHaveNoSeries) {
  ClusterSnapshot snapshot;
  snapshot.topics["t"].partitions[0] = {1, {1}, {1}, 0, 100, 100};
  snapshot.topics["t"].partitions[1] = {1, {1}, {1}, 0, 100, 100};
  snapshot.groups["g"].committed = {{{"t", 0}, 150}};  // above the watermark: a truncated log
  const auto text = page_of(snapshot);
  EXPECT_NE(text.find("kafka_consumergroup_lag{consumergroup=\"g\",topic=\"t\",partition=\"0\"} 0\n"),
            std::string::npos);
  EXPECT_EQ(text.find("partition=\"1\"} -"), std::string::npos);
  EXPECT_EQ(text.find("kafka_consumergroup_lag{consumergroup=\"g\",topic=\"t\",partition=\"1\"}"), std::string::npos);
  EXPECT_EQ(text.find("kafka_consumergroup_members"), std::string::npos);  // unknown, not 0
}

}  // namespace
}  // namespace msgwatch::kafka
