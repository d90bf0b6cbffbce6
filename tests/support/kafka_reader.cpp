#include "support/kafka_reader.hpp"

#include "support/kafka_admin.hpp"
#include "support/kafka_handles.hpp"
#include "support/test_environment.hpp"

#include <algorithm>
#include <stdexcept>

namespace msgwatch::test {

using namespace kafka_detail;

std::vector<ConsumedRecord> read_partition(const std::string& bootstrap, const std::string& topic,
                                           std::int32_t partition, Isolation isolation,
                                           std::chrono::milliseconds deadline) {
  KafkaAdmin admin(bootstrap);
  const Watermarks marks = admin.watermarks(topic, partition);
  const bool committed = isolation == Isolation::read_committed;
  // Control records (transaction markers) and aborted records are never handed out, so the
  // end is where the consumer's position gets, not the last record's offset.
  const std::int64_t end = committed ? admin.last_stable_offset(topic, partition) : marks.high;
  std::vector<ConsumedRecord> records;
  if (end <= marks.low) return records;
  Ptr<rd_kafka_t> consumer =
      make_client(RD_KAFKA_CONSUMER,
                  make_conf(bootstrap, {{"group.id", unique_name("reader")},
                                        {"enable.auto.commit", "false"},
                                        {"enable.partition.eof", "false"},
                                        {"isolation.level", committed ? "read_committed" : "read_uncommitted"}}));
  rd_kafka_poll_set_consumer(consumer.get());
  Ptr<rd_kafka_topic_partition_list_t> list = partition_list();
  rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition)->offset = marks.low;
  check(rd_kafka_assign(consumer.get(), list.get()), "assign " + topic);
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (std::int64_t position = marks.low; position < end;) {
    if (std::chrono::steady_clock::now() > until) {
      throw std::runtime_error("read " + topic + "/" + std::to_string(partition) + ": offset " +
                               std::to_string(position) + " of " + std::to_string(end) + " not reached in time");
    }
    Ptr<rd_kafka_message_t> message(rd_kafka_consumer_poll(consumer.get(), 100));
    if (message && message->err == RD_KAFKA_RESP_ERR_NO_ERROR && message->offset < end) {
      ConsumedRecord record{
          message->offset,
          message->key ? std::string(static_cast<const char*>(message->key), message->key_len) : std::string(),
          message->payload ? std::string(static_cast<const char*>(message->payload), message->len) : std::string(),
          {}};
      rd_kafka_headers_t* headers = nullptr;
      if (rd_kafka_message_headers(message.get(), &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name = nullptr;
        const void* value = nullptr;
        std::size_t size = 0;
        for (std::size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i) {
          record.headers.emplace_back(name, value ? std::string(static_cast<const char*>(value), size) : "");
        }
      }
      records.push_back(std::move(record));
    }
    Ptr<rd_kafka_topic_partition_list_t> where = partition_list();
    rd_kafka_topic_partition_list_add(where.get(), topic.c_str(), partition);
    check(rd_kafka_position(consumer.get(), where.get()), "position of " + topic);
    position = std::max(position, where->elems[0].offset);
  }
  rd_kafka_consumer_close(consumer.get());
  return records;
}

}  // namespace msgwatch::test
