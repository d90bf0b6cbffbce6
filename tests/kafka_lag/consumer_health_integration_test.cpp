// Lag in seconds and consumer status as the on-call person relies on them, against the real
// broker: right from the daemon's first cycles for groups that were behind before it
// started (the truth: the timestamps the test wrote into the records), a consumer whose
// members leave seen within two cycles, a committer's pause within the commit window not
// taken for a stop, jitter not taken for falling behind.

#include "support/daemon_process.hpp"
#include "support/kafka_admin.hpp"
#include "support/kafka_cli.hpp"
#include "support/kafka_group.hpp"
#include "support/kafka_producer.hpp"
#include "support/test_environment.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <random>
#include <set>
#include <thread>

namespace msgwatch::test {
namespace {

using Clock = std::chrono::system_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

Labels partition_labels(const std::string& group, const std::string& topic, int partition) {
  return {{"cluster", "it"}, {"consumergroup", group}, {"topic", topic}, {"partition", std::to_string(partition)}};
}

Labels group_labels(const std::string& group) { return {{"cluster", "it"}, {"consumergroup", group}}; }

std::string lag_settings(const std::string& topics, const std::string& groups, const std::string& more = "") {
  return "      topics: {include: ['" + topics + "']}\n      groups: {include: ['" + groups + "']}\n" + more;
}

TEST(ConsumerHealth, LagInSecondsFromTheFirstCyclesForGroupsBehindBeforeTheDaemonStarted) {
  KafkaAdmin admin(kafka_bootstrap());
  const auto topic = unique_name("behind");
  admin.create_topic(topic, 4);
  const auto appended = unique_name("appended");
  admin.create_topic(appended, 1, 1, {{"message.timestamp.type", "LogAppendTime"}});

  // Messages the producer stamped minutes ago: the truth is the stamp.
  const auto now = Clock::now();
  const auto t400 = now - std::chrono::seconds(400);
  const auto t200 = now - std::chrono::seconds(200);
  const auto t250 = now - std::chrono::seconds(250);
  produce_messages(kafka_bootstrap(), topic, 0, 200, {.timestamp = t400});
  produce_messages(kafka_bootstrap(), topic, 0, 200, {.timestamp = t200});
  {
    // Compressed batches: the group's offset lies inside one.
    KafkaProducer gzip(kafka_bootstrap(), {.transactional_id = std::nullopt,
                                           .settings = {{"compression.codec", "gzip"}, {"linger.ms", "100"}}});
    gzip.produce(topic, 1, 300, {.timestamp = t250});
  }
  // Partition 3 loses its first 50 records to DeleteRecords (as to retention).
  produce_messages(kafka_bootstrap(), topic, 3, 100, {.timestamp = t400});
  const auto offsets_file = write_temp_file(
      "delete.json", R"({"version": 1, "partitions": [{"topic": ")" + topic + R"(", "partition": 3, "offset": 50}]})");
  kafka_tool_output(
      {"delete-records", "--bootstrap-server", kafka_bootstrap(), "--offset-json-file", offsets_file.string()});
  // A committed transaction: ten messages, then the commit marker at offset 10.
  const auto transactional = unique_name("transactional");
  admin.create_topic(transactional, 1);
  {
    KafkaProducer producer(kafka_bootstrap(), {.transactional_id = unique_name("txn"), .settings = {}});
    producer.begin_transaction();
    producer.produce(transactional, 0, 10, {.timestamp = t400});
    producer.commit_transaction();
  }
  // The broker stamps these itself when it appends them.
  const auto append_before = Clock::now();
  produce_messages(kafka_bootstrap(), appended, 0, 100, {.timestamp = t400});
  const auto append_after = Clock::now();

  const auto prefix = unique_name("restart");
  const auto one = prefix + "-one";
  const auto two = prefix + "-two";
  const auto three = prefix + "-three";
  const auto deleted = prefix + "-deleted";
  const auto at_marker = prefix + "-at-marker";
  commit_offsets(kafka_bootstrap(), one, {{topic, 0, 100}, {topic, 1, 150}, {topic, 2, 0}});
  commit_offsets(kafka_bootstrap(), two, {{topic, 0, 300}});
  commit_offsets(kafka_bootstrap(), three, {{appended, 0, 50}});
  commit_offsets(kafka_bootstrap(), deleted, {{topic, 3, 10}});
  // As a transactional pipeline commits: in front of the marker, lag 1 but no message unread.
  commit_offsets(kafka_bootstrap(), at_marker, {{transactional, 0, 10}});

  DaemonProcess daemon(
      kafka_lag_config(kafka_bootstrap(), lag_settings(topic + "|" + appended + "|" + transactional, prefix + ".*")));
  daemon.wait_ready();
  // The first cycle that shows the groups' lag in messages...
  daemon.wait_for_value("kafka_consumergroup_lag", partition_labels(one, topic, 0), 300);
  const auto first_cycle = std::chrono::steady_clock::now();
  // ... or the next one also shows it in seconds.
  daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        const std::vector<std::tuple<std::string, std::string, int>> expected{
            {one, topic, 0}, {one, topic, 1}, {two, topic, 0}, {three, appended, 0}, {at_marker, transactional, 0}};
        for (const auto& [group, t, p] : expected) {
          if (!m.value("kafka_consumergroup_lag_seconds", partition_labels(group, t, p))) {
            return group + " " + t + "-" + std::to_string(p) + " has no lag in seconds";
          }
        }
        return "";
      },
      5s, "lag in seconds of every group");
  EXPECT_LT(std::chrono::steady_clock::now() - first_cycle, 2500ms) << "more than two cycles";

  // Several cycles: within one interval (1 s) of the truth, the group maximum never below it.
  constexpr double interval = 1.0;
  // Printed, for the README: the largest difference from the truth at scrape time, and at the
  // end of the cycle that computed the value.
  double largest_error = 0;
  double largest_error_at_cycle = 0;
  for (int round = 0; round < 4; ++round) {
    const auto m = daemon.scrape_metrics();
    const auto truth_400 = seconds_since(t400);
    const double cycle_end = m.series("msgwatch_probe_last_success_timestamp_seconds").at(0).value;
    const double since_cycle = std::chrono::duration<double>(Clock::now().time_since_epoch()).count() - cycle_end;
    const auto seconds = [&](const std::string& group, const std::string& t, int p) {
      return m.value("kafka_consumergroup_lag_seconds", partition_labels(group, t, p)).value_or(-1);
    };
    for (const auto& [value, truth] :
         {std::pair{seconds(one, topic, 0), truth_400}, std::pair{seconds(one, topic, 1), seconds_since(t250)},
          std::pair{seconds(two, topic, 0), seconds_since(t200)}}) {
      largest_error = std::max(largest_error, std::abs(value - truth));
      largest_error_at_cycle = std::max(largest_error_at_cycle, std::abs(value - (truth - since_cycle)));
    }
    EXPECT_NEAR(seconds(one, topic, 0), truth_400, interval);
    EXPECT_NEAR(seconds(one, topic, 1), seconds_since(t250), interval) << "inside a gzip batch";
    EXPECT_EQ(seconds(one, topic, 2), 0) << "caught up on an empty partition";
    EXPECT_NEAR(seconds(two, topic, 0), seconds_since(t200), interval);
    const auto log_append = seconds(three, appended, 0);
    EXPECT_GE(log_append, seconds_since(append_after) - interval) << "LogAppendTime: the broker's stamp";
    EXPECT_LE(log_append, seconds_since(append_before) + interval);
    const auto group_max = m.value("kafka_consumergroup_group_max_lag_seconds", group_labels(one));
    ASSERT_TRUE(group_max.has_value());
    EXPECT_GE(*group_max, truth_400 - interval);
    EXPECT_NEAR(*group_max, truth_400, interval);
    EXPECT_EQ(seconds(at_marker, transactional, 0), 0) << "only the commit marker is unread";
    EXPECT_EQ(m.value("kafka_consumergroup_lag", partition_labels(at_marker, transactional, 0)), 1.0);
    // Deleted: the group will never read it; nothing is exported rather than a guess.
    EXPECT_EQ(m.value("kafka_consumergroup_lag", partition_labels(deleted, topic, 3)), 90.0);
    EXPECT_EQ(seconds(deleted, topic, 3), -1) << "no series";
    EXPECT_EQ(m.value("kafka_consumergroup_group_max_lag_seconds", group_labels(deleted)), std::nullopt);
    EXPECT_EQ(m.value("msgwatch_kafka_lag_seconds_unknown_partitions", {{"cluster", "it"}}), 1.0);
    std::this_thread::sleep_for(700ms);
  }
  std::cout << "largest difference from the record timestamps: " << largest_error << " s at scrape time, "
            << largest_error_at_cycle << " s at the end of the cycle\n";
  daemon.stop();
}

TEST(ConsumerHealth, MembersLeavingIsAStopWithinTwoCyclesACommitterPausingIsNot) {
  KafkaAdmin admin(kafka_bootstrap());
  const auto topic = unique_name("leave");
  admin.create_topic(topic, 1);
  produce_messages(kafka_bootstrap(), topic, 0, 100);
  const auto prefix = unique_name("members");
  const auto leaving = prefix + "-leaving";
  const auto committer = prefix + "-committer";
  ActiveConsumer consumer(kafka_bootstrap(), leaving, {topic});
  consumer.wait_until_assigned();
  consumer.commit({{topic, 0, 40}});
  std::int64_t committed = 10;
  commit_offsets(kafka_bootstrap(), committer, {{topic, 0, committed}});

  DaemonProcess daemon(
      kafka_lag_config(kafka_bootstrap(), lag_settings(topic, prefix + ".*", "      commit_window: 6s\n")));
  daemon.wait_ready();
  daemon.wait_for_value("kafka_consumergroup_members", group_labels(leaving), 1);
  const auto status = [&](const Exposition& m, const std::string& group) {
    return m.value("kafka_consumergroup_partition_status", partition_labels(group, topic, 0));
  };
  // The committer without members moves its offset every second for a few cycles.
  for (int i = 0; i < 4; ++i) {
    produce_messages(kafka_bootstrap(), topic, 0, 5);
    committed += 5;
    commit_offsets(kafka_bootstrap(), committer, {{topic, 0, committed}});
    std::this_thread::sleep_for(1s);
  }
  const auto last_commit = std::chrono::steady_clock::now();

  // The consumer leaves with 60 messages unread.
  consumer.stop();
  const auto left = std::chrono::steady_clock::now();
  daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        EXPECT_NE(status(m, leaving), 1.0) << "WARN without consumers";
        return status(m, leaving) == 3.0 ? "" : "not STOP yet";
      },
      10s, "STOP of the group whose members left");
  EXPECT_LT(std::chrono::steady_clock::now() - left, 3s) << "more than two cycles (1 s each) and a scrape";

  // The committer pauses for less than the commit window: never STOP meanwhile.
  while (std::chrono::steady_clock::now() - last_commit < 5s) {
    const auto m = daemon.scrape_metrics();
    EXPECT_NE(status(m, committer), 3.0)
        << "a pause of " << std::chrono::duration<double>(std::chrono::steady_clock::now() - last_commit).count()
        << " s is within the commit window";
    std::this_thread::sleep_for(250ms);
  }
  // Past it, nobody is committing: STOP.
  daemon.wait_for_value("kafka_consumergroup_partition_status", partition_labels(committer, topic, 0), 3, 10s);
  daemon.stop();
}

TEST(ConsumerHealth, JitterStaysOkOverAHundredCyclesASlowConsumerWarnsOneThatLeftNever) {
  KafkaAdmin admin(kafka_bootstrap());
  const auto topic = unique_name("jitter");
  admin.create_topic(topic, 1);
  const auto prefix = unique_name("pace");
  const auto healthy = prefix + "-healthy";
  const auto slow = prefix + "-slow";
  const auto gone = prefix + "-gone";
  ActiveConsumer healthy_consumer(kafka_bootstrap(), healthy, {topic});
  ActiveConsumer slow_consumer(kafka_bootstrap(), slow, {topic});
  ActiveConsumer gone_consumer(kafka_bootstrap(), gone, {topic});
  for (auto* c : {&healthy_consumer, &slow_consumer, &gone_consumer}) c->wait_until_assigned();

  DaemonProcess daemon(
      kafka_lag_config(kafka_bootstrap(), lag_settings(topic, prefix + ".*", "      status_window: 10\n"), "250ms"));
  daemon.wait_ready();

  KafkaProducer producer(kafka_bootstrap());
  std::mt19937 random(20261202);
  std::uniform_int_distribution<int> behind(0, 3);
  std::int64_t end = 0;
  std::int64_t healthy_offset = 0;
  std::int64_t slow_offset = 0;
  std::int64_t gone_offset = 0;
  std::set<double> cycles;  // distinct last-success times: one per completed cycle
  std::optional<std::size_t> left_at;
  std::optional<std::size_t> gone_empty_at;
  bool slow_warned = false;
  std::size_t gone_stop_after = 0;
  const auto deadline = std::chrono::steady_clock::now() + 90s;
  while (cycles.size() < 100 || !slow_warned) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline)
        << cycles.size() << " cycles, slow group warned: " << slow_warned;
    // Two messages a step. The healthy group commits up to 3 behind the end, the slow one
    // one message a step, the one that leaves likewise until it leaves.
    producer.produce(topic, 0, 2);
    end += 2;
    healthy_offset = std::max(healthy_offset, end - behind(random));  // never backwards: that is a rewind
    healthy_consumer.commit({{topic, 0, healthy_offset}});
    slow_consumer.commit({{topic, 0, ++slow_offset}});
    if (!left_at) gone_consumer.commit({{topic, 0, ++gone_offset}});
    if (!left_at && cycles.size() >= 40) {
      gone_consumer.stop();
      left_at = cycles.size();
    }

    // One step per cycle, however loaded the machine: the next step waits until a cycle
    // completed after this one, so the window sees the jitter, not a step held over cycles.
    const auto cycles_before = cycles.size();
    Exposition m;
    while (cycles.size() == cycles_before) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "no cycle completed";
      std::this_thread::sleep_for(25ms);
      m = daemon.scrape_metrics();
      for (const auto& sample : m.series("msgwatch_probe_last_success_timestamp_seconds")) cycles.insert(sample.value);
    }
    const auto status = [&](const std::string& group) {
      return m.value("kafka_consumergroup_partition_status", partition_labels(group, topic, 0));
    };
    EXPECT_NE(status(healthy).value_or(0), 1.0) << "jitter taken for falling behind at cycle " << cycles.size();
    EXPECT_EQ(status(healthy).value_or(0), 0.0) << "cycle " << cycles.size();
    slow_warned = slow_warned || status(slow) == 1.0;
    // Judged on the cycles that saw the members gone: one under way while the consumer
    // left still saw it consuming.
    if (!gone_empty_at && m.value("kafka_consumergroup_members", group_labels(gone)) == 0.0) {
      gone_empty_at = cycles.size();
    }
    if (gone_empty_at) {
      EXPECT_NE(status(gone), 1.0) << "WARN after its members left, cycle " << cycles.size();
      if (status(gone) != 3.0) gone_stop_after = cycles.size() - *gone_empty_at + 1;
    }
  }
  // The first cycle without members may still see the last commit move the offset.
  EXPECT_LE(gone_stop_after, 2u) << "cycles without members until STOP";
  daemon.stop();
}

}  // namespace
}  // namespace msgwatch::test
