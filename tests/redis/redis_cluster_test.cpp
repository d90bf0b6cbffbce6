// Against a real Redis Cluster of 6 redis-server processes (3 primaries, 3 replicas) started
// once for the whole suite: the key-to-slot mapping against CLUSTER KEYSLOT, the CLUSTER NODES
// parser on every node's own answer (compared with ROLE, CLUSTER MYID and MOVED redirects), and
// both after a replica restart and a failover. Tests may change roles (failover); none relies on
// which node is which.

#include "probes/redis/cluster_nodes.hpp"
#include "probes/redis/redis_probe.hpp"
#include "support/wait.hpp"
#include "tests/redis/redis_cluster_rig.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <set>

namespace msgwatch::redis {
namespace {

using test::RedisClusterRig;

class RedisClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      rig_ = std::make_unique<RedisClusterRig>(3, 1);
    } catch (const std::exception& e) {
      setup_error_ = e.what();
    }
  }
  static void TearDownTestSuite() { rig_.reset(); }

  // Every test starts from a healthy cluster, whatever the one before left (a node stopped).
  void SetUp() override {
    if (rig_ == nullptr) GTEST_FAIL() << "the Redis cluster did not start: " << setup_error_;
    try {
      for (std::size_t i = 0; i < rig_->size(); ++i) {
        if (!rig_->running(i)) rig_->start(i);
      }
      rig_->wait_until_healthy();
    } catch (const std::exception& e) {
      GTEST_FAIL() << e.what();
    }
  }

  static RedisClusterRig& rig() { return *rig_; }

  // Every node's CLUSTER NODES, parsed, by node index.
  static std::vector<ClusterNodes> views() {
    std::vector<ClusterNodes> out;
    for (std::size_t i = 0; i < rig_->size(); ++i) out.push_back(parse_cluster_nodes(rig_->cluster_nodes(i)));
    return out;
  }

  // What every view must say, given the roles the nodes report (ROLE) and their ids.
  static void expect_view_matches_cluster(const ClusterNodes& view, std::size_t observer) {
    SCOPED_TRACE("as node " + std::to_string(observer) + " (" + rig_->address(observer) + ") sees it");
    EXPECT_EQ(view.skipped_lines, 0U);
    ASSERT_EQ(view.nodes.size(), rig_->size());
    EXPECT_EQ(std::count_if(view.nodes.begin(), view.nodes.end(), [](const auto& node) { return node.myself; }), 1);
    const auto* self = view.myself();
    ASSERT_NE(self, nullptr);
    EXPECT_EQ(self->address, rig_->address(observer));
    EXPECT_EQ(self->id, rig_->node_id(observer));

    const auto primaries = rig_->primaries();
    std::set<std::string> primary_ids;
    for (const auto index : primaries) primary_ids.insert(rig_->node_id(index));
    std::set<std::string> seen_primaries;
    for (const auto& node : view.nodes) {
      SCOPED_TRACE("node " + node.id + " " + node.address);
      EXPECT_EQ(node.id.size(), 40U);
      const auto index = rig_->index_of(node.address);
      ASSERT_TRUE(index.has_value());
      EXPECT_EQ(node.id, rig_->node_id(*index));
      EXPECT_TRUE(node.link_connected);
      EXPECT_FALSE(node.failing || node.suspected || node.handshake);
      EXPECT_NE(node.primary, node.replica);
      if (node.primary) {
        seen_primaries.insert(node.id);
        EXPECT_TRUE(node.primary_id.empty());
        EXPECT_FALSE(node.slots.empty());
      } else {
        EXPECT_TRUE(node.slots.empty());
        const auto* primary = view.find_id(node.primary_id);
        ASSERT_NE(primary, nullptr);
        EXPECT_TRUE(primary->primary);
        EXPECT_EQ(rig_->primary_of(*index), rig_->index_of(primary->address));  // as the replica itself says
      }
    }
    EXPECT_EQ(seen_primaries, primary_ids);

    // Every slot owned by exactly one primary.
    std::vector<int> owners(kClusterSlots, 0);
    for (const auto& node : view.nodes) {
      for (const auto& [first, last] : node.slots) {
        ASSERT_LE(0, first);
        ASSERT_LE(first, last);
        ASSERT_LT(last, kClusterSlots);
        for (int slot = first; slot <= last; ++slot) ++owners[slot];
      }
    }
    EXPECT_EQ(std::count(owners.begin(), owners.end(), 1), kClusterSlots);
    for (const int slot : {0, 5460, 5461, 10922, 10923, 16383}) EXPECT_TRUE(view.owner_of(slot).has_value()) << slot;
  }

  static std::unique_ptr<RedisClusterRig> rig_;
  static std::string setup_error_;
};

std::unique_ptr<RedisClusterRig> RedisClusterTest::rig_;
std::string RedisClusterTest::setup_error_;

// Keys of every shape that matters to hash tags, plus random bytes (NUL, '{', '}', high bytes).
std::vector<std::string> varied_keys() {
  std::vector<std::string> keys = {"",
                                   "foo",
                                   "123456789",
                                   "{user1000}.following",
                                   "{user1000}.followers",
                                   "foo{}{bar}",
                                   "foo{{bar}}zap",
                                   "{}",
                                   "{",
                                   "}",
                                   "}{",
                                   "{{}}",
                                   "a{b}c{d}",
                                   "a}{b}",
                                   "{a}",
                                   std::string("\0", 1),
                                   std::string("{\0}", 3),
                                   std::string(1000, 'x'),
                                   "queue:{orders}:pending",
                                   "\xff\xfe{\x80}"};
  std::mt19937 random(20240607);
  std::uniform_int_distribution<int> length(0, 40);
  std::uniform_int_distribution<int> byte(0, 255);
  const std::string alphabet = "{}{}ab:._-0";
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  for (int i = 0; i < 4000; ++i) {
    std::string key;
    const int n = length(random);
    for (int j = 0; j < n; ++j) {
      // Half the keys from a small alphabet rich in braces, half from any byte.
      key.push_back(i % 2 == 0 ? alphabet[pick(random)] : static_cast<char>(byte(random)));
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

TEST_F(RedisClusterTest, KeySlotAgreesWithClusterKeyslot) {
  const auto keys = varied_keys();
  std::vector<std::vector<std::string>> commands;
  for (const auto& key : keys) commands.push_back({"CLUSTER", "KEYSLOT", key});
  auto client = rig().client(0);
  const auto replies = client.pipeline(commands);
  ASSERT_EQ(replies.size(), keys.size());
  int mismatches = 0;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    ASSERT_EQ(replies[i]->type, REDIS_REPLY_INTEGER) << i;
    if (key_slot(keys[i]) != replies[i]->integer && ++mismatches <= 10) {
      ADD_FAILURE() << "key #" << i << " (" << keys[i].size() << " bytes): key_slot " << key_slot(keys[i])
                    << ", CLUSTER KEYSLOT " << replies[i]->integer;
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST_F(RedisClusterTest, EveryNodesViewParses) {
  const auto all = views();
  ASSERT_EQ(all.size(), 6U);
  EXPECT_EQ(rig().primaries().size(), 3U);
  EXPECT_EQ(rig().replicas().size(), 3U);
  for (std::size_t i = 0; i < all.size(); ++i) expect_view_matches_cluster(all[i], i);
}

TEST_F(RedisClusterTest, OwnerOfAgreesWithMovedRedirects) {
  // A write sent to owner_of(key_slot(key)) is served; sent to another primary it is redirected
  // to that same address.
  const auto view = parse_cluster_nodes(rig().cluster_nodes(0));
  const auto primaries = rig().primaries();
  for (const std::string key : {"foo", "{user1000}.following", "queue:{orders}:pending", "", "zzz"}) {
    SCOPED_TRACE("key '" + key + "'");
    const auto slot = key_slot(key);
    const auto owner = view.owner_of(slot);
    ASSERT_TRUE(owner.has_value());
    const auto owner_index = rig().index_of(*owner);
    ASSERT_TRUE(owner_index.has_value());
    EXPECT_EQ(rig().client(*owner_index).text({"SET", key, "1"}), "OK");
    const auto other = primaries[(std::find(primaries.begin(), primaries.end(), *owner_index) - primaries.begin() + 1) %
                                 primaries.size()];
    auto client = rig().client(other);
    const auto replies = client.pipeline({{"SET", key, "1"}});
    ASSERT_EQ(replies[0]->type, REDIS_REPLY_ERROR);
    EXPECT_EQ(std::string(replies[0]->str, replies[0]->len), "MOVED " + std::to_string(slot) + " " + *owner);
  }
}

TEST_F(RedisClusterTest, StoppedReplicaShowsDisconnectedAndRejoins) {
  const auto replica = rig().replicas().back();
  const auto primary = rig().primary_of(replica);
  ASSERT_TRUE(primary.has_value());
  const auto& id = rig().node_id(replica);

  rig().stop(replica);
  msgwatch::test::wait_until(
      [&] {
        const auto view = parse_cluster_nodes(rig().cluster_nodes(*primary));
        const auto* node = view.find_id(id);
        return node != nullptr && !node->link_connected;
      },
      std::chrono::seconds(20), "the primary to see its stopped replica disconnected");

  rig().start(replica);
  rig().wait_until_healthy();
  EXPECT_EQ(rig().client(replica).text({"CLUSTER", "MYID"}), id);
  EXPECT_EQ(rig().primary_of(replica), primary);
  const auto all = views();
  for (std::size_t i = 0; i < all.size(); ++i) expect_view_matches_cluster(all[i], i);
}

TEST_F(RedisClusterTest, ViewsAgreeAfterFailover) {
  const auto replicas = rig().replicas();
  ASSERT_FALSE(replicas.empty());
  const auto promoted = replicas.front();
  const auto demoted = rig().primary_of(promoted);
  ASSERT_TRUE(demoted.has_value());
  const auto before = parse_cluster_nodes(rig().cluster_nodes(*demoted));
  ASSERT_NE(before.myself(), nullptr);
  const auto slots = before.myself()->slots;

  rig().failover(promoted);

  EXPECT_EQ(rig().primary_of(*demoted), promoted);
  const auto all = views();
  for (std::size_t i = 0; i < all.size(); ++i) {
    expect_view_matches_cluster(all[i], i);
    SCOPED_TRACE("as node " + std::to_string(i) + " sees it");
    const auto* now_primary = all[i].find_id(rig().node_id(promoted));
    const auto* now_replica = all[i].find_id(rig().node_id(*demoted));
    ASSERT_NE(now_primary, nullptr);
    ASSERT_NE(now_replica, nullptr);
    EXPECT_TRUE(now_primary->primary);
    EXPECT_EQ(now_primary->slots, slots);
    EXPECT_TRUE(now_replica->replica);
    EXPECT_EQ(now_replica->primary_id, rig().node_id(promoted));
    EXPECT_EQ(all[i].owner_of(slots.front().first), rig().address(promoted));
  }
}

// ---- The probe against the cluster ----

// A probe of the cluster seeded with one node, with queues and a key group.
class ClusterProbe {
 public:
  explicit ClusterProbe(const std::string& seed, std::vector<std::string> queues = {}) {
    RedisTarget target;
    target.name = "sessions";
    target.addresses = {seed};
    target.queues = std::move(queues);
    target.key_groups = {{"session", "session:*"}};
    probe_ = make_redis_probe(target);
  }
  test::Collected collect() { return test::collect(io_, *probe_); }

 private:
  boost::asio::io_context io_;
  std::unique_ptr<Probe> probe_;
};

// The role and primary redis_node_info says for each node, by address.
std::map<std::string, std::pair<std::string, std::string>> roles_on_page(const SeriesSet& page) {
  std::map<std::string, std::pair<std::string, std::string>> roles;
  const auto* info = test::find_family(page, "redis_node_info");
  if (info == nullptr) return roles;
  for (std::size_t i = 0; i < info->size(); ++i) {
    auto labels = test::labels_at(*info, i);
    roles[labels["node"]] = {labels["role"], labels["primary"]};
  }
  return roles;
}

// The roles the nodes report themselves (ROLE), as redis_node_info should say them.
std::map<std::string, std::pair<std::string, std::string>> roles_of(const RedisClusterRig& rig) {
  std::map<std::string, std::pair<std::string, std::string>> roles;
  for (const auto index : rig.primaries()) roles[rig.address(index)] = {"master", ""};
  for (const auto index : rig.replicas()) roles[rig.address(index)] = {"slave", rig.address(*rig.primary_of(index))};
  return roles;
}

TEST_F(RedisClusterTest, TheProbeFindsEveryNodeFromOneSeedAndReadsEachQueueOnItsOwner) {
  // Keys in every primary's slots, one with a hash tag; each read exactly once.
  const std::vector<std::string> queues{"jobs:a", "jobs:b", "jobs:c", "jobs:d", "{jobs}:e", "absent"};
  const auto view = parse_cluster_nodes(rig().cluster_nodes(0));
  std::set<std::string> owners;
  for (std::size_t q = 0; q + 1 < queues.size(); ++q) {
    const auto owner = view.owner_of(key_slot(queues[q]));
    ASSERT_TRUE(owner.has_value());
    owners.insert(*owner);
    auto client = rig().client(*rig().index_of(*owner));
    client.command({"DEL", queues[q]});
    for (std::size_t i = 0; i <= q; ++i) client.command({"RPUSH", queues[q], "job"});
  }
  EXPECT_GE(owners.size(), 2U) << "the keys are spread over primaries";
  int sessions = 0;
  for (const auto index : rig().primaries()) {
    auto client = rig().client(index);
    for (int i = 0; i < 300; ++i) {
      const std::string key = "session:" + std::to_string(i);
      if (view.owner_of(key_slot(key)) != rig().address(index)) continue;
      client.command({"SET", key, "1"});
      ++sessions;
    }
  }

  ClusterProbe probe(rig().address(rig().replicas().front()), queues);
  const auto page = probe.collect();
  ASSERT_EQ(page.error, "");
  for (std::size_t i = 0; i < rig().size(); ++i) {
    SCOPED_TRACE(rig().address(i));
    EXPECT_EQ(test::value_of(page.families, "redis_up", {{"node", rig().address(i)}}), 1);
    EXPECT_EQ(test::value_of(page.families, "redis_cluster_state", {{"node", rig().address(i)}}), 1);
    EXPECT_EQ(test::value_of(page.families, "redis_cluster_slots_ok", {{"node", rig().address(i)}}), 16384);
    EXPECT_EQ(test::value_of(page.families, "redis_cluster_known_nodes", {{"node", rig().address(i)}}), 6);
  }
  EXPECT_EQ(roles_on_page(page.families), roles_of(rig()));
  const auto* sizes = test::find_family(page.families, "redis_key_size");
  ASSERT_NE(sizes, nullptr);
  EXPECT_EQ(sizes->size(), queues.size()) << "each queue once";
  for (std::size_t q = 0; q + 1 < queues.size(); ++q) {
    EXPECT_EQ(test::value_of(page.families, "redis_key_size", {{"key", queues[q]}, {"type", "list"}}),
              static_cast<double>(q + 1))
        << queues[q];
  }
  EXPECT_EQ(test::value_of(page.families, "redis_key_size", {{"key", "absent"}, {"type", "none"}}), 0);

  // Each primary samples its own keys; together they are every session key (one SCAN pass of
  // a few hundred keys is complete in one cycle, so the count is exact).
  double counted = 0;
  for (const auto index : rig().primaries()) {
    const auto node = test::node_series(page.families, rig().address(index));
    counted += test::value_of(node, "redis_key_group_keys", {{"group", "session"}}).value_or(-1000);
  }
  EXPECT_EQ(counted, sessions);
  for (const auto index : rig().replicas()) {
    const auto node = test::node_series(page.families, rig().address(index));
    EXPECT_EQ(test::find_family(node, "redis_key_group_keys"), nullptr) << rig().address(index);
  }
}

TEST_F(RedisClusterTest, TheProbeFollowsAFailover) {
  ClusterProbe probe(rig().address(0), {"jobs:a"});
  ASSERT_EQ(probe.collect().error, "");
  const auto promoted = rig().replicas().front();
  rig().failover(promoted);
  const auto expected = roles_of(rig());
  msgwatch::test::wait_until_explained(
      [&] {
        const auto page = probe.collect();
        if (!page.error.empty()) return page.error;
        if (roles_on_page(page.families) != expected) return std::string("roles differ");
        const auto* sizes = test::find_family(page.families, "redis_key_size");
        return sizes != nullptr && sizes->size() == 1 ? std::string() : std::string("the queue is not read once");
      },
      std::chrono::seconds(30), "the page to show the roles after the failover");
}

TEST_F(RedisClusterTest, AStoppedPrimaryIsDownWhileTheOthersReportAndItsReplicaTakesOver) {
  ClusterProbe probe(rig().address(0));
  ASSERT_EQ(probe.collect().error, "");
  const auto stopped = rig().primaries().back();
  const auto& address = rig().address(stopped);
  rig().stop(stopped);

  const auto page = probe.collect();
  ASSERT_EQ(page.error, "") << "a partial outage is not a failed probe";
  EXPECT_EQ(test::value_of(page.families, "redis_up", {{"node", address}}), 0);
  const auto* up = test::find_family(page.families, "redis_up");
  ASSERT_NE(up, nullptr);
  double answering = 0;
  for (std::size_t i = 0; i < up->size(); ++i) answering += up->value(i);
  EXPECT_EQ(answering, 5);

  // The cluster notices (cluster-node-timeout), promotes the replica and says ok again; the
  // page follows: the stopped node is still known (the others list it as failed), down.
  msgwatch::test::wait_until_explained(
      [&] {
        const auto now = probe.collect();
        if (!now.error.empty()) return now.error;
        const auto roles = roles_on_page(now.families);
        const auto masters = std::count_if(roles.begin(), roles.end(), [&](const auto& entry) {
          return entry.second.first == "master" && entry.first != address;
        });
        const auto down = test::value_of(now.families, "redis_up", {{"node", address}});
        const auto state = test::value_of(now.families, "redis_cluster_state", {{"node", rig().address(0)}});
        if (masters != 3 || down != 0 || state != 1) {
          return "masters " + std::to_string(masters) + ", stopped node up " +
                 (down ? std::to_string(*down) : "absent") + ", cluster state " +
                 (state ? std::to_string(*state) : "absent");
        }
        return std::string();
      },
      std::chrono::seconds(60), "a replica to take over, seen on the page");
}

}  // namespace
}  // namespace msgwatch::redis
