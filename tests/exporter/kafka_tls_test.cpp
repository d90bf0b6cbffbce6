// TLS against Kafka clusters of the test's own whose client listener speaks SSL or SASL_SSL,
// with certificates made by openssl at test time: the daemon's own client reads the cluster
// and the canary's librdkafka producer and consumer round-trip over TLS; mutual TLS with and
// without a client certificate; SASL (SCRAM-SHA-512 and PLAIN) over TLS; a broker whose
// certificate another CA signed, or that names another host, fails verification unless
// verification is off; TLS against a plaintext listener fails within the probe's timeout.

#include "support/kafka_tls.hpp"
#include "support/daemon_process.hpp"
#include "support/kafka_admin.hpp"
#include "support/kafka_group.hpp"
#include "support/kafka_producer.hpp"
#include "support/kafka_sasl.hpp"
#include "support/own_kafka.hpp"
#include "support/test_environment.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <string>

namespace msgwatch::test {
namespace {

using ::testing::HasSubstr;

const Labels kProbe{{"probe", "kafka_lag"}, {"cluster", "tls"}};

// The cluster `tls`, polled every second; `tls` and `more` are YAML lines of its section.
std::string tls_config(const std::string& bootstrap, const std::string& tls, const std::string& more = "") {
  return "kafka:\n  - name: tls\n    bootstrap_servers: [" + bootstrap + "]\n    tls: {" + tls +
         "}\n    lag: {interval: 1s, timeout: 1s}\n" + more;
}

std::string trusted(const std::string& more = "") {
  return "enabled: true, ca_file: " + tls_certificates().ca.string() + more;
}

std::string client_certificate() {
  const auto& client = tls_certificates().client;
  return ", cert_file: " + client.cert.string() + ", key_file: " + client.key.string();
}

std::string canary(const std::string& topic) {
  return "    canary: {enabled: true, topic: " + topic + ", interval: 1s, round_trip_sla: 5s}\n";
}

// Waits until the canary's messages come back, i.e. librdkafka produced and consumed them.
void wait_canary_round_trips(DaemonProcess& daemon, const std::string& what) {
  daemon.wait_for_metrics(
      [](const Exposition& m) -> std::string {
        double received = 0;
        for (const auto& sample : m.samples_named("kafka_canary_partition_received_total")) received += sample.value;
        const auto success = m.value("msgwatch_probe_success", {{"probe", "kafka_canary"}, {"cluster", "tls"}});
        if (received >= 2 && success == 1.0) return "";
        return std::to_string(received) + " canary messages received, kafka_canary success " +
               (success ? std::to_string(*success) : "none");
      },
      90s, what);
}

TEST(KafkaTls, OverSslTheDaemonReadsTheClusterAndTheCanaryRoundTrips) {
  const auto& certs = tls_certificates();
  OwnKafka kafka(1, tls_broker_settings({certs.server, certs.ca}));
  const auto topic = unique_name("tls");
  const auto group = unique_name("tls-group");
  KafkaAdmin(kafka.bootstrap(), tls_client_settings()).create_topic(topic, 1);
  KafkaProducer(kafka.bootstrap(), {{}, tls_client_settings()}).produce(topic, 0, 10);
  commit_offsets(kafka.bootstrap(), group, {{topic, 0, 4}}, tls_client_settings());

  DaemonProcess daemon(tls_config(kafka.bootstrap(), trusted(), canary(unique_name("tls-canary"))));
  daemon.wait_ready();
  daemon.wait_for_value("kafka_brokers", {{"cluster", "tls"}}, 1);
  daemon.wait_for_value("kafka_consumergroup_lag",
                        {{"cluster", "tls"}, {"consumergroup", group}, {"topic", topic}, {"partition", "0"}}, 6);
  daemon.wait_for_value("msgwatch_probe_success", kProbe, 1);
  wait_canary_round_trips(daemon, "canary round trips over SSL");
  daemon.stop();
  EXPECT_THAT(daemon.log(), HasSubstr("tls=on"));
}

TEST(KafkaTls, MutualTlsWorksWithAClientCertificateAndFailsClearlyWithout) {
  const auto& certs = tls_certificates();
  OwnKafka kafka(1, tls_broker_settings({certs.server, certs.ca, true}));
  DaemonProcess with(tls_config(kafka.bootstrap(), trusted(client_certificate()), canary(unique_name("mtls"))));
  DaemonProcess without(tls_config(kafka.bootstrap(), trusted()));
  with.wait_ready();
  without.wait_ready();

  with.wait_for_value("kafka_brokers", {{"cluster", "tls"}}, 1);
  with.wait_for_value("msgwatch_probe_success", kProbe, 1);
  wait_canary_round_trips(with, "canary round trips over mutual TLS");
  without.wait_for_value("msgwatch_probe_success", kProbe, 0);
  EXPECT_TRUE(without.running());
  EXPECT_EQ(without.get("/-/ready").status, 200) << "the daemon keeps serving";
  with.stop();
  without.stop();
  EXPECT_THAT(with.log(), HasSubstr("tls=mutual"));
  // The broker's alert, after the client's side of the handshake is done (TLS 1.3).
  EXPECT_THAT(without.log(), HasSubstr("ApiVersions: read: sslv3 alert bad certificate"));
}

TEST(KafkaTls, SaslOverTlsAuthenticatesTheDaemonAndLibrdkafka) {
  const auto& certs = tls_certificates();
  OwnKafka kafka(1, sasl_ssl_broker_settings({certs.server, certs.ca}));
  const std::string password = unique_name("scram-pw");
  alter_scram_credentials(
      kafka.bootstrap(), "monitor", {"--add-config", "SCRAM-SHA-512=[password=" + password + "]"},
      {"security.protocol=SASL_SSL", "ssl.truststore.type=PEM", "ssl.truststore.location=" + certs.ca.string()});
  const auto scram_password = write_temp_file("kafka-password", password + "\n");
  const auto plain_password = write_temp_file("kafka-password", "monitor-pw\n");
  // librdkafka before 2.6.1 cannot do SCRAM with Kafka 4.0 and later (kafka_sasl_test): there
  // its canary goes over PLAIN only.
  const bool canary_scram = rd_kafka_version() >= 0x02060100 || kafka_version().rfind("3.", 0) == 0;
  const auto scram_canary = canary_scram ? canary(unique_name("scram-tls")) : std::string();
  DaemonProcess scram(tls_config(kafka.bootstrap(), trusted(),
                                 "    sasl: {mechanism: SCRAM-SHA-512, username: monitor, password_file: " +
                                     scram_password.string() + "}\n" + scram_canary));
  DaemonProcess plain(tls_config(kafka.bootstrap(), trusted(),
                                 "    sasl: {mechanism: PLAIN, username: monitor, password_file: " +
                                     plain_password.string() + "}\n" + canary(unique_name("plain-tls"))));
  scram.wait_ready();
  plain.wait_ready();

  scram.wait_for_value("kafka_brokers", {{"cluster", "tls"}}, 1);
  scram.wait_for_value("msgwatch_probe_success", kProbe, 1);
  plain.wait_for_value("msgwatch_probe_success", kProbe, 1);
  wait_canary_round_trips(plain, "canary round trips over SASL_SSL with PLAIN");
  if (canary_scram) wait_canary_round_trips(scram, "canary round trips over SASL_SSL with SCRAM-SHA-512");
  scram.stop();
  plain.stop();
  EXPECT_THAT(scram.log(), HasSubstr("authenticated as monitor with SCRAM-SHA-512"));
  EXPECT_THAT(plain.log(), HasSubstr("authenticated as monitor with PLAIN"));
}

TEST(KafkaTls, ABrokerCertificateThatDoesNotVerifyFailsClearlyUnlessVerificationIsOff) {
  const auto& certs = tls_certificates();
  // The broker trusts its own CA: Kafka checks at start that it can talk to itself.
  OwnKafka kafka(1, tls_broker_settings({certs.impostor, certs.other_ca}));
  DaemonProcess other_ca(tls_config(kafka.bootstrap(), trusted()));
  DaemonProcess insecure(tls_config(kafka.bootstrap(), trusted(", insecure_skip_verify: true")));
  other_ca.wait_ready();
  insecure.wait_ready();

  other_ca.wait_for_value("msgwatch_probe_success", kProbe, 0);
  insecure.wait_for_value("kafka_brokers", {{"cluster", "tls"}}, 1);
  insecure.wait_for_value("msgwatch_probe_success", kProbe, 1);
  other_ca.stop();
  insecure.stop();
  EXPECT_THAT(other_ca.log(), HasSubstr("tls handshake with " + kafka.bootstrap() + ": certificate verify failed"));
  EXPECT_THAT(insecure.log(), HasSubstr("insecure_skip_verify"));
}

TEST(KafkaTls, ACertificateForAnotherNameFailsVerification) {
  const auto& certs = tls_certificates();
  OwnKafka kafka(1, tls_broker_settings({certs.server, certs.ca}));
  DaemonProcess daemon(tls_config(kafka.bootstrap(), trusted(", server_name: kafka.example")));
  daemon.wait_ready();
  daemon.wait_for_value("msgwatch_probe_success", kProbe, 0);
  daemon.stop();
  EXPECT_THAT(daemon.log(), HasSubstr("certificate verify failed"));
  EXPECT_THAT(daemon.log(), HasSubstr("hostname mismatch"));
}

TEST(KafkaTls, TlsAgainstAPlaintextListenerFailsWithinTheTimeout) {
  OwnKafka kafka(1);
  DaemonProcess daemon(tls_config(kafka.bootstrap(), trusted()));
  daemon.wait_ready();
  const auto failed = daemon.wait_for_value("msgwatch_probe_success", kProbe, 0, 30s);
  const auto duration = failed.value("msgwatch_probe_duration_seconds", kProbe);
  ASSERT_TRUE(duration.has_value());
  EXPECT_LE(*duration, 1.5) << "bounded by the probe's timeout";
  daemon.stop();
  EXPECT_THAT(daemon.log(), HasSubstr("tls handshake with " + kafka.bootstrap()));
}

}  // namespace
}  // namespace msgwatch::test
