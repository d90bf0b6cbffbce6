#pragma once
// Kafka's own command-line tools, run through scripts/kafka.sh from the jars of the broker
// version under test. They are the independent oracle: when the daemon and
// kafka-consumer-groups disagree about lag, the daemon is wrong.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace msgwatch::test {

using namespace std::chrono_literals;

// scripts/kafka.sh tool --version $MSGWATCH_TEST_KAFKA_VERSION <args...>, run from
// $MSGWATCH_REPO_ROOT. Returns whatever the tool did; see kafka_tool_output for a checked run.
ProcessResult run_kafka_tool(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 120s);
// Same, but throws (with both output streams) unless the tool exits 0; returns stdout.
std::string kafka_tool_output(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 120s);

struct GroupLagRow {
  std::string topic;
  std::int32_t partition = 0;
  std::optional<std::int64_t> current_offset;  // nullopt for "-": nothing committed
  std::int64_t log_end_offset = 0;
  std::optional<std::int64_t> lag;  // nullopt for "-"
  std::string consumer_id;          // "-" when the partition has no owner
};

// kafka-consumer-groups --describe --group G, parsed. Rows are sorted by topic and
// partition. Throws if the tool fails (e.g. the group does not exist) or its table has
// an unexpected shape.
std::vector<GroupLagRow> describe_group_lag(const std::string& bootstrap, const std::string& group);

// Parses the tool's stdout; exposed for the self-tests.
std::vector<GroupLagRow> parse_group_lag_table(const std::string& output);

struct ShareGroupLagRow {
  std::string topic;
  std::int32_t partition = 0;
  std::optional<std::int64_t> start_offset;  // nullopt for "-": the share partition is not initialised
  std::optional<std::int64_t> lag;           // nullopt for "-"
};

// kafka-share-groups --describe --group G (its offsets view), parsed, sorted by topic and
// partition. Throws if the tool fails or its table has an unexpected shape.
std::vector<ShareGroupLagRow> describe_share_group_lag(const std::string& bootstrap, const std::string& group);

// Parses the tool's stdout; exposed for the self-tests.
std::vector<ShareGroupLagRow> parse_share_group_lag_table(const std::string& output);

struct TransactionRow {
  std::string transactional_id;
  std::int32_t coordinator = 0;
  std::int64_t producer_id = 0;
  std::string state;  // Ongoing, CompleteCommit, CompleteAbort, Empty, ...
};

struct TopicPartitionRow {
  std::int32_t partition = 0;
  std::int32_t leader = -1;  // -1: none ("none" in 3.x tools, -1 in 4.x)
  std::vector<std::int32_t> replicas;
  std::vector<std::int32_t> isr;
};

// kafka-topics --describe --topic T, the partition lines parsed, sorted by partition.
// Throws if the tool fails or a partition line has an unexpected shape.
std::vector<TopicPartitionRow> describe_topic_partitions(const std::string& bootstrap, const std::string& topic);

// Parses the tool's stdout; exposed for the self-tests.
std::vector<TopicPartitionRow> parse_topic_partitions(const std::string& output);

// kafka-transactions --list, parsed.
std::vector<TransactionRow> list_transactions(const std::string& bootstrap);

// Parses the tool's stdout; exposed for the self-tests.
std::vector<TransactionRow> parse_transactions_table(const std::string& output);

struct TransactionDescription {
  std::int32_t coordinator = 0;
  std::string transactional_id;
  std::int64_t producer_id = 0;
  std::int32_t producer_epoch = 0;
  std::string state;
  std::int64_t timeout_ms = 0;
  std::optional<std::int64_t> start_time_ms;  // nullopt ("None") when no transaction is open
  std::vector<std::string> topic_partitions;  // "topic-partition", as the tool prints them
};

// kafka-transactions describe --transactional-id ID, parsed. Throws if the tool fails (the
// id is unknown) or its table has an unexpected shape.
TransactionDescription describe_transaction(const std::string& bootstrap, const std::string& transactional_id);

// Parses the tool's stdout (one row; tab-separated, so an empty column stays a column);
// exposed for the self-tests.
TransactionDescription parse_transaction_description(const std::string& output);

struct HangingTransactionRow {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t producer_id = 0;
  std::int32_t producer_epoch = 0;
  std::int32_t coordinator_epoch = 0;  // -1: no marker of this producer's was ever written there
  std::int64_t start_offset = 0;
  std::int64_t last_timestamp_ms = 0;
  std::int64_t duration_minutes = 0;
};

// What find-hanging searches: the partitions with a replica on a broker, or a topic (or one
// of its partitions); either broker_id or topic is required.
struct HangingTransactionSearch {
  std::optional<std::int32_t> broker_id;
  std::optional<std::string> topic;
  std::optional<std::int32_t> partition;
  // --max-transaction-timeout, in whole minutes (the tool's default is 15): open transactions
  // not written to for longer than this are candidates; 0 takes every open transaction.
  int max_transaction_timeout_minutes = 15;
};

// kafka-transactions find-hanging, parsed; rows sorted by topic, partition, producer id.
std::vector<HangingTransactionRow> find_hanging_transactions(const std::string& bootstrap,
                                                             const HangingTransactionSearch& search);

// Parses the tool's stdout; exposed for the self-tests.
std::vector<HangingTransactionRow> parse_hanging_transactions_table(const std::string& output);

// kafka-transactions abort --topic T --partition P --start-offset S: writes the abort marker
// for the transaction open at that offset. Throws if the tool fails.
void abort_transaction(const std::string& bootstrap, const std::string& topic, std::int32_t partition,
                       std::int64_t start_offset);

struct QuorumStatus {
  std::int32_t leader_id = -1;
  std::int32_t leader_epoch = -1;
  std::vector<std::int32_t> voters;  // sorted
};

// kafka-metadata-quorum describe --status, parsed.
QuorumStatus describe_quorum_status(const std::string& bootstrap);

// Parses the tool's stdout; exposed for the self-tests.
QuorumStatus parse_quorum_status(const std::string& output);

}  // namespace msgwatch::test
