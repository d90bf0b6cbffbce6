// Runs against the Kafka cluster named by MSGWATCH_TEST_KAFKA_BOOTSTRAP (failing, not
// skipping, when it is unset) and checks the helpers against Kafka's own tools.

#include <gtest/gtest.h>

#include <algorithm>

#include "support/kafka_admin.hpp"
#include "support/kafka_cli.hpp"
#include "support/kafka_group.hpp"
#include "support/kafka_producer.hpp"
#include "support/test_environment.hpp"
#include "support/wait.hpp"

namespace msgwatch::test {
namespace {

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

TEST(KafkaSupportIntegrationTest, CommittedOffsetGivesLagThatKafkaToolsConfirm) {
  const std::string bootstrap = kafka_bootstrap();
  KafkaAdmin admin(bootstrap);
  const std::string topic = unique_name("support-lag");
  const std::string group = unique_name("support-group");
  admin.create_topic(topic, 2);
  EXPECT_TRUE(contains(admin.list_topics(), topic));
  EXPECT_EQ(admin.partition_count(topic), 2);

  produce_messages(bootstrap, topic, 1, 7);
  const Watermarks w = admin.watermarks(topic, 1);
  EXPECT_EQ(w.low, 0);
  EXPECT_EQ(w.high, 7);
  EXPECT_EQ(admin.watermarks(topic, 0).high, 0);

  commit_offsets(bootstrap, group, {{topic, 1, 3}});
  EXPECT_EQ(committed_offsets(bootstrap, group, {{topic, 0}, {topic, 1}}),
            (std::vector<std::optional<std::int64_t>>{std::nullopt, 3}));

  const std::vector<GroupLagRow> rows = describe_group_lag(bootstrap, group);
  ASSERT_EQ(rows.size(), 1U);  // the tool lists only partitions with a committed offset
  EXPECT_EQ(rows[0].topic, topic);
  EXPECT_EQ(rows[0].partition, 1);
  EXPECT_EQ(rows[0].current_offset, 3);
  EXPECT_EQ(rows[0].log_end_offset, 7);
  EXPECT_EQ(rows[0].lag, 4);
  EXPECT_EQ(rows[0].consumer_id, "-");

  admin.delete_groups({group});
  EXPECT_THROW(describe_group_lag(bootstrap, group), std::runtime_error);
  admin.delete_topic(topic);
  EXPECT_FALSE(contains(admin.list_topics(), topic));
}

TEST(KafkaSupportIntegrationTest, ActiveConsumerIsAssignedAndCommits) {
  const std::string bootstrap = kafka_bootstrap();
  KafkaAdmin admin(bootstrap);
  const std::string topic = unique_name("support-active");
  const std::string group = unique_name("support-member");
  admin.create_topic(topic, 3);
  for (int p = 0; p < 3; ++p) produce_messages(bootstrap, topic, p, 10);
  {
    ActiveConsumer consumer(bootstrap, group, {topic}, {{"auto.offset.reset", "earliest"}});
    consumer.wait_until_assigned(60s, 3);
    EXPECT_EQ(consumer.assignment(), (std::vector<TopicPartition>{{topic, 0}, {topic, 1}, {topic, 2}}));
    consumer.commit({{topic, 0, 2}, {topic, 2, 10}});
    wait_until([&] { return consumer.messages_consumed() == 30; }, 60s, "30 messages consumed");

    const std::vector<GroupLagRow> rows = describe_group_lag(bootstrap, group);
    ASSERT_EQ(rows.size(), 3U);  // a member's assigned partitions are all listed
    EXPECT_EQ(rows[0].lag, 8);
    EXPECT_EQ(rows[1].current_offset, std::nullopt);
    EXPECT_EQ(rows[1].lag, std::nullopt);
    EXPECT_EQ(rows[2].lag, 0);
    EXPECT_NE(rows[0].consumer_id, "-");
  }
  // Closed: the group has left, so it can be deleted at once.
  admin.delete_groups({group});
  admin.delete_topic(topic);
}

TEST(KafkaSupportIntegrationTest, TransactionsCommitAbortAndStayOpen) {
  const std::string bootstrap = kafka_bootstrap();
  KafkaAdmin admin(bootstrap);
  const std::string topic = unique_name("support-txn");
  admin.create_topic(topic, 1);
  const std::string committed_id = unique_name("support-txn-commit");
  const std::string open_id = unique_name("support-txn-open");

  KafkaProducer committer(bootstrap, {committed_id, {}});
  committer.begin_transaction();
  committer.produce(topic, 0, 5);
  committer.commit_transaction();
  committer.begin_transaction();
  committer.produce(topic, 0, 3);
  committer.abort_transaction();
  // 5 + 3 messages and a commit and an abort marker; the broker writes markers after it
  // has answered EndTxn.
  wait_until([&] { return admin.watermarks(topic, 0).high == 10; }, 30s, "high watermark 10");
  wait_until([&] { return admin.last_stable_offset(topic, 0) == 10; }, 30s, "LSO 10");

  {
    KafkaProducer open(bootstrap, {open_id, {{"transaction.timeout.ms", "300000"}}});
    open.begin_transaction();
    open.produce(topic, 0, 4);
  }  // destroyed without ending the transaction
  EXPECT_EQ(admin.watermarks(topic, 0).high, 14);
  EXPECT_EQ(admin.last_stable_offset(topic, 0), 10);  // held at the open transaction's start

  std::string state;
  wait_until(
      [&] {
        for (const auto& row : list_transactions(bootstrap)) {
          if (row.transactional_id == open_id) state = row.state;
        }
        return state == "Ongoing";
      },
      60s, "transaction " + open_id + " listed as Ongoing (last seen: " + state + ")");
  const auto rows = list_transactions(bootstrap);
  auto it = std::find_if(rows.begin(), rows.end(),
                         [&](const TransactionRow& r) { return r.transactional_id == committed_id; });
  ASSERT_NE(it, rows.end());
  EXPECT_EQ(it->state, "CompleteAbort");
  admin.delete_topic(topic);
}

}  // namespace
}  // namespace msgwatch::test
