// SASL against a Kafka cluster of the test's own whose client listener speaks
// SASL_PLAINTEXT. PLAIN: authentication, a wrong password that fails the probe without
// reaching the log, a rotated password file picked up without a restart, and connections
// that outlive the session lifetime a broker with connections.max.reauth.ms imposes
// (KIP-368). SCRAM-SHA-256 and SCRAM-SHA-512 (KIP-84), with credentials made by
// kafka-configs at test time: the daemon's own client and librdkafka (the canary)
// authenticate, a wrong password fails without reaching the log, and a credential deleted
// from the cluster fails the probe once the session ends.

#include "support/kafka_sasl.hpp"
#include "support/daemon_process.hpp"
#include "support/kafka_cli.hpp"
#include "support/own_kafka.hpp"
#include "support/test_environment.hpp"
#include "support/wait.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace msgwatch::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const Labels kProbe{{"probe", "kafka_lag"}, {"cluster", "sasl"}};

// `password` is the YAML of the password source, e.g. "password_file: /x".
std::string sasl_config(const std::string& bootstrap, const std::string& password) {
  return "kafka:\n  - name: sasl\n    bootstrap_servers: [" + bootstrap + "]\n    sasl: {username: monitor, " +
         password + "}\n    lag: {interval: 1s, timeout: 1s}\n";
}

// Replaces the file in one step, the way secret stores rotate files, so the daemon never
// reads half a password.
void rotate_file(const std::filesystem::path& path, const std::string& text) {
  const auto fresh = path.string() + ".new";
  std::ofstream(fresh) << text;
  std::filesystem::rename(fresh, path);
}

TEST(KafkaSasl, PlainAuthenticatesAndAWrongPasswordFailsTheProbeWithoutLeakingIt) {
  OwnKafka kafka(1, sasl_broker_settings());
  DaemonProcess good(
      sasl_config(kafka.bootstrap(), "password_file: " + write_temp_file("kafka-password", "monitor-pw\n").string()));
  good.wait_ready();
  good.wait_for_value("kafka_brokers", {{"cluster", "sasl"}}, 1);
  good.wait_for_value("msgwatch_probe_success", kProbe, 1);
  good.stop();

  const std::string wrong = "wrong-" + unique_name("pw");
  DaemonProcess bad(DaemonOptions{sasl_config(kafka.bootstrap(), "password_env: MSGWATCH_TEST_KAFKA_PW"),
                                  {},
                                  {{"MSGWATCH_TEST_KAFKA_PW", wrong}},
                                  "debug"});
  bad.wait_ready();
  bad.wait_for_value("msgwatch_probe_success", kProbe, 0);
  bad.stop();
  EXPECT_THAT(bad.log(), HasSubstr("SASL/PLAIN authentication as monitor failed"));
  EXPECT_THAT(bad.log(), Not(HasSubstr(wrong)));
}

TEST(KafkaSasl, ARotatedPasswordFileIsReadAtTheNextConnectionWithoutARestart) {
  OwnKafka kafka(1, sasl_broker_settings());
  const std::string wrong = "wrong-" + unique_name("pw");
  const auto password_file = write_temp_file("kafka-password", wrong + "\n");
  DaemonProcess daemon(sasl_config(kafka.bootstrap(), "password_file: " + password_file.string()));
  daemon.wait_ready();
  wait_until([&] { return daemon.log().find("SASL/PLAIN authentication as monitor failed") != std::string::npos; }, 60s,
             "a failed authentication in the daemon's log");
  daemon.wait_for_value("msgwatch_probe_success", kProbe, 0);

  rotate_file(password_file, "monitor-pw\n");
  daemon.wait_for_value("msgwatch_probe_success", kProbe, 1);
  daemon.wait_for_value("kafka_brokers", {{"cluster", "sasl"}}, 1);
  EXPECT_TRUE(daemon.running());
  daemon.stop();
  EXPECT_THAT(daemon.log(), Not(HasSubstr(wrong)));
}

// The broker closes a connection that sends a request after its SASL session ended; the
// daemon keeps its connections across cycles, so without replacing them in time a cycle
// fails every few seconds.
TEST(KafkaSasl, KeptAliveConnectionsOutliveTheSessionLifetime) {
  // The listener-prefixed key, as an operator would set it for the SASL listener only.
  OwnKafka kafka(1, sasl_broker_settings({"listener.name.plaintext.connections.max.reauth.ms=5000"}));
  DaemonProcess daemon(
      sasl_config(kafka.bootstrap(), "password_file: " + write_temp_file("kafka-password", "monitor-pw\n").string()));
  daemon.wait_ready();
  const auto first = daemon.wait_for_value("msgwatch_probe_success", kProbe, 1);
  const double started = first.value("msgwatch_probe_last_success_timestamp_seconds", kProbe).value_or(0);

  // Cycles every second over five session lifetimes (by the daemon's own clock); stop
  // early at the first failed cycle.
  std::optional<double> failures;
  const auto last = daemon.wait_for_metrics(
      [&](const Exposition& metrics) -> std::string {
        failures = metrics.value("msgwatch_probe_failures_total", kProbe);
        if (failures && *failures > 0) return "";
        const auto succeeded = metrics.value("msgwatch_probe_last_success_timestamp_seconds", kProbe).value_or(0);
        if (succeeded >= started + 25) return "";
        return "last success " + std::to_string(succeeded - started) + " s after the first";
      },
      120s, "25 s of kafka_lag cycles");
  EXPECT_THAT(daemon.log(), HasSubstr("session lifetime 5000 ms")) << "the broker set no session lifetime";
  EXPECT_EQ(failures.value_or(-1), 0) << daemon.log_tail(80);
  EXPECT_EQ(last.value("msgwatch_probe_success", kProbe), 1.0);
  daemon.stop();
}

std::string scram_config(const std::string& bootstrap, const std::string& mechanism, const std::string& password,
                         const std::string& more = "") {
  return "kafka:\n  - name: sasl\n    bootstrap_servers: [" + bootstrap + "]\n    sasl: {mechanism: " + mechanism +
         ", username: monitor, " + password + "}\n    lag: {interval: 1s, timeout: 1s}\n" + more;
}

// The sum of a family's samples.
double total(const Exposition& metrics, const std::string& name) {
  double sum = 0;
  for (const auto& sample : metrics.samples_named(name)) sum += sample.value;
  return sum;
}

TEST(KafkaSasl, ScramSha256AndSha512AuthenticateTheDaemonAndLibrdkafkaAndAWrongPasswordFails) {
  OwnKafka kafka(1, scram_broker_settings());
  // Not the PLAIN password: only SCRAM can succeed with it.
  const std::string password = unique_name("scram-pw");
  // One mechanism per request: the broker refuses two changes of one user's credentials in one.
  alter_scram_credentials(kafka.bootstrap(), "monitor",
                          {"--add-config", "SCRAM-SHA-256=[iterations=8192,password=" + password + "]"});
  alter_scram_credentials(kafka.bootstrap(), "monitor", {"--add-config", "SCRAM-SHA-512=[password=" + password + "]"});
  const auto password_file = write_temp_file("kafka-password", password + "\n");
  const auto topic = unique_name("scram-canary");

  // All three at once: the cluster's start is the slow part, not the daemons.
  DaemonProcess sha256(scram_config(kafka.bootstrap(), "SCRAM-SHA-256", "password_file: " + password_file.string()));
  DaemonProcess sha512(
      scram_config(kafka.bootstrap(), "SCRAM-SHA-512", "password_file: " + password_file.string(),
                   "    canary: {enabled: true, topic: " + topic + ", interval: 1s, round_trip_sla: 5s}\n"));
  const std::string wrong = "wrong-" + unique_name("pw");
  DaemonProcess bad(
      DaemonOptions{scram_config(kafka.bootstrap(), "SCRAM-SHA-256", "password_env: MSGWATCH_TEST_KAFKA_PW"),
                    {},
                    {{"MSGWATCH_TEST_KAFKA_PW", wrong}},
                    "debug"});
  sha256.wait_ready();
  sha512.wait_ready();
  bad.wait_ready();

  sha256.wait_for_value("msgwatch_probe_success", kProbe, 1);
  sha256.wait_for_value("kafka_brokers", {{"cluster", "sasl"}}, 1);
  sha512.wait_for_value("msgwatch_probe_success", kProbe, 1);
  // The canary's librdkafka producer and consumer authenticate with SCRAM-SHA-512 too, and its
  // messages come back; unless librdkafka repeats SCRAM's client nonce (before 2.6.1), which
  // brokers of Kafka 4.0 and later refuse: the daemon says so when it starts.
  if (rd_kafka_version() >= 0x02060100 || kafka_version().rfind("3.", 0) == 0) {
    sha512.wait_for_metrics(
        [](const Exposition& m) -> std::string {
          const auto received = total(m, "kafka_canary_partition_received_total");
          const auto success = m.value("msgwatch_probe_success", {{"probe", "kafka_canary"}, {"cluster", "sasl"}});
          if (received >= 2 && success == 1.0) return "";
          return std::to_string(received) + " canary messages received, kafka_canary success " +
                 (success ? std::to_string(*success) : "none");
        },
        60s, "canary round trips over SCRAM-SHA-512");
  } else {
    EXPECT_THAT(sha512.log(), HasSubstr("this librdkafka's SCRAM is refused by Kafka 4.0 and later"));
  }
  bad.wait_for_value("msgwatch_probe_success", kProbe, 0);

  sha256.stop();
  sha512.stop();
  bad.stop();
  EXPECT_THAT(sha256.log(), HasSubstr("authenticated as monitor with SCRAM-SHA-256"));
  EXPECT_THAT(sha512.log(), HasSubstr("authenticated as monitor with SCRAM-SHA-512"));
  EXPECT_THAT(bad.log(), HasSubstr("SASL/SCRAM-SHA-256 authentication as monitor failed"));
  EXPECT_THAT(bad.log(), Not(HasSubstr(wrong)));
  EXPECT_THAT(sha256.log(), Not(HasSubstr(password)));
  EXPECT_THAT(sha512.log(), Not(HasSubstr(password)));
}

// A credential deleted from the cluster: connections already authenticated stay until the
// broker's session lifetime ends them, and the daemon's next connection is refused.
TEST(KafkaSasl, ADeletedScramCredentialFailsTheProbeOnceTheSessionEnds) {
  OwnKafka kafka(1, scram_broker_settings({"listener.name.plaintext.connections.max.reauth.ms=5000"}));
  const std::string password = unique_name("scram-pw");
  alter_scram_credentials(kafka.bootstrap(), "monitor",
                          {"--add-config", "SCRAM-SHA-256=[iterations=8192,password=" + password + "]"});
  DaemonProcess daemon(scram_config(kafka.bootstrap(), "SCRAM-SHA-256",
                                    "password_file: " + write_temp_file("kafka-password", password + "\n").string()));
  daemon.wait_ready();
  daemon.wait_for_value("msgwatch_probe_success", kProbe, 1);
  EXPECT_THAT(daemon.log(), HasSubstr("session lifetime 5000 ms")) << "the broker set no session lifetime";

  alter_scram_credentials(kafka.bootstrap(), "monitor", {"--delete-config", "SCRAM-SHA-256"});
  daemon.wait_for_value("msgwatch_probe_success", kProbe, 0, 30s);
  wait_until(
      [&] { return daemon.log().find("SASL/SCRAM-SHA-256 authentication as monitor failed") != std::string::npos; },
      10s, "the refused authentication in the daemon's log");
  EXPECT_TRUE(daemon.running());
  daemon.stop();
  EXPECT_THAT(daemon.log(), Not(HasSubstr(password)));
}

}  // namespace
}  // namespace msgwatch::test
