// The kafka_lag probe against the real broker the test run started: exact values for
// topics and three kinds of groups, checked against Kafka's own kafka-consumer-groups.

#include "support/daemon_process.hpp"
#include "support/kafka_admin.hpp"
#include "support/kafka_cli.hpp"
#include "support/kafka_group.hpp"
#include "support/kafka_producer.hpp"
#include "support/process.hpp"
#include "support/test_environment.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace msgwatch::test {
namespace {

std::string daemon_config(const std::string& topic_include, const std::string& group_include) {
  return kafka_lag_config(kafka_bootstrap(), "      topics: {include: ['" + topic_include + "']}\n" +
                                                 "      groups: {include: ['" + group_include + "']}\n");
}

class KafkaLag : public ::testing::Test {
 protected:
  void SetUp() override {
    topic_ = unique_name("orders");
    written_ = std::chrono::system_clock::now();
    admin_.create_topic(topic_, 3);
    produce_messages(kafka_bootstrap(), topic_, 0, 1000);
    produce_messages(kafka_bootstrap(), topic_, 1, 500);
  }

  std::optional<double> lag(const Exposition& metrics, const std::string& group, int partition) const {
    return metrics.value(
        "kafka_consumergroup_lag",
        {{"cluster", "it"}, {"consumergroup", group}, {"topic", topic_}, {"partition", std::to_string(partition)}});
  }

  KafkaAdmin admin_{kafka_bootstrap()};
  std::string topic_;
  std::chrono::system_clock::time_point written_;  // before SetUp's messages were produced
};

TEST_F(KafkaLag, ExactValuesForGroupsWithAndWithoutMembersMatchKafkaTools) {
  const auto prefix = unique_name("lag");
  const auto idle = prefix + "-idle";
  const auto partial = prefix + "-partial";
  const auto active = prefix + "-active";
  commit_offsets(kafka_bootstrap(), idle, {{topic_, 0, 400}, {topic_, 1, 100}, {topic_, 2, 0}});
  commit_offsets(kafka_bootstrap(), partial, {{topic_, 0, 1000}});
  ActiveConsumer consumer(kafka_bootstrap(), active, {topic_});
  consumer.wait_until_assigned(60s, 3);
  consumer.commit({{topic_, 0, 900}, {topic_, 1, 500}});

  DaemonProcess daemon(daemon_config(topic_, prefix + ".*"));
  daemon.wait_ready();
  const auto metrics = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        return m.value("kafka_consumergroup_members", {{"cluster", "it"}, {"consumergroup", active}}) == 1.0
                   ? ""
                   : "active group with 1 member";
      },
      60s, "the active group's member");

  const auto topic_value = [&](const char* name, int partition) {
    return metrics.value(name, {{"cluster", "it"}, {"topic", topic_}, {"partition", std::to_string(partition)}});
  };
  EXPECT_EQ(metrics.value("kafka_topic_partitions", {{"cluster", "it"}, {"topic", topic_}}), 3.0);
  EXPECT_EQ(topic_value("kafka_topic_partition_current_offset", 0), 1000.0);
  EXPECT_EQ(topic_value("kafka_topic_partition_current_offset", 1), 500.0);
  EXPECT_EQ(topic_value("kafka_topic_partition_current_offset", 2), 0.0);
  EXPECT_EQ(topic_value("kafka_topic_partition_oldest_offset", 0), 0.0);
  EXPECT_EQ(metrics.value("kafka_brokers", {{"cluster", "it"}}), 1.0);

  EXPECT_EQ(lag(metrics, idle, 0), 600.0);
  EXPECT_EQ(lag(metrics, idle, 1), 400.0);
  EXPECT_EQ(lag(metrics, idle, 2), 0.0);
  EXPECT_EQ(
      metrics.value("kafka_consumergroup_lag_sum", {{"cluster", "it"}, {"consumergroup", idle}, {"topic", topic_}}),
      1000.0);
  EXPECT_EQ(metrics.value("kafka_consumergroup_current_offset",
                          {{"cluster", "it"}, {"consumergroup", idle}, {"topic", topic_}, {"partition", "0"}}),
            400.0);
  EXPECT_EQ(metrics.value("kafka_consumergroup_members", {{"cluster", "it"}, {"consumergroup", idle}}), 0.0);

  // No commit on partitions 1 and 2: no lag series, where kafka_exporter would say -1.
  EXPECT_EQ(lag(metrics, partial, 0), 0.0);
  EXPECT_EQ(lag(metrics, partial, 1), std::nullopt);
  EXPECT_EQ(lag(metrics, partial, 2), std::nullopt);

  EXPECT_EQ(lag(metrics, active, 0), 100.0);
  EXPECT_EQ(lag(metrics, active, 1), 0.0);
  EXPECT_EQ(lag(metrics, active, 2), std::nullopt);

  // The oracle: Kafka's own tool must print the same lag for every committed partition.
  for (const auto& group : {idle, partial, active}) {
    for (const auto& row : describe_group_lag(kafka_bootstrap(), group)) {
      if (row.topic != topic_ || !row.lag) continue;
      EXPECT_EQ(lag(metrics, group, row.partition), static_cast<double>(*row.lag))
          << group << " partition " << row.partition;
    }
  }
  daemon.stop();
}

TEST_F(KafkaLag, DeletedTopicAndGroupDisappearAtTheNextCycle) {
  const auto group = unique_name("gone");
  commit_offsets(kafka_bootstrap(), group, {{topic_, 0, 10}});
  const auto other_topic = unique_name("kept");
  admin_.create_topic(other_topic, 1);

  DaemonProcess daemon(daemon_config(topic_ + "|" + other_topic, group));
  daemon.wait_ready();
  daemon.wait_for_value("kafka_consumergroup_lag",
                        {{"cluster", "it"}, {"consumergroup", group}, {"topic", topic_}, {"partition", "0"}}, 990);

  admin_.delete_groups({group});
  daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        return m.value("kafka_consumergroup_current_offset",
                       {{"cluster", "it"}, {"consumergroup", group}, {"topic", topic_}, {"partition", "0"}})
                   ? "group still exported"
                   : "";
      },
      60s, "the deleted group to disappear");

  admin_.delete_topic(topic_);
  const auto metrics = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        return m.value("kafka_topic_partitions", {{"cluster", "it"}, {"topic", topic_}}) ? "topic still exported" : "";
      },
      60s, "the deleted topic to disappear");
  for (const auto& sample : metrics.samples()) {
    for (const auto& [name, value] : sample.labels) EXPECT_NE(value, topic_) << sample.name;
  }
  EXPECT_EQ(metrics.value("kafka_topic_partitions", {{"cluster", "it"}, {"topic", other_topic}}), 1.0);
  // Looking at a deleted topic must not bring it back.
  const auto topics = admin_.list_topics();
  EXPECT_EQ(std::count(topics.begin(), topics.end(), topic_), 0);
  daemon.stop();
}

TEST_F(KafkaLag, IncludeAndExcludeFiltersBoundWhatIsExported) {
  const auto prefix = unique_name("filter");
  commit_offsets(kafka_bootstrap(), prefix + "-keep", {{topic_, 0, 1}});
  commit_offsets(kafka_bootstrap(), prefix + "-drop", {{topic_, 0, 1}});
  DaemonProcess daemon(kafka_lag_config(kafka_bootstrap(), "      topics: {include: ['" + topic_ + "']}\n" +
                                                               "      groups: {include: ['" + prefix +
                                                               ".*'], exclude: ['.*-drop']}\n"));
  daemon.wait_ready();
  const auto metrics = daemon.wait_for_value(
      "kafka_consumergroup_lag",
      {{"cluster", "it"}, {"consumergroup", prefix + "-keep"}, {"topic", topic_}, {"partition", "0"}}, 999);
  EXPECT_EQ(metrics.series("kafka_topic_partitions").size(), 1U);
  for (const auto& sample : metrics.series("kafka_consumergroup_current_offset")) {
    for (const auto& [name, value] : sample.labels) {
      if (name == "consumergroup") {
        EXPECT_EQ(value, prefix + "-keep");
      }
    }
  }
  daemon.stop();
}

TEST_F(KafkaLag, PromtoolAcceptsTheRealScrapeAndTheReadmeDocumentsEveryFamily) {
  commit_offsets(kafka_bootstrap(), unique_name("promtool"), {{topic_, 0, 3}});
  DaemonProcess daemon(daemon_config(".*", ".*"));
  daemon.wait_ready();
  const auto text = daemon.scrape();
  const auto file = write_temp_file("scrape.prom", text);
  const auto result = run_process({"sh", "-c", "promtool check metrics < '" + file.string() + "'"}, 60s);
  // promtool's linter dislikes a `_sum` suffix on gauges, but these two names are
  // kafka_exporter's, kept so that existing dashboards and alerts work unchanged (README,
  // "Metric reference"). Any other finding, and any parse error, fails the test.
  std::string findings = result.out + result.err;
  for (const char* inherited : {"kafka_consumergroup_current_offset_sum", "kafka_consumergroup_lag_sum"}) {
    const auto line =
        std::string(inherited) + " non-histogram and non-summary metrics should not have \"_sum\" suffix\n";
    if (const auto at = findings.find(line); at != std::string::npos) findings.erase(at, line.size());
  }
  EXPECT_EQ(findings, "") << "promtool found problems";
  // Exit code 3 means lint findings only; 1 would be a parse error.
  EXPECT_TRUE(result.status.code == 0 || result.status.code == 3) << result.status.describe();

  const auto readme = read_file(repo_root() / "README.md");
  for (const auto& family : Exposition::parse(text).family_names()) {
    EXPECT_NE(readme.find("| `" + family + "` |"), std::string::npos) << family << " is not in the README";
  }
  daemon.stop();
}

TEST_F(KafkaLag, LagInSecondsAndStatusFollowTheConsumers) {
  const auto prefix = unique_name("status");
  const auto caught_up = prefix + "-caught-up";
  const auto stopped = prefix + "-stopped";
  const auto rewound = prefix + "-rewound";
  commit_offsets(kafka_bootstrap(), caught_up, {{topic_, 0, 1000}});
  commit_offsets(kafka_bootstrap(), stopped, {{topic_, 0, 900}});
  commit_offsets(kafka_bootstrap(), rewound, {{topic_, 0, 800}});
  DaemonProcess daemon(kafka_lag_config(kafka_bootstrap(), "      topics: {include: ['" + topic_ + "']}\n" +
                                                               "      groups: {include: ['" + prefix + ".*']}\n" +
                                                               "      status_window: 10\n      commit_window: 4s\n"));
  daemon.wait_ready();
  const auto labels = [&](const std::string& group) {
    return Labels{{"cluster", "it"}, {"consumergroup", group}, {"topic", topic_}, {"partition", "0"}};
  };
  // The log end has been at 1000 since before the daemon started: the history has seen the
  // newest message appear only after its first cycles, so new messages give it a reference.
  daemon.wait_for_value("kafka_consumergroup_lag", labels(stopped), 100);
  produce_messages(kafka_bootstrap(), topic_, 0, 10);
  commit_offsets(kafka_bootstrap(), caught_up, {{topic_, 0, 1010}});
  commit_offsets(kafka_bootstrap(), rewound, {{topic_, 0, 700}});

  // A group without members whose offset does not move while it has lag: STOP (3) once the
  // commit window has passed. One that went back: REWIND (4). One caught up: OK, 0 seconds.
  const auto metrics = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        const auto stop = m.value("kafka_consumergroup_partition_status", labels(stopped));
        const auto rewind = m.value("kafka_consumergroup_partition_status", labels(rewound));
        const auto ok = m.value("kafka_consumergroup_partition_status", labels(caught_up));
        if (stop == 3.0 && rewind == 4.0 && ok == 0.0) return "";
        return "stopped " + std::to_string(stop.value_or(-1)) + ", rewound " + std::to_string(rewind.value_or(-1)) +
               ", caught up " + std::to_string(ok.value_or(-1));
      },
      60s, "STOP, REWIND and OK");
  EXPECT_EQ(metrics.value("kafka_consumergroup_status", {{"cluster", "it"}, {"consumergroup", stopped}}), 3.0);
  EXPECT_EQ(metrics.value("kafka_consumergroup_lag_seconds", labels(caught_up)), 0.0);
  // The stopped group's oldest unconsumed message (offset 900) was written before the
  // daemon's history began: its age comes from the record's timestamp (written in SetUp).
  const auto stopped_seconds = metrics.value("kafka_consumergroup_lag_seconds", labels(stopped));
  ASSERT_TRUE(stopped_seconds.has_value());
  EXPECT_GT(*stopped_seconds, 0.0);
  EXPECT_LT(*stopped_seconds, std::chrono::duration<double>(std::chrono::system_clock::now() - written_).count() + 1);
  EXPECT_GE(metrics.value("kafka_consumergroup_committed_messages_total",
                          {{"cluster", "it"}, {"consumergroup", caught_up}, {"topic", topic_}}),
            10.0);
  daemon.stop();
}

TEST_F(KafkaLag, LagInSecondsGrowsWithTheAgeOfTheOldestUnconsumedMessage) {
  const auto group = unique_name("seconds");
  commit_offsets(kafka_bootstrap(), group, {{topic_, 1, 500}});
  DaemonProcess daemon(daemon_config(topic_, group));
  daemon.wait_ready();
  const Labels labels{{"cluster", "it"}, {"consumergroup", group}, {"topic", topic_}, {"partition", "1"}};
  daemon.wait_for_value("kafka_consumergroup_lag_seconds", labels, 0);
  // Two cycles see the end offset at 500; then one message arrives and is not consumed.
  const auto before = std::chrono::steady_clock::now();
  produce_messages(kafka_bootstrap(), topic_, 1, 1);
  daemon.wait_for_value("kafka_consumergroup_lag", labels, 1);
  std::this_thread::sleep_for(3s);
  const auto metrics = daemon.scrape_metrics();
  const auto waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - before).count();
  const auto seconds = metrics.value("kafka_consumergroup_lag_seconds", labels);
  ASSERT_TRUE(seconds.has_value());
  // The message's age, give or take the cycle interval (1 s) the history is sampled at.
  EXPECT_GT(*seconds, 2.0);
  EXPECT_LT(*seconds, waited + 1.5);
  daemon.stop();
}

}  // namespace
}  // namespace msgwatch::test
