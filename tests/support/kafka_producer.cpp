#include "support/kafka_producer.hpp"

#include <stdexcept>

namespace msgwatch::test {

using namespace kafka_detail;

struct KafkaProducer::Impl {
  std::string bootstrap;
  bool transactional = false;
  Ptr<rd_kafka_t> rk;
  // Written by the delivery report callback, which librdkafka runs inside poll/flush on
  // the calling thread.
  long delivered = 0;
  long failed = 0;
  std::string first_failure;

  // C callback: must not throw into librdkafka.
  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) noexcept {
    auto* self = static_cast<Impl*>(opaque);
    if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++self->delivered;
      return;
    }
    if (self->failed++ == 0) {
      try {
        // Not rd_kafka_message_errstr: on a delivery report it returns the payload.
        self->first_failure = std::string(rd_kafka_err2name(msg->err)) + ": " + rd_kafka_err2str(msg->err) +
                              " (message offset " + std::to_string(msg->offset) + ")";
      } catch (...) {
        // Out of memory for the message text; the failure count still records it.
      }
    }
  }
};

KafkaProducer::KafkaProducer(const std::string& bootstrap, ProducerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->bootstrap = bootstrap;
  KafkaSettings settings{{"linger.ms", "5"}, {"acks", "all"}};
  if (options.transactional_id) {
    settings.emplace_back("transactional.id", *options.transactional_id);
    impl_->transactional = true;
  }
  settings.insert(settings.end(), options.settings.begin(), options.settings.end());
  auto conf = make_conf(bootstrap, settings);
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &Impl::on_delivery);
  rd_kafka_conf_set_opaque(conf.get(), impl_.get());
  impl_->rk = make_client(RD_KAFKA_PRODUCER, std::move(conf));
  if (impl_->transactional) {
    check(rd_kafka_init_transactions(impl_->rk.get(), 60000), "init_transactions for " + *options.transactional_id);
  }
}

KafkaProducer::~KafkaProducer() = default;
KafkaProducer::KafkaProducer(KafkaProducer&&) noexcept = default;
KafkaProducer& KafkaProducer::operator=(KafkaProducer&&) noexcept = default;

void KafkaProducer::produce(const std::string& topic, std::int32_t partition, int count,
                            const MessageOptions& options) {
  std::vector<std::string> values;
  for (int i = 0; i < count; ++i) values.push_back(options.value_prefix + "-" + std::to_string(i));
  produce_values(topic, partition, values, options.timestamp);
}

void KafkaProducer::produce_values(const std::string& topic, std::int32_t partition,
                                   const std::vector<std::string>& values) {
  produce_values(topic, partition, values, std::nullopt);
}

void KafkaProducer::produce_values(const std::string& topic, std::int32_t partition,
                                   const std::vector<std::string>& values,
                                   std::optional<std::chrono::system_clock::time_point> timestamp) {
  const int count = static_cast<int>(values.size());
  const std::string where = topic + "/" + std::to_string(partition);
  impl_->delivered = 0;
  impl_->failed = 0;
  impl_->first_failure.clear();
  const std::int64_t timestamp_ms =
      timestamp ? std::chrono::duration_cast<std::chrono::milliseconds>(timestamp->time_since_epoch()).count()
                : 0;  // 0: librdkafka stamps the current time
  for (int i = 0; i < count; ++i) {
    const std::string key = std::to_string(i);
    const std::string& value = values[i];
    for (;;) {
      const rd_kafka_resp_err_t err = rd_kafka_producev(
          impl_->rk.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
          RD_KAFKA_V_KEY(key.data(), key.size()), RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_TIMESTAMP(timestamp_ms), RD_KAFKA_V_END);
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        check(err, "produce message " + std::to_string(i) + " to " + where);
        break;
      }
      rd_kafka_poll(impl_->rk.get(), 100);  // let deliveries drain the local queue
    }
    rd_kafka_poll(impl_->rk.get(), 0);
  }
  const rd_kafka_resp_err_t flushed = rd_kafka_flush(impl_->rk.get(), 60000);
  if (flushed != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error("flush to " + where + ": " + rd_kafka_err2name(flushed) + " with " +
                             std::to_string(rd_kafka_outq_len(impl_->rk.get())) + " messages still queued");
  }
  if (impl_->failed != 0 || impl_->delivered != count) {
    throw std::runtime_error("produce " + std::to_string(count) + " messages to " + where + ": " +
                             std::to_string(impl_->delivered) + " delivered, " + std::to_string(impl_->failed) +
                             " failed (first: " + impl_->first_failure + ")");
  }
}

void KafkaProducer::begin_transaction() { check(rd_kafka_begin_transaction(impl_->rk.get()), "begin_transaction"); }

void KafkaProducer::commit_transaction(std::chrono::milliseconds timeout) {
  check(rd_kafka_commit_transaction(impl_->rk.get(), to_ms(timeout)), "commit_transaction");
}

void KafkaProducer::abort_transaction(std::chrono::milliseconds timeout) {
  check(rd_kafka_abort_transaction(impl_->rk.get(), to_ms(timeout)), "abort_transaction");
}

void produce_messages(const std::string& bootstrap, const std::string& topic, std::int32_t partition, int count,
                      const MessageOptions& options) {
  KafkaProducer(bootstrap).produce(topic, partition, count, options);
}

}  // namespace msgwatch::test
