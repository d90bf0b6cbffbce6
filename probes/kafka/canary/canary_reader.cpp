#include "probes/kafka/canary/canary_reader.hpp"

#include "probes/kafka/canary/canary_topic.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <string_view>

namespace msgwatch::kafka {
namespace {

constexpr std::size_t kMaxRecordsPerDrain = 10'000;

}  // namespace

CanaryReader::CanaryReader(const KafkaCluster& cluster, Isolation isolation, const std::string& role)
    : topic_(cluster.canary.topic),
      consumer_(make_rdkafka_client(
          RD_KAFKA_CONSUMER,
          rdkafka_config(cluster, canary_client_properties(
                                      cluster.canary, {
                                                          // Needed by assign(); never joined, nothing committed.
                                                          {"group.id", cluster.client_id + "-" + role},
                                                          {"enable.auto.commit", "false"},
                                                          {"enable.auto.offset.store", "false"},
                                                          {"enable.partition.eof", "false"},
                                                          // A fetch returns as soon as a record is there
                                                          // (fetch.min.bytes 1): a longer wait delays no
                                                          // message, it spares the brokers empty fetches.
                                                          {"fetch.wait.max.ms", "500"},
                                                          {"isolation.level", isolation == Isolation::read_committed
                                                                                  ? "read_committed"
                                                                                  : "read_uncommitted"},
                                                      })))) {
  rd_kafka_poll_set_consumer(consumer_.get());
}

CanaryReader::~CanaryReader() { rd_kafka_consumer_close(consumer_.get()); }

void CanaryReader::follow(rd_kafka_t* client, const CanaryTopicView& view, std::chrono::milliseconds timeout) {
  RdKafkaHandle<rd_kafka_topic_partition_list_t> added(rd_kafka_topic_partition_list_new(1));
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const auto& [partition, leader] : view.leaders) {
    if (follows(partition)) continue;
    if (std::chrono::steady_clock::now() > deadline) break;  // the rest next time
    std::int64_t low = 0;
    std::int64_t high = 0;
    const auto err = rd_kafka_query_watermark_offsets(client, topic_.c_str(), partition, &low, &high,
                                                      static_cast<int>(timeout.count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;  // its leader is away: next time
    rd_kafka_topic_partition_list_add(added.get(), topic_.c_str(), partition)->offset = high;
  }
  if (added->cnt == 0) return;
  if (rd_kafka_error_t* error = rd_kafka_incremental_assign(consumer_.get(), added.get())) {
    const std::string why = rd_kafka_error_string(error);
    rd_kafka_error_destroy(error);
    throw std::runtime_error("assign: " + why);
  }
  for (int i = 0; i < added->cnt; ++i) followed_.insert(added->elems[i].partition);
}

void CanaryReader::drain(std::chrono::milliseconds wait, const Handler& handle) {
  for (std::size_t i = 0; i < kMaxRecordsPerDrain; ++i) {
    RdKafkaHandle<rd_kafka_message_t> record(
        rd_kafka_consumer_poll(consumer_.get(), i == 0 ? static_cast<int>(wait.count()) : 0));
    if (!record) return;
    if (record->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      spdlog::debug("canary consumer: {}", rd_kafka_message_errstr(record.get()));
      continue;
    }
    const auto read_at = CanaryClock::now();
    const auto message = decode_canary_message(
        std::string_view(static_cast<const char*>(record->payload), record->payload ? record->len : 0));
    handle(record->partition, record->offset, message, read_at);
  }
}

}  // namespace msgwatch::kafka
