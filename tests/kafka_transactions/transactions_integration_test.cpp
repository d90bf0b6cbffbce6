// Transaction state against the real broker: a producer killed inside a transaction leaves
// it open; the daemon shows the open transaction, its age, the partition's frozen last
// stable offset and the growing stall, as Kafka's kafka-transactions lists and describes it, and a
// read_committed group waiting there as BLOCKED; all of it clears once the broker aborts the
// transaction on its timeout.

#include "support/daemon_process.hpp"
#include "support/kafka_admin.hpp"
#include "support/kafka_cli.hpp"
#include "support/kafka_group.hpp"
#include "support/kafka_producer.hpp"
#include "support/own_kafka.hpp"
#include "support/process.hpp"
#include "support/test_environment.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace msgwatch::test {
namespace {

TEST(Transactions, AKilledProducersOpenTransactionAndFrozenLastStableOffsetUntilTheBrokerAbortsIt) {
  KafkaAdmin admin(kafka_bootstrap());
  const auto topic = unique_name("txn");
  admin.create_topic(topic, 1);
  produce_messages(kafka_bootstrap(), topic, 0, 10);  // offsets 0-9, no transaction
  const auto id = unique_name("killed");
  // Destroyed without ending the transaction, as a killed process would leave it.
  {
    KafkaProducer producer(kafka_bootstrap(),
                           {.transactional_id = id, .settings = {{"transaction.timeout.ms", "15000"}}});
    producer.begin_transaction();
    producer.produce(topic, 0, 5);  // offsets 10-14, open
  }
  // A read_committed consumer that has read everything up to the open transaction.
  const auto group = unique_name("committed-reader");
  commit_offsets(kafka_bootstrap(), group, {{topic, 0, 10}});

  DaemonProcess daemon(kafka_lag_config(
      kafka_bootstrap(), "      topics: {include: ['" + topic + "']}\n      groups: {include: ['" + group +
                             "']}\n      read_committed_groups: {include: ['" + group + "']}\n" +
                             "    transactions:\n      long_running_after: 1s\n      lso_stall_after: 2s\n"));
  daemon.wait_ready();
  const Labels partition{{"cluster", "it"}, {"topic", topic}, {"partition", "0"}};
  const Labels group_partition{{"cluster", "it"}, {"consumergroup", group}, {"topic", topic}, {"partition", "0"}};

  // Kafka's own tool says where the transaction is coordinated and that it is open.
  const auto rows = list_transactions(kafka_bootstrap());
  const auto row =
      std::find_if(rows.begin(), rows.end(), [&](const TransactionRow& r) { return r.transactional_id == id; });
  ASSERT_NE(row, rows.end()) << "kafka-transactions list does not show " << id;
  const auto coordinator = std::to_string(row->coordinator);
  const bool still_open = row->state == "Ongoing";

  if (still_open) {
    const auto metrics = daemon.wait_for_metrics(
        [&](const Exposition& m) -> std::string {
          const auto open = m.value(
              "kafka_transaction_open_seconds",
              {{"cluster", "it"}, {"transactional_id", id}, {"coordinator", coordinator}, {"state", "Ongoing"}});
          const auto stalled = m.value("kafka_topic_partition_lso_stalled_seconds", partition);
          if (!open || *open < 1.5) return "no long-running series for " + id + " yet";
          if (!stalled || *stalled < 1) return "the last stable offset is not seen stalled yet";
          if (m.value("kafka_consumergroup_partition_status", group_partition) != 5.0) return "not BLOCKED yet";
          return "";
        },
        30s, "the open transaction and the stalled last stable offset");
    // The daemon's DescribeTransactions equals kafka-transactions describe: the coordinator,
    // the state, and the age from the start time the coordinator recorded (computed by the
    // last cycle, at most one interval and its timeout before the scrape).
    const auto described = describe_transaction(kafka_bootstrap(), id);
    const auto scraped = daemon.scrape_metrics();
    const auto now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    EXPECT_EQ(described.coordinator, row->coordinator);
    EXPECT_EQ(described.state, "Ongoing");
    EXPECT_EQ(described.topic_partitions, std::vector<std::string>{topic + "-0"});
    ASSERT_TRUE(described.start_time_ms.has_value());
    const auto age = scraped.value(
        "kafka_transaction_open_seconds",
        {{"cluster", "it"}, {"transactional_id", id}, {"coordinator", coordinator}, {"state", described.state}});
    ASSERT_TRUE(age.has_value()) << "no series with kafka-transactions describe's coordinator and state";
    const double truth = static_cast<double>(now_ms - *described.start_time_ms) / 1000.0;
    EXPECT_LE(*age, truth + 0.05);
    EXPECT_GE(*age, truth - 2.5);
    EXPECT_EQ(metrics.value("kafka_topic_partition_unstable_messages", partition), 5.0);
    EXPECT_EQ(metrics.value("kafka_consumergroup_lag_stable", group_partition), 0.0);
    EXPECT_EQ(metrics.value("kafka_consumergroup_status", {{"cluster", "it"}, {"consumergroup", group}}), 5.0);
    EXPECT_GE(metrics
                  .value("kafka_transaction_coordinator_transactions",
                         {{"cluster", "it"}, {"coordinator", coordinator}, {"state", "Ongoing"}})
                  .value_or(0),
              1.0);
    EXPECT_GE(metrics
                  .value("kafka_transaction_coordinator_oldest_open_seconds",
                         {{"cluster", "it"}, {"coordinator", coordinator}})
                  .value_or(0),
              1.5);
    EXPECT_GE(metrics.value("kafka_transaction_oldest_open_seconds", {{"cluster", "it"}}).value_or(0), 1.5);
  } else {
    ADD_FAILURE() << "the broker ended the transaction before the test could look (state " << row->state << ")";
  }

  // The broker aborts it after transaction.timeout.ms (15 s) at its next check (every 10 s).
  const auto cleared = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        if (m.value("kafka_topic_partition_unstable_messages", partition) != 0.0) return "messages still held back";
        if (m.value("kafka_topic_partition_lso_stalled_seconds", partition) != 0.0) return "still stalled";
        if (m.value(
                "kafka_transaction_open_seconds",
                {{"cluster", "it"}, {"transactional_id", id}, {"coordinator", coordinator}, {"state", "Ongoing"}})) {
          return "still open";
        }
        return "";
      },
      60s, "the aborted transaction to clear");
  EXPECT_EQ(cleared.value("kafka_transaction_hanging", {{"cluster", "it"}}), 0.0);
  EXPECT_NE(cleared.value("kafka_consumergroup_partition_status", group_partition), 5.0) << "no longer blocked";
  EXPECT_EQ(cleared.value("msgwatch_kafka_transactions_unread_coordinators", {{"cluster", "it"}}), 0.0);
  daemon.stop();
}

TEST(Transactions, CommitsAbortsTimeoutsAndFencesCountedFromTheLogAndTheListingAsKafkaListsIt) {
  // A broker of this test's own: the counters are the whole cluster's, and other tests run
  // transactions on the shared one. It looks for timed-out transactions every second.
  OwnKafka kafka(1, {"transaction.abort.timed.out.transaction.cleanup.interval.ms=1000"});
  KafkaAdmin admin(kafka.bootstrap());
  const auto topic = unique_name("outcomes");
  admin.create_topic(topic, 2);
  DaemonProcess daemon(kafka_lag_config(kafka.bootstrap(), "      topics: {include: ['" + topic + "']}\n"));
  daemon.wait_ready();
  const Labels cluster{{"cluster", "it"}};
  // A cycle has seen the cluster without __transaction_state.
  daemon.wait_for_value("kafka_transaction_commits_total", cluster, 0);
  {
    // The first transaction creates the topic; the daemon follows it from its beginning,
    // so this one counts too.
    KafkaProducer first(kafka.bootstrap(), {.transactional_id = unique_name("first"), .settings = {}});
    first.begin_transaction();
    first.produce(topic, 0, 1);
    first.commit_transaction();
  }
  daemon.wait_for_value("kafka_transaction_commits_total", cluster, 1);
  EXPECT_EQ(daemon.scrape_metrics().value("msgwatch_kafka_transaction_log_readable", cluster), 1.0);

  KafkaProducer producer(kafka.bootstrap(), {.transactional_id = unique_name("app"), .settings = {}});
  for (int i = 0; i < 3; ++i) {
    producer.begin_transaction();
    producer.produce(topic, i % 2, 2);
    producer.commit_transaction();
  }
  for (int i = 0; i < 2; ++i) {
    producer.begin_transaction();
    producer.produce(topic, 0, 1);
    producer.abort_transaction();
  }
  {
    // Killed inside a transaction: the coordinator aborts it after 3 s.
    KafkaProducer killed(kafka.bootstrap(),
                         {.transactional_id = unique_name("killed"), .settings = {{"transaction.timeout.ms", "3000"}}});
    killed.begin_transaction();
    killed.produce(topic, 1, 1);
  }
  {
    // A second instance with the same transactional id starts while the first is inside a
    // transaction: the coordinator aborts the first one's transaction (fences it) before
    // the second may begin, and the second commits one.
    const auto id = unique_name("zombie");
    KafkaProducer zombie(kafka.bootstrap(), {.transactional_id = id, .settings = {}});
    zombie.begin_transaction();
    zombie.produce(topic, 0, 1);
    KafkaProducer successor(kafka.bootstrap(), {.transactional_id = id, .settings = {}});
    successor.begin_transaction();
    successor.produce(topic, 1, 1);
    successor.commit_transaction();
  }
  const auto metrics = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        const auto commits = m.value("kafka_transaction_commits_total", cluster).value_or(-1);
        const auto aborts = m.value("kafka_transaction_aborts_total", cluster).value_or(-1);
        if (commits == 5 && aborts == 4) return "";
        return "commits " + std::to_string(commits) + ", aborts " + std::to_string(aborts);
      },
      60s, "5 commits and 4 aborts");
  EXPECT_EQ(metrics.value("kafka_transaction_coordinator_aborts_total", {{"cluster", "it"}, {"reason", "timeout"}}),
            1.0)
      << "only the killed producer's transaction ran into its timeout";
  EXPECT_EQ(metrics.value("kafka_transaction_coordinator_aborts_total", {{"cluster", "it"}, {"reason", "fenced"}}), 1.0)
      << "only the zombie's transaction was fenced";
  EXPECT_EQ(metrics.value("kafka_transaction_duration_seconds_count", {{"cluster", "it"}, {"outcome", "commit"}}), 5.0);
  EXPECT_EQ(metrics.value("kafka_transaction_duration_seconds_count", {{"cluster", "it"}, {"outcome", "abort"}}), 4.0);
  // The killed producer's transaction ran for its timeout (3 s) until the coordinator's next
  // check (every second) aborted it; the others took well under a second each.
  const auto abort_seconds =
      metrics.value("kafka_transaction_duration_seconds_sum", {{"cluster", "it"}, {"outcome", "abort"}});
  ASSERT_TRUE(abort_seconds.has_value());
  EXPECT_GE(*abort_seconds, 3.0);
  EXPECT_LT(*abort_seconds, 10.0);

  // Nothing runs on this cluster any more: the daemon's ListTransactions per coordinator and
  // state equals kafka-transactions list.
  const auto rows = list_transactions(kafka.bootstrap());
  std::map<std::pair<std::string, std::string>, double> listed;
  for (const auto& row : rows) listed[{std::to_string(row.coordinator), row.state}] += 1;
  EXPECT_EQ(rows.size(), 4u) << "first, app, killed, zombie";
  daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        for (const auto& [where, count] : listed) {
          const auto& [coordinator, state] = where;
          const auto seen = m.value("kafka_transaction_coordinator_transactions",
                                    {{"cluster", "it"}, {"coordinator", coordinator}, {"state", state}});
          if (seen != count) {
            return "coordinator " + coordinator + " " + state + ": daemon " +
                   (seen ? std::to_string(*seen) : "absent") + ", kafka-transactions list " + std::to_string(count);
          }
        }
        const auto ids = m.value("kafka_transaction_coordinator_transactional_ids",
                                 {{"cluster", "it"}, {"coordinator", std::to_string(rows.front().coordinator)}});
        if (ids != static_cast<double>(rows.size())) return "transactional ids differ from the list";
        return "";
      },
      30s, "the daemon's listing to equal kafka-transactions list");

  // Kafka's own Java producer, on the newest transaction protocol the broker offers (version
  // 2 on 4.x, where every transaction end bumps the epoch), commits a transaction every half
  // second and is killed inside one: the coordinator's abort counts as a timeout. A kill can
  // land between two transactions (or while one commits), when there is nothing to abort:
  // Kafka's own tool says which, and such a try is made again with a new producer.
  const auto java_producer = [&](const std::string& transactional_id) {
    const auto log = write_temp_file("producer-perf-test.log", "");
    return ChildProcess::spawn({"bash",
                                (repo_root() / "scripts" / "kafka.sh").string(),
                                "tool",
                                "--version",
                                kafka_version(),
                                "producer-perf-test",
                                "--topic",
                                topic,
                                "--num-records",
                                "1000000",
                                "--throughput",
                                "20",
                                "--record-size",
                                "10",
                                "--transactional-id",
                                transactional_id,
                                "--transaction-duration-ms",
                                "500",
                                "--producer-props",
                                "bootstrap.servers=" + kafka.bootstrap(),
                                "transaction.timeout.ms=3000"},
                               log, log);
  };
  std::string killed_in;  // the Java producer's transaction state the kill left behind
  for (int attempt = 0; attempt < 3 && killed_in.empty(); ++attempt) {
    const double commits_before = daemon.scrape_metrics().value("kafka_transaction_commits_total", cluster).value_or(0);
    const auto transactional_id = unique_name("java");
    auto java = java_producer(transactional_id);
    daemon.wait_for_metrics(
        [&](const Exposition& m) -> std::string {
          return m.value("kafka_transaction_commits_total", cluster).value_or(0) >= commits_before + 2
                     ? ""
                     : "the Java producer has not committed twice yet";
        },
        60s, "the Java producer's commits");
    java.kill_and_reap();
    const auto state = describe_transaction(kafka.bootstrap(), transactional_id).state;
    if (state == "Ongoing" || state == "PrepareAbort" || state == "CompleteAbort") killed_in = state;
  }
  ASSERT_FALSE(killed_in.empty()) << "three kills in a row fell between transactions";
  const auto after_kill = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        return m.value("kafka_transaction_coordinator_aborts_total", {{"cluster", "it"}, {"reason", "timeout"}}) == 2.0
                   ? ""
                   : "the killed Java producer's transaction not counted as timed out yet";
      },
      30s, "the coordinator to abort the killed Java producer's transaction");
  EXPECT_EQ(after_kill.value("kafka_transaction_coordinator_aborts_total", {{"cluster", "it"}, {"reason", "fenced"}}),
            1.0);
  EXPECT_EQ(after_kill.value("kafka_transaction_aborts_total", cluster), 5.0);
  daemon.stop();
}

}  // namespace
}  // namespace msgwatch::test
