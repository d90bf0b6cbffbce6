#include "probes/kafka/rdkafka/rdkafka_client.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <stdexcept>

namespace msgwatch::kafka {
namespace {

// librdkafka's log lines, at debug: its own retries are not the operator's business; what
// matters reaches the caller as errors.
void log_trampoline(const rd_kafka_t* /*rk*/, int /*level*/, const char* facility, const char* line) noexcept {
  try {
    spdlog::debug("librdkafka {}: {}", facility, line);
  } catch (...) {  // never into C
  }
}

}  // namespace

void set_rdkafka_property(rd_kafka_conf_t* conf, const std::string& name, const std::string& value) {
  std::array<char, 512> error{};
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error.data(), error.size()) != RD_KAFKA_CONF_OK) {
    throw std::runtime_error("librdkafka property " + name + ": " + error.data());
  }
}

RdKafkaHandle<rd_kafka_conf_t> rdkafka_config(const KafkaCluster& cluster, const RdKafkaProperties& properties) {
  RdKafkaHandle<rd_kafka_conf_t> conf(rd_kafka_conf_new());
  std::string servers;
  for (const auto& server : cluster.bootstrap_servers) servers += (servers.empty() ? "" : ",") + server;
  set_rdkafka_property(conf.get(), "bootstrap.servers", servers);
  set_rdkafka_property(conf.get(), "client.id", cluster.client_id);
  if (cluster.sasl || cluster.tls) {
    set_rdkafka_property(conf.get(), "security.protocol",
                         !cluster.tls   ? "sasl_plaintext"
                         : cluster.sasl ? "sasl_ssl"
                                        : "ssl");
  }
  if (cluster.tls) {
    const auto& files = cluster.tls->files;
    // Without a CA file librdkafka uses OpenSSL's default paths: the system's trust store.
    if (!files.ca_file.empty()) set_rdkafka_property(conf.get(), "ssl.ca.location", files.ca_file);
    if (!files.cert_file.empty()) {
      set_rdkafka_property(conf.get(), "ssl.certificate.location", files.cert_file);
      set_rdkafka_property(conf.get(), "ssl.key.location", files.key_file);
    }
    set_rdkafka_property(conf.get(), "enable.ssl.certificate.verification", files.verify ? "true" : "false");
    set_rdkafka_property(conf.get(), "ssl.endpoint.identification.algorithm", files.verify ? "https" : "none");
  }
  if (cluster.sasl) {
    // PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512: librdkafka's own names (SCRAM needs a librdkafka
    // built with OpenSSL, as Debian's is; rd_kafka_new refuses the mechanism otherwise).
    set_rdkafka_property(conf.get(), "sasl.mechanisms", std::string(to_string(cluster.sasl->mechanism)));
    set_rdkafka_property(conf.get(), "sasl.username", cluster.sasl->username);
    set_rdkafka_property(conf.get(), "sasl.password", cluster.sasl->password.resolve());
  }
  for (const auto& [name, value] : properties) set_rdkafka_property(conf.get(), name, value);
  rd_kafka_conf_set_log_cb(conf.get(), log_trampoline);
  return conf;
}

RdKafkaHandle<rd_kafka_t> make_rdkafka_client(rd_kafka_type_t type, RdKafkaHandle<rd_kafka_conf_t> conf) {
  std::array<char, 512> error{};
  // rd_kafka_new takes the configuration only when it succeeds.
  RdKafkaHandle<rd_kafka_t> handle(rd_kafka_new(type, conf.get(), error.data(), error.size()));
  if (!handle) throw std::runtime_error(error.data());
  (void)conf.release();
  return handle;
}

bool rdkafka_repeats_scram_nonce() { return rd_kafka_version() < 0x02060100; }

}  // namespace msgwatch::kafka
