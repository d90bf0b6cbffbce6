// A hanging transaction made for real: on a broker of the test's own with partition
// verification off, one Produce request carries a transactional batch of a producer id no
// coordinator knows, to a partition no AddPartitionsToTxn ever named. The broker appends it;
// nobody will ever write its marker. Once transaction.max.timeout.ms has passed since the
// batch, the daemon must call it hanging exactly where Kafka's `kafka-transactions
// find-hanging` does (topic, partition, producer id, start offset), show the frozen last
// stable offset, and clear everything once `kafka-transactions abort` ends it, as the README
// advises.

#include "support/daemon_process.hpp"
#include "support/kafka_admin.hpp"
#include "support/kafka_cli.hpp"
#include "support/kafka_producer.hpp"
#include "support/logfmt.hpp"
#include "support/own_kafka.hpp"
#include "support/raw_produce.hpp"
#include "support/test_environment.hpp"
#include "support/wait.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <compare>
#include <cstdint>
#include <iostream>
#include <ostream>
#include <set>
#include <string>
#include <tuple>

namespace msgwatch::test {
namespace {

// Short, so the transaction hangs within seconds (the broker's default is 15 minutes).
constexpr std::int64_t kMaxTimeoutMs = 5000;
constexpr std::int64_t kProducerId = 999000;  // no coordinator ever handed it out
constexpr std::int32_t kPartition = 1;
// scripts/kafka.sh numbers nodes from 0: the only broker of a one-node cluster.
constexpr std::int32_t kBroker = 0;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Hanging {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t producer_id = 0;
  std::int64_t start_offset = 0;
  auto operator<=>(const Hanging&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Hanging& h) {
  return os << h.topic << "-" << h.partition << " producer " << h.producer_id << " from offset " << h.start_offset;
}

// find-hanging over every partition with a replica on the broker, as the README advises.
// Its timeout counts in whole minutes: 0 takes every open transaction, which once
// transaction.max.timeout.ms has passed since the batch is the set the daemon must find.
std::vector<HangingTransactionRow> find_hanging_on_broker(const std::string& bootstrap) {
  HangingTransactionSearch search;
  search.broker_id = kBroker;
  search.max_transaction_timeout_minutes = 0;
  return find_hanging_transactions(bootstrap, search);
}

std::set<Hanging> hanging_in_log(const std::vector<LogFields>& events) {
  std::set<Hanging> out;
  for (const auto& e : events) {
    out.insert({e.at("topic"), std::stoi(e.at("partition")), std::stoll(e.at("producer_id")),
                std::stoll(e.at("start_offset"))});
  }
  return out;
}

std::set<Hanging> hanging_in_tool(const std::vector<HangingTransactionRow>& rows) {
  std::set<Hanging> out;
  for (const auto& r : rows) out.insert({r.topic, r.partition, r.producer_id, r.start_offset});
  return out;
}

TEST(HangingTransaction, AProducerIdNoCoordinatorKnowsHangsWhereFindHangingSaysUntilAborted) {
  const auto test_start = std::chrono::steady_clock::now();
  OwnKafka kafka(1, {"transaction.partition.verification.enable=false",
                     "transaction.max.timeout.ms=" + std::to_string(kMaxTimeoutMs)});
  const auto& bootstrap = kafka.bootstrap();
  KafkaAdmin admin(bootstrap);
  const auto topic = unique_name("hanging");
  admin.create_topic(topic, 2);
  produce_messages(bootstrap, topic, 0, 2);           // partition 0 stays clean
  produce_messages(bootstrap, topic, kPartition, 3);  // offsets 0-2, before the transaction

  // Offsets 3-4: a transaction nobody began and nobody will end.
  const auto written_ms = now_ms();
  const auto batch = encode_record_batch({.producer_id = kProducerId,
                                          .producer_epoch = 0,
                                          .base_sequence = 0,
                                          .transactional = true,
                                          .timestamp_ms = written_ms,
                                          .records = {{"k0", "never committed 0"}, {"k1", "never committed 1"}}});
  const auto produced = produce_record_batch(bootstrap, topic, kPartition, batch, unique_name("never-begun"));
  ASSERT_EQ(produced.error_code, kafka::protocol::ErrorCode::none)
      << "Produce v" << produced.version << ": " << kafka::protocol::to_string(produced.error_code) << " "
      << produced.error_message.value_or("");
  ASSERT_EQ(produced.base_offset, 3);
  std::cout << "Produce v" << produced.version << " to broker " << produced.leader
            << ": transactional batch of producer " << kProducerId << " at offset " << produced.base_offset << "\n";
  produce_messages(bootstrap, topic, kPartition, 1);  // offset 5: held back behind it as well
  EXPECT_EQ(admin.watermarks(topic, kPartition).high, 6);
  EXPECT_EQ(admin.last_stable_offset(topic, kPartition), 3);

  DaemonProcess daemon(kafka_lag_config(bootstrap, "      topics: {include: ['" + topic + "']}\n"));
  daemon.wait_ready();
  const Labels cluster{{"cluster", "it"}};
  const Labels partition{{"cluster", "it"}, {"topic", topic}, {"partition", std::to_string(kPartition)}};
  const Labels clean{{"cluster", "it"}, {"topic", topic}, {"partition", "0"}};

  // Within transaction.max.timeout.ms of its last write the transaction may still end: open,
  // not hanging. (The daemon's cycle ran before the scrape that shows it.)
  std::int64_t first_seen_ms = 0;
  const auto open = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        if (m.value("kafka_topic_partition_unstable_messages", partition) != 3.0) return "unstable messages not 3 yet";
        if (!m.value("kafka_transaction_hanging", cluster)) return "kafka_transaction_hanging absent";
        first_seen_ms = now_ms();
        return "";
      },
      30s, "the open transaction");
  if (first_seen_ms - written_ms < kMaxTimeoutMs) {
    EXPECT_EQ(open.value("kafka_transaction_hanging", cluster), 0.0) << "hanging before its timeout";
    EXPECT_EQ(open.value("kafka_topic_partition_hanging_transactions", partition), std::nullopt);
  } else {
    std::cout << "the daemon's first view came " << first_seen_ms - written_ms
              << " ms after the batch: not-yet-hanging not checked\n";
  }

  // Past it: hanging, on that partition only.
  std::int64_t hanging_seen_ms = 0;
  const auto hanging = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        if (m.value("kafka_transaction_hanging", cluster) != 1.0) return "kafka_transaction_hanging not 1";
        if (m.value("kafka_topic_partition_hanging_transactions", partition) != 1.0) return "partition series not 1";
        hanging_seen_ms = now_ms();
        return "";
      },
      30s, "the hanging transaction");
  EXPECT_GT(hanging_seen_ms - written_ms, kMaxTimeoutMs) << "called hanging before transaction.max.timeout.ms";
  std::cout << "the daemon showed the transaction open " << first_seen_ms - written_ms
            << " ms after the batch, hanging " << hanging_seen_ms - written_ms << " ms after it\n";
  EXPECT_EQ(hanging.value("kafka_topic_partition_unstable_messages", partition), 3.0);
  EXPECT_EQ(hanging.value("kafka_topic_partition_hanging_transactions", clean), std::nullopt);
  EXPECT_EQ(hanging.value("kafka_topic_partition_unstable_messages", clean), 0.0);
  EXPECT_EQ(hanging.value("kafka_topic_partition_lso_stalled_seconds", clean), 0.0);
  EXPECT_EQ(hanging.value("msgwatch_kafka_transactions_unread_coordinators", cluster), 0.0);
  EXPECT_EQ(hanging.value("msgwatch_kafka_transactions_unread_partitions", cluster), 0.0);

  // The daemon's verdict (its log line) against Kafka's tool on the same cluster.
  wait_until([&] { return !log_events(daemon.log(), "hanging transaction").empty(); }, 10s,
             "the daemon to log the hanging transaction");
  const auto events = log_events(daemon.log(), "hanging transaction");
  const auto rows = find_hanging_on_broker(bootstrap);
  for (const auto& r : rows) {
    std::cout << "find-hanging: " << r.topic << " " << r.partition << " producer " << r.producer_id << " epoch "
              << r.producer_epoch << " coordinator epoch " << r.coordinator_epoch << " start offset " << r.start_offset
              << " last timestamp " << r.last_timestamp_ms << " (" << r.duration_minutes << " min)\n";
  }
  const std::set<Hanging> expected{{topic, kPartition, kProducerId, 3}};
  EXPECT_EQ(hanging_in_tool(rows), expected);
  EXPECT_EQ(hanging_in_log(events), hanging_in_tool(rows)) << "the daemon and find-hanging disagree";
  ASSERT_EQ(events.size(), 1U);
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(events[0].at("producer_epoch"), std::to_string(rows[0].producer_epoch));
  EXPECT_EQ(events[0].at("coordinator_epoch"), std::to_string(rows[0].coordinator_epoch));
  EXPECT_EQ(events[0].at("transactional_id"), "") << "no coordinator lists the producer id";
  EXPECT_EQ(events[0].at("cluster"), "it");
  EXPECT_EQ(rows[0].last_timestamp_ms, written_ms) << "the broker's last write is the batch's timestamp";

  // The last stable offset stays where the transaction began, for ever.
  const auto stalled = hanging.value("kafka_topic_partition_lso_stalled_seconds", partition);
  ASSERT_TRUE(stalled.has_value());
  daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        if (m.value("kafka_topic_partition_unstable_messages", partition) != 3.0) return "unstable messages changed";
        const auto now = m.value("kafka_topic_partition_lso_stalled_seconds", partition);
        if (!now || *now < *stalled + 1.5) return "stalled seconds not grown yet";
        return "";
      },
      20s, "the stall to grow");

  // What the README advises, with the start offset from the log line: the LSO moves on.
  abort_transaction(bootstrap, topic, kPartition, std::stoll(events[0].at("start_offset")));
  const auto cleared = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        if (m.value("kafka_transaction_hanging", cluster) != 0.0) return "kafka_transaction_hanging not 0";
        if (m.value("kafka_topic_partition_hanging_transactions", partition)) return "partition series still there";
        if (m.value("kafka_topic_partition_unstable_messages", partition) != 0.0) return "messages still held back";
        if (m.value("kafka_topic_partition_lso_stalled_seconds", partition) != 0.0) return "still stalled";
        return "";
      },
      30s, "the aborted transaction to clear");
  (void)cleared;
  const auto end = admin.watermarks(topic, kPartition).high;
  EXPECT_EQ(end, 7) << "six messages and the abort marker";
  EXPECT_EQ(admin.last_stable_offset(topic, kPartition), end);
  EXPECT_TRUE(find_hanging_on_broker(bootstrap).empty());
  EXPECT_EQ(log_events(daemon.log(), "hanging transaction").size(), 1U) << "logged once";
  daemon.stop();
  std::cout << "took "
            << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - test_start).count()
            << " s\n";
}

}  // namespace
}  // namespace msgwatch::test
