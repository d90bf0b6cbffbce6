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
  auto& jobs = snapshot.groups["jobs"];  // a share group: Kafka's lag from its coordinator
  jobs.state = "Stable";
  jobs.members = 1;
  jobs.type = "share";
  jobs.protocol = "simple";
  jobs.coordinator = 1;
  jobs.member_details = {{"s-1", "worker", "/10.0.0.3", {{"orders", 2}}}};
  jobs.share_partitions = {{{"orders", 0}, {950, 40}}, {{"orders", 1}, {500, 0}}};
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

// A group the cycle could not read (its coordinator down or moving) has no series of its own
// in that cycle; one series names it, so that the alerts on the group are held, not resolved.
TEST(LagMetrics, EveryUnreadGroupIsNamedByOneSeries) {
  ClusterSnapshot snapshot;
  snapshot.topics["t"].partitions[0] = {1, {1}, {1}, 0, 100, 100};
  snapshot.groups["read"].committed = {{{"t", 0}, 50}};
  snapshot.unread_groups = {"moving", "orphaned"};
  const auto series_of = [](const std::string& page, const std::string& prefix) {
    std::size_t count = 0;
    for (auto at = page.find(prefix); at != std::string::npos; at = page.find(prefix, at + 1)) ++count;
    return count;
  };
  auto page = page_of(snapshot);
  EXPECT_EQ(series_of(page, "\nmsgwatch_kafka_group_unread{"), 2U) << page;
  EXPECT_NE(page.find("\nmsgwatch_kafka_group_unread{consumergroup=\"moving\"} 1\n"), std::string::npos);
  EXPECT_NE(page.find("\nmsgwatch_kafka_group_unread{consumergroup=\"orphaned\"} 1\n"), std::string::npos);
  EXPECT_NE(page.find("\nmsgwatch_kafka_unread_groups 2\n"), std::string::npos) << "the count stays";

  snapshot.unread_groups.clear();
  page = page_of(snapshot);
  EXPECT_EQ(page.find("msgwatch_kafka_group_unread"), std::string::npos) << page;
  EXPECT_EQ(page.find("msgwatch_kafka_partition_unread"), std::string::npos) << page;
  EXPECT_NE(page.find("\nmsgwatch_kafka_unread_groups 0\n"), std::string::npos);
}

// A partition whose leader did not answer has no offsets in the cycle, and a group that
// committed on it no totals (sum, maximum, lag in seconds, status): both are named, so that
// the alerts on them are held, not resolved. Groups on other partitions are not.
TEST(LagMetrics, APartitionWithoutEndOffsetsAndTheGroupsOnItAreNamed) {
  ClusterSnapshot snapshot;
  snapshot.topics["t"].partitions[0] = {1, {1}, {1}, 0, 100, 100};
  snapshot.topics["t"].partitions[1] = {2, {2}, {2}, std::nullopt, std::nullopt, std::nullopt};  // leader silent
  snapshot.topics["t"].partitions[2] = {-1, {2}, {}, std::nullopt, std::nullopt, std::nullopt};  // offline
  auto& other = snapshot.topics["other"];
  other.selected = false;  // not watched: neither named nor holding anything
  other.partitions[0] = {2, {2}, {2}, std::nullopt, std::nullopt, std::nullopt};
  snapshot.groups["on-silent"].committed = {{{"t", 0}, 50}, {{"t", 1}, 10}};
  snapshot.groups["on-offline"].committed = {{{"t", 2}, 5}};
  snapshot.groups["elsewhere"].committed = {{{"t", 0}, 60}, {{"other", 0}, 3}};
  snapshot.unread_groups = {"moving"};
  GroupHistory history;
  history.status[{"elsewhere", "t", 0}] = 0;
  const auto page = page_of(snapshot, history);
  for (const char* named :
       {"msgwatch_kafka_partition_unread{topic=\"t\",partition=\"1\"} 1\n",
        "msgwatch_kafka_partition_unread{topic=\"t\",partition=\"2\"} 1\n",
        "msgwatch_kafka_group_unread{consumergroup=\"on-silent\"} 1\n",
        "msgwatch_kafka_group_unread{consumergroup=\"on-offline\"} 1\n",
        "msgwatch_kafka_group_unread{consumergroup=\"moving\"} 1\n", "\nmsgwatch_kafka_unread_groups 3\n"}) {
    EXPECT_NE(page.find(named), std::string::npos) << named << page;
  }
  for (const char* absent :
       {"msgwatch_kafka_partition_unread{topic=\"t\",partition=\"0\"}",
        "msgwatch_kafka_partition_unread{topic=\"other\"", "msgwatch_kafka_group_unread{consumergroup=\"elsewhere\"}",
        "kafka_consumergroup_group_sum_lag{consumergroup=\"on-silent\"}"}) {
    EXPECT_EQ(page.find(absent), std::string::npos) << absent << page;
  }
  EXPECT_NE(page.find("kafka_consumergroup_status{consumergroup=\"elsewhere\"} 0\n"), std::string::npos) << page;
}

TEST(LagMetrics, TopicGranularityKeepsOnlyAggregates) {
  auto snapshot = sample();
  snapshot.groups["billing"].committed.erase({"orders", 2});  // the offline partition: see below
  const auto page = page_of(snapshot, {}, {false, nullptr});
  // One series per partition stays: the offline one is named unread, as the problem series
  // of a partition (stalled last stable offset, truncations) are exported at either granularity.
  const std::string unread = "msgwatch_kafka_partition_unread{topic=\"orders\",partition=\"2\"} 1\n";
  const auto at = page.find(unread);
  ASSERT_NE(at, std::string::npos) << page;
  EXPECT_EQ((page.substr(0, at) + page.substr(at + unread.size())).find("partition=\""), std::string::npos) << page;
  EXPECT_NE(page.find("kafka_consumergroup_lag_sum{consumergroup=\"billing\",topic=\"orders\"} 600\n"),
            std::string::npos);
  EXPECT_NE(page.find("kafka_consumergroup_group_max_lag{consumergroup=\"billing\"} 600\n"), std::string::npos);
  EXPECT_NE(page.find("kafka_topic_partitions{topic=\"orders\"} 3\n"), std::string::npos);
}

// An aggregate over part of a group's partitions would understate: it is absent instead.
TEST(LagMetrics, AggregatesAreAbsentWhenAPartitionTheyCoverHasNoValue) {
  ClusterSnapshot snapshot;
  snapshot.topics["t"].partitions[0] = {1, {1}, {1}, 0, 100, 100};
  snapshot.topics["t"].partitions[1] = {1, {1}, {1}, 0, 100, 100};
  snapshot.groups["g"].committed = {{{"t", 0}, 50}, {{"t", 1}, 10}};
  GroupHistory history;
  history.lag_seconds[{"g", "t", 0}] = 30;  // partition 1 lags (90) with no estimate yet
  history.status[{"g", "t", 0}] = 0;
  history.status[{"g", "t", 1}] = 2;
  auto page = page_of(snapshot, history);
  EXPECT_NE(page.find("kafka_consumergroup_lag_seconds{consumergroup=\"g\",topic=\"t\",partition=\"0\"} 30\n"),
            std::string::npos);
  EXPECT_EQ(page.find("kafka_consumergroup_group_max_lag_seconds"), std::string::npos) << "not 30: partition 1 lags";
  EXPECT_NE(page.find("kafka_consumergroup_group_sum_lag{consumergroup=\"g\"} 140\n"), std::string::npos);
  EXPECT_NE(page.find("kafka_consumergroup_status{consumergroup=\"g\"} 2\n"), std::string::npos);

  history.lag_seconds[{"g", "t", 1}] = 300;
  page = page_of(snapshot, history);
  EXPECT_NE(page.find("kafka_consumergroup_group_max_lag_seconds{consumergroup=\"g\"} 300\n"), std::string::npos);

  // Partition 1's leader did not answer: its lag is unknown, and so is every sum and maximum.
  snapshot.topics["t"].partitions[1].newest_offset.reset();
  history.status.erase({"g", "t", 1});
  page = page_of(snapshot, history);
  EXPECT_NE(page.find("kafka_consumergroup_lag{consumergroup=\"g\",topic=\"t\",partition=\"0\"} 50\n"),
            std::string::npos);
  for (const char* family : {"kafka_consumergroup_group_sum_lag", "kafka_consumergroup_group_max_lag{",
                             "kafka_consumergroup_lag_sum", "kafka_consumergroup_group_topic_max_lag",
                             "kafka_consumergroup_group_max_lag_seconds", "kafka_consumergroup_status{"}) {
    EXPECT_EQ(page.find(family), std::string::npos) << family;
  }
  EXPECT_NE(page.find("kafka_consumergroup_current_offset_sum{consumergroup=\"g\",topic=\"t\"} 60\n"),
            std::string::npos)
      << "committed offsets are all known";

  // Caught up everywhere without estimates: 0 s behind.
  snapshot.topics["t"].partitions[1].newest_offset = 10;
  snapshot.topics["t"].partitions[0].newest_offset = 50;
  page = page_of(snapshot, {});
  EXPECT_NE(page.find("kafka_consumergroup_group_max_lag_seconds{consumergroup=\"g\"} 0\n"), std::string::npos);
}

// A share group's lag is the coordinator's, summed like a consumer group's; it has no
// committed offset, so nothing that needs one.
TEST(LagMetrics, ShareGroupLagIsTheCoordinatorsAndItsAggregatesNeedEveryPartition) {
  ClusterSnapshot snapshot;
  snapshot.topics["t"].partitions[0] = {1, {1}, {1}, 0, 100, 100};
  snapshot.topics["t"].partitions[1] = {1, {1}, {1}, 0, 100, 100};
  snapshot.topics["gone"].selected = false;
  auto& group = snapshot.groups["q"];
  group.type = "share";
  group.members = 0;
  group.share_partitions = {{{"t", 0}, {60, 25}}, {{"t", 1}, {100, 0}}, {{"gone", 0}, {5, 5}}};
  GroupHistory history;
  history.status[{"q", "t", 0}] = 3;  // never made for a share group; ignored if it were
  auto page = page_of(snapshot, history);
  EXPECT_NE(page.find("kafka_consumergroup_lag{consumergroup=\"q\",topic=\"t\",partition=\"0\"} 25\n"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("kafka_consumergroup_share_start_offset{consumergroup=\"q\",topic=\"t\",partition=\"0\"} 60\n"),
            std::string::npos);
  EXPECT_NE(page.find("kafka_consumergroup_lag_sum{consumergroup=\"q\",topic=\"t\"} 25\n"), std::string::npos);
  EXPECT_NE(page.find("kafka_consumergroup_group_max_lag{consumergroup=\"q\"} 25\n"), std::string::npos);
  EXPECT_NE(page.find("kafka_consumergroup_members{consumergroup=\"q\"} 0\n"), std::string::npos);
  EXPECT_EQ(page.find("topic=\"gone\""), std::string::npos) << "a topic filtered out";
  for (const char* family : {"kafka_consumergroup_current_offset", "kafka_consumergroup_lag_seconds",
                             "kafka_consumergroup_group_max_lag_seconds", "kafka_consumergroup_partition_status",
                             "kafka_consumergroup_status", "kafka_consumergroup_committed_messages_total"}) {
    EXPECT_EQ(page.find(std::string(family) + "{"), std::string::npos) << family;
  }

  // The coordinator does not know partition 1's lag yet (-1): only partition 0's is exported,
  // and no sum or maximum over the two.
  group.share_partitions[{"t", 1}].lag.reset();
  page = page_of(snapshot, history);
  EXPECT_NE(page.find("kafka_consumergroup_lag{consumergroup=\"q\",topic=\"t\",partition=\"0\"} 25\n"),
            std::string::npos);
  EXPECT_EQ(page.find("kafka_consumergroup_lag{consumergroup=\"q\",topic=\"t\",partition=\"1\"}"), std::string::npos);
  EXPECT_NE(page.find("kafka_consumergroup_share_start_offset{consumergroup=\"q\",topic=\"t\",partition=\"1\"} 100\n"),
            std::string::npos);
  for (const char* family : {"kafka_consumergroup_lag_sum", "kafka_consumergroup_group_sum_lag",
                             "kafka_consumergroup_group_max_lag", "kafka_consumergroup_group_topic_max_lag"}) {
    EXPECT_EQ(page.find(std::string(family) + "{"), std::string::npos) << family;
  }
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
