#pragma once
// The "kafka_canary" probe of a cluster whose `canary:` section is enabled: its runner
// (canary_runner.hpp) sends and reads on its own thread; each collection writes what it
// has counted. A collection fails while the canary cannot send (the topic is missing and
// not managed, the metadata cannot be read), with the reason in the log.

#include "exporter/sdk/probe.hpp"
#include "probes/kafka/kafka_config.hpp"

#include <memory>

namespace msgwatch::kafka {

std::unique_ptr<Probe> make_kafka_canary_probe(const KafkaCluster& cluster, const ProbeContext& context);

}  // namespace msgwatch::kafka
