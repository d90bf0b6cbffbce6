// The dashboards against a real Prometheus that scrapes the daemon in a scenario with every
// probe at work: consumer groups behind and keeping up (one read_committed), a long-running
// open transaction, the canary with its transactional half and messages in a production
// topic, a Redis primary with a job stream, expiring cache keys, a key group, slow commands
// and failed ones, and its replica (discovered from the primary); a Redis Cluster of three
// primaries, found from one of them.
// Every panel query must be accepted, and every panel must show data unless
// tests/dashboards/panels_without_data.txt says why this scenario cannot show it.

#include "support/alerting_stack.hpp"
#include "support/daemon_process.hpp"
#include "support/kafka_admin.hpp"
#include "support/kafka_group.hpp"
#include "support/kafka_producer.hpp"
#include "support/test_environment.hpp"
#include "tests/redis/redis_cluster_rig.hpp"
#include "tests/redis/test_support.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <filesystem>
#include <stdexcept>
#include <thread>

namespace msgwatch::test {
namespace {

using redis::test::RedisNodeClient;

// Keys that expire, in a key group; a stream with a consumer group that leaves entries
// pending; a script that runs 50 ms whatever the machine's speed (slow log, latency monitor).
void fill_redis(const std::string& address) {
  RedisNodeClient redis(address, 10s);
  for (int i = 0; i < 500; ++i)
    redis.command({"SET", "cache:" + std::to_string(i), "value", "EX", std::to_string(60 + i)});
  for (int i = 0; i < 20; ++i) redis.command({"SET", "cache:forever:" + std::to_string(i), "value"});
  redis.command({"XGROUP", "CREATE", "jobs", "workers", "$", "MKSTREAM"});
  for (int i = 0; i < 10; ++i) redis.command({"XADD", "jobs", "*", "job", std::to_string(i)});
  redis.command({"XREADGROUP", "GROUP", "workers", "w1", "COUNT", "3", "STREAMS", "jobs", ">"});
  redis.command({"SET", "counter", "not-a-number"});
  redis.command({"EVAL",
                 "local t = redis.call('TIME') local start = t[1] * 1e6 + t[2] "
                 "repeat t = redis.call('TIME') until t[1] * 1e6 + t[2] - start > 50000 return 1",
                 "0"});
  if (redis.command({"LATENCY", "LATEST"})->elements == 0) {
    throw std::runtime_error("the 50 ms script left no latency spike on " + address);
  }
}

// A command that fails and one that is rejected, so that their rates move.
void fail_commands(const std::string& address) {
  RedisNodeClient redis(address, 10s);
  const auto replies = redis.pipeline({{"INCR", "counter"},  // fails: not an integer
                                       {"GET"}});            // rejected: wrong number of arguments
  for (const auto& reply : replies) {
    if (reply->type != REDIS_REPLY_ERROR) throw std::runtime_error("a command meant to fail succeeded");
  }
}

TEST(DashboardsEndToEnd, EveryPanelShowsDataOfARealScenarioOrSaysWhyNot) {
  KafkaAdmin admin(kafka_bootstrap());
  const auto topic = unique_name("orders");
  admin.create_topic(topic, 2);
  produce_messages(kafka_bootstrap(), topic, 0, 100);
  produce_messages(kafka_bootstrap(), topic, 1, 100);
  const auto prefix = unique_name("dash");
  ActiveConsumer keeping_up(kafka_bootstrap(), prefix + "-shipping", {topic});
  keeping_up.wait_until_assigned(60s, 2);
  keeping_up.commit({{topic, 0, 100}, {topic, 1, 100}});
  commit_offsets(kafka_bootstrap(), prefix + "-billing", {{topic, 0, 40}, {topic, 1, 70}});
  KafkaProducer open(kafka_bootstrap(), {unique_name("dash-txn"), {}});
  open.begin_transaction();
  open.produce(topic, 1, 5);  // left open: the transaction panels have a subject

  redis::test::RedisServerProcess redis(
      {"maxmemory 64mb", "maxmemory-policy allkeys-lru", "slowlog-log-slower-than 0", "latency-monitor-threshold 1"});
  redis::test::RedisServerProcess replica({"replicaof 127.0.0.1 " + std::to_string(redis.port())});
  fill_redis(redis.address());
  const redis::test::RedisClusterRig redis_cluster(3, 0);
  const auto canary_topic = unique_name("dash-canary");
  const std::string kafka_settings =
      "      topics: {include: ['" + topic + "', '" + canary_topic + "']}\n      groups: {include: ['" + prefix +
      ".*']}\n      read_committed_groups: {include: ['" + prefix +
      "-billing']}\n    transactions:\n      long_running_after: 5s\n    canary:\n      enabled: true\n"
      "      topic: " +
      canary_topic +
      "\n      interval: 1s\n      transactions:\n        enabled: true\n        abort_every: 3\n"
      "      production:\n        topics: {include: ['" +
      topic + "']}\n        groups: ['" + prefix + "-shipping']\n";
  const std::string redis_settings = "\n    interval: 1s\n    timeout: 1s\n";
  DaemonProcess daemon(kafka_lag_config(kafka_bootstrap(), kafka_settings) +
                       "redis:\n  - name: cache\n    address: " + redis.address() + redis_settings +
                       "    queues: [jobs]\n    key_groups:\n      - {name: cache, pattern: \"cache:*\"}\n"
                       "  - name: sessions\n    address: " +
                       redis_cluster.address(0) + redis_settings);
  daemon.wait_ready();
  AlertingStack stack(daemon.listen_address());
  // Enough samples for every rate() and histogram_quantile(), and a transaction old enough.
  stack.wait_for_query("kafka_canary_transactions_total{outcome=\"aborted\"} > 0", 90s);
  for (int i = 0; i < 15; ++i) {
    produce_messages(kafka_bootstrap(), topic, 0, 2);
    keeping_up.commit({{topic, 0, 102 + 2 * i}, {topic, 1, 100}});
    fail_commands(redis.address());
    std::this_thread::sleep_for(1s);
  }

  const auto dashboards_dir = repo_root() / "dashboards";
  std::vector<std::string> argv{"python3", (repo_root() / "tests" / "dashboards" / "query_dashboards.py").string(),
                                stack.prometheus_url(),
                                (repo_root() / "tests" / "dashboards" / "panels_without_data.txt").string()};
  for (const auto& entry : std::filesystem::directory_iterator(dashboards_dir)) {
    if (entry.path().extension() == ".json") argv.push_back(entry.path().string());
  }
  const auto result = run_process(argv, 120s);
  std::cout << result.out;
  EXPECT_TRUE(result.status.success()) << result.describe();
  open.abort_transaction();
  daemon.stop();
}

}  // namespace
}  // namespace msgwatch::test
