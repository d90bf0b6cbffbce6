#pragma once
// Writes known numbers of messages to known partitions, so tests can assert exact offsets
// and lag. Every message's delivery report is checked: a test that believes it wrote 1,000
// messages has written 1,000.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/kafka_handles.hpp"

namespace msgwatch::test {

using namespace std::chrono_literals;

struct ProducerOptions {
  // Set for a transactional producer; the constructor then runs init_transactions.
  std::optional<std::string> transactional_id;
  // Extra librdkafka properties, e.g. {"transaction.timeout.ms", "600000"} for a
  // transaction a test leaves open for a long time.
  KafkaSettings settings;
};

struct MessageOptions {
  std::string value_prefix = "msgwatch-test";  // values are "<prefix>-<i>", keys "<i>"
  // Message timestamp (CreateTime); now when unset. Lets a test create a known time lag.
  std::optional<std::chrono::system_clock::time_point> timestamp;
};

// Owns one librdkafka producer. Not thread-safe: use from one thread.
class KafkaProducer {
 public:
  explicit KafkaProducer(const std::string& bootstrap, ProducerOptions options = {});
  // Destroys the producer without ending an open transaction: the broker keeps it open
  // (and the partition's last stable offset stuck) until transaction.timeout.ms.
  ~KafkaProducer();
  KafkaProducer(KafkaProducer&&) noexcept;
  KafkaProducer& operator=(KafkaProducer&&) noexcept;

  // Produces `count` messages to exactly this partition, flushes, and throws unless every
  // delivery report succeeded. Inside a transaction the messages are then written to the
  // log but not yet committed.
  void produce(const std::string& topic, std::int32_t partition, int count, const MessageOptions& options = {});
  // Same, one message per value, with exactly these values (keys "<i>").
  void produce_values(const std::string& topic, std::int32_t partition, const std::vector<std::string>& values);

  void begin_transaction();
  void commit_transaction(std::chrono::milliseconds timeout = 60s);
  void abort_transaction(std::chrono::milliseconds timeout = 60s);

 private:
  void produce_values(const std::string& topic, std::int32_t partition, const std::vector<std::string>& values,
                      std::optional<std::chrono::system_clock::time_point> timestamp);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One-shot: a plain producer writes `count` messages to topic/partition.
void produce_messages(const std::string& bootstrap, const std::string& topic, std::int32_t partition, int count,
                      const MessageOptions& options = {});

}  // namespace msgwatch::test
