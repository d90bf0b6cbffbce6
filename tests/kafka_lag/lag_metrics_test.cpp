#include "probes/kafka/lag/lag_metrics.hpp"

#include "exporter/exposition.hpp"

#include <gtest/gtest.h>

namespace msgwatch::kafka {
namespace {

ClusterSnapshot sample() {
  ClusterSnapshot snapshot;
  snapshot.brokers = {{1, "b1", 9092}, {2, "b2", 9092}};
  snapshot.controller = 1;
  auto& orders = snapshot.topics["orders"];
  orders.partitions[0] = {1, {1, 2}, {1, 2}, 10, 1000};
  orders.partitions[1] = {2, {1, 2}, {2}, 0, 500};                      // leader not preferred, under-replicated
  orders.partitions[2] = {-1, {2, 1}, {}, std::nullopt, std::nullopt};  // offline, offsets unknown
  auto& billing = snapshot.groups["billing"];
  billing.state = "Stable";
  billing.members = 2;
  billing.committed = {{{"orders", 0}, 400}, {{"orders", 1}, 600}, {{"orders", 2}, 7}, {{"deleted", 0}, 5}};
  auto& audit = snapshot.groups["audit"];
  audit.state = "Empty";
  audit.members = 0;
  audit.committed = {{{"orders", 0}, 1000}};
  return snapshot;
}

TEST(LagMetrics, RendersKafkaExporterFamiliesWithExactValues) {
  EXPECT_EQ(render_text(lag_metrics(sample())),
            R"(# HELP kafka_broker_info Brokers of the cluster; always 1.
# TYPE kafka_broker_info gauge
kafka_broker_info{id="1",address="b1:9092"} 1
kafka_broker_info{id="2",address="b2:9092"} 1
# HELP kafka_brokers Number of brokers in the cluster.
# TYPE kafka_brokers gauge
kafka_brokers 2
# HELP kafka_consumergroup_current_offset Committed offset of the consumer group on the partition.
# TYPE kafka_consumergroup_current_offset gauge
kafka_consumergroup_current_offset{consumergroup="audit",topic="orders",partition="0"} 1000
kafka_consumergroup_current_offset{consumergroup="billing",topic="orders",partition="0"} 400
kafka_consumergroup_current_offset{consumergroup="billing",topic="orders",partition="1"} 600
kafka_consumergroup_current_offset{consumergroup="billing",topic="orders",partition="2"} 7
# HELP kafka_consumergroup_current_offset_sum Sum of the consumer group's committed offsets over the topic's partitions.
# TYPE kafka_consumergroup_current_offset_sum gauge
kafka_consumergroup_current_offset_sum{consumergroup="audit",topic="orders"} 1000
kafka_consumergroup_current_offset_sum{consumergroup="billing",topic="orders"} 1007
# HELP kafka_consumergroup_lag Messages the consumer group has still to consume on the partition (high watermark - committed offset).
# TYPE kafka_consumergroup_lag gauge
kafka_consumergroup_lag{consumergroup="audit",topic="orders",partition="0"} 0
kafka_consumergroup_lag{consumergroup="billing",topic="orders",partition="0"} 600
kafka_consumergroup_lag{consumergroup="billing",topic="orders",partition="1"} 0
# HELP kafka_consumergroup_lag_sum Sum of the consumer group's lag over the topic.
# TYPE kafka_consumergroup_lag_sum gauge
kafka_consumergroup_lag_sum{consumergroup="audit",topic="orders"} 0
kafka_consumergroup_lag_sum{consumergroup="billing",topic="orders"} 600
# HELP kafka_consumergroup_members Number of members of the consumer group.
# TYPE kafka_consumergroup_members gauge
kafka_consumergroup_members{consumergroup="audit"} 0
kafka_consumergroup_members{consumergroup="billing"} 2
# HELP kafka_controller_id Broker id of the active controller (-1: unknown).
# TYPE kafka_controller_id gauge
kafka_controller_id 1
# HELP kafka_topic_partition_current_offset High watermark (next offset to be written) of the partition.
# TYPE kafka_topic_partition_current_offset gauge
kafka_topic_partition_current_offset{topic="orders",partition="0"} 1000
kafka_topic_partition_current_offset{topic="orders",partition="1"} 500
# HELP kafka_topic_partition_in_sync_replica Number of in-sync replicas of the partition.
# TYPE kafka_topic_partition_in_sync_replica gauge
kafka_topic_partition_in_sync_replica{topic="orders",partition="0"} 2
kafka_topic_partition_in_sync_replica{topic="orders",partition="1"} 1
kafka_topic_partition_in_sync_replica{topic="orders",partition="2"} 0
# HELP kafka_topic_partition_leader Broker id of the partition's leader (-1: none).
# TYPE kafka_topic_partition_leader gauge
kafka_topic_partition_leader{topic="orders",partition="0"} 1
kafka_topic_partition_leader{topic="orders",partition="1"} 2
kafka_topic_partition_leader{topic="orders",partition="2"} -1
# HELP kafka_topic_partition_leader_is_preferred 1 if the partition's leader is its preferred replica.
# TYPE kafka_topic_partition_leader_is_preferred gauge
kafka_topic_partition_leader_is_preferred{topic="orders",partition="0"} 1
kafka_topic_partition_leader_is_preferred{topic="orders",partition="1"} 0
kafka_topic_partition_leader_is_preferred{topic="orders",partition="2"} 0
# HELP kafka_topic_partition_oldest_offset Oldest offset still in the partition.
# TYPE kafka_topic_partition_oldest_offset gauge
kafka_topic_partition_oldest_offset{topic="orders",partition="0"} 10
kafka_topic_partition_oldest_offset{topic="orders",partition="1"} 0
# HELP kafka_topic_partition_replicas Number of replicas of the partition.
# TYPE kafka_topic_partition_replicas gauge
kafka_topic_partition_replicas{topic="orders",partition="0"} 2
kafka_topic_partition_replicas{topic="orders",partition="1"} 2
kafka_topic_partition_replicas{topic="orders",partition="2"} 2
# HELP kafka_topic_partition_under_replicated_partition 1 if the partition has fewer in-sync replicas than replicas.
# TYPE kafka_topic_partition_under_replicated_partition gauge
kafka_topic_partition_under_replicated_partition{topic="orders",partition="0"} 0
kafka_topic_partition_under_replicated_partition{topic="orders",partition="1"} 1
kafka_topic_partition_under_replicated_partition{topic="orders",partition="2"} 1
# HELP kafka_topic_partitions Number of partitions of the topic.
# TYPE kafka_topic_partitions gauge
kafka_topic_partitions{topic="orders"} 3
)");
}

TEST(LagMetrics, LagIsNeverNegativeAndUncommittedPartitionsHaveNoSeries) {
  ClusterSnapshot snapshot;
  snapshot.topics["t"].partitions[0] = {1, {1}, {1}, 0, 100};
  snapshot.topics["t"].partitions[1] = {1, {1}, {1}, 0, 100};
  snapshot.groups["g"].committed = {{{"t", 0}, 150}};  // above the watermark: a truncated log
  const auto text = render_text(lag_metrics(snapshot));
  EXPECT_NE(text.find("kafka_consumergroup_lag{consumergroup=\"g\",topic=\"t\",partition=\"0\"} 0\n"),
            std::string::npos);
  EXPECT_EQ(text.find("partition=\"1\"} -"), std::string::npos);
  EXPECT_EQ(text.find("kafka_consumergroup_lag{consumergroup=\"g\",topic=\"t\",partition=\"1\"}"), std::string::npos);
  EXPECT_EQ(text.find("kafka_consumergroup_members"), std::string::npos);  // unknown, not 0
}

}  // namespace
}  // namespace msgwatch::kafka
