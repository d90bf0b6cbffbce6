#include "support/kafka_sasl.hpp"

#include "support/daemon_process.hpp"
#include "support/kafka_cli.hpp"

namespace msgwatch::test {

std::vector<std::string> sasl_broker_settings(const std::vector<std::string>& extra) {
  std::vector<std::string> settings{
      "listener.security.protocol.map=PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT", "sasl.enabled.mechanisms=PLAIN",
      "sasl.mechanism.inter.broker.protocol=PLAIN",
      "listener.name.plaintext.plain.sasl.jaas.config="
      "org.apache.kafka.common.security.plain.PlainLoginModule required "
      "username=\"admin\" password=\"admin-pw\" user_admin=\"admin-pw\" user_monitor=\"monitor-pw\";"};
  settings.insert(settings.end(), extra.begin(), extra.end());
  return settings;
}

std::vector<std::string> scram_broker_settings(const std::vector<std::string>& extra) {
  auto settings = sasl_broker_settings(extra);
  // Later lines win when Kafka reads the file.
  settings.insert(settings.end(), {"sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
                                   "listener.name.plaintext.scram-sha-256.sasl.jaas.config="
                                   "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                                   "listener.name.plaintext.scram-sha-512.sasl.jaas.config="
                                   "org.apache.kafka.common.security.scram.ScramLoginModule required;"});
  return settings;
}

void alter_scram_credentials(const std::string& bootstrap, const std::string& user,
                             const std::vector<std::string>& change) {
  static const auto admin =
      write_temp_file("admin.properties",
                      "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n"
                      "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
                      "username=\"admin\" password=\"admin-pw\";\n");
  std::vector<std::string> args{"configs",          "--bootstrap-server", bootstrap,
                                "--command-config", admin.string(),       "--alter"};
  args.insert(args.end(), change.begin(), change.end());
  args.insert(args.end(), {"--entity-type", "users", "--entity-name", user});
  (void)kafka_tool_output(args);
}

KafkaSettings sasl_admin_client_settings() {
  return {{"security.protocol", "SASL_PLAINTEXT"},
          {"sasl.mechanism", "PLAIN"},
          {"sasl.username", "admin"},
          {"sasl.password", "admin-pw"}};
}

}  // namespace msgwatch::test
