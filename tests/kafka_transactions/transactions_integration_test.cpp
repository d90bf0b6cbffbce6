// Transaction state against the real broker: a producer killed inside a transaction leaves
// it open; the daemon shows the open transaction, its age, the partition's frozen last
// stable offset and the growing stall, as Kafka's kafka-transactions lists it, and a
// read_committed group waiting there as BLOCKED; all of it clears once the broker aborts the
// transaction on its timeout.

#include "support/daemon_process.hpp"
#include "support/kafka_admin.hpp"
#include "support/kafka_cli.hpp"
#include "support/kafka_group.hpp"
#include "support/kafka_producer.hpp"
#include "support/own_kafka.hpp"
#include "support/test_environment.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

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

TEST(Transactions, CommitsAbortsAndTheCoordinatorsOwnAbortCountedFromItsLog) {
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
  const auto metrics = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        const auto commits = m.value("kafka_transaction_commits_total", cluster).value_or(-1);
        const auto aborts = m.value("kafka_transaction_aborts_total", cluster).value_or(-1);
        if (commits == 4 && aborts == 3) return "";
        return "commits " + std::to_string(commits) + ", aborts " + std::to_string(aborts);
      },
      60s, "4 commits and 3 aborts");
  EXPECT_EQ(metrics.value("kafka_transaction_coordinator_aborts_total", cluster), 1.0)
      << "only the killed producer's transaction was aborted by the coordinator";
  EXPECT_EQ(metrics.value("kafka_transaction_duration_seconds_count", {{"cluster", "it"}, {"outcome", "commit"}}), 4.0);
  EXPECT_EQ(metrics.value("kafka_transaction_duration_seconds_count", {{"cluster", "it"}, {"outcome", "abort"}}), 3.0);
  // The killed producer's transaction ran for its timeout (3 s) until the coordinator's next
  // check (every second) aborted it; the others took well under a second each.
  const auto abort_seconds =
      metrics.value("kafka_transaction_duration_seconds_sum", {{"cluster", "it"}, {"outcome", "abort"}});
  ASSERT_TRUE(abort_seconds.has_value());
  EXPECT_GE(*abort_seconds, 3.0);
  EXPECT_LT(*abort_seconds, 10.0);
  daemon.stop();
}

}  // namespace
}  // namespace msgwatch::test
