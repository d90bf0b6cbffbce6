// The probe and its connection against a scripted fake server: the exact commands on the
// wire, fallbacks, broken and hostile replies, abort, and reconnection.

#include "probes/redis/redis_connection.hpp"
#include "probes/redis/redis_probe.hpp"
#include "tests/redis/test_support.hpp"

#include <gtest/gtest.h>

namespace msgwatch::redis {
namespace {

using test::FakeRedis;
using Args = std::vector<std::string>;

RedisTarget target_for(const std::string& address) {
  RedisTarget target;
  target.name = "cache";
  target.addresses = {address};
  return target;
}

// A well-behaved Redis 7.0: the captured INFO ALL, CONFIG GET, SLOWLOG and LATENCY answers.
std::optional<std::string> healthy(const Args& args) {
  if (args.at(0) == "INFO") return test::bulk(test::read_fixture("info_redis7_master_all.txt"));
  if (args == Args{"CONFIG", "GET", "max*"}) {
    return "*4\r\n$9\r\nmaxmemory\r\n$9\r\n104857600\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n";
  }
  if (args == Args{"CONFIG", "GET", "io-threads"}) return "*2\r\n$10\r\nio-threads\r\n$1\r\n4\r\n";
  if (args == Args{"SLOWLOG", "LEN"}) return ":3\r\n";
  if (args == Args{"SLOWLOG", "GET", "1"}) return test::read_fixture("slowlog_get_1_redis7.resp");
  if (args == Args{"LATENCY", "LATEST"}) return test::read_fixture("latency_latest_redis7.resp");
  return "+OK\r\n";
}

TEST(RedisProbeFake, CommandsOnTheWire) {
  boost::asio::io_context io;
  FakeRedis fake(io, healthy);
  auto probe = make_redis_probe(target_for(fake.address()));
  EXPECT_EQ(probe->kind(), "redis");
  EXPECT_EQ(probe->target(), "cache");
  const auto first = test::collect(io, *probe, fake.address());
  ASSERT_EQ(first.error, "");
  EXPECT_EQ(test::value_of(first.families, "redis_up"), 1);
  EXPECT_EQ(test::value_of(first.families, "redis_config_maxmemory"), 104857600);
  EXPECT_EQ(test::value_of(first.families, "redis_config_maxclients"), 10000);
  EXPECT_EQ(test::value_of(first.families, "redis_memory_used_bytes"), 1229040);
  const auto second = test::collect(io, *probe, fake.address());
  ASSERT_EQ(second.error, "");
  EXPECT_EQ(fake.connections, 1) << "the connection is kept between cycles";
  EXPECT_EQ(test::value_of(first.families, "redis_slowlog_length"), 3);
  EXPECT_EQ(test::value_of(first.families, "redis_slowlog_last_id"), 2);
  EXPECT_EQ(test::value_of(first.families, "redis_last_slow_execution_duration_seconds"), 8e-6);
  EXPECT_EQ(test::value_of(first.families, "redis_latency_spike_duration_seconds", {{"event_name", "command"}}), 0.07);
  EXPECT_EQ(test::value_of(first.families, "redis_config_io_threads"), 4);
  const std::vector<Args> cycle{{"INFO", "ALL"},    {"CONFIG", "GET", "max*"}, {"CONFIG", "GET", "io-threads"},
                                {"SLOWLOG", "LEN"}, {"SLOWLOG", "GET", "1"},   {"LATENCY", "LATEST"}};
  std::vector<Args> expected{{"CLIENT", "SETNAME", "msgwatch"}};
  for (int i = 0; i < 2; ++i) expected.insert(expected.end(), cycle.begin(), cycle.end());
  EXPECT_EQ(fake.commands, expected);
}

TEST(RedisProbeFake, AuthWithPasswordAloneOrAclUser) {
  const char* variable = "MSGWATCH_TEST_FAKE_REDIS_PASSWORD";
  ::setenv(variable, "s3cret pass", 1);
  for (const std::string user : {"", "monitor"}) {
    boost::asio::io_context io;
    FakeRedis fake(io, healthy);
    auto target = target_for(fake.address());
    target.username = user;
    target.password.source = config::Secret::Source::env;
    target.password.reference = variable;
    auto probe = make_redis_probe(target);
    ASSERT_EQ(test::collect(io, *probe).error, "");
    ASSERT_FALSE(fake.commands.empty());
    const Args expected = user.empty() ? Args{"AUTH", "s3cret pass"} : Args{"AUTH", "monitor", "s3cret pass"};
    EXPECT_EQ(fake.commands[0], expected);
  }
  ::unsetenv(variable);
}

TEST(RedisProbeFake, InfoAllRefusedFallsBackToInfoAndRefusedCommandsAreNotRetried) {
  boost::asio::io_context io;
  FakeRedis fake(io, [](const Args& args) -> std::optional<std::string> {
    if (args == Args{"INFO", "ALL"}) return "-ERR wrong number of arguments for 'info' command\r\n";
    if (args == Args{"INFO"}) return test::bulk(test::read_fixture("info_redis3_style.txt"));
    if (args.at(0) == "CONFIG") return "-ERR unknown command 'CONFIG'\r\n";
    return "-ERR unknown command\r\n";  // CLIENT SETNAME too: harmless
  });
  auto probe = make_redis_probe(target_for(fake.address()));
  const auto first = test::collect(io, *probe, fake.address());
  ASSERT_EQ(first.error, "");
  EXPECT_EQ(test::value_of(first.families, "redis_db_keys", {{"db", "db0"}}), 10000);
  EXPECT_EQ(test::find_family(first.families, "redis_config_maxmemory"), nullptr);
  ASSERT_EQ(test::collect(io, *probe).error, "");
  EXPECT_EQ(test::find_family(first.families, "redis_slowlog_length"), nullptr);
  EXPECT_EQ(fake.commands, (std::vector<Args>{{"CLIENT", "SETNAME", "msgwatch"},
                                              {"INFO", "ALL"},
                                              {"INFO"},
                                              {"CONFIG", "GET", "max*"},
                                              {"SLOWLOG", "LEN"},
                                              {"LATENCY", "LATEST"},
                                              {"INFO"}}))
      << "CONFIG, SLOWLOG and LATENCY refused once are not asked again on the connection";
}

TEST(RedisProbeFake, ErrorReplyToInfoFailsTheCycleAndTheNextReconnects) {
  boost::asio::io_context io;
  bool loading = true;
  FakeRedis fake(io, [&](const Args& args) -> std::optional<std::string> {
    if (args.at(0) == "INFO" && loading) return "-LOADING Redis is loading the dataset in memory\r\n";
    return healthy(args);
  });
  auto probe = make_redis_probe(target_for(fake.address()));
  EXPECT_EQ(test::collect(io, *probe).error,
            "redis cache " + fake.address() + ": INFO: LOADING Redis is loading the dataset in memory");
  loading = false;
  EXPECT_EQ(test::collect(io, *probe).error, "");
  EXPECT_EQ(fake.connections, 2);
}

TEST(RedisProbeFake, GarbageReplyIsAProtocolError) {
  boost::asio::io_context io;
  FakeRedis fake(io, [](const Args& args) -> std::optional<std::string> {
    if (args.at(0) == "INFO") return "HTTP/1.1 400 Bad Request\r\n\r\n";
    return "+OK\r\n";
  });
  auto probe = make_redis_probe(target_for(fake.address()));
  EXPECT_EQ(test::collect(io, *probe).error,
            "redis cache " + fake.address() +
                ": INFO ALL: protocol error: unexpected byte 'H' where a reply type was expected");
}

TEST(RedisProbeFake, OversizedReplyIsRefusedWithoutWaitingForIt) {
  boost::asio::io_context io;
  FakeRedis fake(io, [](const Args& args) -> std::optional<std::string> {
    if (args.at(0) == "INFO") return "$100000000\r\n";  // and nothing more
    return "+OK\r\n";
  });
  auto probe = make_redis_probe(target_for(fake.address()));
  EXPECT_EQ(test::collect(io, *probe).error,
            "redis cache " + fake.address() +
                ": INFO ALL: protocol error: bulk string length 100000000 exceeds the reply limit of 67108864 bytes");
}

TEST(RedisProbeFake, InfoThatIsNotInfoTextFails) {
  boost::asio::io_context io;
  FakeRedis fake(io, [](const Args& args) -> std::optional<std::string> {
    if (args.at(0) == "INFO") return ":1\r\n";
    return "+OK\r\n";
  });
  auto probe = make_redis_probe(target_for(fake.address()));
  EXPECT_EQ(test::collect(io, *probe).error, "redis cache " + fake.address() + ": INFO: reply is not a bulk string");
}

TEST(RedisProbeFake, AbortEndsAPendingCollect) {
  boost::asio::io_context io;
  Probe* probe_ptr = nullptr;
  bool hang = true;
  FakeRedis fake(io, [&](const Args& args) -> std::optional<std::string> {
    if (args.at(0) == "INFO" && hang) {
      probe_ptr->abort();   // as the scheduler does when the cycle overruns its timeout
      return std::nullopt;  // never answers
    }
    return healthy(args);
  });
  auto probe = make_redis_probe(target_for(fake.address()));
  probe_ptr = probe.get();
  const auto aborted = test::collect(io, *probe, fake.address());
  EXPECT_EQ(aborted.error, "redis cache " + fake.address() + ": INFO ALL: read: Operation canceled");
  hang = false;
  EXPECT_EQ(test::collect(io, *probe).error, "");
  EXPECT_EQ(fake.connections, 2);
}

TEST(RedisProbeFake, ConnectionDroppedBetweenCyclesIsReopenedWithinTheCycle) {
  boost::asio::io_context io;
  FakeRedis fake(io, healthy);
  auto probe = make_redis_probe(target_for(fake.address()));
  ASSERT_EQ(test::collect(io, *probe).error, "");
  fake.drop_connections();  // server restart or idle timeout
  const auto after = test::collect(io, *probe, fake.address());
  EXPECT_EQ(after.error, "");
  EXPECT_EQ(test::value_of(after.families, "redis_up"), 1);
  EXPECT_EQ(fake.connections, 2);
}

TEST(RedisProbeFake, BadAddress) {
  boost::asio::io_context io;
  auto probe = make_redis_probe(target_for("no-port-here"));
  EXPECT_EQ(test::collect(io, *probe).error, "redis cache no-port-here: address is not host:port");
}

TEST(RedisConnectionHelpers, CommandNamesNeverIncludeArguments) {
  EXPECT_EQ(command_name({"auth", "user", "secret"}), "AUTH");
  EXPECT_EQ(command_name({"config", "get", "max*"}), "CONFIG GET");
  EXPECT_EQ(command_name({"INFO", "ALL"}), "INFO ALL");
  EXPECT_EQ(command_name({"GET", "user:42"}), "GET");
}

}  // namespace
}  // namespace msgwatch::redis
