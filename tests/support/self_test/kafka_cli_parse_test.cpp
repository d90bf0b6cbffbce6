#include <gtest/gtest.h>

#include "support/kafka_cli.hpp"
#include "support/process.hpp"

namespace msgwatch::test {
namespace {

// Captured from the 4.3.1 tools against Kafka 4.4.0. The no-members fixture adds the
// "has no active members" line some tool versions print on stdout; the parser skips prose.
std::string fixture(const std::string& name) {
  const std::string text = read_file(std::string(FIXTURE_DIR) + "/" + name);
  if (text.empty()) throw std::runtime_error("missing fixture " + name);
  return text;
}

TEST(KafkaCliParse, GroupWithMember) {
  // A member owns both partitions and has committed only partition 0.
  const auto rows = parse_group_lag_table(fixture("consumer_groups_member.txt"));
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0].topic, "fixture-topic");
  EXPECT_EQ(rows[0].partition, 0);  // sorted
  EXPECT_EQ(rows[0].current_offset, 5);
  EXPECT_EQ(rows[0].log_end_offset, 7);
  EXPECT_EQ(rows[0].lag, 2);
  EXPECT_EQ(rows[0].consumer_id, "msgwatch-test-support-5e5339a8-56dd-4ed2-9d88-21fcadd3b0de");
  EXPECT_EQ(rows[1].partition, 1);
  EXPECT_EQ(rows[1].current_offset, std::nullopt);
  EXPECT_EQ(rows[1].log_end_offset, 2);
  EXPECT_EQ(rows[1].lag, std::nullopt);
}

TEST(KafkaCliParse, GroupWithoutMembers) {
  const auto rows = parse_group_lag_table(fixture("consumer_groups_no_members.txt"));
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].current_offset, 3);
  EXPECT_EQ(rows[0].lag, 4);
  EXPECT_EQ(rows[0].consumer_id, "-");
}

TEST(KafkaCliParse, RejectsUnexpectedShapes) {
  const std::string header = "GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID\n";
  EXPECT_THROW(parse_group_lag_table("Error: Consumer group 'x' does not exist.\n"), std::runtime_error);
  EXPECT_THROW(parse_group_lag_table("GROUP TOPIC PARTITION LAG\n"), std::runtime_error);
  EXPECT_THROW(parse_group_lag_table(header + "g t 0 x 7 4 - - -\n"), std::runtime_error);
  EXPECT_THROW(parse_group_lag_table(header + "g t 0 3 7 4 - -\n"), std::runtime_error);
  EXPECT_TRUE(parse_group_lag_table(header).empty());
}

// Captured from the 4.3.1 tools against Kafka 4.3.1: a share group whose consumer read 50
// records per partition and acknowledged them, frozen while 20 more arrived on each. On
// partition 1 the start offset stayed at 0: lag is not end − start.
TEST(KafkaCliParse, ShareGroupDescribe) {
  const auto rows = parse_share_group_lag_table(fixture("share_groups_describe_4.3.1.txt"));
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0].topic, "jobs-29091-1-8ae769");
  EXPECT_EQ(rows[0].partition, 0);
  EXPECT_EQ(rows[0].start_offset, 50);
  EXPECT_EQ(rows[0].lag, 20);
  EXPECT_EQ(rows[1].partition, 1);
  EXPECT_EQ(rows[1].start_offset, 0);
  EXPECT_EQ(rows[1].lag, 20);
}

// The 4.3.1 tools' layout (tab-separated "Key: value" pairs, empty ELR columns), with three
// brokers: a partition without a leader and lines out of order.
TEST(KafkaCliParse, TopicsDescribe) {
  const auto rows = parse_topic_partitions(fixture("topics_describe_4.3.1.txt"));
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows[0].partition, 0);
  EXPECT_EQ(rows[0].leader, 0);
  EXPECT_EQ(rows[0].replicas, (std::vector<std::int32_t>{0, 1, 2}));
  EXPECT_EQ(rows[1].leader, 2);
  EXPECT_EQ(rows[1].isr, (std::vector<std::int32_t>{2, 0}));
  EXPECT_EQ(rows[2].partition, 2);
  EXPECT_EQ(rows[2].leader, -1);
  EXPECT_EQ(rows[2].replicas, (std::vector<std::int32_t>{2, 0, 1}));
  EXPECT_THROW(parse_topic_partitions("\tTopic: t\tPartition: 0\tLeader: 0\n"), std::runtime_error);
  EXPECT_THROW(parse_topic_partitions("\tTopic: t\tPartition: 0\tLeader: x\tReplicas: 0\tIsr: 0\n"),
               std::runtime_error);
  EXPECT_TRUE(parse_topic_partitions("Error while executing topic command\n").empty());
}

TEST(KafkaCliParse, TransactionsList) {
  // kafka-transactions list pads with blanks and separates with tabs.
  const auto rows = parse_transactions_table(fixture("transactions_list.txt"));
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0].transactional_id, "support-txn-commit-5331-6-3e09eb");
  EXPECT_EQ(rows[0].state, "CompleteAbort");
  EXPECT_EQ(rows[1].producer_id, 2);
  EXPECT_EQ(rows[1].coordinator, 0);
  EXPECT_EQ(rows[1].state, "Ongoing");
  EXPECT_TRUE(parse_transactions_table("TransactionalId\tCoordinator\tProducerId\tTransactionState\t\n").empty());
  EXPECT_THROW(parse_transactions_table(""), std::runtime_error);
}

TEST(KafkaCliParse, TransactionsDescribe) {
  // kafka-transactions describe of a Java producer inside a transaction (producer-perf-test).
  const auto current = parse_transaction_description(fixture("transactions_describe_4.3.1.txt"));
  EXPECT_EQ(current.coordinator, 0);
  EXPECT_EQ(current.transactional_id, "fixture-describe-43");
  EXPECT_EQ(current.producer_id, 1);
  EXPECT_EQ(current.producer_epoch, 0);
  EXPECT_EQ(current.state, "Ongoing");
  EXPECT_EQ(current.timeout_ms, 60000);
  EXPECT_EQ(current.start_time_ms, 1796190929280);
  EXPECT_EQ(current.topic_partitions, (std::vector<std::string>{"fixture-txn-1", "fixture-txn-0"}));
  const auto older = parse_transaction_description(fixture("transactions_describe_3.9.2.txt"));
  EXPECT_EQ(older.transactional_id, "fixture-describe-39");
  EXPECT_EQ(older.topic_partitions, std::vector<std::string>{"fixture-txn-1"});
  // No transaction open: no start time, and an empty last column that is still a column.
  const std::string header =
      "CoordinatorId\tTransactionalId\tProducerId\tProducerEpoch\tTransactionState\tTransactionTimeoutMs\t"
      "CurrentTransactionStartTimeMs\tTransactionDurationMs\tTopicPartitions\t\n";
  const auto idle = parse_transaction_description(header + "1\tapp\t7\t3\tCompleteCommit\t60000\tNone\tNone\t\t\n");
  EXPECT_EQ(idle.coordinator, 1);
  EXPECT_EQ(idle.state, "CompleteCommit");
  EXPECT_FALSE(idle.start_time_ms.has_value());
  EXPECT_TRUE(idle.topic_partitions.empty());
  EXPECT_THROW(parse_transaction_description(header), std::runtime_error);
  EXPECT_THROW(parse_transaction_description("Failed to describe transaction state\n"), std::runtime_error);
  EXPECT_THROW(parse_transaction_description(header + "1\tapp\t7\n"), std::runtime_error);
  EXPECT_THROW(parse_transaction_description(header + "x\tapp\t7\t3\tOngoing\t60000\t1\t1\tt-0\t\n"),
               std::runtime_error);
}

TEST(KafkaCliParse, TransactionsFindHanging) {
  // kafka-transactions find-hanging --broker-id 0 --max-transaction-timeout 0 (4.3.1; 3.9.2
  // prints the same), with the transactional batch of a producer id no coordinator knows.
  const auto rows = parse_hanging_transactions_table(fixture("transactions_find_hanging.txt"));
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].topic, "hanging-27631-2-fda541");
  EXPECT_EQ(rows[0].partition, 1);
  EXPECT_EQ(rows[0].producer_id, 999000);
  EXPECT_EQ(rows[0].producer_epoch, 0);
  EXPECT_EQ(rows[0].coordinator_epoch, -1);
  EXPECT_EQ(rows[0].start_offset, 3);
  EXPECT_EQ(rows[0].last_timestamp_ms, 1796180963678);
  EXPECT_EQ(rows[0].duration_minutes, 0);
  const std::string header =
      "Topic\tPartition\tProducerId\tProducerEpoch\tCoordinatorEpoch\tStartOffset\tLastTimestamp\tDuration(min)\t\n";
  EXPECT_TRUE(parse_hanging_transactions_table(header).empty());  // nothing hanging
  const auto sorted = parse_hanging_transactions_table(header + "b\t0\t5\t0\t-1\t9\t1\t0\t\n" +
                                                       "a\t2\t7\t1\t3\t4\t1\t16\t\n" + "a\t2\t6\t1\t3\t4\t1\t16\t\n");
  ASSERT_EQ(sorted.size(), 3U);
  EXPECT_EQ(sorted[0].producer_id, 6);
  EXPECT_EQ(sorted[1].producer_id, 7);
  EXPECT_EQ(sorted[2].topic, "b");
  EXPECT_THROW(parse_hanging_transactions_table(""), std::runtime_error);
  EXPECT_THROW(parse_hanging_transactions_table(header + "t\t0\t5\t0\n"), std::runtime_error);
  EXPECT_THROW(parse_hanging_transactions_table(header + "t\tx\t5\t0\t-1\t9\t1\t0\n"), std::runtime_error);
  EXPECT_THROW(parse_hanging_transactions_table("Topic\tPartition\tProducerId\n"), std::runtime_error);
}

TEST(KafkaCliParse, MetadataQuorumStatus) {
  const auto current = parse_quorum_status(fixture("metadata_quorum_status_4.3.1.txt"));
  EXPECT_EQ(current.leader_id, 0);
  EXPECT_EQ(current.leader_epoch, 1);
  EXPECT_EQ(current.voters, std::vector<std::int32_t>{0});
  const auto older = parse_quorum_status(fixture("metadata_quorum_status_3.6.txt"));
  EXPECT_EQ(older.leader_id, 2);
  EXPECT_EQ(older.voters, (std::vector<std::int32_t>{0, 1, 2}));
  EXPECT_THROW(parse_quorum_status("ClusterId: x\n"), std::runtime_error);
}

}  // namespace
}  // namespace msgwatch::test
