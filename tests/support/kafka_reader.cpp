#include "support/kafka_reader.hpp"

#include "support/kafka_admin.hpp"
#include "support/kafka_handles.hpp"
#include "support/test_environment.hpp"

#include <stdexcept>

namespace msgwatch::test {

using namespace kafka_detail;

std::vector<ConsumedRecord> read_partition(const std::string& bootstrap, const std::string& topic,
                                           std::int32_t partition, std::chrono::milliseconds deadline) {
  const Watermarks marks = KafkaAdmin(bootstrap).watermarks(topic, partition);
  std::vector<ConsumedRecord> records;
  if (marks.high <= marks.low) return records;
  Ptr<rd_kafka_t> consumer = make_client(RD_KAFKA_CONSUMER, make_conf(bootstrap, {{"group.id", unique_name("reader")},
                                                                                  {"enable.auto.commit", "false"},
                                                                                  {"enable.partition.eof", "false"}}));
  rd_kafka_poll_set_consumer(consumer.get());
  Ptr<rd_kafka_topic_partition_list_t> list = partition_list();
  rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition)->offset = marks.low;
  check(rd_kafka_assign(consumer.get(), list.get()), "assign " + topic);
  const auto until = std::chrono::steady_clock::now() + deadline;
  std::int64_t next = marks.low;
  while (next < marks.high) {
    if (std::chrono::steady_clock::now() > until) {
      throw std::runtime_error("read " + topic + "/" + std::to_string(partition) + ": offset " + std::to_string(next) +
                               " of " + std::to_string(marks.high) + " not reached in time");
    }
    Ptr<rd_kafka_message_t> message(rd_kafka_consumer_poll(consumer.get(), 100));
    if (!message) continue;
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;  // retried by librdkafka
    next = message->offset + 1;
    if (message->offset >= marks.high) break;
    records.push_back(ConsumedRecord{
        message->offset,
        message->key ? std::string(static_cast<const char*>(message->key), message->key_len) : std::string(),
        message->payload ? std::string(static_cast<const char*>(message->payload), message->len) : std::string()});
  }
  rd_kafka_consumer_close(consumer.get());
  return records;
}

}  // namespace msgwatch::test
