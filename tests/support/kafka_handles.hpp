#pragma once
// librdkafka handles in unique_ptrs with their destroy functions, and the few steps every
// Kafka helper here repeats (configuration, admin requests). Internal to this library.

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace msgwatch::test {

// librdkafka configuration properties, applied in order (later ones win).
using KafkaSettings = std::vector<std::pair<std::string, std::string>>;

namespace kafka_detail {

struct Deleter {
  void operator()(rd_kafka_t* p) const { rd_kafka_destroy(p); }
  void operator()(rd_kafka_conf_t* p) const { rd_kafka_conf_destroy(p); }
  void operator()(rd_kafka_queue_t* p) const { rd_kafka_queue_destroy(p); }
  void operator()(rd_kafka_event_t* p) const { rd_kafka_event_destroy(p); }
  void operator()(rd_kafka_error_t* p) const { rd_kafka_error_destroy(p); }
  void operator()(rd_kafka_message_t* p) const { rd_kafka_message_destroy(p); }
  void operator()(rd_kafka_topic_partition_list_t* p) const { rd_kafka_topic_partition_list_destroy(p); }
  void operator()(rd_kafka_AdminOptions_t* p) const { rd_kafka_AdminOptions_destroy(p); }
  void operator()(rd_kafka_NewTopic_t* p) const { rd_kafka_NewTopic_destroy(p); }
  void operator()(rd_kafka_DeleteTopic_t* p) const { rd_kafka_DeleteTopic_destroy(p); }
  void operator()(rd_kafka_DeleteGroup_t* p) const { rd_kafka_DeleteGroup_destroy(p); }
  void operator()(rd_kafka_NewPartitions_t* p) const { rd_kafka_NewPartitions_destroy(p); }
  void operator()(const rd_kafka_metadata_t* p) const { rd_kafka_metadata_destroy(p); }
};

template <typename T>
using Ptr = std::unique_ptr<T, Deleter>;

// A configuration with bootstrap.servers and `settings` applied; throws naming the
// property librdkafka rejected.
Ptr<rd_kafka_conf_t> make_conf(const std::string& bootstrap, const KafkaSettings& settings);

// Creates a client from `conf`, which it consumes whether or not creation succeeds.
Ptr<rd_kafka_t> make_client(rd_kafka_type_t type, Ptr<rd_kafka_conf_t> conf);

// Throws std::runtime_error "<what>: <error>" if `error` is set (and destroys it).
void check(rd_kafka_error_t* error, std::string_view what);
void check(rd_kafka_resp_err_t err, std::string_view what);

Ptr<rd_kafka_topic_partition_list_t> partition_list();

int to_ms(std::chrono::milliseconds d);

}  // namespace kafka_detail
}  // namespace msgwatch::test
