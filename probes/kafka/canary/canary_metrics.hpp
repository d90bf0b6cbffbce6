#pragma once
// The canary's series, from what its runner has counted since the daemon started:
//   kafka_canary_partition_{sent,received,lost,duplicates,out_of_order}_total{topic,partition,broker}
//   kafka_canary_partition_send_failures_total{topic,partition,broker,error}
//   kafka_canary_partition_last_round_trip_timestamp_seconds{topic,partition,broker}
//   kafka_canary_partition_overdue_messages{topic,partition,broker}
//   kafka_canary_broker_{sent,received,lost,duplicates,out_of_order,send_failures}_total{broker}
//   kafka_canary_partitions{topic}, kafka_canary_brokers_without_leadership{topic}
//   kafka_canary_topic_changes_total{topic,change}, kafka_canary_topic_change_failures_total{topic,change},
//   kafka_canary_reassignment_in_progress{topic} (where the daemon manages the topic)
//   msgwatch_kafka_canary_info{topic,instance}
// A partition's `broker` is its leader now; the broker roll-ups count each message against
// the broker that led its partition when it was sent.
//
// In production topics (canary.production):
//   kafka_canary_production_sent_total{topic}, kafka_canary_production_send_failures_total{topic,error}
//   kafka_canary_group_latency_seconds{consumergroup,topic,partition}
//   kafka_canary_group_waiting_seconds{consumergroup,topic,partition}
//
// The transactional canary's, per topic:
//   kafka_canary_transactions_total{topic,outcome}            committed, aborted (as planned)
//   kafka_canary_transaction_failures_total{topic,phase,error}
//   kafka_canary_transaction_messages_{committed,received,lost,duplicates}_total{topic}
//   kafka_canary_transaction_aborted_messages_seen_total{topic}
//   kafka_canary_transaction_overdue_messages{topic}
//   msgwatch_kafka_canary_transaction_info{topic,transactional_id,instance}

#include "exporter/sdk/series_set.hpp"
#include "probes/kafka/canary/canary_runner.hpp"
#include "probes/kafka/canary/canary_transactions.hpp"

#include <string>

namespace msgwatch::kafka {

void write_canary_metrics(const CanaryState& state, const std::string& topic, SeriesSet& out);
void write_canary_transaction_metrics(const CanaryTransactionState& state, const std::string& topic, SeriesSet& out);

}  // namespace msgwatch::kafka
