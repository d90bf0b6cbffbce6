#include "probes/kafka/canary/canary_share.hpp"

#include "exporter/sdk/log_event.hpp"

#include "probes/kafka/canary/canary_topic.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace msgwatch::kafka {

CanaryShare::CanaryShare(const KafkaCluster& cluster) : cluster_(cluster.name), group_(cluster.canary.share_group) {
  auto config = rdkafka_config(
      cluster, canary_client_properties(
                   cluster.canary,
                   {
                       {"group.id", cluster.canary.share_group},
                       {"session.timeout.ms", std::to_string(cluster.canary.share_session_timeout.count())},
                       {"heartbeat.interval.ms", std::to_string(cluster.canary.share_session_timeout.count() / 5)},
                       {"partition.assignment.strategy", "roundrobin"},
                       {"enable.auto.commit", "false"},
                       {"enable.auto.offset.store", "false"},
                   }));
  rd_kafka_conf_set_opaque(config.get(), this);
  rd_kafka_conf_set_rebalance_cb(config.get(), &CanaryShare::on_rebalance);
  consumer_ = make_rdkafka_client(RD_KAFKA_CONSUMER, std::move(config));
  rd_kafka_poll_set_consumer(consumer_.get());
  RdKafkaHandle<rd_kafka_topic_partition_list_t> topics(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(topics.get(), cluster.canary.topic.c_str(), RD_KAFKA_PARTITION_UA);
  if (const auto err = rd_kafka_subscribe(consumer_.get(), topics.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error(std::string("canary share group: subscribe: ") + rd_kafka_err2str(err));
  }
}

CanaryShare::~CanaryShare() { rd_kafka_consumer_close(consumer_.get()); }

void CanaryShare::poll() {
  // Paused partitions deliver nothing; what comes is an error or an event, logged at debug.
  RdKafkaHandle<rd_kafka_message_t> message(rd_kafka_consumer_poll(consumer_.get(), 0));
  if (message && message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::debug("canary share group: {}", rd_kafka_message_errstr(message.get()));
  }
}

void CanaryShare::on_rebalance(rd_kafka_t* client, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
                               void* opaque) noexcept {
  try {
    auto* self = static_cast<CanaryShare*>(opaque);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      (void)rd_kafka_assign(client, partitions);
      (void)rd_kafka_pause_partitions(client, partitions);  // it only holds them
      self->assigned_.clear();
      for (int i = 0; i < partitions->cnt; ++i) self->assigned_.insert(partitions->elems[i].partition);
    } else {
      (void)rd_kafka_assign(client, nullptr);
      self->assigned_.clear();
    }
    log_event(
        spdlog::level::info, "canary partitions assigned",
        {{"cluster", self->cluster_}, {"group", self->group_}, {"partitions", std::to_string(self->assigned_.size())}});
  } catch (...) {  // never into C
  }
}

}  // namespace msgwatch::kafka
