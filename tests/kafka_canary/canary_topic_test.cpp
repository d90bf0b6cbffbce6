// The canary topic kept against a real cluster that grows, loses a broker and gets it back,
// checked with Kafka's own kafka-topics: an added broker gets a partition it is the
// preferred leader of (the others stay where they are), a removed broker's replicas move
// and the new preferred leader is elected, and a broker that returns takes one partition
// back. No acknowledged canary message is lost on the way.

#include "canary_series.hpp"
#include "support/daemon_process.hpp"
#include "support/kafka_cli.hpp"
#include "support/own_kafka.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace msgwatch::test {
namespace {

std::string layout(const std::vector<TopicPartitionRow>& rows) {
  std::string text;
  for (const auto& row : rows) {
    text += "\n  partition " + std::to_string(row.partition) + " leader " + std::to_string(row.leader) + " replicas";
    for (const auto broker : row.replicas) text += " " + std::to_string(broker);
  }
  return text;
}

// Empty when every broker of `brokers` is the first replica of a partition it leads, and no
// replica is elsewhere; otherwise what is not so.
std::string every_broker_leads_its_own(const std::vector<TopicPartitionRow>& rows,
                                       const std::set<std::int32_t>& brokers) {
  std::set<std::int32_t> leading;
  for (const auto& row : rows) {
    for (const auto broker : row.replicas) {
      if (!brokers.contains(broker)) return "a replica on broker " + std::to_string(broker) + ":" + layout(rows);
    }
    if (!row.replicas.empty() && row.leader == row.replicas.front()) leading.insert(row.leader);
  }
  return leading == brokers ? "" : "not every broker leads a partition it is preferred for:" + layout(rows);
}

double change_count(const Exposition& m, const std::string& topic, const std::string& change) {
  return m.value("kafka_canary_topic_changes_total", {{"cluster", "it"}, {"topic", topic}, {"change", change}})
      .value_or(-1);
}

TEST(CanaryTopic, FollowsABrokerAddedRemovedAndBack) {
  OwnKafka kafka(3);
  const auto topic = unique_name("canary-plan");
  DaemonProcess daemon(canary_config(topic, "      broker_removed_after: 10s\n", kafka.bootstrap()));
  daemon.wait_ready();
  const auto round_trips = [&](const std::vector<std::string>& partitions, double at_least) {
    return [&, partitions, at_least](const Exposition& m) -> std::string {
      for (const auto& partition : partitions) {
        if (partition_value(m, "kafka_canary_partition_received_total", partition).value_or(0) < at_least) {
          return "too few round trips: " + partition_story(m, partition);
        }
      }
      return "";
    };
  };
  const auto first = daemon.wait_for_metrics(round_trips({"0", "1", "2"}, 2), 90s, "round trips on 3 partitions");
  for (const char* change : {"partitions_added", "reassigned", "leaders_elected"}) {
    EXPECT_EQ(change_count(first, topic, change), 0.0) << change;
  }
  const auto created = describe_topic_partitions(kafka.bootstrap(), topic);
  ASSERT_EQ(created.size(), 3u);
  EXPECT_EQ(every_broker_leads_its_own(created, {0, 1, 2}), "");

  // Added: a partition of its own, led by it; nothing else moves.
  const auto added = kafka.add_broker();
  ASSERT_EQ(added, 3);
  daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        if (change_count(m, topic, "partitions_added") != 1.0) return "no partition added yet";
        return round_trips({"3"}, 2)(m);
      },
      90s, "a partition for the added broker, with round trips");
  const auto grown = describe_topic_partitions(kafka.bootstrap(), topic);
  ASSERT_EQ(grown.size(), 4u) << layout(grown);
  EXPECT_EQ(grown[3].replicas.front(), 3) << layout(grown);
  EXPECT_EQ(grown[3].replicas.size(), 3u) << layout(grown);
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_EQ(grown[i].replicas, created[i].replicas) << "partition " << i << " moved";
  EXPECT_EQ(every_broker_leads_its_own(grown, {0, 1, 2, 3}), "");
  EXPECT_EQ(
      daemon.scrape_metrics().value("kafka_canary_brokers_without_leadership", {{"cluster", "it"}, {"topic", topic}}),
      0.0);

  // Removed (gone for longer than broker_removed_after): its replica moves, and the new
  // preferred leader is elected once in sync.
  kafka.stop_node(added);
  std::vector<TopicPartitionRow> shrunk;
  const auto moved = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        if (change_count(m, topic, "reassigned") < 1 || change_count(m, topic, "leaders_elected") < 1) {
          return "not reassigned and elected yet";
        }
        shrunk = describe_topic_partitions(kafka.bootstrap(), topic);
        return every_broker_leads_its_own(shrunk, {0, 1, 2});
      },
      120s, "the removed broker's replica moved and its partition led by its new preferred leader");
  EXPECT_EQ(change_count(moved, topic, "reassigned"), 1.0) << "one partition had a replica on the removed broker";
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_EQ(shrunk[i].replicas, created[i].replicas) << "partition " << i << " moved";
  EXPECT_EQ(shrunk[3].replicas.size(), 3u) << layout(shrunk);

  // Back: it takes one partition over from the broker preferred for two.
  kafka.start_node(added);
  const auto back = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        if (change_count(m, topic, "reassigned") < 2) return "not reassigned for the returning broker yet";
        // The gauge is what the keeper last saw, a round behind the layout read below: this
        // scrape must show the reassignment over before the layout counts.
        if (m.value("kafka_canary_reassignment_in_progress", {{"cluster", "it"}, {"topic", topic}}) != 0.0) {
          return "the reassignment still in progress";
        }
        return every_broker_leads_its_own(describe_topic_partitions(kafka.bootstrap(), topic), {0, 1, 2, 3});
      },
      120s, "the returning broker leading a partition again, the reassignment over");
  EXPECT_EQ(change_count(back, topic, "partitions_added"), 1.0) << "the topic had enough partitions";
  daemon.wait_for_metrics(round_trips({"0", "1", "2", "3"}, 5), 60s, "round trips on every partition");
  const auto last = daemon.scrape_metrics();
  for (const std::string partition : {"0", "1", "2", "3"}) {
    EXPECT_EQ(partition_value(last, "kafka_canary_partition_lost_total", partition), 0.0)
        << "nothing acknowledged was lost on partition " << partition;
  }
  for (const char* change : {"partitions_added", "reassigned", "leaders_elected"}) {
    EXPECT_EQ(last.value("kafka_canary_topic_change_failures_total",
                         {{"cluster", "it"}, {"topic", topic}, {"change", change}}),
              0.0)
        << change << "; log:\n"
        << daemon.log();
  }
  daemon.stop();
}

}  // namespace
}  // namespace msgwatch::test
