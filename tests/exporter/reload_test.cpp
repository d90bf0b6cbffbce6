// A configuration reload as an operator does it: edit the file, then SIGHUP or
// POST /-/reload. A target whose section did not change keeps running with its history
// (status windows, counters, live instruments); a removed one leaves the page, a new one
// starts; an invalid file changes nothing and says why.

#include "support/daemon_process.hpp"
#include "support/http_client.hpp"
#include "support/kafka_admin.hpp"
#include "support/kafka_group.hpp"
#include "support/kafka_producer.hpp"
#include "support/test_environment.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

namespace msgwatch::test {
namespace {

using ::testing::HasSubstr;

void rewrite(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

std::string redis_target(const std::string& name) {
  return "redis:\n  - name: " + name + "\n    address: " + redis_address() + "\n    interval: 1s\n    timeout: 1s\n";
}

Labels probe(const std::string& kind, const std::string& cluster) { return {{"probe", kind}, {"cluster", cluster}}; }

TEST(Reload, KeepsWhatDidNotChangeStartsWhatIsNewAndStopsWhatIsGone) {
  const auto topic = unique_name("reload");
  const auto group = unique_name("reload-group");
  KafkaAdmin(kafka_bootstrap()).create_topic(topic, 1);
  produce_messages(kafka_bootstrap(), topic, 0, 20);
  commit_offsets(kafka_bootstrap(), group, {{topic, 0, 5}});
  // The same Kafka section twice, in two layouts: a reload sees no change in it.
  const auto kafka_block = "kafka:\n  - name: k\n    bootstrap_servers: [" + kafka_bootstrap() +
                           "]\n    lag:\n      interval: 1s\n      timeout: 1s\n      status_window: 3\n"
                           "      topics: {include: [" +
                           topic + "]}\n      groups: {include: [" + group + "]}\n";
  const auto kafka_flow = "kafka: [{name: k, bootstrap_servers: ['" + kafka_bootstrap() +
                          "'],  # reformatted\n  lag: {groups: {include: ['" + group + "']}, topics: {include: ['" +
                          topic + "']}, status_window: 3, timeout: 1s, interval: 1s}}]\n";
  DaemonOptions options;
  options.config_yaml = kafka_block + redis_target("r1");
  options.extra_args = {"--web.enable-lifecycle"};
  DaemonProcess daemon(options);
  daemon.wait_ready();
  const Labels status{{"cluster", "k"}, {"consumergroup", group}};
  const Labels metadata_requests{{"cluster", "k"}, {"api", "Metadata"}};
  auto metrics = daemon.wait_for_metrics(
      [&](const Exposition& m) { return m.value("kafka_consumergroup_status", status) ? "" : "no status yet"; }, 60s,
      "the group's status (a window of 3 observations)");
  const auto requests_before = metrics.value("msgwatch_kafka_requests_total", metadata_requests).value_or(0);
  EXPECT_GT(requests_before, 0);
  EXPECT_EQ(metrics.value("msgwatch_config_last_reload_successful"), 1.0);

  rewrite(daemon.config_path(), kafka_flow + redis_target("r2"));
  ASSERT_EQ(::kill(daemon.pid(), SIGHUP), 0);
  bool status_missing = false;
  metrics = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        status_missing = status_missing || !m.value("kafka_consumergroup_status", status);
        return m.value("msgwatch_probe_success", probe("redis", "r2")) &&
                       !m.value("msgwatch_probe_success", probe("redis", "r1"))
                   ? ""
                   : "r1 still there or r2 not yet";
      },
      30s, "r2 in place of r1");
  EXPECT_FALSE(status_missing) << "the kept target's status window went on, never restarted";
  EXPECT_TRUE(metrics.samples_named("redis_up").size() == 1 &&
              metrics.value("redis_up", {{"cluster", "r2"}, {"node", redis_address()}}))
      << "only r2's series";
  EXPECT_GE(metrics.value("msgwatch_kafka_requests_total", metadata_requests).value_or(0), requests_before)
      << "the kept target's live instruments were not reset";
  EXPECT_THAT(daemon.log(),
              HasSubstr("msg=\"configuration reloaded\" targets_kept=1 targets_started=1 targets_stopped=1"));

  // An invalid file: the running configuration stays, the failure is logged and exported.
  rewrite(daemon.config_path(), kafka_flow + redis_target("r3") + "    bogus: 1\n");
  ASSERT_EQ(::kill(daemon.pid(), SIGHUP), 0);
  metrics = daemon.wait_for_value("msgwatch_config_last_reload_successful", {}, 0.0, 30s);
  EXPECT_TRUE(metrics.value("msgwatch_probe_success", probe("redis", "r2")));
  EXPECT_FALSE(metrics.value("msgwatch_probe_success", probe("redis", "r3")));
  EXPECT_TRUE(metrics.value("kafka_consumergroup_status", status));
  EXPECT_THAT(daemon.log(), HasSubstr("configuration reload failed: the running configuration is kept"));
  EXPECT_THAT(daemon.log(), HasSubstr("redis[0].bogus"));

  // POST /-/reload answers what happened: 500 and why for the invalid file, 200 once fixed.
  const auto post = [&] { return http_request("POST", "127.0.0.1", daemon.port(), "/-/reload"); };
  const auto refused = post();
  EXPECT_EQ(refused.status, 500);
  EXPECT_THAT(refused.body, HasSubstr("failed to reload config: "));
  EXPECT_THAT(refused.body, HasSubstr("redis[0].bogus"));
  EXPECT_EQ(daemon.get("/-/reload").status, 405) << "a reload is never a GET";
  rewrite(daemon.config_path(), kafka_block + redis_target("r3"));
  EXPECT_EQ(post().status, 200);
  metrics = daemon.wait_for_metrics(
      [&](const Exposition& m) {
        return m.value("msgwatch_probe_success", probe("redis", "r3")) &&
                       m.value("msgwatch_config_last_reload_successful") == 1.0
                   ? ""
                   : "r3 not yet";
      },
      30s, "r3 after POST /-/reload");
  EXPECT_FALSE(metrics.value("msgwatch_probe_success", probe("redis", "r2")));
  EXPECT_TRUE(metrics.value("kafka_consumergroup_status", status));
  daemon.stop();
}

// Without --web.enable-lifecycle the endpoint refuses (SIGHUP still reloads).
TEST(Reload, ThroughHttpOnlyWhenEnabled) {
  DaemonProcess daemon(redis_target("r"));
  daemon.wait_ready();
  const auto refused = http_request("POST", "127.0.0.1", daemon.port(), "/-/reload");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.body, "Lifecycle API is not enabled.\n");
  rewrite(daemon.config_path(), redis_target("s"));
  ASSERT_EQ(::kill(daemon.pid(), SIGHUP), 0);
  daemon.wait_for_metrics(
      [](const Exposition& m) { return m.value("msgwatch_probe_success", probe("redis", "s")) ? "" : "s not yet"; },
      30s, "s after SIGHUP");
  daemon.stop();
}

}  // namespace
}  // namespace msgwatch::test
