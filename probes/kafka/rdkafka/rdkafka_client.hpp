#pragma once
// librdkafka clients of a configured cluster (the transaction log follower, the canary's
// producer and consumer): every handle in a unique_ptr with its destroy function, the
// cluster's bootstrap servers, client id, TLS and SASL set in one place, librdkafka's own log
// lines at debug through a trampoline that never throws into C.

#include "probes/kafka/kafka_config.hpp"

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace msgwatch::kafka {

struct RdKafkaDeleter {
  void operator()(rd_kafka_t* p) const { rd_kafka_destroy(p); }
  void operator()(rd_kafka_conf_t* p) const { rd_kafka_conf_destroy(p); }
  void operator()(rd_kafka_topic_t* p) const { rd_kafka_topic_destroy(p); }
  void operator()(rd_kafka_message_t* p) const { rd_kafka_message_destroy(p); }
  void operator()(rd_kafka_topic_partition_list_t* p) const { rd_kafka_topic_partition_list_destroy(p); }
  void operator()(const rd_kafka_metadata_t* p) const { rd_kafka_metadata_destroy(p); }
  void operator()(rd_kafka_queue_t* p) const { rd_kafka_queue_destroy(p); }
  void operator()(rd_kafka_event_t* p) const { rd_kafka_event_destroy(p); }
  void operator()(rd_kafka_NewTopic_t* p) const { rd_kafka_NewTopic_destroy(p); }
  void operator()(rd_kafka_NewPartitions_t* p) const { rd_kafka_NewPartitions_destroy(p); }
  void operator()(rd_kafka_AdminOptions_t* p) const { rd_kafka_AdminOptions_destroy(p); }
};
template <class T>
using RdKafkaHandle = std::unique_ptr<T, RdKafkaDeleter>;

using RdKafkaProperties = std::vector<std::pair<std::string, std::string>>;

// A configuration for the cluster plus `properties`. Throws std::runtime_error naming the
// property librdkafka refused.
RdKafkaHandle<rd_kafka_conf_t> rdkafka_config(const KafkaCluster& cluster, const RdKafkaProperties& properties);

// Sets one more property; throws as above.
void set_rdkafka_property(rd_kafka_conf_t* conf, const std::string& name, const std::string& value);

// A client made from `conf`, which it takes over. Throws std::runtime_error with
// librdkafka's reason.
RdKafkaHandle<rd_kafka_t> make_rdkafka_client(rd_kafka_type_t type, RdKafkaHandle<rd_kafka_conf_t> conf);

// True when the librdkafka in use repeats the client's nonce in SCRAM's client-final
// message (every version before 2.6.1, librdkafka issue 4895): brokers of Kafka 4.0 and
// later refuse its SCRAM authentication, 3.x ones accept it. The daemon's own client is
// not affected; its librdkafka clients (the canary, the transaction log follower) are.
bool rdkafka_repeats_scram_nonce();

}  // namespace msgwatch::kafka
