#include "probes/kafka/transactions/transaction_log_follower.hpp"

#include "exporter/sdk/log_event.hpp"
#include "probes/kafka/rdkafka/rdkafka_client.hpp"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

namespace msgwatch::kafka {
namespace {

constexpr const char* kTopic = "__transaction_state";

bool is_refusal(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED || err == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED ||
         err == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED || err == RD_KAFKA_RESP_ERR__AUTHENTICATION ||
         err == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED || err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
}

}  // namespace

struct TransactionLogFollower::Consumer {
  RdKafkaHandle<rd_kafka_t> handle;
};

TransactionLogFollower::TransactionLogFollower(const KafkaCluster& cluster) : cluster_(cluster) {}

TransactionLogFollower::~TransactionLogFollower() = default;

void TransactionLogFollower::not_readable(const std::string& reason) {
  if (readable_) {
    log_event(spdlog::level::warn, "the transaction log cannot be read: no commit, abort or duration metrics",
              {{"cluster", cluster_.name}, {"topic", kTopic}, {"error", reason}});
  }
  readable_ = false;
}

void TransactionLogFollower::follow(std::int32_t partitions) {
  if (partitions <= 0) {
    if (!consumer_) created_while_following_ = true;
    return;
  }
  if (consumer_ && partitions == partitions_) return;
  if (!consumer_) {
    try {
      auto handle = make_rdkafka_client(
          RD_KAFKA_CONSUMER,
          rdkafka_config(cluster_, {
                                       // Needed by assign(); the group is never joined and nothing is committed to it.
                                       {"group.id", cluster_.client_id + "-transaction-log"},
                                       {"enable.auto.commit", "false"},
                                       {"enable.auto.offset.store", "false"},
                                       {"enable.partition.eof", "false"},
                                       // What waits between two cycles stays small: records of a busy
                                       // coordinator are tiny.
                                       {"queued.max.messages.kbytes", "8192"},
                                   }));
      rd_kafka_poll_set_consumer(handle.get());
      consumer_ = std::make_unique<Consumer>(Consumer{std::move(handle)});
    } catch (const std::exception& e) {
      not_readable(e.what());
      return;
    }
  }
  RdKafkaHandle<rd_kafka_topic_partition_list_t> list(rd_kafka_topic_partition_list_new(partitions));
  for (std::int32_t p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list.get(), kTopic, p)->offset =
        created_while_following_ ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END;
  }
  if (const auto err = rd_kafka_assign(consumer_->handle.get(), list.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    not_readable(rd_kafka_err2str(err));
    return;
  }
  partitions_ = partitions;
  created_while_following_ = false;  // a later re-assignment starts at the end
}

std::size_t TransactionLogFollower::drain(const RecordHandler& handler, std::size_t max_records) {
  if (!consumer_) return 0;
  std::size_t records = 0;
  while (records < max_records) {
    RdKafkaHandle<rd_kafka_message_t> message(rd_kafka_consumer_poll(consumer_->handle.get(), 0));
    if (!message) break;
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (is_refusal(message->err)) {
        not_readable(rd_kafka_message_errstr(message.get()));
      } else {
        spdlog::debug("transaction log: {}", rd_kafka_message_errstr(message.get()));
      }
      continue;
    }
    readable_ = true;
    ++records;
    const std::span<const std::uint8_t> key(static_cast<const std::uint8_t*>(message->key), message->key_len);
    std::optional<std::span<const std::uint8_t>> value;
    if (message->payload != nullptr) value.emplace(static_cast<const std::uint8_t*>(message->payload), message->len);
    handler(key, value);
  }
  return records;
}

}  // namespace msgwatch::kafka
