// The daemon binary as users run it: flags, --config.check, HTTP endpoints, secrets in
// logs, SIGTERM, and a Kafka cluster that is down at start, goes away and comes back.

#include "support/daemon_process.hpp"
#include "support/http_client.hpp"
#include "support/kafka_admin.hpp"
#include "support/kafka_group.hpp"
#include "support/kafka_producer.hpp"
#include "support/own_kafka.hpp"
#include "support/process.hpp"
#include "support/test_environment.hpp"
#include "support/wait.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>
#include <vector>

namespace msgwatch::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Daemon, ConfigCheckAcceptsAGoodFileAndNamesTheLineOfABadOne) {
  const auto good = write_temp_file("good.yml", "kafka:\n  - name: a\n    bootstrap_servers: [127.0.0.1:1]\n");
  const auto ok = run_daemon({"--config.file=" + good.string(), "--config.check"});
  EXPECT_TRUE(ok.status.success()) << ok.status.describe() << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("configuration OK: 1 Kafka cluster(s), 0 Redis target(s)"));

  const auto bad = write_temp_file("bad.yml",
                                   "kafka:\n  - name: a\n    bootstrap_servers: [127.0.0.1:1]\n"
                                   "    lag:\n      timeout: 2 seconds\n");
  const auto rejected = run_daemon({"--config.file=" + bad.string(), "--config.check"});
  EXPECT_EQ(rejected.status.code, 1);
  EXPECT_THAT(rejected.err, HasSubstr(bad.string() + ":5:16: kafka[0].lag.timeout: \"2 seconds\" is not a duration"));

  const auto missing = run_daemon({"--config.file=/nonexistent/msgwatch.yml"});
  EXPECT_EQ(missing.status.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("cannot open config file"));
}

TEST(Daemon, BadFlagsExitWithUsageError) {
  const auto unknown = run_daemon({"--web.listen=:1"});
  EXPECT_EQ(unknown.status.code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("unknown flag --web.listen"));
  const auto bad_level = run_daemon({"--log.level=loud", "--config.check"});
  EXPECT_EQ(bad_level.status.code, 1);
  EXPECT_THAT(bad_level.err, HasSubstr("log.level: \"loud\" is not one of"));
  const auto help = run_daemon({"--help"});
  EXPECT_EQ(help.status.code, 0);
  EXPECT_THAT(help.out, HasSubstr("--web.telemetry-path"));
}

TEST(Daemon, MissingSecretFileIsAConfigErrorAndSecretsNeverReachTheLog) {
  const auto missing = write_temp_file("missing-secret.yml",
                                       "redis:\n  - name: r\n    address: 127.0.0.1:1\n"
                                       "    password_file: /nonexistent/secret\n");
  const auto result = run_daemon({"--config.file=" + missing.string()});
  EXPECT_EQ(result.status.code, 1);
  EXPECT_THAT(result.err, HasSubstr("cannot read secret file /nonexistent/secret"));

  const std::string secret = "pw-" + unique_name("s3cret");
  DaemonOptions options;
  options.config_yaml =
      "kafka:\n  - name: k\n    bootstrap_servers: [127.0.0.1:1]\n"
      "    sasl: {username: monitor, password_env: MSGWATCH_TEST_SASL}\n"
      "redis:\n  - name: r\n    address: " +
      redis_address() + "\n    password_env: MSGWATCH_TEST_REDIS_PW\n";
  options.env = {{"MSGWATCH_TEST_SASL", secret}, {"MSGWATCH_TEST_REDIS_PW", secret}};
  options.log_level = "trace";
  DaemonProcess daemon(options);
  daemon.wait_ready();
  daemon.stop();
  EXPECT_THAT(daemon.log(), HasSubstr("env:MSGWATCH_TEST_SASL"));
  EXPECT_THAT(daemon.log(), Not(HasSubstr(secret)));
}

TEST(Daemon, ServesEndpointsAndGzipWhileKafkaIsUnreachable) {
  // Nothing listens on the port: the daemon must start, serve, and mark the probe failed.
  DaemonProcess daemon("kafka:\n  - name: nowhere\n    bootstrap_servers: [127.0.0.1:" +
                       std::to_string(free_loopback_port()) + "]\n    lag: {interval: 1s, timeout: 1s}\n");
  daemon.wait_ready();
  EXPECT_EQ(daemon.get("/-/healthy").status, 200);
  EXPECT_EQ(daemon.get("/").status, 200);
  EXPECT_EQ(daemon.get("/nope").status, 404);
  const auto plain = daemon.get("/metrics");
  EXPECT_EQ(plain.status, 200);
  EXPECT_THAT(plain.header("Content-Type").value_or(""), HasSubstr("text/plain; version=0.0.4"));
  const auto metrics = Exposition::parse(plain.body);
  EXPECT_EQ(metrics.value("msgwatch_probe_success", {{"probe", "kafka_lag"}, {"cluster", "nowhere"}}), 0.0);
  EXPECT_EQ(
      metrics.value("msgwatch_probe_last_success_timestamp_seconds", {{"probe", "kafka_lag"}, {"cluster", "nowhere"}}),
      0.0);
  EXPECT_TRUE(metrics.has_family("msgwatch_build_info"));
  EXPECT_FALSE(metrics.has_family("kafka_brokers"));

  const auto zipped = daemon.get("/metrics", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(zipped.header("Content-Encoding"), "gzip");
  // Same rendering, unless a cycle ended between the two requests: compare the families.
  EXPECT_EQ(Exposition::parse(gunzip(zipped.body)).family_names(), metrics.family_names());
  daemon.stop();
}

// --web.config.file with basic_auth_users: every endpoint asks for the credentials, a wrong
// or missing one gets 401 and nothing else, the right one everything.
// Polls /-/ready with `credentials` until it answers 200.
void wait_ready_with(DaemonProcess& daemon, const HttpHeaders& credentials) {
  wait_until(
      [&] {
        try {
          return daemon.get("/-/ready", credentials).status == 200;
        } catch (const std::exception&) {
          if (!daemon.running()) throw std::runtime_error("the daemon exited:\n" + daemon.log_tail());
          return false;  // not listening yet
        }
      },
      60s, "ready, asked with credentials");
}

TEST(Daemon, BasicAuthGuardsEveryEndpointAndLeaksNothing) {
  const auto web = write_temp_file(
      "web.yml", "basic_auth_users:\n  prometheus: $2b$04$5YTNHdmj7R6TlqnOZ3FSP./3QZswS62k5zR6IzZDVlj5pF9kWC4xa\n");
  const auto bad = write_temp_file("bad-web.yml", "basic_auth_users:\n  prometheus: scrape-pw\n");
  const auto refused = run_daemon({"--config.check", "--web.config.file=" + bad.string()});
  EXPECT_EQ(refused.status.code, 1);
  EXPECT_THAT(refused.err, HasSubstr("basic_auth_users.prometheus: expected a bcrypt hash"));

  DaemonOptions options;
  options.config_yaml =
      "redis:\n  - name: r\n    address: " + redis_address() + "\n    interval: 1s\n    timeout: 1s\n";
  options.extra_args = {"--web.config.file=" + web.string()};
  DaemonProcess daemon(options);
  const HttpHeaders right{{"Authorization", "Basic cHJvbWV0aGV1czpzY3JhcGUtcHc="}};  // prometheus:scrape-pw
  const HttpHeaders wrong{{"Authorization", "Basic cHJvbWV0aGV1czpzY3JhcGUtcHg="}};  // prometheus:scrape-px
  wait_ready_with(daemon, right);
  for (const std::string path : {"/metrics", "/", "/-/healthy", "/-/ready", "/nope"}) {
    for (const auto& headers : {HttpHeaders{}, wrong}) {
      const auto response = daemon.get(path, headers);
      EXPECT_EQ(response.status, 401) << path;
      EXPECT_EQ(response.body, "Unauthorized\n") << path;
      EXPECT_EQ(response.header("WWW-Authenticate"), "Basic realm=\"msgwatch\"") << path;
    }
  }
  const auto metrics = daemon.get("/metrics", right);
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(Exposition::parse(metrics.body).value("msgwatch_probe_success", {{"probe", "redis"}, {"cluster", "r"}}),
            1.0);
  EXPECT_EQ(daemon.get("/nope", right).status, 404);
  daemon.stop();
  EXPECT_THAT(daemon.log(), Not(HasSubstr("$2b$04$"))) << "the hashes stay out of the log";
}

// A bcrypt check takes tens of milliseconds by design (an unknown user's costs one at cost
// 10): a burst of wrong credentials must not hold up a scraper whose credentials passed.
// Asserted by order, not by time: the scraper's answer comes back while most of the burst,
// sent before it, still waits for its checks.
TEST(Daemon, AFloodOfWrongCredentialsDoesNotHoldUpARememberedScraper) {
  const auto web = write_temp_file(
      "web.yml", "basic_auth_users:\n  prometheus: $2b$04$5YTNHdmj7R6TlqnOZ3FSP./3QZswS62k5zR6IzZDVlj5pF9kWC4xa\n");
  DaemonOptions options;
  options.extra_args = {"--web.config.file=" + web.string()};
  DaemonProcess daemon(options);
  const HttpHeaders right{{"Authorization", "Basic cHJvbWV0aGV1czpzY3JhcGUtcHc="}};  // prometheus:scrape-pw
  const HttpHeaders unknown{{"Authorization", "Basic bm9ib2R5OnNjcmFwZS1wdw=="}};    // nobody:scrape-pw
  wait_ready_with(daemon, right);
  constexpr int kBurst = 16;
  std::atomic<int> answered{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> burst;
  for (int i = 0; i < kBurst; ++i) {
    burst.emplace_back([&] {
      try {
        if (daemon.get("/metrics", unknown, 60s).status == 401) ++refused;
      } catch (const std::exception&) {  // counted by `refused`
      }
      ++answered;
    });
  }
  wait_until([&] { return answered >= 1; }, 30s, "the first of the burst to be answered");
  EXPECT_EQ(daemon.get("/metrics", right).status, 200);
  const int waiting = kBurst - answered;
  for (auto& thread : burst) thread.join();
  std::cout << "the remembered scraper answered while " << waiting << " of " << kBurst
            << " requests with unknown credentials waited\n";
  EXPECT_EQ(refused, kBurst);
  EXPECT_GE(waiting, kBurst / 2) << "the scraper waited behind the burst's checks";
  daemon.stop();
}

TEST(Daemon, KeepsServingLastGoodDataWhileKafkaIsDownAndRecoversByItself) {
  OwnKafka kafka;
  const auto topic = unique_name("survivor");
  {
    KafkaAdmin admin(kafka.bootstrap());
    admin.create_topic(topic, 2);
  }
  produce_messages(kafka.bootstrap(), topic, 0, 42);
  commit_offsets(kafka.bootstrap(), "survivor-group", {{topic, 0, 40}});
  // stale_after well beyond the broker's shutdown: stop_node returns once the JVM has exited,
  // which on a loaded machine can take longer than three intervals.
  DaemonProcess daemon("kafka:\n  - name: own\n    bootstrap_servers: [" + kafka.bootstrap() +
                       "]\n    lag: {interval: 1s, timeout: 1s, stale_after: 60s}\n");
  daemon.wait_ready();
  const Labels lag{{"cluster", "own"}, {"consumergroup", "survivor-group"}, {"topic", topic}, {"partition", "0"}};
  daemon.wait_for_value("kafka_consumergroup_lag", lag, 2);
  daemon.wait_for_value("msgwatch_probe_success", {{"probe", "kafka_lag"}, {"cluster", "own"}}, 1);

  kafka.stop_node(0);
  const auto down =
      daemon.wait_for_value("msgwatch_probe_success", {{"probe", "kafka_lag"}, {"cluster", "own"}}, 0, 60s);
  EXPECT_EQ(down.value("kafka_consumergroup_lag", lag), 2.0) << "the last good data stays on /metrics";
  EXPECT_EQ(daemon.get("/-/ready").status, 200);

  kafka.start_node(0);
  daemon.wait_for_value("msgwatch_probe_success", {{"probe", "kafka_lag"}, {"cluster", "own"}}, 1, 120s);
  produce_messages(kafka.bootstrap(), topic, 0, 8);
  daemon.wait_for_value("kafka_consumergroup_lag", lag, 10, 60s);
  EXPECT_TRUE(daemon.running());
  daemon.stop();
}

}  // namespace
}  // namespace msgwatch::test
