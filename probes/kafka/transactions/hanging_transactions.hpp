#pragma once
// Hanging transactions, decided as Kafka's `kafka-transactions find-hanging` decides them: a
// producer with an open transaction on a partition (DescribeProducers names its current
// transaction start offset) that has written nothing to it for longer than the maximum
// transaction timeout (the brokers' transaction.max.timeout.ms), and
//   - whose producer id no coordinator lists (ListTransactions), or
//   - whose transactional id its coordinator does not describe, or describes without that
//     partition in the transaction.
// Nobody will ever write the marker that closes such a transaction: the partition's last
// stable offset stays where it is, and read_committed consumers receive nothing past it
// until an operator aborts it (`kafka-transactions abort`, README).
//
// Where the tool gives up (a coordinator that does not answer), this says nothing about the
// producers it cannot place: a producer id missing from an incomplete listing is not taken
// for a hanging transaction.

#include "probes/kafka/transactions/transaction_snapshot.hpp"

#include <string>
#include <vector>

namespace msgwatch::kafka {

struct HangingTransaction {
  OpenProducer producer;
  std::string transactional_id;  // empty when no coordinator lists the producer id
};

std::vector<HangingTransaction> find_hanging_transactions(const TransactionSnapshot& snapshot);

}  // namespace msgwatch::kafka
