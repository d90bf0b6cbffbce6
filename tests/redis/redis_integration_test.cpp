// The probe against real redis-server processes. The shared server named by
// MSGWATCH_TEST_REDIS_ADDRESS (started by the test script) is compared with an independent
// oracle: INFO and DBSIZE read over a separate hiredis connection. Password and restart cases
// start their own redis-server on a free loopback port and stop it by pid.

#include "probes/redis/redis_probe.hpp"
#include "tests/redis/redis_cluster_rig.hpp"
#include "tests/redis/test_support.hpp"
#include "tests/support/process.hpp"
#include "tests/support/wait.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>

namespace msgwatch::redis {
namespace {

using namespace std::chrono_literals;
using test::collect;
using test::value_of;

// The oracle: a plain synchronous hiredis connection, nothing shared with the probe's client.
class Oracle {
 public:
  explicit Oracle(const std::string& address, const std::string& password = "") : client_(address) {
    if (!password.empty()) run({"AUTH", password});
  }

  test::RedisReplyPtr run(const std::vector<std::string>& args) { return client_.command(args); }

  std::string info_field(const std::string& field) {
    const auto reply = run({"INFO", "ALL"});
    const std::string text(reply->str, reply->len);
    const auto at = text.find("\r\n" + field + ":");
    if (at == std::string::npos) throw std::runtime_error("oracle: INFO has no " + field);
    const auto start = at + field.size() + 3;
    return text.substr(start, text.find("\r\n", start) - start);
  }
  double info_number(const std::string& field) { return std::stod(info_field(field)); }
  // "db0:keys=1000,expires=300,avg_ttl=..." -> keys
  double keyspace_keys(const std::string& db) {
    const auto line = info_field(db);
    return std::stod(line.substr(5, line.find(',') - 5));
  }
  long long integer(const std::vector<std::string>& args) { return run(args)->integer; }

  // Sends `count` commands made by `make(i)`, pipelined in batches: a million keys in seconds.
  void pipeline(std::size_t count, const std::function<std::vector<std::string>(std::size_t)>& make) {
    constexpr std::size_t kBatch = 10000;
    for (std::size_t start = 0; start < count; start += kBatch) {
      std::vector<std::vector<std::string>> batch;
      for (std::size_t i = start; i < std::min(count, start + kBatch); ++i) batch.push_back(make(i));
      for (const auto& reply : client_.pipeline(batch)) {
        if (reply->type == REDIS_REPLY_ERROR) throw std::runtime_error(std::string("oracle: ") + reply->str);
      }
    }
  }

 private:
  test::RedisNodeClient client_;
};

RedisTarget target_for(const std::string& address) {
  RedisTarget target;
  target.name = "cache";
  target.addresses = {address};
  return target;
}

// Tests against the shared Redis. Nothing is skipped: without the address the tests fail.
class SharedRedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* address = std::getenv("MSGWATCH_TEST_REDIS_ADDRESS");
    if (address == nullptr || *address == '\0') {
      FAIL() << "MSGWATCH_TEST_REDIS_ADDRESS is not set: it must name a redis-server (host:port) that these tests "
                "may flush and reconfigure; the test script starts one";
    }
    address_ = address;
    oracle_ = std::make_unique<Oracle>(address_);
    saved_maxmemory_ = oracle_->run({"CONFIG", "GET", "maxmemory"})->element[1]->str;
    saved_policy_ = oracle_->run({"CONFIG", "GET", "maxmemory-policy"})->element[1]->str;
    oracle_->run({"FLUSHALL"});
    probe_ = make_redis_probe(target_for(address_));
  }

  void TearDown() override {
    if (oracle_ == nullptr) return;
    oracle_->run({"CONFIG", "SET", "maxmemory", saved_maxmemory_});
    oracle_->run({"CONFIG", "SET", "maxmemory-policy", saved_policy_});
    oracle_->run({"FLUSHALL"});
  }

  SeriesSet collect_ok() {
    auto result = collect(io_, *probe_, address_);
    EXPECT_EQ(result.error, "");
    return std::move(result.families);
  }

  boost::asio::io_context io_;
  std::string address_;
  std::unique_ptr<Oracle> oracle_;
  std::unique_ptr<Probe> probe_;
  std::string saved_maxmemory_;
  std::string saved_policy_;
};

TEST_F(SharedRedisTest, InstanceInfoMatchesTheOracle) {
  const auto families = collect_ok();
  EXPECT_EQ(value_of(families, "redis_up"), 1);
  const auto labels = test::labels_of(families, "redis_instance_info");
  ASSERT_FALSE(labels.empty());
  EXPECT_EQ(labels.at("redis_version"), oracle_->info_field("redis_version"));
  EXPECT_EQ(labels.at("run_id"), oracle_->info_field("run_id"));
  EXPECT_EQ(labels.at("role"), "master");
  EXPECT_EQ(labels.at("maxmemory_policy"), saved_policy_);
  EXPECT_EQ(value_of(families, "redis_uptime_in_seconds").has_value(), true);
  EXPECT_TRUE(test::find_family(families, "redis_commands_total") != nullptr) << "INFO ALL has Commandstats";
  EXPECT_EQ(value_of(families, "redis_config_io_threads"),
            std::stod(oracle_->run({"CONFIG", "GET", "io-threads"})->element[1]->str));
}

TEST_F(SharedRedisTest, KeyCountsAreExact) {
  for (int i = 0; i < 1000; ++i) {
    if (i < 300) {
      oracle_->run({"SET", "dedup:" + std::to_string(i), "1", "EX", "3600"});
    } else {
      oracle_->run({"SET", "dedup:" + std::to_string(i), "1"});
    }
  }
  oracle_->run({"SELECT", "5"});
  for (int i = 0; i < 25; ++i) oracle_->run({"SET", "queue:" + std::to_string(i), "x", "EX", "600"});
  oracle_->run({"SELECT", "0"});

  const auto families = collect_ok();
  EXPECT_EQ(value_of(families, "redis_db_keys", {{"db", "db0"}}), 1000);
  EXPECT_EQ(value_of(families, "redis_db_keys_expiring", {{"db", "db0"}}), 300);
  EXPECT_EQ(value_of(families, "redis_db_keys", {{"db", "db5"}}), 25);
  EXPECT_EQ(value_of(families, "redis_db_keys_expiring", {{"db", "db5"}}), 25);
  EXPECT_EQ(value_of(families, "redis_db_keys", {{"db", "db0"}}), oracle_->keyspace_keys("db0"));
  EXPECT_EQ(value_of(families, "redis_db_keys", {{"db", "db1"}}), std::nullopt);
  const auto ttl = value_of(families, "redis_db_avg_ttl_seconds", {{"db", "db0"}});
  ASSERT_TRUE(ttl.has_value());
  EXPECT_GE(*ttl, 0);
  EXPECT_LE(*ttl, 3600);

  // A database that empties disappears from the output at the next cycle.
  oracle_->run({"SELECT", "5"});
  oracle_->run({"FLUSHDB"});
  oracle_->run({"SELECT", "0"});
  const auto after = collect_ok();
  EXPECT_EQ(value_of(after, "redis_db_keys", {{"db", "db5"}}), std::nullopt);
  EXPECT_EQ(value_of(after, "redis_db_keys", {{"db", "db0"}}), 1000);
}

// Queues named in the configuration: exact lengths every cycle, and a stream's consumer
// groups as XINFO GROUPS and XPENDING (the oracle's own connection) report them.
TEST_F(SharedRedisTest, QueueLengthsAndStreamGroupsAreWhatRedisSays) {
  for (int i = 0; i < 7; ++i) oracle_->run({"RPUSH", "jobs:list", "job-" + std::to_string(i)});
  for (int i = 0; i < 3; ++i) oracle_->run({"ZADD", "jobs:delayed", std::to_string(i), "job-" + std::to_string(i)});
  for (int i = 0; i < 10; ++i) oracle_->run({"XADD", "jobs:stream", "*", "n", std::to_string(i)});
  oracle_->run({"SET", "jobs:string", "x"});
  oracle_->run({"XGROUP", "CREATE", "jobs:stream", "workers", "0"});
  oracle_->run({"XGROUP", "CREATE", "jobs:stream", "caught-up", "$"});
  // "workers" takes 4 entries and acknowledges 1: 3 pending, 6 not delivered yet.
  const auto read = oracle_->run({"XREADGROUP", "GROUP", "workers", "w1", "COUNT", "4", "STREAMS", "jobs:stream", ">"});
  const std::string first_id = read->element[0]->element[1]->element[0]->element[0]->str;
  oracle_->run({"XACK", "jobs:stream", "workers", first_id});

  auto target = target_for(address_);
  target.queues = {"jobs:list", "jobs:delayed", "jobs:stream", "jobs:missing", "jobs:string"};
  probe_ = make_redis_probe(target);
  const auto families = collect_ok();
  EXPECT_EQ(value_of(families, "redis_key_size", {{"key", "jobs:list"}, {"type", "list"}}), 7);
  EXPECT_EQ(value_of(families, "redis_key_size", {{"key", "jobs:delayed"}, {"type", "zset"}}), 3);
  EXPECT_EQ(value_of(families, "redis_key_size", {{"key", "jobs:stream"}, {"type", "stream"}}), 10);
  EXPECT_EQ(value_of(families, "redis_key_size", {{"key", "jobs:missing"}, {"type", "none"}}), 0)
      << "an empty queue: Redis deletes empty lists";
  EXPECT_EQ(value_of(families, "redis_key_size", {{"key", "jobs:string"}, {"type", "string"}}), std::nullopt)
      << "not a queue";

  const auto groups = oracle_->run({"XINFO", "GROUPS", "jobs:stream"});
  ASSERT_EQ(groups->elements, 2U);
  for (std::size_t g = 0; g < groups->elements; ++g) {
    std::map<std::string, redisReply*> fields;
    for (std::size_t i = 0; i + 1 < groups->element[g]->elements; i += 2) {
      fields[groups->element[g]->element[i]->str] = groups->element[g]->element[i + 1];
    }
    const std::string name = fields.at("name")->str;
    const test::LabelMap labels{{"stream", "jobs:stream"}, {"group", name}};
    EXPECT_EQ(value_of(families, "redis_stream_group_consumers", labels), fields.at("consumers")->integer) << name;
    EXPECT_EQ(value_of(families, "redis_stream_group_messages_pending", labels), fields.at("pending")->integer) << name;
    EXPECT_EQ(value_of(families, "redis_stream_group_lag", labels), fields.at("lag")->integer) << name;
  }
  const test::LabelMap workers{{"stream", "jobs:stream"}, {"group", "workers"}};
  EXPECT_EQ(value_of(families, "redis_stream_group_messages_pending", workers), 3);
  EXPECT_EQ(value_of(families, "redis_stream_group_lag", workers), 6);
  const auto idle = value_of(families, "redis_stream_group_oldest_pending_idle_seconds", workers);
  ASSERT_TRUE(idle.has_value());
  EXPECT_GE(*idle, 0);
  EXPECT_LT(*idle, 60);
  EXPECT_EQ(value_of(families, "redis_stream_group_oldest_pending_idle_seconds",
                     {{"stream", "jobs:stream"}, {"group", "caught-up"}}),
            std::nullopt)
      << "nothing pending";

  // The queue drains: the list goes, and its length reads 0.
  oracle_->run({"DEL", "jobs:list"});
  const auto after = collect_ok();
  EXPECT_EQ(value_of(after, "redis_key_size", {{"key", "jobs:list"}, {"type", "none"}}), 0);
  EXPECT_EQ(value_of(after, "redis_key_size", {{"key", "jobs:list"}, {"type", "list"}}), std::nullopt);
}

// The slow log and the latency monitor as Redis keeps them: a 50 ms Lua busy loop is a slow
// command and a "command" latency spike once both thresholds are low enough.
TEST_F(SharedRedisTest, SlowCommandsAndLatencySpikesAreWhatRedisRecorded) {
  const auto saved_slower_than =
      std::string(oracle_->run({"CONFIG", "GET", "slowlog-log-slower-than"})->element[1]->str);
  const auto saved_threshold =
      std::string(oracle_->run({"CONFIG", "GET", "latency-monitor-threshold"})->element[1]->str);
  oracle_->run({"SLOWLOG", "RESET"});
  oracle_->run({"LATENCY", "RESET"});
  oracle_->run({"CONFIG", "SET", "slowlog-log-slower-than", "20000"});  // 20 ms: only the busy loop
  oracle_->run({"CONFIG", "SET", "latency-monitor-threshold", "20"});
  oracle_->run({"EVAL",
                "local t = redis.call('TIME') local start = t[1] * 1e6 + t[2] "
                "repeat t = redis.call('TIME') until t[1] * 1e6 + t[2] - start > 50000 return 1",
                "0"});
  const auto families = collect_ok();
  const auto newest = oracle_->run({"SLOWLOG", "GET", "1"});
  const auto spikes = oracle_->run({"LATENCY", "LATEST"});
  oracle_->run({"CONFIG", "SET", "slowlog-log-slower-than", saved_slower_than});
  oracle_->run({"CONFIG", "SET", "latency-monitor-threshold", saved_threshold});

  EXPECT_EQ(value_of(families, "redis_slowlog_length"), 1);
  ASSERT_EQ(newest->elements, 1U);
  EXPECT_EQ(value_of(families, "redis_slowlog_last_id"), newest->element[0]->element[0]->integer);
  EXPECT_EQ(value_of(families, "redis_last_slow_execution_duration_seconds"),
            static_cast<double>(newest->element[0]->element[2]->integer) / 1e6);
  EXPECT_GE(*value_of(families, "redis_last_slow_execution_duration_seconds"), 0.05);
  ASSERT_EQ(spikes->elements, 1U);
  EXPECT_EQ(std::string(spikes->element[0]->element[0]->str), "command");
  EXPECT_EQ(value_of(families, "redis_latency_spike_duration_seconds", {{"event_name", "command"}}),
            static_cast<double>(spikes->element[0]->element[2]->integer) / 1e3);
  EXPECT_EQ(value_of(families, "redis_latency_spike_last", {{"event_name", "command"}}),
            static_cast<double>(spikes->element[0]->element[1]->integer));
}

// Key groups on a million keys of known patterns and TTLs, at the default sampling settings:
// every estimate within 10 % of the truth once a SCAN pass is complete.
TEST_F(SharedRedisTest, KeyGroupEstimatesAreWithinTenPercentOnAMillionKeys) {
  constexpr std::size_t kDedup = 500000;     // dedup:N, TTL one hour
  constexpr std::size_t kSessions = 300000;  // session:N, TTL ten minutes
  constexpr std::size_t kQueues = 150000;    // queue:N, no TTL
  constexpr std::size_t kOther = 50000;      // other:N, in no group
  const std::string value(40, 'v');
  oracle_->pipeline(kDedup + kSessions + kQueues + kOther, [&](std::size_t i) -> std::vector<std::string> {
    if (i < kDedup) return {"SET", "dedup:" + std::to_string(i), value, "EX", "3600"};
    i -= kDedup;
    if (i < kSessions) return {"SET", "session:" + std::to_string(i), value, "EX", "600"};
    i -= kSessions;
    if (i < kQueues) return {"SET", "queue:" + std::to_string(i), value};
    return {"SET", "other:" + std::to_string(i - kQueues), value};
  });
  ASSERT_EQ(oracle_->integer({"DBSIZE"}), 1000000);

  auto target = target_for(address_);
  target.key_groups = {{"dedup", "dedup:*"}, {"sessions", "session:*"}, {"queues", "queue:*"}};
  probe_ = make_redis_probe(target);
  SeriesSet families;
  int cycles = 0;
  // A pass takes at least 20 cycles (200 SCANs of 250 keys each); on a busy machine many more,
  // each cycle's SCANs being bounded by its 100 ms.
  constexpr int kMaxCycles = 1000;
  for (; cycles < kMaxCycles; ++cycles) {
    families = collect_ok();
    if (value_of(families, "msgwatch_redis_key_groups_pass_complete") == 1.0) break;
  }
  ASSERT_EQ(value_of(families, "msgwatch_redis_key_groups_pass_complete"), 1.0)
      << "no pass in " << kMaxCycles << " cycles";
  std::cout << "a SCAN pass over 1,000,000 keys took " << cycles + 1 << " cycles\n";
  EXPECT_GE(*value_of(families, "msgwatch_redis_key_groups_sample_keys"), 1000000);

  const auto near = [](std::optional<double> estimate, double truth, const std::string& what) {
    ASSERT_TRUE(estimate.has_value()) << what;
    EXPECT_NEAR(*estimate, truth, truth * 0.1 + 1) << what;
  };
  const std::map<std::string, std::pair<double, std::string>> groups{
      {"dedup", {kDedup, "dedup:1"}}, {"sessions", {kSessions, "session:1"}}, {"queues", {kQueues, "queue:1"}}};
  for (const auto& [group, truth] : groups) {
    const test::LabelMap labels{{"group", group}};
    near(value_of(families, "redis_key_group_keys", labels), truth.first, group + " keys");
    // Keys of one shape take the same memory: one key's MEMORY USAGE times the count.
    const double per_key = static_cast<double>(oracle_->integer({"MEMORY", "USAGE", truth.second}));
    near(value_of(families, "redis_key_group_memory_bytes", labels), per_key * truth.first, group + " memory");
  }
  near(value_of(families, "redis_key_group_keys_without_ttl", {{"group", "queues"}}), kQueues, "queues without TTL");
  EXPECT_EQ(value_of(families, "redis_key_group_keys_without_ttl", {{"group", "dedup"}}), 0);
  EXPECT_EQ(value_of(families, "redis_key_group_keys_ttl_at_most", {{"group", "dedup"}, {"le", "900"}}), 0);
  near(value_of(families, "redis_key_group_keys_ttl_at_most", {{"group", "dedup"}, {"le", "3600"}}), kDedup,
       "dedup TTL <= 3600");
  near(value_of(families, "redis_key_group_keys_ttl_at_most", {{"group", "sessions"}, {"le", "900"}}), kSessions,
       "sessions TTL <= 900");
  EXPECT_EQ(value_of(families, "redis_key_group_keys_ttl_at_most", {{"group", "sessions"}, {"le", "300"}}), 0);
}

TEST_F(SharedRedisTest, MaxmemoryAndUsedRatio) {
  oracle_->run({"CONFIG", "SET", "maxmemory", "104857600"});
  const auto families = collect_ok();
  EXPECT_EQ(value_of(families, "redis_memory_max_bytes"), 104857600);
  EXPECT_EQ(value_of(families, "redis_memory_max_bytes"), oracle_->info_number("maxmemory"));
  EXPECT_EQ(value_of(families, "redis_config_maxmemory"), 104857600);
  const auto used = value_of(families, "redis_memory_used_bytes");
  ASSERT_TRUE(used.has_value());
  EXPECT_GT(*used, 0);
  EXPECT_EQ(value_of(families, "redis_memory_used_ratio"), *used / 104857600.0);

  oracle_->run({"CONFIG", "SET", "maxmemory", "0"});
  const auto unlimited = collect_ok();
  EXPECT_EQ(value_of(unlimited, "redis_memory_max_bytes"), 0);
  EXPECT_EQ(value_of(unlimited, "redis_config_maxmemory"), 0);
  EXPECT_EQ(test::find_family(unlimited, "redis_memory_used_ratio"), nullptr);
}

// The cache of the first incident: allkeys-lru at its maxmemory evicts, and the probe reports
// exactly the evictions that happened: keys written minus keys left.
TEST_F(SharedRedisTest, EvictionsAreCountedExactly) {
  oracle_->run({"CONFIG", "RESETSTAT"});
  oracle_->run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"});
  const auto limit = static_cast<long long>(oracle_->info_number("used_memory")) + 2 * 1024 * 1024;
  oracle_->run({"CONFIG", "SET", "maxmemory", std::to_string(limit)});
  const std::string value(16 * 1024, 'v');
  const int written = 400;  // 6.4 MiB into a 2 MiB budget
  for (int i = 0; i < written; ++i) oracle_->run({"SET", "request:" + std::to_string(i), value});

  const auto during = collect_ok();
  EXPECT_EQ(value_of(during, "redis_memory_max_bytes"), static_cast<double>(limit));
  EXPECT_EQ(test::labels_of(during, "redis_instance_info").at("maxmemory_policy"), "allkeys-lru");
  // Full: Redis evicts to stay at its limit, so the pressure it computes is at (about) 1.
  const auto pressure = value_of(during, "redis_memory_eviction_pressure_ratio");
  ASSERT_TRUE(pressure.has_value());
  EXPECT_GT(*pressure, 0.9);
  EXPECT_LE(*pressure, 1.05);
  EXPECT_TRUE(value_of(during, "redis_eviction_exceeded_seconds_total").has_value());

  // Lift the limit so that no command, INFO included, evicts anything more.
  oracle_->run({"CONFIG", "SET", "maxmemory", "0"});
  const auto left = oracle_->integer({"DBSIZE"});
  const auto families = collect_ok();
  const auto evicted = value_of(families, "redis_evicted_keys_total");
  ASSERT_TRUE(evicted.has_value());
  EXPECT_GT(*evicted, 0);
  EXPECT_EQ(*evicted, static_cast<double>(written - left));
  EXPECT_EQ(*evicted, oracle_->info_number("evicted_keys"));
  EXPECT_EQ(value_of(families, "redis_db_keys", {{"db", "db0"}}), static_cast<double>(left));
  EXPECT_EQ(test::find_family(families, "redis_memory_eviction_pressure_ratio"), nullptr) << "no limit, no pressure";
}

// With noeviction a full Redis refuses writes with OOM: every refusal counts, exactly.
TEST_F(SharedRedisTest, OomRepliesAreCountedExactly) {
  oracle_->run({"CONFIG", "RESETSTAT"});
  oracle_->run({"CONFIG", "SET", "maxmemory-policy", "noeviction"});
  const auto before = collect_ok();
  EXPECT_EQ(value_of(before, "redis_errors_total", {{"err", "OOM"}}), 0) << "there at 0 before the first";

  const auto limit = static_cast<long long>(oracle_->info_number("used_memory")) + 1024 * 1024;
  oracle_->run({"CONFIG", "SET", "maxmemory", std::to_string(limit)});
  const std::string value(16 * 1024, 'v');
  int refused = 0;
  for (int i = 0; i < 200; ++i) {
    try {
      oracle_->run({"SET", "job:" + std::to_string(i), value});
    } catch (const std::runtime_error& e) {
      ASSERT_NE(std::string(e.what()).find("OOM"), std::string::npos) << e.what();
      ++refused;
    }
  }
  ASSERT_GT(refused, 100);  // 3.2 MiB into a 1 MiB budget
  const auto after = collect_ok();
  EXPECT_EQ(value_of(after, "redis_errors_total", {{"err", "OOM"}}), refused);
  EXPECT_EQ(value_of(after, "redis_evicted_keys_total"), 0);
}

TEST_F(SharedRedisTest, ConnectionIsKeptBetweenCycles) {
  const auto first = collect_ok();
  const auto second = collect_ok();
  // No new connection for the second cycle, and exactly one INFO and two CONFIG GETs (max*
  // and io-threads) between the two INFO replies (a command is counted after it ran, so INFO
  // never counts itself).
  EXPECT_EQ(value_of(second, "redis_connections_received_total"), value_of(first, "redis_connections_received_total"));
  const auto info_calls = [](const SeriesSet& families) {
    return value_of(families, "redis_commands_total", {{"cmd", "info"}}).value_or(-1);
  };
  EXPECT_EQ(info_calls(second) - info_calls(first), 1);
  EXPECT_EQ(value_of(second, "redis_commands_total", {{"cmd", "config|get"}}).value_or(-1) -
                value_of(first, "redis_commands_total", {{"cmd", "config|get"}}).value_or(-1),
            2);
  const auto clients = oracle_->run({"CLIENT", "LIST"});
  EXPECT_NE(std::string(clients->str, clients->len).find("name=msgwatch"), std::string::npos);
}

TEST(RedisIntegration, UnreachableServerFailsWithAClearError) {
  boost::asio::io_context io;
  const auto address = "127.0.0.1:" + std::to_string(test::free_loopback_port());
  auto probe = make_redis_probe(target_for(address));
  EXPECT_EQ(collect(io, *probe).error, "redis cache " + address + ": connect: Connection refused");
}

// ---- password-protected servers of their own ----

constexpr const char* kPassword = "correct horse battery staple";

RedisTarget protected_target(const test::RedisServerProcess& server) {
  auto target = target_for(server.address());
  target.password.source = config::Secret::Source::env;
  target.password.reference = "MSGWATCH_TEST_REDIS_PASSWORD";
  return target;
}

TEST(RedisIntegration, AuthWithPasswordFromFile) {
  test::RedisServerProcess server({std::string("requirepass \"") + kPassword + "\""});
  const auto path = ::testing::TempDir() + "redis_password";
  std::ofstream(path) << kPassword << "\n";  // a trailing newline, as editors leave it
  auto target = target_for(server.address());
  target.password.source = config::Secret::Source::file;
  target.password.reference = path;
  boost::asio::io_context io;
  auto probe = make_redis_probe(target);
  const auto result = collect(io, *probe, server.address());
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(value_of(result.families, "redis_up"), 1);
}

TEST(RedisIntegration, AuthWithPasswordFromEnvironment) {
  test::RedisServerProcess server({std::string("requirepass \"") + kPassword + "\""});
  ::setenv("MSGWATCH_TEST_REDIS_PASSWORD", kPassword, 1);
  boost::asio::io_context io;
  auto probe = make_redis_probe(protected_target(server));
  const auto result = collect(io, *probe, server.address());
  ::unsetenv("MSGWATCH_TEST_REDIS_PASSWORD");
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(value_of(result.families, "redis_up"), 1);
}

TEST(RedisIntegration, AuthAsAclUser) {
  test::RedisServerProcess server(
      {std::string("requirepass \"") + kPassword + "\"", "user monitor on >monitor-pass ~* &* +@all"});
  ::setenv("MSGWATCH_TEST_REDIS_PASSWORD", "monitor-pass", 1);
  auto target = protected_target(server);
  target.username = "monitor";
  boost::asio::io_context io;
  auto probe = make_redis_probe(target);
  const auto result = collect(io, *probe, server.address());
  ::unsetenv("MSGWATCH_TEST_REDIS_PASSWORD");
  EXPECT_EQ(result.error, "");
  Oracle oracle(server.address(), kPassword);
  const auto clients = oracle.run({"CLIENT", "LIST"});
  EXPECT_NE(std::string(clients->str, clients->len).find("name=msgwatch"), std::string::npos);
  EXPECT_NE(std::string(clients->str, clients->len).find("user=monitor"), std::string::npos);
}

TEST(RedisIntegration, WrongPasswordFailsWithoutRevealingIt) {
  test::RedisServerProcess server({std::string("requirepass \"") + kPassword + "\""});
  const std::string wrong = "wrong-password-4711";
  ::setenv("MSGWATCH_TEST_REDIS_PASSWORD", wrong.c_str(), 1);
  boost::asio::io_context io;
  auto probe = make_redis_probe(protected_target(server));
  const auto result = collect(io, *probe, server.address());
  ::unsetenv("MSGWATCH_TEST_REDIS_PASSWORD");
  EXPECT_EQ(result.error, "redis cache " + server.address() +
                              ": AUTH: WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_EQ(result.error.find(wrong), std::string::npos);
  EXPECT_EQ(result.error.find(kPassword), std::string::npos);
}

TEST(RedisIntegration, MissingPasswordFailsOnNoauth) {
  test::RedisServerProcess server({std::string("requirepass \"") + kPassword + "\""});
  boost::asio::io_context io;
  auto probe = make_redis_probe(target_for(server.address()));
  EXPECT_EQ(collect(io, *probe).error, "redis cache " + server.address() + ": INFO: NOAUTH Authentication required.");
}

TEST(RedisIntegration, UnsetPasswordVariableFailsBeforeConnecting) {
  test::RedisServerProcess server({std::string("requirepass \"") + kPassword + "\""});
  ::unsetenv("MSGWATCH_TEST_REDIS_PASSWORD");
  boost::asio::io_context io;
  auto probe = make_redis_probe(protected_target(server));
  EXPECT_EQ(collect(io, *probe).error, "redis cache " + server.address() +
                                           ": password: environment variable MSGWATCH_TEST_REDIS_PASSWORD is not set");
}

// Redis stops between cycles: the cycle fails; once it is back, the next cycle reconnects.
TEST(RedisIntegration, ReconnectsAfterRestart) {
  test::RedisServerProcess server;
  boost::asio::io_context io;
  auto probe = make_redis_probe(target_for(server.address()));
  const auto before = collect(io, *probe, server.address());
  ASSERT_EQ(before.error, "");
  const auto run_id_before = test::labels_of(before.families, "redis_instance_info").at("run_id");

  server.stop();
  EXPECT_EQ(collect(io, *probe).error, "redis cache " + server.address() + ": connect: Connection refused");

  server.start();
  const auto after = collect(io, *probe, server.address());
  ASSERT_EQ(after.error, "");
  EXPECT_EQ(value_of(after.families, "redis_up"), 1);
  EXPECT_NE(test::labels_of(after.families, "redis_instance_info").at("run_id"), run_id_before);
}

// The fixture itself: a server whose port another redis-server took while it was down must
// not pass for started because that other server answers PING (tests running side by side
// once had one test's keys and settings land on another test's server).
TEST(RedisServerProcess, ARestartOnAPortTakenByAnotherServerFails) {
  test::RedisServerProcess server;
  server.stop();
  const auto other_log = server.dir() / "other.log";
  auto other = msgwatch::test::ChildProcess::spawn(
      {"redis-server", "--port", std::to_string(server.port()), "--bind", "127.0.0.1", "--save", ""}, other_log,
      other_log);
  msgwatch::test::wait_until_explained(
      [&]() -> std::string {
        std::unique_ptr<redisContext, decltype(&redisFree)> c(redisConnect("127.0.0.1", server.port()), &redisFree);
        return c != nullptr && c->err == 0 ? "" : "not serving yet";
      },
      30s, "the other redis-server");
  try {
    server.start();
    ADD_FAILURE() << "start() took the other server on port " << server.port() << " for its own";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("is taken"), std::string::npos) << e.what();
  }
}

// A primary and its replica, real processes: either one as the seed finds the other; every
// series is labelled with its server; key groups are sampled and queues read on the primary
// only; a replica that stops is redis_up 0 while the primary keeps reporting.
class RedisReplicationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    msgwatch::test::wait_until([&] { return Oracle(replica_.address()).info_field("master_link_status") == "up"; }, 30s,
                               "the replica's link to its primary");
    Oracle primary(primary_.address());
    for (int i = 0; i < 100; ++i) primary.run({"SET", "dedup:" + std::to_string(i), "1"});
    primary.run({"RPUSH", "jobs", "a", "b", "c"});
    msgwatch::test::wait_until(
        [&] {
          return Oracle(replica_.address()).integer({"LLEN", "jobs"}) == 3;
        },
        30s, "the replica has the queue");
  }

  RedisTarget target(const std::string& seed) {
    auto target = target_for(seed);
    target.queues = {"jobs"};
    target.key_groups = {{"dedup", "dedup:*"}};
    return target;
  }

  test::RedisServerProcess primary_{{"repl-diskless-sync-delay 0"}};
  test::RedisServerProcess replica_{{"replicaof 127.0.0.1 " + std::to_string(primary_.port())}};
  boost::asio::io_context io_;
};

TEST_F(RedisReplicationTest, EitherServerAsTheSeedFindsTheOther) {
  const auto primary = primary_.address();
  const auto replica = replica_.address();
  for (const auto& seed : {primary, replica}) {
    SCOPED_TRACE("seed " + seed);
    auto probe = make_redis_probe(target(seed));
    const auto page = collect(io_, *probe);
    ASSERT_EQ(page.error, "");
    const auto& families = page.families;
    EXPECT_EQ(value_of(families, "redis_up", {{"node", primary}}), 1);
    EXPECT_EQ(value_of(families, "redis_up", {{"node", replica}}), 1);
    EXPECT_EQ(value_of(families, "redis_node_info", {{"node", primary}, {"role", "master"}, {"primary", ""}}), 1);
    EXPECT_EQ(value_of(families, "redis_node_info", {{"node", replica}, {"role", "slave"}, {"primary", primary}}), 1);
    EXPECT_EQ(test::find_family(families, "redis_up")->size(), 2U);

    const auto on_replica = test::node_series(families, replica);
    EXPECT_EQ(value_of(on_replica, "redis_master_link_up",
                       {{"master_host", "127.0.0.1"}, {"master_port", std::to_string(primary_.port())}}),
              1);
    EXPECT_EQ(test::find_family(on_replica, "redis_key_group_keys"), nullptr) << "replicas hold the same keys";
    const auto on_primary = test::node_series(families, primary);
    EXPECT_EQ(value_of(on_primary, "redis_connected_slaves"), 1);
    EXPECT_TRUE(value_of(on_primary, "redis_key_group_keys", {{"group", "dedup"}}).has_value());
    EXPECT_EQ(value_of(on_primary, "redis_db_keys", {{"db", "db0"}}), 101);
    EXPECT_EQ(value_of(families, "redis_key_size", {{"key", "jobs"}, {"type", "list"}}), 3);
    EXPECT_EQ(test::find_family(families, "redis_key_size")->size(), 1U) << "a queue is read once, on the primary";
  }
}

TEST_F(RedisReplicationTest, KeyGroupsAreSampledOnReplicasWhenConfigured) {
  auto configured = target(primary_.address());
  configured.key_sampling.on_replicas = true;
  auto probe = make_redis_probe(configured);
  const auto page = collect(io_, *probe, replica_.address());
  ASSERT_EQ(page.error, "");
  EXPECT_TRUE(value_of(page.families, "redis_key_group_keys", {{"group", "dedup"}}).has_value());
}

TEST_F(RedisReplicationTest, ASeedGivenByNameIsProbedOnceUnderTheAddressTheServersUse) {
  auto probe = make_redis_probe(target("localhost:" + std::to_string(primary_.port())));
  const auto page = collect(io_, *probe);
  ASSERT_EQ(page.error, "");
  const auto* up = test::find_family(page.families, "redis_up");
  ASSERT_NE(up, nullptr);
  std::set<std::string> nodes;
  for (std::size_t i = 0; i < up->size(); ++i) nodes.insert(std::string(up->label(i, 0)));
  EXPECT_EQ(nodes, (std::set<std::string>{primary_.address(), replica_.address()}));
  EXPECT_EQ(test::find_family(page.families, "redis_instance_info")->size(), 2U);
}

TEST_F(RedisReplicationTest, AStoppedReplicaIsDownWhileThePrimaryKeepsReporting) {
  auto probe = make_redis_probe(target(primary_.address()));
  ASSERT_EQ(collect(io_, *probe).error, "");
  replica_.stop();
  const auto page = collect(io_, *probe);
  ASSERT_EQ(page.error, "") << "a partial outage is not a failed probe";
  EXPECT_EQ(value_of(page.families, "redis_up", {{"node", replica_.address()}}), 0);
  EXPECT_EQ(value_of(page.families, "redis_up", {{"node", primary_.address()}}), 1);
  EXPECT_EQ(value_of(page.families, "redis_node_info",
                     {{"node", replica_.address()}, {"role", "slave"}, {"primary", primary_.address()}}),
            1);
  EXPECT_TRUE(value_of(test::node_series(page.families, replica_.address()), "redis_memory_used_bytes").has_value())
      << "its last series stay until stale_after";

  replica_.start();
  msgwatch::test::wait_until_explained(
      [&] {
        const auto again = collect(io_, *probe);
        const auto up = value_of(again.families, "redis_up", {{"node", replica_.address()}});
        return up == 1 ? "" : "redis_up " + (up ? std::to_string(*up) : "absent") + " " + again.error;
      },
      30s, "the restarted replica reported again");
}

// A primary that stops takes its queue with it while the replica keeps the probe
// successful: the queue's series go and msgwatch_redis_queue_unread names it (so that alerts
// on it are held, not resolved), until the primary answers again.
TEST_F(RedisReplicationTest, AQueueWhoseServerIsDownIsNamedUnread) {
  auto probe = make_redis_probe(target(primary_.address()));
  auto page = collect(io_, *probe);
  ASSERT_EQ(page.error, "");
  EXPECT_EQ(test::find_family(page.families, "msgwatch_redis_queue_unread"), nullptr);
  primary_.stop();
  page = collect(io_, *probe);
  ASSERT_EQ(page.error, "") << "the replica answers";
  EXPECT_EQ(value_of(page.families, "redis_up", {{"node", primary_.address()}}), 0);
  EXPECT_EQ(test::find_family(page.families, "redis_key_size"), nullptr);
  EXPECT_EQ(value_of(page.families, "msgwatch_redis_queue_unread", {{"key", "jobs"}}), 1);

  primary_.start();
  msgwatch::test::wait_until_explained(
      [&] {
        page = collect(io_, *probe);
        return value_of(page.families, "redis_up", {{"node", primary_.address()}}) == 1 ? "" : page.error;
      },
      30s, "the restarted primary reported again");
  EXPECT_EQ(test::find_family(page.families, "msgwatch_redis_queue_unread"), nullptr);
  EXPECT_NE(test::find_family(page.families, "redis_key_size"), nullptr);
}

// A replica that stalls (SIGSTOP: its socket accepts, nothing answers) costs only itself: its
// read ends at the cycle's deadline, within the target's timeout, and the primary reports.
TEST_F(RedisReplicationTest, AStalledReplicaTimesOutAloneWithinTheTimeout) {
  auto configured = target(primary_.address());
  configured.schedule.timeout = 2s;
  auto probe = make_redis_probe(configured);
  ASSERT_EQ(collect(io_, *probe).error, "");
  replica_.pause();
  const auto started = std::chrono::steady_clock::now();
  const auto page = collect(io_, *probe);
  const auto took = std::chrono::steady_clock::now() - started;
  replica_.resume();
  ASSERT_EQ(page.error, "");
  EXPECT_LT(took, 2s);
  EXPECT_GE(took, 1500ms) << "the deadline is four fifths of the timeout";
  EXPECT_EQ(value_of(page.families, "redis_up", {{"node", replica_.address()}}), 0);
  EXPECT_EQ(value_of(page.families, "redis_up", {{"node", primary_.address()}}), 1);
  EXPECT_EQ(collect(io_, *probe).error, "");
  msgwatch::test::wait_until(
      [&] {
        return value_of(collect(io_, *probe).families, "redis_up", {{"node", replica_.address()}}) == 1;
      },
      30s, "the resumed replica to answer again");
}

}  // namespace
}  // namespace msgwatch::redis
