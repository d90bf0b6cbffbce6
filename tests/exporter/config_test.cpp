#include "exporter/app/config.hpp"

#include "probes/kafka/kafka_config.hpp"
#include "probes/redis/redis_config.hpp"
#include "support/tls_certificates.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace msgwatch::config {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

std::string error_of(const std::string& yaml) {
  try {
    parse(yaml, "test.yml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

// The targets of one probe family, as their own type.
template <class Target>
std::vector<const Target*> targets_of(const Config& config) {
  std::vector<const Target*> out;
  for (const auto& target : config.targets) {
    if (const auto* typed = dynamic_cast<const Target*>(target.parsed.get())) out.push_back(typed);
  }
  return out;
}

TEST(Config, FullFileParsesEveryKey) {
  const auto config = load_file(std::string(MSGWATCH_TEST_DIR) + "/configs/full.yml");
  EXPECT_EQ(config.web.listen_address, "0.0.0.0:9440");
  EXPECT_EQ(config.log.level, "debug");
  EXPECT_EQ(config.log.format, "json");
  const auto kafka = targets_of<kafka::KafkaCluster>(config);
  ASSERT_EQ(kafka.size(), 2U);
  const auto& orders = *kafka[0];
  EXPECT_EQ(orders.name, "orders");
  EXPECT_EQ(orders.bootstrap_servers, (std::vector<std::string>{"kafka-1:9092", "kafka-2:9092"}));
  EXPECT_EQ(orders.client_id, "msgwatch-orders");
  ASSERT_TRUE(orders.sasl.has_value());
  EXPECT_EQ(orders.sasl->mechanism, kafka::SaslMechanism::plain);
  EXPECT_EQ(orders.sasl->username, "monitor");
  EXPECT_EQ(orders.sasl->password.source, Secret::Source::env);
  EXPECT_EQ(orders.sasl->password.describe(), "env:ORDERS_KAFKA_PASSWORD");
  EXPECT_EQ(orders.lag_schedule.interval, 15s);
  EXPECT_EQ(orders.lag_schedule.timeout, 10s);
  EXPECT_EQ(orders.lag_schedule.effective_stale_after(), 2min);
  EXPECT_EQ(orders.topics.include, std::vector<std::string>{"orders\\..*"});
  EXPECT_EQ(orders.groups.include, std::vector<std::string>{".*"});
  EXPECT_EQ(orders.groups.exclude, std::vector<std::string>{"console-consumer-.*"});
  EXPECT_EQ(orders.read_committed_groups.include, std::vector<std::string>{"payments-.*"});
  EXPECT_EQ(orders.granularity, kafka::Granularity::topic);
  EXPECT_EQ(orders.max_series, 20000);
  EXPECT_EQ(orders.status_window, 5);
  EXPECT_EQ(orders.commit_window, 90s);
  EXPECT_EQ(orders.timestamp_reads, 50);
  EXPECT_FALSE(orders.transactions);
  EXPECT_EQ(orders.long_running_after, 5min);
  EXPECT_EQ(orders.max_long_running, 20);
  EXPECT_EQ(orders.lso_stall_after, 30s);
  EXPECT_TRUE(orders.canary.enabled);
  EXPECT_EQ(orders.canary.topic, "orders-canary");
  EXPECT_EQ(orders.canary.interval, 10s);
  EXPECT_EQ(orders.canary.ack_sla, 2s);
  EXPECT_EQ(orders.canary.round_trip_sla, 30s);
  EXPECT_FALSE(orders.canary.manage_topic);
  EXPECT_EQ(orders.canary.partitions_per_broker, 2);
  EXPECT_EQ(orders.canary.replication_factor, 3);
  EXPECT_EQ(orders.canary.broker_removed_after, 2h);
  EXPECT_TRUE(orders.canary.transactions);
  EXPECT_EQ(orders.canary.transactional_id, "orders-canary-tx");
  EXPECT_EQ(orders.canary.abort_every, 5);
  EXPECT_TRUE(orders.canary.share);
  EXPECT_EQ(orders.canary.share_group, "orders-canary-senders");
  EXPECT_EQ(orders.canary.share_session_timeout, 15s);
  const auto& chat = *kafka[1];
  EXPECT_EQ(chat.bootstrap_servers, std::vector<std::string>{"chat-kafka:9092"});
  EXPECT_FALSE(chat.sasl.has_value());
  EXPECT_EQ(chat.topics.exclude, std::vector<std::string>{"__.*"});
  EXPECT_TRUE(chat.read_committed_groups.include.empty());
  EXPECT_EQ(chat.granularity, kafka::Granularity::partition);
  EXPECT_EQ(chat.lag_schedule.effective_stale_after(), 90s) << "three intervals by default";
  EXPECT_FALSE(chat.canary.enabled) << "the canary writes to the cluster: off unless enabled";
  EXPECT_EQ(chat.canary.topic, "msgwatch-canary");
  EXPECT_EQ(chat.canary.interval, 1min);
  EXPECT_TRUE(chat.canary.manage_topic);
  EXPECT_EQ(chat.canary.broker_removed_after, 30min);
  EXPECT_FALSE(chat.canary.transactions);
  EXPECT_EQ(chat.canary.transactional_id, "msgwatch-canary-chat");
  EXPECT_FALSE(chat.canary.share);
  EXPECT_EQ(chat.canary.share_group, "msgwatch-canary-chat");
  const auto redis = targets_of<redis::RedisTarget>(config);
  ASSERT_EQ(redis.size(), 1U);
  EXPECT_EQ(redis[0]->addresses, std::vector<std::string>{"redis-1:6379"});
  EXPECT_TRUE(redis[0]->discover) << "the default";
  EXPECT_EQ(redis[0]->schedule.interval, 60s);
  EXPECT_EQ(redis[0]->schedule.effective_stale_after(), 5min);
  EXPECT_EQ(redis[0]->password.describe(), "file:/run/secrets/redis");
  EXPECT_EQ(redis[0]->queues, std::vector<std::string>{"jobs"});
  ASSERT_EQ(redis[0]->key_groups.size(), 1U);
  EXPECT_EQ(redis[0]->key_groups[0].name, "dedup");
  EXPECT_EQ(redis[0]->key_sampling.scan_count, 2000);
  EXPECT_EQ(redis[0]->key_sampling.scans_per_cycle, 50);
  EXPECT_EQ(redis[0]->key_sampling.details_per_cycle, 200);
  EXPECT_EQ(redis[0]->key_sampling.max_time, 1s);
  ASSERT_EQ(config.targets.size(), 3U);
  EXPECT_EQ(config.targets[0].family->key, "kafka");
  EXPECT_EQ(config.targets[2].family->key, "redis");
}

// A target's section is what a reload compares: the same content in another layout, style,
// quoting or key order is the same configuration; any changed value is another.
TEST(Config, ATargetsSectionIsItsContentWhateverItsLayout) {
  const auto section = [](const std::string& yaml) { return parse(yaml, "test.yml").targets.at(0).section; };
  const auto block = section("redis:\n  - name: cache   # the cache\n    address: 'h:6379'\n    queues: [jobs]\n");
  EXPECT_EQ(block, section("redis: [{queues: [\"jobs\"], address: h:6379, name: cache}]\n"));
  EXPECT_NE(block, section("redis: [{queues: [jobs, mail], address: h:6379, name: cache}]\n"));
  EXPECT_NE(block, section("redis: [{queues: [jobs], address: h:6380, name: cache}]\n"));
  EXPECT_NE(block, section("kafka: [{name: cache, bootstrap_servers: [h:6379]}]\n"));
}

TEST(Config, EmptyFileMeansDefaults) {
  const auto config = parse("", "empty.yml");
  EXPECT_EQ(config.web.listen_address, "127.0.0.1:9440");
  EXPECT_EQ(config.web.telemetry_path, "/metrics");
  EXPECT_TRUE(config.targets.empty());
}

TEST(Config, ErrorsNameFileLineAndKeyPath) {
  EXPECT_EQ(error_of("kafka:\n  - name: a\n    bootstrap_servers: [h:1]\n    lag:\n      interval: soon\n"),
            "test.yml:5:17: kafka[0].lag.interval: \"soon\" is not a duration (use e.g. 500ms, 30s, 2m, 1h)");
  EXPECT_EQ(error_of("kafka:\n  - name: a\n    bootstrap_server: [h:1]\n"),
            "test.yml:3:5: kafka[0].bootstrap_server: unknown key");
  EXPECT_EQ(error_of("web:\n  listen_address: nowhere\n"),
            "test.yml:2:19: web.listen_address: \"nowhere\" is not [host]:port");
}

TEST(Config, RejectsBadValues) {
  EXPECT_THAT(error_of("kafka:\n  - name: a\n"), HasSubstr("kafka[0].bootstrap_servers: is required"));
  EXPECT_THAT(error_of("kafka:\n  - bootstrap_servers: [h:1]\n"), HasSubstr("kafka[0].name: is required"));
  EXPECT_THAT(error_of("kafka:\n  - name: a\n    bootstrap_servers: [h]\n"), HasSubstr("is not host:port"));
  EXPECT_THAT(error_of("kafka:\n  - name: a\n    bootstrap_servers: [h:99999]\n"), HasSubstr("is not host:port"));
  EXPECT_THAT(
      error_of("kafka:\n  - name: a\n    bootstrap_servers: [h:1]\n  - name: a\n    bootstrap_servers: [h:2]\n"),
      HasSubstr("kafka[1].name: \"a\" is used twice"));
  EXPECT_THAT(error_of("kafka:\n  - name: a\n    bootstrap_servers: [h:1]\n    lag: {interval: 5s, timeout: 10s}\n"),
              HasSubstr("kafka[0].lag.timeout: must not be longer than interval"));
  EXPECT_THAT(
      error_of("kafka:\n  - name: a\n    bootstrap_servers: [h:1]\n    lag: {interval: 30s, stale_after: 10s}\n"),
      HasSubstr("kafka[0].lag.stale_after: must not be shorter than interval"));
  EXPECT_THAT(error_of("kafka:\n  - name: a\n    bootstrap_servers: [h:1]\n    lag: {interval: 0s}\n"),
              HasSubstr("kafka[0].lag.interval: must be > 0"));
  EXPECT_THAT(error_of("kafka:\n  - name: a\n    bootstrap_servers: [h:1]\n    lag: {topics: {include: ['(']}}\n"),
              HasSubstr("kafka[0].lag.topics.include: \"(\" is not a valid regular expression"));
  EXPECT_THAT(error_of("kafka:\n  - name: a\n    bootstrap_servers: [h:1]\n    lag: {granularity: broker}\n"),
              HasSubstr("kafka[0].lag.granularity: \"broker\" is not one of partition, topic"));
  EXPECT_THAT(error_of("kafka:\n  - name: a\n    bootstrap_servers: [h:1]\n    lag: {max_series: 0}\n"),
              HasSubstr("kafka[0].lag.max_series: must be between 1 and 100000000"));
  EXPECT_THAT(error_of("kafka:\n  - name: a\n    bootstrap_servers: [h:1]\n    canary: {interval: 500ms}\n"),
              HasSubstr("kafka[0].canary.interval: must be at least 1s"));
  EXPECT_THAT(error_of("kafka:\n  - name: a\n    bootstrap_servers: [h:1]\n    canary: {topic: ''}\n"),
              HasSubstr("kafka[0].canary.topic: must not be empty"));
  EXPECT_THAT(error_of("kafka:\n  - name: a\n    bootstrap_servers: [h:1]\n    canary: {partitions_per_broker: 0}\n"),
              HasSubstr("kafka[0].canary.partitions_per_broker: must be between 1 and 1000"));
  EXPECT_THAT(
      error_of("kafka:\n  - name: a\n    bootstrap_servers: [h:1]\n    canary: {broker_removed_after: 500ms}\n"),
      HasSubstr("kafka[0].canary.broker_removed_after: must be at least 1s"));
  EXPECT_THAT(
      error_of("kafka:\n  - name: a\n    bootstrap_servers: [h:1]\n    canary: {share: {session_timeout: 1s}}\n"),
      HasSubstr("kafka[0].canary.share.session_timeout: must be at least 6s"));
  EXPECT_THAT(error_of("kafka:\n  - name: a\n    bootstrap_servers: [h:1]\n    canary: {sla: 1s}\n"),
              HasSubstr("kafka[0].canary.sla: unknown key"));
  EXPECT_THAT(error_of("log: {level: loud}\n"), HasSubstr("log.level: \"loud\" is not one of"));
  EXPECT_THAT(error_of("log: {format: xml}\n"), HasSubstr("log.format: \"xml\" is not one of logfmt, json"));
  EXPECT_THAT(error_of("web: {telemetry_path: metrics}\n"), HasSubstr("web.telemetry_path"));
  EXPECT_THAT(error_of("kafka: {name: a}\n"), HasSubstr("kafka: must be a list"));
  EXPECT_THAT(error_of("web: [1, 2]\n"), HasSubstr("web: must be a mapping"));
  EXPECT_THAT(error_of("web:\n  listen_address: [a]\n"), HasSubstr("web.listen_address: must be a single value"));
  EXPECT_THAT(error_of("web: {listen_address: \"a:1\"\n"), HasSubstr("test.yml:2:1: invalid YAML"));
  EXPECT_THAT(error_of("color: blue\n"), HasSubstr("test.yml:1:1: color: unknown key"));
}

TEST(Config, RedisQueuesAndKeyGroups) {
  const auto config = parse(
      "redis:\n  - name: r\n    address: h:1\n    queues: [jobs, 'mail:outbox']\n"
      "    key_groups:\n      - {name: dedup, pattern: 'dedup:*'}\n      - {name: rest, pattern: '*'}\n"
      "    key_sampling: {scan_count: 500, max_time: 50ms}\n",
      "test.yml");
  const auto redis = targets_of<redis::RedisTarget>(config);
  ASSERT_EQ(redis.size(), 1U);
  EXPECT_EQ(redis[0]->queues, (std::vector<std::string>{"jobs", "mail:outbox"}));
  ASSERT_EQ(redis[0]->key_groups.size(), 2U);
  EXPECT_EQ(redis[0]->key_groups[0].pattern, "dedup:*");
  EXPECT_EQ(redis[0]->key_sampling.scan_count, 500);
  EXPECT_EQ(redis[0]->key_sampling.scans_per_cycle, 200) << "the default";
  EXPECT_EQ(redis[0]->key_sampling.max_time, 50ms);

  const std::string head = "redis:\n  - name: r\n    address: h:1\n";
  EXPECT_THAT(error_of(head + "    queues: ['']\n"), HasSubstr("redis[0].queues: has an empty key name"));
  EXPECT_THAT(error_of(head + "    key_groups:\n      - {name: a, pattern: 'a:*'}\n      - {name: a, pattern: 'b'}\n"),
              HasSubstr("redis[0].key_groups[1].name: 'a' names two key groups"));
  EXPECT_THAT(error_of(head + "    key_groups:\n      - {name: a}\n"),
              HasSubstr("redis[0].key_groups[0].pattern: is required"));
  EXPECT_THAT(error_of(head + "    key_sampling: {max_time: 30s}\n"),
              HasSubstr("redis[0].key_sampling.max_time: must be above 0 and below the target's timeout"));
  EXPECT_THAT(error_of(head + "    key_sampling: {scan_count: 0}\n"),
              HasSubstr("redis[0].key_sampling.scan_count: must be between 10 and 100000"));
}

TEST(Config, RedisSeedsAndDiscovery) {
  const auto config = parse(
      "redis:\n  - name: r\n    addresses: ['h:1', 'h:2', '[::1]:3']\n    discover: false\n"
      "    key_groups:\n      - {name: a, pattern: 'a:*'}\n    key_sampling: {on_replicas: true}\n",
      "test.yml");
  const auto redis = targets_of<redis::RedisTarget>(config);
  ASSERT_EQ(redis.size(), 1U);
  EXPECT_EQ(redis[0]->addresses, (std::vector<std::string>{"h:1", "h:2", "[::1]:3"}));
  EXPECT_FALSE(redis[0]->discover);
  EXPECT_TRUE(redis[0]->key_sampling.on_replicas);

  EXPECT_THAT(error_of("redis:\n  - name: r\n    address: h:1\n    addresses: ['h:2']\n"),
              HasSubstr("redis[0].addresses: and address: give one of them"));
  EXPECT_THAT(error_of("redis:\n  - name: r\n    addresses: ['h:1', 'h:1']\n"),
              HasSubstr("redis[0].addresses: names h:1 twice"));
  EXPECT_THAT(error_of("redis:\n  - name: r\n    addresses: ['h']\n"),
              HasSubstr("redis[0].addresses: \"h\" is not host:port"));
  EXPECT_THAT(error_of("redis:\n  - name: r\n"), HasSubstr("redis[0].address: is required"));
}

TEST(Config, RedisTls) {
  const auto& certs = msgwatch::test::tls_certificates();
  const std::string head = "redis:\n  - name: r\n    address: h:1\n    tls:\n";
  const auto plain = targets_of<redis::RedisTarget>(parse("redis: [{name: r, address: 'h:1'}]\n", "test.yml"));
  EXPECT_FALSE(plain[0]->tls.has_value()) << "the default";

  const auto config = parse(head + "      enabled: true\n      ca_file: " + certs.ca.string() + "\n      cert_file: " +
                                certs.client.cert.string() + "\n      key_file: " + certs.client.key.string() +
                                "\n      server_name: redis.internal\n",
                            "test.yml");
  const auto& tls = targets_of<redis::RedisTarget>(config)[0]->tls;
  ASSERT_TRUE(tls.has_value());
  EXPECT_EQ(tls->server_name, "redis.internal");
  EXPECT_TRUE(tls->files.verify) << "the default";
  EXPECT_NE(tls->context, nullptr) << "made once, when parsed";
  const auto system_cas = parse(head + "      enabled: true\n      insecure_skip_verify: true\n", "test.yml");
  EXPECT_NE(targets_of<redis::RedisTarget>(system_cas)[0]->tls->context, nullptr);
  EXPECT_FALSE(targets_of<redis::RedisTarget>(system_cas)[0]->tls->files.verify);
  EXPECT_FALSE(targets_of<redis::RedisTarget>(parse(head + "      ca_file: /nonexistent\n", "test.yml"))[0]->tls)
      << "files are read only when enabled";

  EXPECT_THAT(error_of(head + "      enabled: true\n      ca_file: /nonexistent/ca.pem\n"),
              HasSubstr("test.yml:6:16: redis[0].tls.ca_file: cannot read /nonexistent/ca.pem"));
  EXPECT_THAT(error_of(head + "      enabled: true\n      ca_file: " + certs.client.key.string() + "\n"),
              HasSubstr("redis[0].tls.ca_file: " + certs.client.key.string() + " holds no PEM certificate"));
  EXPECT_THAT(error_of(head + "      cert_file: " + certs.client.cert.string() + "\n"),
              HasSubstr("redis[0].tls.key_file: cert_file and key_file go together"));
  EXPECT_THAT(error_of(head + "      key_file: " + certs.client.key.string() + "\n"),
              HasSubstr("redis[0].tls.cert_file: cert_file and key_file go together"));
  EXPECT_THAT(error_of(head + "      enabled: true\n      cert_file: " + certs.client.cert.string() +
                       "\n      key_file: " + certs.server.key.string() + "\n"),
              HasSubstr("redis[0].tls.key_file: the key in " + certs.server.key.string() + " does not match"));
  EXPECT_THAT(error_of(head + "      enabled: yes please\n"), HasSubstr("redis[0].tls.enabled"));
  EXPECT_THAT(error_of(head + "      verify: false\n"), HasSubstr("redis[0].tls.verify: unknown key"));
}

TEST(Config, SecretsAreNeverWrittenInline) {
  EXPECT_THAT(error_of("redis:\n  - name: r\n    address: h:1\n    password: hunter2\n"),
              HasSubstr("redis[0].password: secrets are not written in the config"));
  EXPECT_THAT(error_of("redis:\n  - name: r\n    address: h:1\n    password_file: a\n    password_env: B\n"),
              HasSubstr("not both"));
  EXPECT_THAT(error_of("kafka:\n  - name: a\n    bootstrap_servers: [h:1]\n    sasl: {username: u}\n"),
              HasSubstr("password_file or password_env is required"));
}

TEST(Config, SaslMechanisms) {
  const std::string head =
      "kafka:\n  - name: a\n    bootstrap_servers: [h:1]\n    sasl: {username: u, password_env: KAFKA_PW";
  const auto mechanism_of = [&](const std::string& extra) {
    const auto config = parse(head + extra + "}\n", "test.yml");
    return targets_of<kafka::KafkaCluster>(config).at(0)->sasl->mechanism;
  };
  EXPECT_EQ(mechanism_of(""), kafka::SaslMechanism::plain) << "the default";
  EXPECT_EQ(mechanism_of(", mechanism: PLAIN"), kafka::SaslMechanism::plain);
  EXPECT_EQ(mechanism_of(", mechanism: SCRAM-SHA-256"), kafka::SaslMechanism::scram_sha_256);
  EXPECT_EQ(mechanism_of(", mechanism: SCRAM-SHA-512"), kafka::SaslMechanism::scram_sha_512);
  for (const std::string unknown : {"SCRAM-SHA-1", "scram-sha-256", "GSSAPI", "OAUTHBEARER", "''"}) {
    EXPECT_THAT(error_of(head + ", mechanism: " + unknown + "}\n"),
                HasSubstr("kafka[0].sasl.mechanism: \"" + (unknown == "''" ? std::string() : unknown) +
                          "\" is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512"));
  }
}

std::string kafka_tls_yaml(const std::string& tls) {
  return "kafka:\n  - name: a\n    bootstrap_servers: [h:1]\n    tls: {" + tls + "}\n";
}

TEST(Config, KafkaTlsReadsItsFilesWhenParsed) {
  const auto& certs = test::tls_certificates();
  const auto files = "ca_file: " + certs.ca.string() + ", cert_file: " + certs.client.cert.string() +
                     ", key_file: " + certs.client.key.string();
  const auto config = parse(kafka_tls_yaml("enabled: true, server_name: kafka.example, " + files), "test.yml");
  const auto& cluster = *targets_of<kafka::KafkaCluster>(config).at(0);
  ASSERT_TRUE(cluster.tls.has_value());
  EXPECT_NE(cluster.tls->context, nullptr);
  EXPECT_EQ(cluster.tls->files.ca_file, certs.ca.string());
  EXPECT_TRUE(cluster.tls->files.verify);
  const auto options = kafka::connection_options(cluster);
  ASSERT_TRUE(options.tls.has_value());
  EXPECT_EQ(options.tls->context, cluster.tls->context) << "one context per cluster, shared by its connections";
  EXPECT_EQ(options.tls->server_name, "kafka.example");

  const auto plain = parse(kafka_tls_yaml("enabled: false, " + files), "test.yml");
  EXPECT_FALSE(targets_of<kafka::KafkaCluster>(plain).at(0)->tls.has_value());
  EXPECT_FALSE(kafka::connection_options(*targets_of<kafka::KafkaCluster>(plain).at(0)).tls.has_value());
  const auto insecure = parse(kafka_tls_yaml("enabled: true, insecure_skip_verify: true"), "test.yml");
  EXPECT_FALSE(targets_of<kafka::KafkaCluster>(insecure).at(0)->tls->files.verify);
}

TEST(Config, KafkaTlsFilesThatCannotBeUsedFailNamingTheKey) {
  const auto& certs = test::tls_certificates();
  EXPECT_THAT(error_of(kafka_tls_yaml("enabled: true, ca_file: /nonexistent/ca.pem")),
              HasSubstr("test.yml:4:35: kafka[0].tls.ca_file: cannot read /nonexistent/ca.pem"));
  EXPECT_THAT(error_of(kafka_tls_yaml("enabled: true, ca_file: " + certs.client.key.string())),
              HasSubstr("kafka[0].tls.ca_file: " + certs.client.key.string() + " holds no PEM certificate"));
  EXPECT_THAT(error_of(kafka_tls_yaml("enabled: true, cert_file: " + certs.client.cert.string())),
              HasSubstr("kafka[0].tls.key_file: cert_file and key_file go together"));
  EXPECT_THAT(error_of(kafka_tls_yaml("enabled: true, key_file: " + certs.client.key.string())),
              HasSubstr("kafka[0].tls.cert_file: cert_file and key_file go together"));
  EXPECT_THAT(error_of(kafka_tls_yaml("enabled: true, cert_file: " + certs.client.cert.string() +
                                      ", key_file: " + certs.stranger.key.string())),
              HasSubstr("kafka[0].tls.key_file: the key in " + certs.stranger.key.string() +
                        " does not match the certificate in " + certs.client.cert.string()));
  EXPECT_THAT(error_of(kafka_tls_yaml("enabled: true, cert_file: " + certs.client.key.string() +
                                      ", key_file: " + certs.client.key.string())),
              HasSubstr("kafka[0].tls.cert_file: " + certs.client.key.string() + " holds no valid PEM certificate"));
  EXPECT_THAT(
      error_of(kafka_tls_yaml("enabled: true, cert_file: " + certs.client.cert.string() +
                              ", key_file: " + certs.client.cert.string())),
      HasSubstr("kafka[0].tls.key_file: " + certs.client.cert.string() + " holds no unencrypted PEM private key"));
  EXPECT_THAT(error_of(kafka_tls_yaml("enabled: true, verify: false")), HasSubstr("kafka[0].tls.verify: unknown key"));
}

TEST(Config, SecretResolvesFromEnvironmentAndFile) {
  ::setenv("MSGWATCH_CONFIG_TEST_SECRET", "s3cret", 1);
  EXPECT_EQ((Secret{Secret::Source::env, "MSGWATCH_CONFIG_TEST_SECRET"}).resolve(), "s3cret");
  const std::string path = ::testing::TempDir() + "/secret.txt";
  std::ofstream(path) << "from-file\n";
  EXPECT_EQ((Secret{Secret::Source::file, path}).resolve(), "from-file");
  EXPECT_THROW((Secret{Secret::Source::env, "MSGWATCH_CONFIG_TEST_UNSET"}).resolve(), ConfigError);
  EXPECT_THROW((Secret{Secret::Source::file, path + ".missing"}).resolve(), ConfigError);
}

}  // namespace
}  // namespace msgwatch::config
