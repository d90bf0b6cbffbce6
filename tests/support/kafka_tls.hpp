#pragma once
// A Kafka cluster of a test's own whose client listener speaks SSL or SASL_SSL: the broker
// settings (for OwnKafka), with the key pair and the trusted CAs given inline as PEM, and the
// librdkafka settings of the test's own clients.

#include "support/kafka_handles.hpp"
#include "support/tls_certificates.hpp"

#include <string>
#include <vector>

namespace msgwatch::test {

struct BrokerTls {
  CertifiedKey server;                       // the broker's certificate and key
  std::filesystem::path ca;                  // the CAs client certificates are verified against
  bool require_client_certificates = false;  // ssl.client.auth=required
};

// The listener PLAINTEXT (which the broker also talks to itself on) speaks SSL; the
// controller's stays plain. `extra` lines come after and win, as with SASL settings.
std::vector<std::string> tls_broker_settings(const BrokerTls& tls, const std::vector<std::string>& extra = {});

// The same listener speaking SASL_SSL, with the users of sasl_broker_settings() and SCRAM
// enabled as in scram_broker_settings().
std::vector<std::string> sasl_ssl_broker_settings(const BrokerTls& tls);

// librdkafka settings for the test's own clients (KafkaAdmin, KafkaProducer, commit_offsets)
// against tls_broker_settings(): SSL trusting the test CA, with the client certificate.
KafkaSettings tls_client_settings();

}  // namespace msgwatch::test
