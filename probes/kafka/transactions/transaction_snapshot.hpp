#pragma once
// What one cycle learnt about the cluster's transactions, as plain data: transaction_reader
// fills it from the brokers' answers, transaction_metrics turns it into series.

#include "probes/kafka/lag/cluster_snapshot.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace msgwatch::kafka {

// A transactional id as its coordinator describes it (DescribeTransactions).
struct TransactionState {
  std::string transactional_id;
  std::int32_t coordinator = -1;
  std::string state;  // Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, ...
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::int32_t timeout_ms = 0;
  std::int64_t start_time_ms = -1;  // wall clock of the coordinator; -1 when none is open
  // Partitions in the transaction: those written to while Ongoing, those still waiting for
  // their marker while PrepareCommit or PrepareAbort.
  std::set<TopicPartition> partitions;
};

// A producer with an open transaction on a partition, as the partition's leader sees it
// (DescribeProducers with a current transaction start offset).
struct OpenProducer {
  TopicPartition partition;
  std::int64_t producer_id = -1;
  std::int32_t producer_epoch = -1;
  std::int32_t coordinator_epoch = -1;
  std::int64_t last_timestamp_ms = -1;  // when it last wrote to the partition
  std::int64_t start_offset = -1;       // first offset of its open transaction
};

struct TransactionSnapshot {
  // Coordinators asked, and whether they answered both ListTransactions and
  // DescribeTransactions.
  std::map<std::int32_t, bool> coordinator_read;
  std::vector<TransactionState> transactions;
  // Every producer id ListTransactions named, with its transactional id.
  std::map<std::int64_t, std::string> transactional_ids;
  std::vector<OpenProducer> open_producers;
  // Partitions whose producers could not be read (their leader did not answer, or refused).
  std::size_t unread_partitions = 0;
  // The requests refused for lack of permission ("DescribeProducers", "DescribeTransactions").
  std::set<std::string, std::less<>> not_permitted;
  // The brokers' transaction.max.timeout.ms (ClusterSnapshot); Kafka's default when it
  // could not be read.
  std::int64_t max_timeout_ms = 15 * 60 * 1000;
  std::int64_t now_ms = 0;  // our wall clock when the cycle read it

  [[nodiscard]] std::size_t unread_coordinators() const {
    std::size_t unread = 0;
    for (const auto& [broker, read] : coordinator_read) unread += read ? 0 : 1;
    return unread;
  }
  // Every coordinator and every partition leader answered.
  [[nodiscard]] bool complete() const { return unread_coordinators() == 0 && unread_partitions == 0; }
};

}  // namespace msgwatch::kafka
