#pragma once
// What the canary sent and what came back, per partition and per broker: the pure
// bookkeeping, without Kafka (canary_runner.cpp feeds it).
//
// Own messages (this instance's) are pending from send() until they are read back. A message
// the broker acknowledged at offset O is lost when the canary's consumer has read the
// partition past O without finding it: the log no longer holds it (an unclean leader
// election, a truncated replica). One that has not been read back round_trip_sla after its
// send, while the consumer has not got past its offset yet (a broker restarting, a slow
// path), is overdue: a gauge, not a loss; it turns into received or lost once the consumer
// gets there. A message whose send failed counts under its error and is not waited for.
//
// Every canary stream read from the topic (this instance's and any other daemon's: sender
// instance and partition) is checked for order: a sequence number seen before is a
// duplicate, one lower than the highest seen so far (but new) is out of order.
//
// Sent, failed, received and lost count against the broker that led the partition when the
// message was sent; duplicates and out-of-order records against the leader when they were
// read. Not thread-safe.

#include "probes/kafka/canary/canary_message.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace msgwatch::kafka {

using CanaryClock = std::chrono::system_clock;

struct CanaryCounts {
  std::int64_t sent = 0;
  std::int64_t received = 0;
  std::int64_t lost = 0;
  std::int64_t duplicates = 0;
  std::int64_t out_of_order = 0;
  std::map<std::string, std::int64_t> failures;  // by librdkafka's error name
  std::int64_t overdue = 0;                      // a gauge: acknowledged, past round_trip_sla, still awaited
  std::optional<CanaryClock::time_point> last_round_trip;
};

// An acknowledged message the consumer read past without finding: what an operator needs to
// look at the partition's log around it.
struct LostCanaryMessage {
  std::int32_t partition = 0;
  std::int64_t sequence = 0;
  std::int64_t offset = -1;   // where the broker acknowledged it
  std::int64_t read_to = -1;  // the next offset the consumer reads (-1: gave up waiting)
  std::int32_t leader = -1;   // when it was sent
};

class CanaryTracker {
 public:
  CanaryTracker(std::string instance, std::chrono::milliseconds round_trip_sla);

  [[nodiscard]] const std::string& instance() const { return instance_; }

  // The message to send to `partition` now, led by `leader` (-1: none known).
  CanaryMessage send(std::int32_t partition, std::int32_t leader, CanaryClock::time_point now);
  // The broker acknowledged it at `offset`.
  void delivered(std::int32_t partition, std::int64_t sequence, std::int64_t offset);
  // It could not be sent (`error`: librdkafka's error name); not waited for any more.
  void failed(std::int32_t partition, std::int64_t sequence, const std::string& error);
  // Not waited for any more, and counted as nothing (its transaction was aborted).
  void withdraw(std::int32_t partition, std::int64_t sequence) { pending_.erase({partition, sequence}); }
  // The consumer read the record at `offset` of `partition` (any record: canary or not).
  void read(std::int32_t partition, std::int64_t offset);
  // A canary record read from `partition`, led now by `leader`. Returns its end-to-end
  // latency when it is one of this instance's pending messages.
  std::optional<std::chrono::microseconds> received(std::int32_t partition, std::int32_t leader,
                                                    const CanaryMessage& message, CanaryClock::time_point now);
  // Decides lost and overdue messages, and returns the messages it found lost; forgets
  // streams of other instances not read for an hour.
  std::vector<LostCanaryMessage> expire(CanaryClock::time_point now);

  [[nodiscard]] const std::map<std::int32_t, CanaryCounts>& partitions() const { return partitions_; }
  [[nodiscard]] const std::map<std::int32_t, CanaryCounts>& brokers() const { return brokers_; }
  // Messages sent and neither received, lost nor failed yet.
  [[nodiscard]] std::size_t pending() const { return pending_.size(); }

 private:
  struct Pending {
    CanaryClock::time_point sent;
    std::int32_t leader = -1;
    std::int64_t offset = -1;  // once acknowledged
  };
  // One sender's records on one partition: the highest sequence read, and the sequences
  // read within the last kWindow below it.
  struct Stream {
    std::int64_t highest = -1;
    std::set<std::int64_t> seen;
    CanaryClock::time_point last_read;
  };
  static constexpr std::int64_t kWindow = 4096;

  // Returns false for a duplicate.
  bool check_order(std::int32_t partition, std::int32_t leader, const CanaryMessage& message,
                   CanaryClock::time_point now);
  template <class Update>
  void count(std::int32_t partition, std::int32_t broker, Update update);

  std::string instance_;
  std::chrono::milliseconds round_trip_sla_;
  std::map<std::int32_t, std::int64_t> next_sequence_;
  std::map<std::int32_t, std::int64_t> read_to_;                      // partition → next offset to read
  std::map<std::pair<std::int32_t, std::int64_t>, Pending> pending_;  // (partition, sequence)
  std::map<std::pair<std::string, std::int32_t>, Stream> streams_;    // (instance, partition)
  std::map<std::int32_t, CanaryCounts> partitions_;
  std::map<std::int32_t, CanaryCounts> brokers_;
};

}  // namespace msgwatch::kafka
