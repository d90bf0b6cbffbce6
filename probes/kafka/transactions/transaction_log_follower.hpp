#pragma once
// Follows the transaction coordinators' log, the internal topic __transaction_state, with a
// librdkafka consumer that assign()s every partition at its end (no group, nothing
// committed), so that each transaction's outcome is seen as the coordinator writes it.
// Records arrive on librdkafka's threads and wait in its queue; the probe drains the queue
// once per cycle without waiting and hands every record to a callback.
//
// Where the daemon may not read the topic (no Describe/Read permission on it, or the
// cluster does not let clients read internal topics), readable() turns false, one warning
// is logged, and the rest of the probe carries on.
//
// Not thread-safe: one probe cycle owns it. librdkafka's callbacks are trampolines that
// never throw into C.

#include "probes/kafka/kafka_config.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace msgwatch::kafka {

class TransactionLogFollower {
 public:
  // A record of the log: its key, and its value (absent for a tombstone).
  using RecordHandler =
      std::function<void(std::span<const std::uint8_t> key, std::optional<std::span<const std::uint8_t>> value)>;

  explicit TransactionLogFollower(const KafkaCluster& cluster);
  ~TransactionLogFollower();
  TransactionLogFollower(const TransactionLogFollower&) = delete;
  TransactionLogFollower& operator=(const TransactionLogFollower&) = delete;

  // Starts following the log's `partitions` (0: the topic does not exist yet, as on a
  // cluster that never ran a transaction), or follows them all again if their number
  // changed. The log is followed from its end when it existed at the first call, from its
  // beginning when it was created later (so its first transactions count). Creating the
  // consumer may fail (a bad property): then readable() is false and the reason logged.
  void follow(std::int32_t partitions);

  // Hands every record that arrived since the last call to `handler`, at most `max_records`
  // of them, without waiting. Returns how many.
  std::size_t drain(const RecordHandler& handler, std::size_t max_records = 100'000);

  // False once the broker refused the topic (or the consumer could not be made).
  [[nodiscard]] bool readable() const { return readable_; }

 private:
  struct Consumer;
  void not_readable(const std::string& reason);

  KafkaCluster cluster_;
  std::unique_ptr<Consumer> consumer_;
  std::int32_t partitions_ = 0;
  bool created_while_following_ = false;  // the topic was absent at the first call
  bool readable_ = true;
};

}  // namespace msgwatch::kafka
