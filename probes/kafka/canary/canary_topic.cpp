#include "probes/kafka/canary/canary_topic.hpp"

#include "probes/kafka/rdkafka/rdkafka_client.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <set>
#include <stdexcept>

namespace msgwatch::kafka {

CanaryTopicView read_canary_topic(rd_kafka_t* client, const std::string& topic, std::chrono::milliseconds timeout) {
  RdKafkaHandle<rd_kafka_topic_t> handle(rd_kafka_topic_new(client, topic.c_str(), nullptr));
  if (!handle) throw std::runtime_error("topic " + topic + ": " + rd_kafka_err2str(rd_kafka_last_error()));
  const rd_kafka_metadata_t* raw = nullptr;
  const auto err = rd_kafka_metadata(client, 0, handle.get(), &raw, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) throw std::runtime_error(std::string("metadata: ") + rd_kafka_err2str(err));
  const RdKafkaHandle<const rd_kafka_metadata_t> metadata(raw);
  CanaryTopicView view;
  for (int i = 0; i < metadata->broker_cnt; ++i) view.brokers.push_back(metadata->brokers[i].id);
  std::sort(view.brokers.begin(), view.brokers.end());
  for (int t = 0; t < metadata->topic_cnt; ++t) {
    const auto& found = metadata->topics[t];
    if (topic != found.topic || found.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) continue;
    if (found.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw std::runtime_error("metadata of " + topic + ": " + rd_kafka_err2str(found.err));
    }
    for (int p = 0; p < found.partition_cnt; ++p) {
      const auto& partition = found.partitions[p];
      const bool led = partition.leader >= 0 || partition.replica_cnt == 0;
      view.leaders[partition.id] = led ? partition.leader : partition.replicas[0];
      auto& replicas = view.replicas[partition.id];
      replicas.replicas.assign(partition.replicas, partition.replicas + partition.replica_cnt);
      replicas.in_sync.assign(partition.isrs, partition.isrs + partition.isr_cnt);
    }
  }
  return view;
}

namespace {

// Runs one admin request, which `issue` puts on the queue with the options given, and
// returns its result event; both of librdkafka's timeouts are `timeout`. Throws with `what`
// and the reason.
RdKafkaHandle<rd_kafka_event_t> admin_call(
    rd_kafka_t* client, rd_kafka_admin_op_t op, std::chrono::milliseconds timeout, const std::string& what,
    const std::function<void(rd_kafka_AdminOptions_t*, rd_kafka_queue_t*)>& issue) {
  std::array<char, 512> error{};
  RdKafkaHandle<rd_kafka_AdminOptions_t> options(rd_kafka_AdminOptions_new(client, op));
  (void)rd_kafka_AdminOptions_set_request_timeout(options.get(), static_cast<int>(timeout.count()), error.data(),
                                                  error.size());
  (void)rd_kafka_AdminOptions_set_operation_timeout(options.get(), static_cast<int>(timeout.count()), error.data(),
                                                    error.size());
  RdKafkaHandle<rd_kafka_queue_t> queue(rd_kafka_queue_new(client));
  issue(options.get(), queue.get());
  // The request's own timeouts end it; the margin only guards against none coming.
  RdKafkaHandle<rd_kafka_event_t> event(rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout.count()) + 1000));
  if (!event) throw std::runtime_error(what + ": no answer within " + std::to_string(timeout.count()) + " ms");
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error(what + ": " + rd_kafka_event_error_string(event.get()));
  }
  return event;
}

// The one topic's result of an admin request; `tolerated` is not an error.
void check_topic_result(const rd_kafka_topic_result_t** topics, std::size_t count, const std::string& what,
                        rd_kafka_resp_err_t tolerated) {
  if (topics == nullptr || count != 1) throw std::runtime_error(what + ": no result for the topic");
  const auto err = rd_kafka_topic_result_error(topics[0]);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != tolerated) {
    const char* why = rd_kafka_topic_result_error_string(topics[0]);
    throw std::runtime_error(what + ": " + (why ? why : rd_kafka_err2str(err)));
  }
}

}  // namespace

void create_canary_topic(rd_kafka_t* client, const std::string& topic, std::size_t brokers,
                         const CanarySettings& canary, std::chrono::milliseconds timeout) {
  const auto what = "create " + topic;
  if (brokers == 0) throw std::runtime_error("no broker to create " + topic + " on");
  const auto replication =
      canary.replication_factor > 0 ? canary.replication_factor : std::min<std::int64_t>(3, brokers);
  const auto partitions = canary.partitions_per_broker * static_cast<std::int64_t>(brokers);
  std::array<char, 512> error{};
  RdKafkaHandle<rd_kafka_NewTopic_t> request(rd_kafka_NewTopic_new(
      topic.c_str(), static_cast<int>(partitions), static_cast<int>(replication), error.data(), error.size()));
  if (!request) throw std::runtime_error(what + ": " + error.data());
  const auto min_insync = std::to_string(std::max<std::int64_t>(1, replication - 1));
  if (rd_kafka_NewTopic_set_config(request.get(), "min.insync.replicas", min_insync.c_str()) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error(what + ": min.insync.replicas refused");
  }
  const auto event = admin_call(client, RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout, what,
                                [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
                                  rd_kafka_NewTopic_t* requests[] = {request.get()};
                                  rd_kafka_CreateTopics(client, requests, 1, options, queue);
                                });
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
  std::size_t count = 0;
  const rd_kafka_topic_result_t** topics = result ? rd_kafka_CreateTopics_result_topics(result, &count) : nullptr;
  check_topic_result(topics, count, what, RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS);
}

void add_canary_partitions(rd_kafka_t* client, const std::string& topic, std::size_t existing,
                           const std::vector<std::vector<std::int32_t>>& replicas, std::chrono::milliseconds timeout) {
  const auto what = "add partitions to " + topic;
  std::array<char, 512> error{};
  RdKafkaHandle<rd_kafka_NewPartitions_t> request(
      rd_kafka_NewPartitions_new(topic.c_str(), existing + replicas.size(), error.data(), error.size()));
  if (!request) throw std::runtime_error(what + ": " + error.data());
  for (std::size_t i = 0; i < replicas.size(); ++i) {
    if (rd_kafka_NewPartitions_set_replica_assignment(request.get(), static_cast<std::int32_t>(i),
                                                      const_cast<std::int32_t*>(replicas[i].data()), replicas[i].size(),
                                                      error.data(), error.size()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw std::runtime_error(what + ": " + error.data());
    }
  }
  const auto event = admin_call(client, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, timeout, what,
                                [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
                                  rd_kafka_NewPartitions_t* requests[] = {request.get()};
                                  rd_kafka_CreatePartitions(client, requests, 1, options, queue);
                                });
  const rd_kafka_CreatePartitions_result_t* result = rd_kafka_event_CreatePartitions_result(event.get());
  std::size_t count = 0;
  const rd_kafka_topic_result_t** topics = result ? rd_kafka_CreatePartitions_result_topics(result, &count) : nullptr;
  check_topic_result(topics, count, what, RD_KAFKA_RESP_ERR_NO_ERROR);
}

std::chrono::milliseconds canary_wait_bound(const CanarySettings& canary) {
  using namespace std::chrono_literals;
  return std::clamp<std::chrono::milliseconds>(canary.interval / 2, 500ms, 5s);
}

RdKafkaProperties canary_client_properties(const CanarySettings& canary, RdKafkaProperties more) {
  using namespace std::chrono_literals;
  const auto refresh = std::clamp<std::chrono::milliseconds>(canary.interval, 1s, 10s);
  more.emplace(more.begin(), "topic.metadata.refresh.interval.ms", std::to_string(refresh.count()));
  more.emplace(more.begin(), "allow.auto.create.topics", "false");
  return more;
}

std::vector<std::int32_t> brokers_without_leadership(const CanaryTopicView& view) {
  std::set<std::int32_t> leading;
  for (const auto& [partition, leader] : view.leaders) leading.insert(leader);
  std::vector<std::int32_t> idle;
  for (const auto broker : view.brokers) {
    if (leading.count(broker) == 0) idle.push_back(broker);
  }
  return idle;
}

}  // namespace msgwatch::kafka
