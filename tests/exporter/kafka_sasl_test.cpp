// SASL/PLAIN against a Kafka cluster of the test's own whose client listener speaks
// SASL_PLAINTEXT: authentication, a wrong password that fails the probe without reaching
// the log, a rotated password file picked up without a restart, and connections that
// outlive the session lifetime a broker with connections.max.reauth.ms imposes (KIP-368).

#include "support/daemon_process.hpp"
#include "support/own_kafka.hpp"
#include "support/test_environment.hpp"
#include "support/wait.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

// The client listener speaks SASL_PLAINTEXT with two users; the broker talks to itself as admin.
std::vector<std::string> sasl_broker_settings(const std::vector<std::string>& extra = {}) {
  std::vector<std::string> settings{
      "listener.security.protocol.map=PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT", "sasl.enabled.mechanisms=PLAIN",
      "sasl.mechanism.inter.broker.protocol=PLAIN",
      "listener.name.plaintext.plain.sasl.jaas.config="
      "org.apache.kafka.common.security.plain.PlainLoginModule required "
      "username=\"admin\" password=\"admin-pw\" user_admin=\"admin-pw\" user_monitor=\"monitor-pw\";"};
  settings.insert(settings.end(), extra.begin(), extra.end());
  return settings;
}

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

}  // namespace
}  // namespace msgwatch::test
