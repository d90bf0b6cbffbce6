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

std::vector<std::string> acl_broker_settings(const std::vector<std::string>& extra) {
  auto settings = sasl_broker_settings(extra);
  settings.insert(settings.end(), {"authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                                   "super.users=User:admin;User:ANONYMOUS"});
  return settings;
}

namespace {

// The client configuration of Kafka's tools as the PLAIN admin, then `client_properties`
// (later lines win), e.g. security.protocol=SASL_SSL and a truststore.
std::string admin_command_config(const std::vector<std::string>& client_properties = {}) {
  std::string properties =
      "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n"
      "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
      "username=\"admin\" password=\"admin-pw\";\n";
  for (const auto& line : client_properties) properties += line + "\n";
  return write_temp_file("admin.properties", properties).string();
}

}  // namespace

void kafka_acls(const std::string& bootstrap, const std::vector<std::string>& args) {
  std::vector<std::string> all{"acls", "--bootstrap-server", bootstrap, "--command-config", admin_command_config()};
  all.insert(all.end(), args.begin(), args.end());
  (void)kafka_tool_output(all);
}

void alter_scram_credentials(const std::string& bootstrap, const std::string& user,
                             const std::vector<std::string>& change,
                             const std::vector<std::string>& client_properties) {
  std::vector<std::string> args{
      "configs", "--bootstrap-server", bootstrap, "--command-config", admin_command_config(client_properties),
      "--alter"};
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
