#include "probes/kafka/canary/canary_metrics.hpp"

#include "probes/kafka/canary/canary_topic.hpp"

#include <array>
#include <chrono>

namespace msgwatch::kafka {
namespace {

struct CountFamilies {
  Family family;
  std::int64_t CanaryCounts::*member;
};

constexpr LabelNames kPartitionLabels{"topic", "partition", "broker"};
constexpr LabelNames kBrokerLabels{"broker"};

constexpr std::array kPartitionCounts{
    CountFamilies{counter_family("kafka_canary_partition_sent_total",
                                 "Canary messages sent to the partition (broker: its leader now).", kPartitionLabels),
                  &CanaryCounts::sent},
    CountFamilies{counter_family("kafka_canary_partition_received_total",
                                 "Canary messages of this daemon read back from the partition.", kPartitionLabels),
                  &CanaryCounts::received},
    CountFamilies{counter_family("kafka_canary_partition_lost_total",
                                 "Canary messages the broker acknowledged that the consumer read past without finding.",
                                 kPartitionLabels),
                  &CanaryCounts::lost},
    CountFamilies{
        counter_family("kafka_canary_partition_duplicates_total",
                       "Canary records read twice (a sender's sequence number seen before).", kPartitionLabels),
        &CanaryCounts::duplicates},
    CountFamilies{counter_family("kafka_canary_partition_out_of_order_total",
                                 "Canary records read after a later one of the same sender.", kPartitionLabels),
                  &CanaryCounts::out_of_order},
};

constexpr std::array kBrokerCounts{
    CountFamilies{counter_family("kafka_canary_broker_sent_total",
                                 "Canary messages sent to partitions the broker led at the time.", kBrokerLabels),
                  &CanaryCounts::sent},
    CountFamilies{
        counter_family("kafka_canary_broker_received_total",
                       "Canary messages read back, sent while the broker led their partition.", kBrokerLabels),
        &CanaryCounts::received},
    CountFamilies{counter_family("kafka_canary_broker_lost_total",
                                 "Canary messages lost, sent while the broker led their partition.", kBrokerLabels),
                  &CanaryCounts::lost},
    CountFamilies{counter_family("kafka_canary_broker_duplicates_total",
                                 "Canary records read twice from partitions the broker led.", kBrokerLabels),
                  &CanaryCounts::duplicates},
    CountFamilies{counter_family("kafka_canary_broker_out_of_order_total",
                                 "Canary records read out of order from partitions the broker led.", kBrokerLabels),
                  &CanaryCounts::out_of_order},
};

constexpr Family kPartitionFailures = counter_family(
    "kafka_canary_partition_send_failures_total", "Canary messages that could not be sent, by librdkafka's error name.",
    {"topic", "partition", "broker", "error"});
constexpr Family kBrokerFailures =
    counter_family("kafka_canary_broker_send_failures_total",
                   "Canary messages that could not be sent to partitions the broker led at the time.", kBrokerLabels);
constexpr Family kLastRoundTrip = gauge_family(
    "kafka_canary_partition_last_round_trip_timestamp_seconds",
    "When a canary message of this daemon was last read back from the partition (Unix time).", kPartitionLabels);
constexpr Family kOverdue = gauge_family(
    "kafka_canary_partition_overdue_messages",
    "Canary messages acknowledged but not read back within round_trip_sla, the consumer not past them yet.",
    kPartitionLabels);
constexpr Family kAssigned = gauge_family(
    "kafka_canary_assigned_partitions",
    "Partitions of the canary topic this daemon sends to: all of them, or its share (canary.share).", {"topic"});
constexpr Family kPartitions = gauge_family("kafka_canary_partitions", "Partitions of the canary topic.", {"topic"});
constexpr Family kIdleBrokers =
    gauge_family("kafka_canary_brokers_without_leadership",
                 "Brokers that lead no partition of the canary topic: the canary does not see them.", {"topic"});
constexpr Family kTopicChanges =
    counter_family("kafka_canary_topic_changes_total",
                   "Changes the daemon made to the canary topic so that every broker is the preferred leader of one "
                   "of its partitions, by change (partitions_added, reassigned, leaders_elected).",
                   {"topic", "change"});
constexpr Family kTopicChangeFailures =
    counter_family("kafka_canary_topic_change_failures_total",
                   "Changes to the canary topic that failed (the reason is logged), by change; tried again next round. "
                   "change=\"planning\": rounds that planned no change because the reassignments under way could not "
                   "be read.",
                   {"topic", "change"});
constexpr Family kReassigning =
    gauge_family("kafka_canary_reassignment_in_progress",
                 "1 while a reassignment of a canary partition is under way (the daemon starts no other); absent "
                 "while it cannot be read.",
                 {"topic"});
constexpr Family kInfo =
    gauge_family("msgwatch_kafka_canary_info",
                 "The canary's topic and this daemon's instance id (the key of its messages).", {"topic", "instance"});

constexpr LabelNames kTopicLabel{"topic"};
constexpr Family kTransactions =
    counter_family("kafka_canary_transactions_total",
                   "Transactions of the transactional canary that ended as planned, by outcome.", {"topic", "outcome"});
constexpr Family kTransactionFailures =
    counter_family("kafka_canary_transaction_failures_total",
                   "Failed phases of the transactional canary (init, begin, send, commit, abort), by librdkafka's "
                   "error name.",
                   {"topic", "phase", "error"});

constexpr Family kTransactionInfo =
    gauge_family("msgwatch_kafka_canary_transaction_info",
                 "The transactional canary's transactional id and instance id (the key of its messages).",
                 {"topic", "transactional_id", "instance"});

struct TransactionCount {
  Family family;
  std::int64_t CanaryTransactionState::*member;
};

constexpr std::array kTransactionCounts{
    TransactionCount{counter_family("kafka_canary_transaction_messages_committed_total",
                                    "Messages in committed canary transactions.", kTopicLabel),
                     &CanaryTransactionState::messages_committed},
    TransactionCount{
        counter_family("kafka_canary_transaction_messages_received_total",
                       "Committed canary messages a read_committed consumer read (once each).", kTopicLabel),
        &CanaryTransactionState::received},
    TransactionCount{
        counter_family("kafka_canary_transaction_messages_lost_total",
                       "Committed canary messages the read_committed consumer read past without finding.", kTopicLabel),
        &CanaryTransactionState::lost},
    TransactionCount{counter_family("kafka_canary_transaction_messages_duplicates_total",
                                    "Committed canary messages read more than once.", kTopicLabel),
                     &CanaryTransactionState::duplicates},
    TransactionCount{counter_family("kafka_canary_transaction_aborted_messages_seen_total",
                                    "Messages of aborted canary transactions that a read_committed consumer read: "
                                    "must stay 0.",
                                    kTopicLabel),
                     &CanaryTransactionState::aborted_seen},
    TransactionCount{gauge_family("kafka_canary_transaction_overdue_messages",
                                  "Committed canary messages not read back within round_trip_sla, the consumer not "
                                  "past them yet.",
                                  kTopicLabel),
                     &CanaryTransactionState::overdue},
};

constexpr Family kProductionSent = counter_family(
    "kafka_canary_production_sent_total", "Canary messages sent to the partitions of a production topic.", {"topic"});
constexpr Family kProductionFailures = counter_family(
    "kafka_canary_production_send_failures_total",
    "Canary messages to a production topic that could not be sent, by librdkafka's error name.", {"topic", "error"});
constexpr LabelNames kGroupPartition{"consumergroup", "topic", "partition"};
constexpr Family kGroupLatency =
    gauge_family("kafka_canary_group_latency_seconds",
                 "From sending the newest canary message the group's committed offset has passed, to seeing it "
                 "passed: the group's end-to-end processing latency.",
                 kGroupPartition);
constexpr Family kGroupWaiting = gauge_family(
    "kafka_canary_group_waiting_seconds",
    "How long the oldest canary message the group has not passed yet has been waiting; 0 when none.", kGroupPartition);

std::int64_t failures(const CanaryCounts& counts) {
  std::int64_t total = 0;
  for (const auto& [error, count] : counts.failures) total += count;
  return total;
}

}  // namespace

void write_canary_metrics(const CanaryState& state, const std::string& topic, SeriesSet& out) {
  out.add(kInfo, {topic, state.instance}, 1);
  if (state.topic) {
    out.add(kPartitions, {topic}, static_cast<double>(state.topic->leaders.size()));
    out.add(kAssigned, {topic}, static_cast<double>(state.assigned));
    out.add(kIdleBrokers, {topic}, static_cast<double>(brokers_without_leadership(*state.topic).size()));
  }
  if (state.topic_changes) {
    for (const auto& [change, count] : state.topic_changes->made) {
      out.add(kTopicChanges, {topic, change}, static_cast<double>(count));
    }
    for (const auto& [change, count] : state.topic_changes->failed) {
      out.add(kTopicChangeFailures, {topic, change}, static_cast<double>(count));
    }
    if (const auto reassigning = state.topic_changes->reassignment_in_progress) {
      out.add(kReassigning, {topic}, *reassigning ? 1.0 : 0.0);
    }
  }
  for (const auto& [partition, counts] : state.partitions) {
    std::int32_t leader = -1;
    if (state.topic) {
      if (const auto it = state.topic->leaders.find(partition); it != state.topic->leaders.end()) leader = it->second;
    }
    for (const auto& [family, member] : kPartitionCounts) {
      out.add(family, {topic, partition, leader}, static_cast<double>(counts.*member));
    }
    for (const auto& [error, count] : counts.failures) {
      out.add(kPartitionFailures, {topic, partition, leader, error}, static_cast<double>(count));
    }
    out.add(kOverdue, {topic, partition, leader}, static_cast<double>(counts.overdue));
    if (counts.last_round_trip) {
      out.add(kLastRoundTrip, {topic, partition, leader},
              std::chrono::duration<double>(counts.last_round_trip->time_since_epoch()).count());
    }
  }
  if (state.production) {
    for (const auto& [production_topic, count] : state.production->sent) {
      out.add(kProductionSent, {production_topic}, static_cast<double>(count));
    }
    for (const auto& [where, count] : state.production->failures) {
      out.add(kProductionFailures, {where.first, where.second}, static_cast<double>(count));
    }
    for (const auto& [key, figure] : state.production->groups) {
      const auto& [group, group_topic, partition] = key;
      if (figure.latency_seconds) out.add(kGroupLatency, {group, group_topic, partition}, *figure.latency_seconds);
      out.add(kGroupWaiting, {group, group_topic, partition}, figure.waiting_seconds);
    }
  }
  for (const auto& [broker, counts] : state.brokers) {
    for (const auto& [family, member] : kBrokerCounts) out.add(family, {broker}, static_cast<double>(counts.*member));
    out.add(kBrokerFailures, {broker}, static_cast<double>(failures(counts)));
  }
}

void write_canary_transaction_metrics(const CanaryTransactionState& state, const std::string& topic, SeriesSet& out) {
  out.add(kTransactionInfo, {topic, state.transactional_id, state.instance}, 1);
  out.add(kTransactions, {topic, "committed"}, static_cast<double>(state.committed));
  out.add(kTransactions, {topic, "aborted"}, static_cast<double>(state.aborted));
  for (const auto& [family, member] : kTransactionCounts) out.add(family, {topic}, static_cast<double>(state.*member));
  for (const auto& [where, count] : state.failures) {
    out.add(kTransactionFailures, {topic, where.first, where.second}, static_cast<double>(count));
  }
}

}  // namespace msgwatch::kafka
