#pragma once
// The "kafka_lag" probe: brokers, topics and partitions, their oldest and newest offsets,
// and every consumer group's committed offsets, members and lag.

#include "exporter/sdk/probe.hpp"
#include "probes/kafka/kafka_config.hpp"

#include <memory>

namespace msgwatch::kafka {

std::unique_ptr<Probe> make_kafka_lag_probe(const KafkaCluster& cluster, const ProbeContext& context = {});

}  // namespace msgwatch::kafka
