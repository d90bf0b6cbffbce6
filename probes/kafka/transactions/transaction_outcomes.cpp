#include "probes/kafka/transactions/transaction_outcomes.hpp"

#include <prometheus/family.h>

#include <algorithm>

namespace msgwatch::kafka {
namespace {

using protocol::TransactionStatus;

// From a transaction that commits at once to one that runs into the longest timeout a
// broker allows by default (15 minutes).
const prometheus::Histogram::BucketBoundaries kDurationBuckets{0.01, 0.05, 0.1, 0.25, 0.5, 1,  2.5,
                                                               5,    10,   30,  60,   300, 900};

prometheus::Counter& counter(prometheus::Registry& registry, const char* name, const char* help,
                             const std::string& cluster) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({{"cluster", cluster}});
}

}  // namespace

TransactionOutcomes::TransactionOutcomes(prometheus::Registry& registry, const std::string& cluster)
    : commits_(&counter(registry, "kafka_transaction_commits_total",
                        "Transactions committed (CompleteCommit in the coordinators' log) since the daemon started.",
                        cluster)),
      aborts_(&counter(registry, "kafka_transaction_aborts_total",
                       "Transactions aborted (CompleteAbort in the coordinators' log) since the daemon started.",
                       cluster)) {
  auto& coordinator_aborts =
      prometheus::BuildCounter()
          .Name("kafka_transaction_coordinator_aborts_total")
          .Help(
              "Transactions the coordinator aborted itself, by reason: timeout (ran past transaction.timeout.ms), "
              "fenced (a new producer instance with the same transactional id started while it was open).")
          .Register(registry);
  timed_out_ = &coordinator_aborts.Add({{"cluster", cluster}, {"reason", "timeout"}});
  fenced_ = &coordinator_aborts.Add({{"cluster", cluster}, {"reason", "fenced"}});
  auto& durations = prometheus::BuildHistogram()
                        .Name("kafka_transaction_duration_seconds")
                        .Help("Time from a transaction's start to its end marker, by outcome (commit, abort).")
                        .Register(registry);
  commit_duration_ = &durations.Add({{"cluster", cluster}, {"outcome", "commit"}}, kDurationBuckets);
  abort_duration_ = &durations.Add({{"cluster", cluster}, {"outcome", "abort"}}, kDurationBuckets);
}

void TransactionOutcomes::observe(const protocol::TransactionLogKey& key, const protocol::TransactionLogValue& value) {
  if (value.status == TransactionStatus::prepare_epoch_fence) return;  // the abort follows
  const Last now{value.status, value.producer_id, value.producer_epoch, value.client_transaction_version};
  const auto [entry, first] = last_.try_emplace(key.transactional_id, now);
  const Last before = entry->second;
  entry->second = now;
  if (!first && before.status == now.status && before.producer_id == now.producer_id &&
      before.producer_epoch == now.producer_epoch) {
    return;  // the same record again
  }
  const auto seconds = [&] {
    return static_cast<double>(std::max<std::int64_t>(0, value.last_update_ms - value.start_ms)) / 1000.0;
  };
  switch (value.status) {
    case TransactionStatus::complete_commit:
      commits_->Increment();
      if (value.start_ms >= 0) commit_duration_->Observe(seconds());
      break;
    case TransactionStatus::complete_abort:
      aborts_->Increment();
      if (value.start_ms >= 0) abort_duration_->Observe(seconds());
      break;
    case TransactionStatus::prepare_abort: {
      const bool past_timeout = value.start_ms >= 0 && value.last_update_ms - value.start_ms > value.timeout_ms;
      const bool after_ongoing =
          !first && before.status == TransactionStatus::ongoing && before.producer_id == now.producer_id;
      const int producers_bump = before.client_transaction_version >= 2 ? 1 : 0;
      if (past_timeout) {
        timed_out_->Increment();
      } else if (after_ongoing && now.producer_epoch - before.producer_epoch > producers_bump) {
        fenced_->Increment();
      }
      break;
    }
    default:
      break;
  }
}

}  // namespace msgwatch::kafka
