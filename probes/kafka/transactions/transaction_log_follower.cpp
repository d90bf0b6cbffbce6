#include "probes/kafka/transactions/transaction_log_follower.hpp"

#include "exporter/sdk/log_event.hpp"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <array>
#include <stdexcept>

namespace msgwatch::kafka {
namespace {

constexpr const char* kTopic = "__transaction_state";

struct HandleDeleter {
  void operator()(rd_kafka_t* p) const { rd_kafka_destroy(p); }
  void operator()(rd_kafka_conf_t* p) const { rd_kafka_conf_destroy(p); }
  void operator()(rd_kafka_message_t* p) const { rd_kafka_message_destroy(p); }
  void operator()(rd_kafka_topic_partition_list_t* p) const { rd_kafka_topic_partition_list_destroy(p); }
};
template <class T>
using Handle = std::unique_ptr<T, HandleDeleter>;

// librdkafka's log lines, at debug: its own retries are not the operator's business; what
// matters reaches drain() as errors.
void log_trampoline(const rd_kafka_t* /*rk*/, int /*level*/, const char* facility, const char* line) noexcept {
  try {
    spdlog::debug("librdkafka {}: {}", facility, line);
  } catch (...) {  // never into C
  }
}

void set(rd_kafka_conf_t* conf, const std::string& name, const std::string& value) {
  std::array<char, 512> error{};
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error.data(), error.size()) != RD_KAFKA_CONF_OK) {
    throw std::runtime_error("librdkafka property " + name + ": " + error.data());
  }
}

bool is_refusal(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED || err == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED ||
         err == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED || err == RD_KAFKA_RESP_ERR__AUTHENTICATION ||
         err == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED || err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
}

}  // namespace

struct TransactionLogFollower::Consumer {
  Handle<rd_kafka_t> handle;
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
      Handle<rd_kafka_conf_t> conf(rd_kafka_conf_new());
      std::string servers;
      for (const auto& server : cluster_.bootstrap_servers) servers += (servers.empty() ? "" : ",") + server;
      set(conf.get(), "bootstrap.servers", servers);
      set(conf.get(), "client.id", cluster_.client_id);
      // Needed by assign(); the group is never joined and nothing is committed to it.
      set(conf.get(), "group.id", cluster_.client_id + "-transaction-log");
      set(conf.get(), "enable.auto.commit", "false");
      set(conf.get(), "enable.auto.offset.store", "false");
      set(conf.get(), "enable.partition.eof", "false");
      // What waits between two cycles stays small: records of a busy coordinator are tiny.
      set(conf.get(), "queued.max.messages.kbytes", "8192");
      if (cluster_.sasl) {
        set(conf.get(), "security.protocol", "sasl_plaintext");
        set(conf.get(), "sasl.mechanisms", cluster_.sasl->mechanism);
        set(conf.get(), "sasl.username", cluster_.sasl->username);
        set(conf.get(), "sasl.password", cluster_.sasl->password.resolve());
      }
      rd_kafka_conf_set_log_cb(conf.get(), log_trampoline);
      std::array<char, 512> error{};
      // rd_kafka_new takes the configuration only when it succeeds.
      Handle<rd_kafka_t> handle(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), error.data(), error.size()));
      if (!handle) throw std::runtime_error(error.data());
      (void)conf.release();
      rd_kafka_poll_set_consumer(handle.get());
      consumer_ = std::make_unique<Consumer>(Consumer{std::move(handle)});
    } catch (const std::exception& e) {
      not_readable(e.what());
      return;
    }
  }
  Handle<rd_kafka_topic_partition_list_t> list(rd_kafka_topic_partition_list_new(partitions));
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
    Handle<rd_kafka_message_t> message(rd_kafka_consumer_poll(consumer_->handle.get(), 0));
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
