#include "support/kafka_tls.hpp"

#include "support/kafka_sasl.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace msgwatch::test {
namespace {

// A PEM file as one server.properties value: its line breaks written as \n.
std::string inline_pem(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream value;
  std::string line;
  while (std::getline(in, line)) value << line << "\\n";
  return value.str();
}

std::vector<std::string> pem_settings(const BrokerTls& tls) {
  return {"ssl.keystore.type=PEM",
          "ssl.keystore.certificate.chain=" + inline_pem(tls.server.cert),
          "ssl.keystore.key=" + inline_pem(tls.server.key),
          "ssl.truststore.type=PEM",
          "ssl.truststore.certificates=" + inline_pem(tls.ca),
          std::string("ssl.client.auth=") + (tls.require_client_certificates ? "required" : "none")};
}

}  // namespace

std::vector<std::string> tls_broker_settings(const BrokerTls& tls, const std::vector<std::string>& extra) {
  auto settings = pem_settings(tls);
  settings.push_back("listener.security.protocol.map=PLAINTEXT:SSL,CONTROLLER:PLAINTEXT");
  settings.insert(settings.end(), extra.begin(), extra.end());
  return settings;
}

std::vector<std::string> sasl_ssl_broker_settings(const BrokerTls& tls) {
  auto settings = scram_broker_settings(pem_settings(tls));
  // Later lines win when Kafka reads the file.
  settings.push_back("listener.security.protocol.map=PLAINTEXT:SASL_SSL,CONTROLLER:PLAINTEXT");
  return settings;
}

KafkaSettings tls_client_settings() {
  const auto& certs = tls_certificates();
  return {{"security.protocol", "SSL"},
          {"ssl.ca.location", certs.ca.string()},
          {"ssl.certificate.location", certs.client.cert.string()},
          {"ssl.key.location", certs.client.key.string()}};
}

}  // namespace msgwatch::test
