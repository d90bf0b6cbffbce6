#pragma once
// Creates and removes the Kafka objects a test works on, and returns only once the cluster
// shows the change in its metadata, so the next step of a test never races the controller.

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support/kafka_handles.hpp"

namespace msgwatch::test {

using namespace std::chrono_literals;

// Topic-level configuration, e.g. {"retention.ms", "-1"}.
using TopicConfigs = std::vector<std::pair<std::string, std::string>>;

struct Watermarks {
  std::int64_t low = 0;   // log start offset
  std::int64_t high = 0;  // high watermark: log end offset, transaction markers included
};

// librdkafka clients used only for admin requests, metadata and offsets. Thread-compatible:
// use one instance from one thread at a time.
class KafkaAdmin {
 public:
  explicit KafkaAdmin(std::string bootstrap, const KafkaSettings& settings = {});
  ~KafkaAdmin();
  KafkaAdmin(KafkaAdmin&&) noexcept;
  KafkaAdmin& operator=(KafkaAdmin&&) noexcept;

  // Creates the topic and waits until the metadata of every broker shows `partitions`
  // partitions, each with a leader. An existing topic of that name is an error: tests use
  // unique names.
  void create_topic(const std::string& name, int partitions, int replication_factor = 1,
                    const TopicConfigs& configs = {}, std::chrono::milliseconds deadline = 60s);
  // Grows the topic to `total_partitions` and waits until every broker shows all of them
  // with leaders.
  void add_partitions(const std::string& name, int total_partitions, std::chrono::milliseconds deadline = 60s);
  // Deletes the topic and waits until no broker's metadata lists it. A missing topic is an
  // error.
  void delete_topic(const std::string& name, std::chrono::milliseconds deadline = 60s);
  // Deletes consumer groups (they must exist and have no members).
  void delete_groups(const std::vector<std::string>& groups, std::chrono::milliseconds deadline = 30s);
  // Waits until the metadata of every live broker lists each of `brokers` (a broker is
  // listed once it is registered and unfenced, which each broker learns on its own).
  void wait_brokers_listed(const std::set<std::int32_t>& brokers, std::chrono::milliseconds deadline = 60s);
  // Every topic in the cluster's metadata, internal ones (__consumer_offsets) included.
  std::vector<std::string> list_topics(std::chrono::milliseconds timeout = 10s);
  // Partition count of the topic, or -1 if metadata does not list it.
  int partition_count(const std::string& name, std::chrono::milliseconds timeout = 10s);
  // Low and high watermark of a partition, as a read_uncommitted consumer sees them. With
  // librdkafka 2.0.2 the query can outlast `timeout` while the partition's last known leader
  // is down: ask Kafka's get-offsets tool then.
  Watermarks watermarks(const std::string& topic, std::int32_t partition, std::chrono::milliseconds timeout = 10s);
  // Last stable offset: the end as a read_committed consumer sees it, held back by the
  // partition's oldest open transaction. Note that commit/abort_transaction returns before
  // the broker has written the markers, so the LSO (and the high watermark) can move a
  // moment later: wait for the value you expect.
  std::int64_t last_stable_offset(const std::string& topic, std::int32_t partition,
                                  std::chrono::milliseconds timeout = 10s);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace msgwatch::test
