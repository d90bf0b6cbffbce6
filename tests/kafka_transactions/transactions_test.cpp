#include "exporter/runtime/exposition.hpp"
#include "probes/kafka/transactions/hanging_transactions.hpp"
#include "probes/kafka/transactions/stable_offset_watch.hpp"
#include "probes/kafka/transactions/transaction_metrics.hpp"
#include "probes/kafka/transactions/transaction_outcomes.hpp"

#include <prometheus/registry.h>

#include <gtest/gtest.h>

#include <algorithm>

#include <string>

namespace msgwatch::kafka {
namespace {

using std::chrono::seconds;

constexpr std::int64_t now_ms = 10'000'000'000;
constexpr std::int64_t max_timeout_ms = 15 * 60 * 1000;

// A snapshot in which broker 1 coordinates "app" (producer 7, Ongoing on orders-0) and both
// coordinators answered.
TransactionSnapshot snapshot() {
  TransactionSnapshot s;
  s.now_ms = now_ms;
  s.max_timeout_ms = max_timeout_ms;
  s.coordinator_read = {{1, true}, {2, true}};
  s.transactional_ids = {{7, "app"}};
  s.transactions.push_back({"app", 1, "Ongoing", 7, 0, 60'000, now_ms - 5'000, {{"orders", 0}}});
  return s;
}

OpenProducer open_on(const std::string& topic, std::int32_t partition, std::int64_t producer_id,
                     std::int64_t silent_ms) {
  return {{topic, partition}, producer_id, 3, 11, now_ms - silent_ms, 500};
}

TEST(HangingTransactions, AProducerWrittenToWithinTheMaximumTimeoutIsNotHanging) {
  auto s = snapshot();
  s.open_producers.push_back(open_on("orders", 1, 99, max_timeout_ms));  // exactly the timeout: not beyond
  EXPECT_TRUE(find_hanging_transactions(s).empty());
}

TEST(HangingTransactions, AProducerIdNoCoordinatorListsIsHanging) {
  auto s = snapshot();
  s.open_producers.push_back(open_on("orders", 1, 99, max_timeout_ms + 1));
  const auto hanging = find_hanging_transactions(s);
  ASSERT_EQ(hanging.size(), 1u);
  EXPECT_EQ(hanging[0].producer.producer_id, 99);
  EXPECT_EQ(hanging[0].transactional_id, "");
}

TEST(HangingTransactions, APartitionTheCoordinatorDoesNotListInTheTransactionIsHanging) {
  auto s = snapshot();
  s.open_producers.push_back(open_on("orders", 0, 7, max_timeout_ms + 1));  // in the transaction
  s.open_producers.push_back(open_on("orders", 1, 7, max_timeout_ms + 1));  // not in it
  const auto hanging = find_hanging_transactions(s);
  ASSERT_EQ(hanging.size(), 1u);
  EXPECT_EQ(hanging[0].producer.partition, (TopicPartition{"orders", 1}));
  EXPECT_EQ(hanging[0].transactional_id, "app");
}

TEST(HangingTransactions, AListedIdTheCoordinatorDoesNotDescribeIsHanging) {
  auto s = snapshot();
  s.transactional_ids[8] = "expired";
  s.open_producers.push_back(open_on("orders", 2, 8, max_timeout_ms + 1));
  const auto hanging = find_hanging_transactions(s);
  ASSERT_EQ(hanging.size(), 1u);
  EXPECT_EQ(hanging[0].transactional_id, "expired");
}

TEST(HangingTransactions, NothingIsDecidedOnAnIncompleteListing) {
  auto s = snapshot();
  s.coordinator_read[2] = false;  // its ids are unknown: producer 99 may be one of them
  s.open_producers.push_back(open_on("orders", 1, 99, max_timeout_ms + 1));
  EXPECT_TRUE(find_hanging_transactions(s).empty());
  // A described transaction that leaves the partition out is still decided.
  s.open_producers.push_back(open_on("orders", 1, 7, max_timeout_ms + 1));
  EXPECT_EQ(find_hanging_transactions(s).size(), 1u);
}

TEST(TransactionMetrics, StatesPerCoordinatorFromTheStartAndOldestOpen) {
  auto s = snapshot();
  s.transactions.push_back({"done", 2, "CompleteCommit", 8, 1, 60'000, -1, {}});
  s.transactions.push_back({"old", 2, "PrepareAbort", 9, 1, 60'000, now_ms - 120'000, {{"orders", 3}}});
  SeriesSet out;
  write_transaction_metrics(s, {}, {std::chrono::minutes(1), 10}, out);
  const auto text = render_text(out);
  EXPECT_NE(text.find("kafka_transaction_coordinator_transactions{coordinator=\"1\",state=\"Ongoing\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("kafka_transaction_coordinator_transactions{coordinator=\"1\",state=\"PrepareAbort\"} 0\n"),
            std::string::npos)
      << "every state exists from the first cycle";
  EXPECT_NE(text.find("kafka_transaction_coordinator_transactional_ids{coordinator=\"2\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("kafka_transaction_coordinator_oldest_open_seconds{coordinator=\"1\"} 5\n"), std::string::npos);
  EXPECT_NE(text.find("kafka_transaction_coordinator_oldest_open_seconds{coordinator=\"2\"} 120\n"), std::string::npos);
  EXPECT_NE(text.find("kafka_transaction_oldest_open_seconds 120\n"), std::string::npos);
  // Only the one open longer than a minute has a series of its own.
  EXPECT_NE(text.find("kafka_transaction_open_seconds{transactional_id=\"old\",coordinator=\"2\",state="
                      "\"PrepareAbort\"} 120\n"),
            std::string::npos);
  EXPECT_EQ(text.find("transactional_id=\"app\""), std::string::npos);
  EXPECT_NE(text.find("kafka_transaction_hanging 0\n"), std::string::npos);
}

TEST(TransactionMetrics, NoClusterAggregateOverPartOfTheCoordinators) {
  auto s = snapshot();
  s.coordinator_read[2] = false;
  SeriesSet out;
  write_transaction_metrics(s, {}, {}, out);
  const auto text = render_text(out);
  EXPECT_EQ(text.find("kafka_transaction_oldest_open_seconds "), std::string::npos);
  EXPECT_EQ(text.find("kafka_transaction_hanging "), std::string::npos);
  EXPECT_EQ(text.find("coordinator=\"2\""), std::string::npos);
  EXPECT_NE(text.find("msgwatch_kafka_transactions_unread_coordinators 1\n"), std::string::npos);
}

TEST(TransactionMetrics, LongRunningSeriesAreBoundedOldestFirst) {
  auto s = snapshot();
  s.transactions.clear();
  for (int i = 0; i < 5; ++i) {
    s.transactions.push_back({"t" + std::to_string(i), 1, "Ongoing", i, 0, 600'000, now_ms - 100'000 * (i + 1), {}});
  }
  SeriesSet out;
  write_transaction_metrics(s, {}, {std::chrono::minutes(1), 2}, out);
  const auto* open = out.find("kafka_transaction_open_seconds");
  ASSERT_NE(open, nullptr);
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ(open->label(0, 0), "t4");
  EXPECT_EQ(open->label(1, 0), "t3");
}

TEST(TransactionMetrics, HangingPerPartitionAndInTotal) {
  auto s = snapshot();
  const std::vector<HangingTransaction> hanging{{open_on("orders", 1, 99, 0), ""}, {open_on("orders", 1, 98, 0), ""}};
  SeriesSet out;
  write_transaction_metrics(s, hanging, {}, out);
  const auto text = render_text(out);
  EXPECT_NE(text.find("kafka_topic_partition_hanging_transactions{topic=\"orders\",partition=\"1\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("kafka_transaction_hanging 2\n"), std::string::npos);
}

ClusterSnapshot offsets(std::int64_t stable, std::int64_t end) {
  ClusterSnapshot c;
  auto& p = c.topics["orders"].partitions[0];
  p.leader = 1;
  p.stable_offset = stable;
  p.newest_offset = end;
  return c;
}

TEST(StableOffsetWatch, StallGrowsWhileTheLastStableOffsetStaysBelowTheEnd) {
  StableOffsetWatch watch;
  const auto t0 = std::chrono::steady_clock::time_point{} + seconds(1000);
  watch.update(offsets(100, 100), t0);
  EXPECT_EQ(watch.stalled_seconds({"orders", 0}, t0), 0);
  watch.update(offsets(100, 150), t0 + seconds(10));  // a transaction opened at 100
  watch.update(offsets(100, 180), t0 + seconds(40));
  EXPECT_EQ(watch.stalled_seconds({"orders", 0}, t0 + seconds(40)), 30);
  // Unread for a cycle: kept.
  ClusterSnapshot unread = offsets(0, 0);
  unread.topics["orders"].partitions[0].stable_offset.reset();
  watch.update(unread, t0 + seconds(50));
  EXPECT_EQ(watch.stalled_seconds({"orders", 0}, t0 + seconds(50)), 40);
  // The transaction ends; another is open from 181: the clock starts again.
  watch.update(offsets(181, 200), t0 + seconds(60));
  EXPECT_EQ(watch.stalled_seconds({"orders", 0}, t0 + seconds(60)), 0);
  // Nothing open.
  watch.update(offsets(200, 200), t0 + seconds(70));
  EXPECT_EQ(watch.stalled_seconds({"orders", 0}, t0 + seconds(70)), 0);

  SeriesSet out;
  const auto c = offsets(150, 170);
  watch.update(c, t0 + seconds(80));
  watch.write_metrics(c, t0 + seconds(85), out);
  const auto text = render_text(out);
  EXPECT_NE(text.find("kafka_topic_partition_unstable_messages{topic=\"orders\",partition=\"0\"} 20\n"),
            std::string::npos);
  EXPECT_NE(text.find("kafka_topic_partition_lso_stalled_seconds{topic=\"orders\",partition=\"0\"} 5\n"),
            std::string::npos);
}

using protocol::TransactionStatus;

protocol::TransactionLogValue record(TransactionStatus status, std::int16_t epoch, std::int64_t start_ms,
                                     std::int64_t update_ms, std::int16_t client_version = 0) {
  protocol::TransactionLogValue v;
  v.version = 1;
  v.producer_id = 42;
  v.producer_epoch = epoch;
  v.timeout_ms = 60'000;
  v.status = status;
  v.start_ms = start_ms;
  v.last_update_ms = update_ms;
  v.client_transaction_version = client_version;
  return v;
}

TEST(TransactionOutcomes, CommitsAndAbortsCountOnceAtTheirCompleteRecord) {
  prometheus::Registry registry;
  TransactionOutcomes outcomes(registry, "c");
  const protocol::TransactionLogKey app{0, "app"};
  outcomes.observe(app, record(TransactionStatus::empty, 0, -1, 100));
  outcomes.observe(app, record(TransactionStatus::ongoing, 0, 1000, 1000));
  outcomes.observe(app, record(TransactionStatus::prepare_commit, 0, 1000, 1200));
  outcomes.observe(app, record(TransactionStatus::complete_commit, 0, 1000, 1250));
  outcomes.observe(app, record(TransactionStatus::complete_commit, 0, 1000, 1250));  // written again
  outcomes.observe(app, record(TransactionStatus::ongoing, 0, 2000, 2000));
  outcomes.observe(app, record(TransactionStatus::prepare_abort, 0, 2000, 2100));  // the producer asked
  outcomes.observe(app, record(TransactionStatus::complete_abort, 0, 2000, 2150));
  EXPECT_EQ(outcomes.commits(), 1);
  EXPECT_EQ(outcomes.aborts(), 1);
  EXPECT_EQ(outcomes.timed_out(), 0);
  EXPECT_EQ(outcomes.fenced(), 0);
  const auto families = registry.Collect();
  const auto durations = std::find_if(families.begin(), families.end(), [](const prometheus::MetricFamily& f) {
    return f.name == "kafka_transaction_duration_seconds";
  });
  ASSERT_NE(durations, families.end());
  for (const auto& metric : durations->metric) {
    EXPECT_EQ(metric.histogram.sample_count, 1u);
    const bool commit = std::any_of(metric.label.begin(), metric.label.end(),
                                    [](const auto& l) { return l.name == "outcome" && l.value == "commit"; });
    EXPECT_DOUBLE_EQ(metric.histogram.sample_sum, commit ? 0.25 : 0.15);
  }
}

// The records as Kafka's coordinators write them (timeout 60 s in record(); the epochs as
// 3.9.2 and 4.3.1 wrote them in the integration tests).
TEST(TransactionOutcomes, TheCoordinatorsOwnAbortIsATimeoutOnEveryProtocolVersionAndAFenceBeforeVersionTwo) {
  prometheus::Registry registry;
  TransactionOutcomes outcomes(registry, "c");

  // Version 0/1 producer: the coordinator's abort past the timeout bumps the epoch.
  const protocol::TransactionLogKey killed{0, "killed"};
  outcomes.observe(killed, record(TransactionStatus::ongoing, 3, 1000, 1000, 0));
  outcomes.observe(killed, record(TransactionStatus::prepare_abort, 4, 1000, 61'500, 2));
  outcomes.observe(killed, record(TransactionStatus::complete_abort, 4, 1000, 61'505, 2));
  EXPECT_EQ(outcomes.timed_out(), 1);
  EXPECT_EQ(outcomes.fenced(), 0);
  EXPECT_EQ(outcomes.aborts(), 1);

  // Version 0/1 producer, the epoch bumped inside the timeout: a new instance took the
  // transactional id over.
  const protocol::TransactionLogKey zombie{0, "zombie"};
  outcomes.observe(zombie, record(TransactionStatus::ongoing, 5, 1000, 1000, 0));
  outcomes.observe(zombie, record(TransactionStatus::prepare_abort, 6, 1000, 4000, 2));
  EXPECT_EQ(outcomes.timed_out(), 1);
  EXPECT_EQ(outcomes.fenced(), 1);

  // Version 2 producer: its own abort bumps the epoch by one, and so does the coordinator's;
  // past the timeout it is the coordinator's.
  const protocol::TransactionLogKey modern{0, "modern"};
  outcomes.observe(modern, record(TransactionStatus::ongoing, 7, 1000, 1000, 2));
  outcomes.observe(modern, record(TransactionStatus::prepare_abort, 8, 1000, 1100, 2));
  outcomes.observe(modern, record(TransactionStatus::complete_abort, 8, 1000, 1105, 2));
  EXPECT_EQ(outcomes.timed_out(), 1);
  EXPECT_EQ(outcomes.fenced(), 1);
  outcomes.observe(modern, record(TransactionStatus::ongoing, 8, 2000, 2000, 2));
  outcomes.observe(modern, record(TransactionStatus::prepare_abort, 9, 2000, 62'001, 2));
  EXPECT_EQ(outcomes.timed_out(), 2);
  EXPECT_EQ(outcomes.fenced(), 1);

  // Exactly at the timeout the coordinator's sweep has not taken it yet (it aborts only
  // transactions whose start plus timeout lies before now).
  const protocol::TransactionLogKey asked{0, "asked"};
  outcomes.observe(asked, record(TransactionStatus::ongoing, 1, 1000, 1000, 0));
  outcomes.observe(asked, record(TransactionStatus::prepare_abort, 1, 1000, 61'000, 0));
  EXPECT_EQ(outcomes.timed_out(), 2);

  // A PrepareEpochFence record, were one written, is skipped: the abort after it compares
  // with the Ongoing record and counts once.
  const protocol::TransactionLogKey fence_record{0, "fence-record"};
  outcomes.observe(fence_record, record(TransactionStatus::ongoing, 1, 1000, 1000, 0));
  outcomes.observe(fence_record, record(TransactionStatus::prepare_epoch_fence, 2, 1000, 1100, 0));
  outcomes.observe(fence_record, record(TransactionStatus::prepare_abort, 2, 1000, 1101, 0));
  EXPECT_EQ(outcomes.fenced(), 2);
  EXPECT_EQ(outcomes.timed_out(), 2);
}

TEST(TransactionOutcomes, AnExpiredIdIsForgotten) {
  prometheus::Registry registry;
  TransactionOutcomes outcomes(registry, "c");
  const protocol::TransactionLogKey app{0, "app"};
  outcomes.observe(app, record(TransactionStatus::complete_commit, 0, 1000, 1100));
  outcomes.forget("app");
  // The same id used again from scratch: its first commit is new, not a repetition.
  outcomes.observe(app, record(TransactionStatus::complete_commit, 0, 1000, 1100));
  EXPECT_EQ(outcomes.commits(), 2);
}

}  // namespace
}  // namespace msgwatch::kafka
