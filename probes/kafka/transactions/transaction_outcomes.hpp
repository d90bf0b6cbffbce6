#pragma once
// Transactions as they end, counted from the records of the coordinators' log
// (__transaction_state, see transaction_log_follower.hpp), in live instruments of the
// daemon's registry, so that they exist at 0 from the start:
//   kafka_transaction_commits_total{cluster}, kafka_transaction_aborts_total{cluster}
//   kafka_transaction_duration_seconds{cluster,outcome}   start to the end marker written
//   kafka_transaction_coordinator_aborts_total{cluster}    aborted by the coordinator itself
//
// A transaction ends with a CompleteCommit or CompleteAbort record; its duration is the
// record's last update time minus the transaction's start time (both the coordinator's
// clock). A record identical in state, producer id and epoch to the one before it for the
// same transactional id (written again after a coordinator moved) counts once.
//
// Aborted by the coordinator itself, where the log tells it: with transaction protocol
// version 0 or 1 (Kafka 3.x, and 4.x clients that do not use version 2, as the Ongoing
// record's ClientTransactionVersion says) an abort the producer asked for keeps the producer
// epoch, while the coordinator's own abort bumps it (PrepareAbort at a higher epoch than the
// Ongoing record before it, or a PrepareEpochFence record). It
// does so when the transaction ran past its timeout, and when a new producer instance with
// the same transactional id fenced the old one; the log does not say which. With version 2
// (KIP-890) every transaction end bumps the epoch, so those aborts count as aborts only.
//
// Memory: per transactional id its last record's state, producer id and epoch; a tombstone
// (the id expired) forgets it. Not thread-safe: one probe cycle owns it.

#include "probes/kafka/protocol/transaction_log.hpp"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace msgwatch::kafka {

class TransactionOutcomes {
 public:
  TransactionOutcomes(prometheus::Registry& registry, const std::string& cluster);

  void observe(const protocol::TransactionLogKey& key, const protocol::TransactionLogValue& value);
  // The id expired: its memory goes.
  void forget(const std::string& transactional_id) { last_.erase(transactional_id); }

  [[nodiscard]] double commits() const { return commits_->Value(); }
  [[nodiscard]] double aborts() const { return aborts_->Value(); }
  [[nodiscard]] double coordinator_aborts() const { return coordinator_aborts_->Value(); }

 private:
  struct Last {
    protocol::TransactionStatus status;
    std::int64_t producer_id = -1;
    std::int16_t producer_epoch = -1;
    std::int16_t client_transaction_version = 0;
  };

  prometheus::Counter* commits_;
  prometheus::Counter* aborts_;
  prometheus::Counter* coordinator_aborts_;
  prometheus::Histogram* commit_duration_;
  prometheus::Histogram* abort_duration_;
  std::map<std::string, Last> last_;
};

}  // namespace msgwatch::kafka
