#include "support/kafka_handles.hpp"

#include <limits>
#include <stdexcept>

namespace msgwatch::test::kafka_detail {

Ptr<rd_kafka_conf_t> make_conf(const std::string& bootstrap, const KafkaSettings& settings) {
  Ptr<rd_kafka_conf_t> conf(rd_kafka_conf_new());
  char errstr[512];
  auto set = [&](const std::string& key, const std::string& value) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      throw std::runtime_error("librdkafka property " + key + "=" + value + ": " + errstr);
    }
  };
  set("bootstrap.servers", bootstrap);
  set("client.id", "msgwatch-test-support");
  for (const auto& [key, value] : settings) set(key, value);
  return conf;
}

Ptr<rd_kafka_t> make_client(rd_kafka_type_t type, Ptr<rd_kafka_conf_t> conf) {
  char errstr[512];
  // On success rd_kafka_new() takes the configuration over; on failure it stays ours.
  Ptr<rd_kafka_t> rk(rd_kafka_new(type, conf.get(), errstr, sizeof errstr));
  if (!rk) throw std::runtime_error(std::string("rd_kafka_new: ") + errstr);
  conf.release();
  return rk;
}

void check(rd_kafka_error_t* error, std::string_view what) {
  if (error == nullptr) return;
  Ptr<rd_kafka_error_t> owned(error);
  throw std::runtime_error(std::string(what) + ": " + rd_kafka_error_name(error) + ": " + rd_kafka_error_string(error));
}

void check(rd_kafka_resp_err_t err, std::string_view what) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
  throw std::runtime_error(std::string(what) + ": " + rd_kafka_err2name(err) + ": " + rd_kafka_err2str(err));
}

Ptr<rd_kafka_topic_partition_list_t> partition_list() {
  return Ptr<rd_kafka_topic_partition_list_t>(rd_kafka_topic_partition_list_new(4));
}

int to_ms(std::chrono::milliseconds d) {
  if (d.count() <= 0) return 0;
  if (d.count() > std::numeric_limits<int>::max()) return std::numeric_limits<int>::max();
  return static_cast<int>(d.count());
}

}  // namespace msgwatch::test::kafka_detail
