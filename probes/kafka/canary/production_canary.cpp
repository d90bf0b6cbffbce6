#include "probes/kafka/canary/production_canary.hpp"

#include "probes/kafka/canary/canary_message.hpp"
#include "probes/kafka/rdkafka/rdkafka_client.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <stdexcept>

namespace msgwatch::kafka {
namespace {

std::int64_t micros(CanaryClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

}  // namespace

ProductionCanary::ProductionCanary(const KafkaCluster& cluster, std::string instance)
    : settings_(cluster.canary), topics_(cluster.canary.production_topics), instance_(std::move(instance)) {}

void ProductionCanary::round(rd_kafka_t* producer, std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* raw = nullptr;
  const auto err = rd_kafka_metadata(producer, 1, nullptr, &raw, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error(std::string("production topics: metadata: ") + rd_kafka_err2str(err));
  }
  const RdKafkaHandle<const rd_kafka_metadata_t> metadata(raw);
  partitions_.clear();
  for (int t = 0; t < metadata->topic_cnt; ++t) {
    const auto& topic = metadata->topics[t];
    const std::string name = topic.topic;
    if (topic.err != RD_KAFKA_RESP_ERR_NO_ERROR || name == settings_.topic || name.rfind("__", 0) == 0 ||
        !topics_.selects(name)) {
      continue;
    }
    for (int p = 0; p < topic.partition_cnt; ++p) partitions_.emplace_back(name, topic.partitions[p].id);
  }
  for (const auto& [topic, partition] : partitions_) {
    const CanaryMessage message{instance_, next_sequence_[{topic, partition}]++, micros(CanaryClock::now())};
    const std::string value = encode_canary_message(message);
    const auto produced =
        rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(instance_.data(), instance_.size()),
                          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                          RD_KAFKA_V_HEADER(settings_.production_header.c_str(), "1", 1), RD_KAFKA_V_END);
    const std::lock_guard lock(mutex_);
    ++sent_[topic];
    if (produced != RD_KAFKA_RESP_ERR_NO_ERROR) ++failures_[{topic, rd_kafka_err2name(produced)}];
  }
  for (const auto& group : settings_.production_groups) read_group(producer, group, timeout);
}

void ProductionCanary::read_group(rd_kafka_t* producer, const std::string& group, std::chrono::milliseconds timeout) {
  if (partitions_.empty()) return;
  RdKafkaHandle<rd_kafka_topic_partition_list_t> list(
      rd_kafka_topic_partition_list_new(static_cast<int>(partitions_.size())));
  for (const auto& [topic, partition] : partitions_) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition);
  }
  rd_kafka_ListConsumerGroupOffsets_t* request = rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), list.get());
  RdKafkaHandle<rd_kafka_AdminOptions_t> options(
      rd_kafka_AdminOptions_new(producer, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS));
  std::array<char, 256> error{};
  (void)rd_kafka_AdminOptions_set_request_timeout(options.get(), static_cast<int>(timeout.count()), error.data(),
                                                  error.size());
  RdKafkaHandle<rd_kafka_queue_t> queue(rd_kafka_queue_new(producer));
  rd_kafka_ListConsumerGroupOffsets(producer, &request, 1, options.get(), queue.get());
  rd_kafka_ListConsumerGroupOffsets_destroy(request);
  RdKafkaHandle<rd_kafka_event_t> event(rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout.count()) + 1000));
  const auto now = CanaryClock::now();
  if (!event || rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::debug("canary: committed offsets of group {}: {}", group,
                  event ? rd_kafka_event_error_string(event.get()) : "no answer");
    return;
  }
  const auto* result = rd_kafka_event_ListConsumerGroupOffsets_result(event.get());
  std::size_t count = 0;
  const rd_kafka_group_result_t** groups =
      result ? rd_kafka_ListConsumerGroupOffsets_result_groups(result, &count) : nullptr;
  for (std::size_t g = 0; g < count; ++g) {
    const rd_kafka_topic_partition_list_t* offsets = rd_kafka_group_result_partitions(groups[g]);
    if (offsets == nullptr) continue;
    const std::lock_guard lock(mutex_);
    for (int i = 0; i < offsets->cnt; ++i) {
      const auto& entry = offsets->elems[i];
      if (entry.err == RD_KAFKA_RESP_ERR_NO_ERROR && entry.offset >= 0) {
        latency_.committed(group, entry.topic, entry.partition, entry.offset, now);
      }
    }
  }
}

void ProductionCanary::delivered(const rd_kafka_message_t& message) {
  const std::string topic = rd_kafka_topic_name(message.rkt);
  const std::lock_guard lock(mutex_);
  if (message.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++failures_[{topic, rd_kafka_err2name(message.err)}];
    return;
  }
  const auto decoded = decode_canary_message(
      std::string_view(static_cast<const char*>(message.payload), message.payload ? message.len : 0));
  if (!decoded) return;
  latency_.landed(topic, message.partition, message.offset,
                  CanaryClock::time_point(std::chrono::microseconds(decoded->send_time_us)));
}

ProductionCanary::State ProductionCanary::state() const {
  const std::lock_guard lock(mutex_);
  return State{sent_, failures_, latency_.figures(CanaryClock::now())};
}

}  // namespace msgwatch::kafka
