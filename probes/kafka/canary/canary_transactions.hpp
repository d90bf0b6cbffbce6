#pragma once
// The transactional canary, on a thread of its own (its librdkafka calls block for up to
// canary_wait_bound): every interval a transactional producer (canary.transactional_id)
// begins a transaction, writes one message to every partition of the canary topic and
// commits; every abort_every-th transaction aborts instead. A read_committed CanaryReader
// checks what comes back: every committed message exactly once (a CanaryTracker of its own:
// received, lost when read past, duplicates, overdue), no aborted message ever. The time of
// each phase goes into a live histogram as it happens:
//   kafka_canary_transaction_phase_seconds{cluster,phase}  init, send, commit, abort
// A failed phase counts by librdkafka's error name; after a fatal error (fenced: another
// producer took the transactional id), or when no phase has succeeded for the transaction
// timeout (an abort that keeps timing out), the producer is made anew at the next round. The
// messages of a transaction whose outcome librdkafka cannot tell (a retriable commit
// error: the commit is tried again at the next round, before a new transaction begins) are
// neither expected nor counted.

#include "probes/kafka/canary/canary_reader.hpp"
#include "probes/kafka/canary/canary_tracker.hpp"
#include "probes/kafka/kafka_config.hpp"
#include "probes/kafka/rdkafka/rdkafka_client.hpp"

#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace msgwatch::kafka {

struct CanaryTransactionState {
  std::string instance;  // the instance id in its messages
  std::string transactional_id;
  std::int64_t committed = 0;                                            // transactions
  std::int64_t aborted = 0;                                              // transactions aborted as planned
  std::map<std::pair<std::string, std::string>, std::int64_t> failures;  // (phase, error)
  std::int64_t messages_committed = 0;
  std::int64_t received = 0;  // committed messages read, once each
  std::int64_t lost = 0;      // committed messages the reader went past without finding
  std::int64_t duplicates = 0;
  std::int64_t overdue = 0;
  std::int64_t aborted_seen = 0;  // aborted messages a read_committed reader saw: must stay 0
};

class CanaryTransactionRunner {
 public:
  CanaryTransactionRunner(const KafkaCluster& cluster, prometheus::Registry& registry);
  ~CanaryTransactionRunner();
  CanaryTransactionRunner(const CanaryTransactionRunner&) = delete;
  CanaryTransactionRunner& operator=(const CanaryTransactionRunner&) = delete;

  [[nodiscard]] CanaryTransactionState state() const;

 private:
  using MessageIds = std::vector<std::pair<std::int32_t, std::int64_t>>;  // (partition, sequence)

  void run() noexcept;
  void round();
  // Counts the phase's failure; returns whether the producer must be made anew: after a
  // fatal error, or when no phase has succeeded for the transaction timeout.
  bool failed(const std::string& phase, rd_kafka_error_t* error);
  bool finish(int timeout_ms);
  // Its messages are not waited for any more.
  void forget(const MessageIds& messages);
  // Its messages are not waited for, and must never be read by a read_committed consumer.
  void aborted(const MessageIds& messages);
  void read(std::int32_t partition, std::int64_t offset, const std::optional<CanaryMessage>& message,
            CanaryClock::time_point read_at);
  void observe(const std::string& phase, std::chrono::steady_clock::time_point since);
  static void on_delivery(rd_kafka_t* client, const rd_kafka_message_t* message, void* opaque) noexcept;

  const KafkaCluster cluster_;
  const CanarySettings& settings_ = cluster_.canary;
  prometheus::Family<prometheus::Histogram>& phases_;
  prometheus::Histogram::BucketBoundaries buckets_;

  mutable std::mutex mutex_;  // guards tracker_ and state_
  CanaryTracker tracker_;
  CanaryTransactionState state_;

  // The thread's:
  std::map<std::int32_t, std::set<std::int64_t>> aborted_;  // sequences of aborted transactions
  std::int64_t rounds_ = 0;
  bool initialized_ = false;
  enum class Unfinished { none, commit, abort };
  Unfinished unfinished_ = Unfinished::none;
  std::optional<std::chrono::steady_clock::time_point> failing_since_;  // the first failure since a phase succeeded
  CanaryReader reader_;
  RdKafkaHandle<rd_kafka_t> producer_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace msgwatch::kafka
