#pragma once
// Transactions as they end, counted from the records of the coordinators' log
// (__transaction_state, see transaction_log_follower.hpp), in live instruments of the
// daemon's registry, so that they exist at 0 from the start:
//   kafka_transaction_commits_total{cluster}, kafka_transaction_aborts_total{cluster}
//   kafka_transaction_duration_seconds{cluster,outcome}   start to the end marker written
//   kafka_transaction_coordinator_aborts_total{cluster,reason}
//                                       aborted by the coordinator itself (timeout, fenced)
//
// A transaction ends with a CompleteCommit or CompleteAbort record; its duration is the
// record's last update time minus the transaction's start time (both the coordinator's
// clock). A record identical in state, producer id and epoch to the one before it for the
// same transactional id (written again after a coordinator moved) counts once.
//
// Aborted by the coordinator itself, for one of two reasons:
//   timeout  the transaction ran past its transaction.timeout.ms: the PrepareAbort record's
//            last update minus its start time exceeds the timeout it carries. The
//            coordinator's sweep (every transaction.abort.timed.out.transaction.cleanup.
//            interval.ms) aborts exactly those; a producer that asks for the abort itself
//            after its timeout, before the sweep came, counts here too. Every protocol
//            version.
//   fenced   a new producer instance with the same transactional id called InitProducerId
//            while the transaction was open (a restarted or duplicated application: the old
//            instance is a zombie). Told by the producer epoch: under transaction protocol
//            version 0 or 1 an abort the producer asks for keeps the epoch of its Ongoing
//            record, while the coordinator's own abort bumps it. Under version 2 (KIP-890;
//            the Ongoing record's ClientTransactionVersion says which) every transaction end
//            bumps the epoch by one, the coordinator's abort too (as Kafka 4.3 writes it), so
//            a fence inside the timeout looks like the producer's own abort: an abort only.
// PrepareEpochFence is a state the coordinator holds in memory on the way; were it written,
// it is skipped, so the abort after it is compared with the Ongoing record.
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
  [[nodiscard]] double timed_out() const { return timed_out_->Value(); }
  [[nodiscard]] double fenced() const { return fenced_->Value(); }

 private:
  struct Last {
    protocol::TransactionStatus status;
    std::int64_t producer_id = -1;
    std::int16_t producer_epoch = -1;
    std::int16_t client_transaction_version = 0;
  };

  prometheus::Counter* commits_;
  prometheus::Counter* aborts_;
  prometheus::Counter* timed_out_;
  prometheus::Counter* fenced_;
  prometheus::Histogram* commit_duration_;
  prometheus::Histogram* abort_duration_;
  std::map<std::string, Last> last_;
};

}  // namespace msgwatch::kafka
