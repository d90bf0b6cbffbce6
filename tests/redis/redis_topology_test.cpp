// Which Redis servers a target asks, cycle after cycle: seeds, discovery, aliases, forgetting.

#include "probes/redis/redis_topology.hpp"

#include <gtest/gtest.h>

namespace msgwatch::redis {
namespace {

using namespace std::chrono_literals;
using Clock = RedisTopology::Clock;
using Addresses = std::vector<std::string>;

NodeReport primary(const std::string& run_id, const Addresses& replicas, const std::string& self) {
  NodeReport report{run_id, {self, "master", ""}, {}};
  for (const auto& replica : replicas) report.named.push_back({replica, "slave", self});
  return report;
}

NodeReport replica(const std::string& run_id, const std::string& self, const std::string& of) {
  return {run_id, {self, "slave", of}, {{of, "master", ""}}};
}

TEST(RedisTopology, AddressesAreWrittenAsTheConfigurationWritesThem) {
  EXPECT_EQ(normalize_address("10.0.0.1:6379"), "10.0.0.1:6379");
  EXPECT_EQ(normalize_address("::1:6379"), "[::1]:6379") << "Redis writes IPv6 without brackets";
  EXPECT_EQ(normalize_address("[::1]:6379"), "[::1]:6379");
  EXPECT_EQ(normalize_address(":6379"), std::nullopt) << "a cluster node that does not know its address yet";
  EXPECT_EQ(normalize_address("h:0"), std::nullopt);
  EXPECT_EQ(normalize_address("h"), std::nullopt);
  EXPECT_EQ(normalize_address(""), std::nullopt);
}

TEST(RedisTopology, ASeedsReplicasAreAskedInTheNextRoundOfTheSameCycle) {
  RedisTopology topology({"p:1"}, true);
  const auto now = Clock::now();
  topology.begin_cycle();
  EXPECT_EQ(topology.next_round(), Addresses{"p:1"});
  topology.answered("p:1", primary("P", {"r:2", "r:3"}, "p:1"), now);
  EXPECT_EQ(topology.next_round(), (Addresses{"r:2", "r:3"}));
  topology.answered("r:2", replica("R2", "r:2", "p:1"), now);
  EXPECT_EQ(topology.next_round(), Addresses{}) << "each server is asked once a cycle";
  topology.end_cycle(now, 1min);
  const auto& nodes = topology.nodes();
  ASSERT_EQ(nodes.size(), 3U);
  EXPECT_EQ(nodes.at("r:2").role, "slave");
  EXPECT_EQ(nodes.at("r:2").primary, "p:1");
  EXPECT_EQ(nodes.at("r:3").role, "slave") << "as its primary said";
  EXPECT_FALSE(nodes.at("r:3").answered);

  topology.begin_cycle();
  EXPECT_EQ(topology.next_round(), (Addresses{"p:1", "r:2", "r:3"}));
}

TEST(RedisTopology, WithDiscoveryOffOnlyTheSeedsAreAsked) {
  RedisTopology topology({"p:1"}, false);
  topology.begin_cycle();
  EXPECT_EQ(topology.next_round(), Addresses{"p:1"});
  topology.answered("p:1", primary("P", {"r:2"}, "p:1"), Clock::now());
  EXPECT_EQ(topology.next_round(), Addresses{});
  EXPECT_EQ(topology.nodes().size(), 1U);
}

TEST(RedisTopology, AServersOwnWordWinsOverWhatAnotherSaysOfIt) {
  // After a failover the old primary's last word (its replica) and the new primary's own
  // word arrive in either order.
  for (const bool own_word_first : {true, false}) {
    RedisTopology topology({"a:1", "b:2"}, true);
    const auto now = Clock::now();
    topology.begin_cycle();
    topology.next_round();
    if (own_word_first) topology.answered("b:2", primary("B", {"a:1"}, "b:2"), now);
    topology.answered("a:1", primary("A", {"b:2"}, "a:1"), now);
    if (!own_word_first) topology.answered("b:2", primary("B", {"a:1"}, "b:2"), now);
    EXPECT_EQ(topology.nodes().at("b:2").role, "master") << own_word_first;
    EXPECT_EQ(topology.nodes().at("a:1").role, "master") << own_word_first;
  }
}

TEST(RedisTopology, ASeedGivenByAnotherNameIsAskedOnceUnderTheNameTheOthersUse) {
  RedisTopology topology({"redis.example:1"}, true);
  const auto now = Clock::now();
  topology.begin_cycle();
  topology.next_round();
  topology.answered("redis.example:1", primary("P", {"10.0.0.2:2"}, "redis.example:1"), now);
  EXPECT_EQ(topology.next_round(), Addresses{"10.0.0.2:2"});
  topology.answered("10.0.0.2:2", replica("R", "10.0.0.2:2", "10.0.0.1:1"), now);
  EXPECT_EQ(topology.next_round(), Addresses{"10.0.0.1:1"});
  topology.answered("10.0.0.1:1", primary("P", {"10.0.0.2:2"}, "10.0.0.1:1"), now);
  topology.end_cycle(now, 1min);
  const auto& seed = topology.nodes().at("redis.example:1");
  EXPECT_EQ(seed.alias_of, "10.0.0.1:1");
  EXPECT_FALSE(seed.answered) << "its series are not written twice";
  EXPECT_TRUE(topology.nodes().at("10.0.0.1:1").answered);

  topology.begin_cycle();
  EXPECT_EQ(topology.next_round(), (Addresses{"10.0.0.1:1", "10.0.0.2:2"}));
}

TEST(RedisTopology, AServerNobodyNamesAndThatDoesNotAnswerIsForgottenAfterAWhile) {
  RedisTopology topology({"p:1"}, true);
  auto now = Clock::now();
  topology.begin_cycle();
  topology.next_round();
  topology.answered("p:1", primary("P", {"r:2"}, "p:1"), now);
  topology.next_round();
  topology.answered("r:2", replica("R", "r:2", "p:1"), now);
  topology.end_cycle(now, 1min);

  // The replica is removed: its primary no longer names it and it does not answer.
  for (const auto later : {30s, 61s}) {
    topology.begin_cycle();
    topology.next_round();
    topology.answered("p:1", primary("P", {}, "p:1"), now + later);
    topology.end_cycle(now + later, 1min);
    EXPECT_EQ(topology.nodes().contains("r:2"), later < 1min) << later.count();
  }
  // A seed stays, however long it is silent.
  topology.begin_cycle();
  topology.next_round();
  topology.end_cycle(now + 1h, 1min);
  EXPECT_TRUE(topology.nodes().contains("p:1"));
}

TEST(RedisTopology, AtMostSoManyServersAreFollowed) {
  RedisTopology topology({"p:1"}, true);
  NodeReport report = primary("P", {}, "p:1");
  for (std::size_t i = 0; i < RedisTopology::kMaxNodes + 10; ++i) {
    report.named.push_back({"r:" + std::to_string(i + 2), "slave", "p:1"});
  }
  topology.begin_cycle();
  topology.next_round();
  topology.answered("p:1", report, Clock::now());
  EXPECT_EQ(topology.nodes().size(), RedisTopology::kMaxNodes);
  EXPECT_EQ(topology.overflow(), 11U);
}

}  // namespace
}  // namespace msgwatch::redis
