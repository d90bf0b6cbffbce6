#pragma once
// Consumer groups in the two shapes the lag tests need: a group that has committed offsets
// but no members (the common case of a stopped consumer), and a group with a live member
// that has partitions assigned and commits when the test says so.

#include <chrono>
#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/kafka_handles.hpp"

namespace msgwatch::test {

using namespace std::chrono_literals;

struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
};

struct PartitionOffset {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;  // the next offset the group would read, as Kafka stores it
};

// Commits `offsets` for `group` synchronously without joining it (a consumer with that
// group.id that never subscribes), then reads them back and throws unless the broker
// returns exactly these offsets. `settings`: librdkafka properties, e.g. SASL's or TLS's.
void commit_offsets(const std::string& bootstrap, const std::string& group, const std::vector<PartitionOffset>& offsets,
                    const KafkaSettings& settings = {});

// The group's committed offset for each partition, in the order given; nullopt where the
// group has none.
std::vector<std::optional<std::int64_t>> committed_offsets(const std::string& bootstrap, const std::string& group,
                                                           const std::vector<TopicPartition>& partitions,
                                                           const KafkaSettings& settings = {});

// A live member of `group`, subscribed to `topics`, polling continuously on its own thread
// (auto commit off, so committed offsets change only through commit()). All public
// methods are thread-safe; the librdkafka handle is only touched by the polling thread.
class ActiveConsumer {
 public:
  ActiveConsumer(const std::string& bootstrap, const std::string& group, const std::vector<std::string>& topics,
                 const KafkaSettings& settings = {});
  // Same as stop().
  ~ActiveConsumer();
  ActiveConsumer(const ActiveConsumer&) = delete;
  ActiveConsumer& operator=(const ActiveConsumer&) = delete;

  // Waits until at least `min_partitions` partitions are assigned to this member; on
  // timeout the message includes the last client error.
  void wait_until_assigned(std::chrono::milliseconds deadline = 60s, std::size_t min_partitions = 1);
  [[nodiscard]] std::vector<TopicPartition> assignment() const;

  // Commits explicit offsets from the polling thread (synchronous commit as this member)
  // and waits for the result; throws on error or timeout.
  void commit(const std::vector<PartitionOffset>& offsets, std::chrono::milliseconds deadline = 30s);

  // Messages received so far (fetched, not committed).
  [[nodiscard]] std::int64_t messages_consumed() const;

  // Leaves the group (consumer close) and joins the thread. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace msgwatch::test
