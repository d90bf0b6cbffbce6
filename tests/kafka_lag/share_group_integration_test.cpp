// Share groups (KIP-932) against the real broker. Where the broker offers them (4.3.1), the
// daemon's lag and start offset per partition are what Kafka's own kafka-share-groups
// --describe prints, for a group whose only consumer read part of the topic and left, and
// for one whose member is frozen (SIGSTOP) while records arrive: records it may have
// acquired but never acknowledged still count as lag. A deleted group's series go. Where
// the broker has no share groups (3.9.2), the probe runs clean, says so once, and exports
// none.

#include "support/daemon_process.hpp"
#include "support/kafka_admin.hpp"
#include "support/kafka_cli.hpp"
#include "support/kafka_producer.hpp"
#include "support/process.hpp"
#include "support/test_environment.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace msgwatch::test {
namespace {

bool broker_has_share_groups() { return kafka_version().rfind("3.", 0) != 0; }

std::string daemon_config(const std::string& topic, const std::string& group_prefix) {
  return kafka_lag_config(kafka_bootstrap(), "      topics: {include: ['" + topic + "']}\n" +
                                                 "      groups: {include: ['" + group_prefix + ".*']}\n");
}

Labels group_labels(const std::string& group) { return {{"cluster", "it"}, {"consumergroup", group}}; }

Labels partition_labels(const std::string& group, const std::string& topic, std::int32_t partition) {
  return {{"cluster", "it"}, {"consumergroup", group}, {"topic", topic}, {"partition", std::to_string(partition)}};
}

// A share group reads from the log's start (the default is its end, as a new group would).
void read_from_earliest(const std::string& group) {
  kafka_tool_output({"configs", "--bootstrap-server", kafka_bootstrap(), "--alter", "--entity-type", "groups",
                     "--entity-name", group, "--add-config", "share.auto.offset.reset=earliest"});
}

std::vector<std::string> share_consumer_args(const std::string& topic, const std::string& group) {
  return {"bash",
          (repo_root() / "scripts" / "kafka.sh").string(),
          "tool",
          "--version",
          kafka_version(),
          "console-share-consumer",
          "--bootstrap-server",
          kafka_bootstrap(),
          "--topic",
          topic,
          "--group",
          group};
}

// "" when the daemon's lag and start offset of every partition are the tool's; else the first
// difference.
std::string differs_from_tool(const Exposition& m, const std::string& group,
                              const std::vector<ShareGroupLagRow>& tool) {
  if (tool.empty()) return "the tool lists no partition";
  for (const auto& row : tool) {
    const auto labels = partition_labels(group, row.topic, row.partition);
    const auto lag = m.value("kafka_consumergroup_lag", labels);
    const auto start = m.value("kafka_consumergroup_share_start_offset", labels);
    std::optional<double> want_lag;
    if (row.lag) want_lag = static_cast<double>(*row.lag);
    std::optional<double> want_start;
    if (row.start_offset) want_start = static_cast<double>(*row.start_offset);
    if (lag != want_lag || start != want_start) {
      return "partition " + std::to_string(row.partition) + ": daemon lag " + (lag ? std::to_string(*lag) : "none") +
             ", start " + (start ? std::to_string(*start) : "none") + "; tool lag " +
             (want_lag ? std::to_string(*want_lag) : "-") + ", start " +
             (want_start ? std::to_string(*want_start) : "-");
    }
  }
  return "";
}

TEST(ShareGroups, LagIsWhatKafkaPrintsWithAndWithoutMembersOrNoneWhereTheBrokerHasNoShareGroups) {
  const auto topic = unique_name("jobs");
  const auto prefix = unique_name("queue");
  KafkaAdmin admin(kafka_bootstrap());
  admin.create_topic(topic, 2);
  produce_messages(kafka_bootstrap(), topic, 0, 50);
  produce_messages(kafka_bootstrap(), topic, 1, 50);

  if (!broker_has_share_groups()) {
    DaemonProcess daemon(daemon_config(topic, prefix));
    daemon.wait_ready();
    const auto m = daemon.wait_for_value("msgwatch_probe_success", {{"probe", "kafka_lag"}, {"cluster", "it"}}, 1, 60s);
    for (const auto& sample : m.samples_named("kafka_consumergroup_info")) {
      for (const auto& [name, value] : sample.labels) EXPECT_FALSE(name == "type" && value == "share");
    }
    EXPECT_FALSE(m.has_family("kafka_consumergroup_share_start_offset"));
    const auto log = daemon.log();
    const std::string note = "share groups not offered by the brokers";
    const auto first = log.find(note);
    EXPECT_NE(first, std::string::npos) << daemon.log_tail();
    EXPECT_EQ(log.find(note, first + 1), std::string::npos) << "said once";
    daemon.stop();
    return;
  }

  // A group whose consumer read 30 records and left.
  const auto left = prefix + "-left";
  read_from_earliest(left);
  auto args = share_consumer_args(topic, left);
  args.insert(args.end(), {"--max-messages", "30", "--timeout-ms", "60000"});
  const auto read = run_process(args, 120s);
  ASSERT_TRUE(read.status.success()) << read.describe();

  // A group whose consumer reads everything, then is frozen while 20 more records arrive
  // per partition.
  const auto frozen = prefix + "-frozen";
  read_from_earliest(frozen);
  const auto output = write_temp_file("share-consumer.log", "");
  auto consumer = ChildProcess::spawn(share_consumer_args(topic, frozen), output, output);

  DaemonProcess daemon(daemon_config(topic, prefix));
  daemon.wait_ready();
  daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        if (m.value("kafka_consumergroup_members", group_labels(frozen)) != 1.0) return "frozen: no member yet";
        if (m.value("kafka_consumergroup_group_sum_lag", group_labels(frozen)) != 0.0) return "frozen: still reading";
        return m.value("kafka_consumergroup_members", group_labels(left)) == 0.0 ? "" : "left: members not 0";
      },
      90s, "the frozen group's consumer to read everything");
  consumer.signal(SIGSTOP);
  produce_messages(kafka_bootstrap(), topic, 0, 20);
  produce_messages(kafka_bootstrap(), topic, 1, 20);

  // Within the member's session (45 s): it stays a member, its 20 records per partition are
  // lag whether or not its pending fetch acquired them.
  const auto frozen_tool = describe_share_group_lag(kafka_bootstrap(), frozen);
  const auto left_tool = describe_share_group_lag(kafka_bootstrap(), left);
  const auto m = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        if (auto problem = differs_from_tool(m, frozen, frozen_tool); !problem.empty()) return "frozen: " + problem;
        if (auto problem = differs_from_tool(m, left, left_tool); !problem.empty()) return "left: " + problem;
        return "";
      },
      30s, "the daemon's share group lag to be what kafka-share-groups prints");
  consumer.signal(SIGCONT);
  consumer.kill_and_reap();

  for (const std::int32_t partition : {0, 1}) {
    EXPECT_EQ(m.value("kafka_consumergroup_lag", partition_labels(frozen, topic, partition)), 20.0);
  }
  EXPECT_EQ(m.value("kafka_consumergroup_members", group_labels(frozen)), 1.0);
  EXPECT_EQ(m.value("kafka_consumergroup_group_sum_lag", group_labels(frozen)), 40.0);
  EXPECT_EQ(m.value("kafka_consumergroup_lag_sum", {{"cluster", "it"}, {"consumergroup", frozen}, {"topic", topic}}),
            40.0);
  const auto left_lag = m.value("kafka_consumergroup_group_sum_lag", group_labels(left));
  ASSERT_TRUE(left_lag.has_value());
  EXPECT_LE(*left_lag, 140.0 - 30.0) << "30 records read and acknowledged";
  std::map<std::string, std::string> info;
  for (const auto& sample : m.samples_named("kafka_consumergroup_info")) {
    std::map<std::string, std::string> labels(sample.labels.begin(), sample.labels.end());
    if (labels["consumergroup"] == frozen) info = labels;
  }
  EXPECT_EQ(info["type"], "share");
  EXPECT_EQ(info["state"], "Stable");
  EXPECT_EQ(info["protocol"], "simple") << "the share group assignor";
  // What only a committed offset gives: none for a share group.
  for (const char* family : {"kafka_consumergroup_current_offset", "kafka_consumergroup_lag_seconds",
                             "kafka_consumergroup_partition_status"}) {
    EXPECT_FALSE(m.value(family, partition_labels(frozen, topic, 0)).has_value()) << family;
  }
  EXPECT_EQ(m.value("msgwatch_kafka_unread_groups", {{"cluster", "it"}}), 0.0);
  EXPECT_NE(daemon.log().find("share groups offered"), std::string::npos);

  // A deleted group's series go.
  kafka_tool_output({"share-groups", "--bootstrap-server", kafka_bootstrap(), "--delete", "--group", left});
  daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        return m.value("kafka_consumergroup_members", group_labels(left)).has_value()
                   ? "the deleted group is still exported"
                   : "";
      },
      30s, "the deleted share group's series to go");
  daemon.stop();
}

}  // namespace
}  // namespace msgwatch::test
