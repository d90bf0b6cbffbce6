// The CLUSTER NODES parser on texts captured from a Redis 7.0 cluster (a primary's and a
// replica's view, a slot being migrated, a failover, a primary down with no failover, a node
// alone), hand-made Redis 3.x-style and junk lines, and the key-to-slot mapping against values
// Redis's CLUSTER KEYSLOT gives.

#include "probes/redis/cluster_nodes.hpp"
#include "tests/redis/test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace msgwatch::redis {
namespace {

using test::read_fixture;

using Ranges = std::vector<std::pair<int, int>>;

// The ids in the captures of the 6-node Redis 7 cluster.
constexpr std::string_view id_7101 = "c15516497e6962f453aaac2f950cb7d2961a9ee3";
constexpr std::string_view id_7102 = "782ff4e568ca3069f2c3af9c3e297b0b1b11cd53";
constexpr std::string_view id_7103 = "aab152ddc5a751c055cae9f1d25c53534e9c5604";
constexpr std::string_view id_7104 = "ef61360211806c44a746fd86fbf3f65e9a5ddc5b";
constexpr std::string_view id_7105 = "c2e652c3c958c50e210a16d00a663b2376670749";
constexpr std::string_view id_7106 = "0a5db5bd0951757bd916767389086d6c00cb4b85";

std::size_t count_primaries(const ClusterNodes& view) {
  return static_cast<std::size_t>(
      std::count_if(view.nodes.begin(), view.nodes.end(), [](const ClusterNode& node) { return node.primary; }));
}

TEST(ClusterNodes, Redis7PrimaryView) {
  const auto view = parse_cluster_nodes(read_fixture("cluster_nodes_redis7_primary.txt"));
  EXPECT_EQ(view.skipped_lines, 0U);
  ASSERT_EQ(view.nodes.size(), 6U);
  EXPECT_EQ(count_primaries(view), 3U);

  const auto* self = view.myself();
  ASSERT_NE(self, nullptr);
  EXPECT_EQ(self->id, id_7101);
  EXPECT_EQ(self->address, "127.0.0.1:27101");
  EXPECT_TRUE(self->primary);
  EXPECT_FALSE(self->replica);
  EXPECT_TRUE(self->primary_id.empty());
  EXPECT_TRUE(self->link_connected);
  EXPECT_EQ(self->slots, (Ranges{{0, 5460}}));

  const auto* replica = view.find_id(id_7106);
  ASSERT_NE(replica, nullptr);
  EXPECT_EQ(replica->address, "127.0.0.1:27106");
  EXPECT_TRUE(replica->replica);
  EXPECT_FALSE(replica->primary);
  EXPECT_FALSE(replica->myself);
  EXPECT_EQ(replica->primary_id, id_7101);
  EXPECT_TRUE(replica->slots.empty());
  EXPECT_EQ(view.find_id(id_7103)->slots, (Ranges{{10923, 16383}}));
  EXPECT_EQ(view.find_id("0a5db5bd"), nullptr);

  EXPECT_EQ(view.owner_of(0), "127.0.0.1:27101");
  EXPECT_EQ(view.owner_of(5460), "127.0.0.1:27101");
  EXPECT_EQ(view.owner_of(5461), "127.0.0.1:27102");
  EXPECT_EQ(view.owner_of(10922), "127.0.0.1:27102");
  EXPECT_EQ(view.owner_of(10923), "127.0.0.1:27103");
  EXPECT_EQ(view.owner_of(16383), "127.0.0.1:27103");
  EXPECT_EQ(view.owner_of(-1), std::nullopt);
  EXPECT_EQ(view.owner_of(kClusterSlots), std::nullopt);
  for (const auto& node : view.nodes) {
    EXPECT_FALSE(node.failing || node.suspected || node.handshake) << node.id;
  }
}

TEST(ClusterNodes, Redis7ReplicaView) {
  const auto view = parse_cluster_nodes(read_fixture("cluster_nodes_redis7_replica.txt"));
  EXPECT_EQ(view.skipped_lines, 0U);
  ASSERT_EQ(view.nodes.size(), 6U);
  EXPECT_EQ(count_primaries(view), 3U);
  const auto* self = view.myself();
  ASSERT_NE(self, nullptr);
  EXPECT_EQ(self->id, id_7104);
  EXPECT_EQ(self->address, "127.0.0.1:27104");
  EXPECT_TRUE(self->replica);
  EXPECT_EQ(self->primary_id, id_7102);
  const auto* primary = view.find_id(self->primary_id);
  ASSERT_NE(primary, nullptr);
  EXPECT_TRUE(primary->primary);
  EXPECT_EQ(view.owner_of(7000), primary->address);
}

TEST(ClusterNodes, Redis7MigratingAndImportingSlotsAreNotOwned) {
  // Slot 100 being migrated to 27102 and 5500 imported from it, a hostname announced by
  // 27102, and a node in handshake (a CLUSTER MEET to a port nobody listens on).
  const auto view = parse_cluster_nodes(read_fixture("cluster_nodes_redis7_migrating.txt"));
  EXPECT_EQ(view.skipped_lines, 0U);
  ASSERT_EQ(view.nodes.size(), 7U);
  const auto* self = view.myself();
  ASSERT_NE(self, nullptr);
  EXPECT_EQ(self->slots, (Ranges{{0, 5460}}));
  EXPECT_EQ(view.owner_of(100), "127.0.0.1:27101");
  EXPECT_EQ(view.owner_of(5500), "127.0.0.1:27102");

  const auto* named = view.find_id(id_7102);
  ASSERT_NE(named, nullptr);
  EXPECT_EQ(named->address, "127.0.0.1:27102");  // ",node-2.example" left out

  const auto handshake = std::find_if(view.nodes.begin(), view.nodes.end(), [](const auto& n) { return n.handshake; });
  ASSERT_NE(handshake, view.nodes.end());
  EXPECT_EQ(handshake->address, "127.0.0.1:27199");
  EXPECT_FALSE(handshake->primary || handshake->replica);
  EXPECT_FALSE(handshake->link_connected);
  EXPECT_TRUE(handshake->slots.empty());
}

TEST(ClusterNodes, Redis7AfterFailover) {
  // 27103 was killed; its replica 27105 took over. Seen from 27101.
  const auto view = parse_cluster_nodes(read_fixture("cluster_nodes_redis7_after_failover.txt"));
  EXPECT_EQ(view.skipped_lines, 0U);
  ASSERT_EQ(view.nodes.size(), 6U);
  EXPECT_EQ(count_primaries(view), 4U);  // the failed one keeps its flag "master"

  const auto* old_primary = view.find_id(id_7103);
  ASSERT_NE(old_primary, nullptr);
  EXPECT_TRUE(old_primary->primary);
  EXPECT_TRUE(old_primary->failing);
  EXPECT_FALSE(old_primary->suspected);
  EXPECT_FALSE(old_primary->link_connected);
  EXPECT_TRUE(old_primary->slots.empty());
  EXPECT_EQ(old_primary->address, "127.0.0.1:27103");

  const auto* new_primary = view.find_id(id_7105);
  ASSERT_NE(new_primary, nullptr);
  EXPECT_TRUE(new_primary->primary);
  EXPECT_FALSE(new_primary->replica);
  EXPECT_TRUE(new_primary->primary_id.empty());
  EXPECT_EQ(new_primary->slots, (Ranges{{10923, 16383}}));
  EXPECT_EQ(view.owner_of(16383), "127.0.0.1:27105");
  EXPECT_EQ(view.myself()->id, id_7101);
}

TEST(ClusterNodes, Redis7PrimaryDownWithoutFailover) {
  // 27102 was killed while its replica 27104 had cluster-replica-no-failover: the slots stay
  // with the failed primary (the cluster state is "fail").
  const auto view = parse_cluster_nodes(read_fixture("cluster_nodes_redis7_primary_down.txt"));
  EXPECT_EQ(view.skipped_lines, 0U);
  ASSERT_EQ(view.nodes.size(), 6U);
  const auto* down = view.find_id(id_7102);
  ASSERT_NE(down, nullptr);
  EXPECT_TRUE(down->primary && down->failing && !down->link_connected);
  EXPECT_EQ(down->slots, (Ranges{{5461, 10922}}));
  EXPECT_EQ(view.owner_of(6000), "127.0.0.1:27102");
  const auto* replica = view.find_id(id_7104);
  ASSERT_NE(replica, nullptr);
  EXPECT_TRUE(replica->replica);  // flags "slave,nofailover"
  EXPECT_EQ(replica->primary_id, id_7102);
}

TEST(ClusterNodes, Redis7LoneNodeDoesNotKnowItsAddress) {
  // A cluster node no other node has met yet: its own ip is empty (":port@cport").
  const auto view = parse_cluster_nodes(read_fixture("cluster_nodes_redis7_lone_node.txt"));
  EXPECT_EQ(view.skipped_lines, 0U);
  ASSERT_EQ(view.nodes.size(), 1U);
  ASSERT_NE(view.myself(), nullptr);
  EXPECT_EQ(view.myself()->address, "");
  EXPECT_TRUE(view.myself()->primary);
  EXPECT_EQ(view.owner_of(0), std::nullopt);
}

TEST(ClusterNodes, Redis3StyleLines) {
  // No bus port in the address; single slots, a split range, importing and migrating slots,
  // suspected and failed nodes, a node without an address, one in handshake, one without flags.
  const auto view = parse_cluster_nodes(read_fixture("cluster_nodes_redis3_style.txt"));
  EXPECT_EQ(view.skipped_lines, 0U);
  ASSERT_EQ(view.nodes.size(), 8U);
  const auto* self = view.myself();
  ASSERT_NE(self, nullptr);
  EXPECT_EQ(self->address, "10.0.0.1:7000");
  EXPECT_EQ(self->slots, (Ranges{{0, 5000}, {5001, 5001}, {5002, 5460}}));
  EXPECT_EQ(view.owner_of(5001), "10.0.0.1:7000");
  EXPECT_EQ(view.owner_of(5461), "10.0.0.2:7000");
  EXPECT_EQ(view.owner_of(10923), "10.0.0.3:7000");  // suspected, still the owner

  const auto& suspected = view.nodes[2];
  EXPECT_TRUE(suspected.suspected);
  EXPECT_FALSE(suspected.failing);
  EXPECT_FALSE(suspected.link_connected);

  const auto& noaddr = view.nodes[5];
  EXPECT_EQ(noaddr.address, "");
  EXPECT_TRUE(noaddr.replica && noaddr.failing && !noaddr.suspected);
  EXPECT_EQ(noaddr.primary_id, suspected.id);

  EXPECT_TRUE(view.nodes[6].handshake);
  EXPECT_EQ(view.nodes[6].address, "10.0.0.7:7000");
  const auto& noflags = view.nodes[7];
  EXPECT_FALSE(noflags.myself || noflags.primary || noflags.replica || noflags.failing || noflags.suspected ||
               noflags.handshake);
  EXPECT_TRUE(noflags.link_connected);
}

TEST(ClusterNodes, MalformedLinesAreSkippedAndCounted) {
  const auto view = parse_cluster_nodes(read_fixture("cluster_nodes_junk.txt"));
  ASSERT_EQ(view.nodes.size(), 2U);
  EXPECT_EQ(view.nodes[0].slots, (Ranges{{0, 8191}}));
  EXPECT_EQ(view.nodes[1].slots, (Ranges{{8192, 16383}}));
  EXPECT_EQ(view.nodes[1].address, "127.0.0.1:7002");
  EXPECT_EQ(view.skipped_lines, 22U);  // every non-empty line but the two above
}

TEST(ClusterNodes, LineEndingsAndAddressForms) {
  const std::string id(40, 'a');
  const auto view = parse_cluster_nodes(id + " 127.0.0.1:7000@17000 master - 0 0 1 connected 0-16383\r\n" + id +
                                        " 10.1.2.3:6379@16379,redis-0.example,shard-id=x master - 0 0 1 connected\n" +
                                        id + " ::1:7001@17001 slave " + id + " 0 0 1 connected\n" + id +
                                        " 10.1.2.4:0@0 master,noaddr - 0 0 1 connected\n" + id +
                                        " 10.1.2.5:6379 master,noaddr - 0 0 1 connected\n" + id +
                                        " :0@0 master - 0 0 1 disconnected");  // no final newline
  EXPECT_EQ(view.skipped_lines, 0U);
  ASSERT_EQ(view.nodes.size(), 6U);
  EXPECT_EQ(view.nodes[0].address, "127.0.0.1:7000");
  EXPECT_EQ(view.nodes[0].slots, (Ranges{{0, 16383}}));
  EXPECT_EQ(view.nodes[1].address, "10.1.2.3:6379");
  EXPECT_EQ(view.nodes[2].address, "::1:7001");
  EXPECT_EQ(view.nodes[3].address, "");
  EXPECT_EQ(view.nodes[4].address, "");
  EXPECT_EQ(view.nodes[5].address, "");
  EXPECT_FALSE(view.nodes[5].link_connected);
}

TEST(ClusterNodes, EmptyText) {
  EXPECT_TRUE(parse_cluster_nodes("").nodes.empty());
  EXPECT_EQ(parse_cluster_nodes("\n\n").skipped_lines, 0U);
  const ClusterNodes none;
  EXPECT_EQ(none.myself(), nullptr);
  EXPECT_EQ(none.owner_of(0), std::nullopt);
}

TEST(KeySlot, KnownValues) {
  // As CLUSTER KEYSLOT answers on Redis 7.0.
  EXPECT_EQ(key_slot("foo"), 12182);
  EXPECT_EQ(key_slot("123456789"), 12739);  // CRC16-XMODEM check value 0x31C3
  EXPECT_EQ(key_slot(""), 0);
  EXPECT_EQ(key_slot("user1000"), 3443);
  EXPECT_EQ(key_slot("{user1000}.following"), 3443);
  EXPECT_EQ(key_slot("{user1000}.followers"), 3443);
  EXPECT_EQ(key_slot("{}"), 15257);
  EXPECT_EQ(key_slot("{"), 4092);
  EXPECT_EQ(key_slot("}"), 12090);
  EXPECT_EQ(key_slot("{a"), 10276);
}

TEST(KeySlot, HashTags) {
  EXPECT_EQ(key_slot("{user1000}.following"), key_slot("{user1000}.followers"));
  EXPECT_EQ(key_slot("foo{}{bar}"), 8363);  // the first tag is empty: the whole key
  EXPECT_NE(key_slot("foo{}{bar}"), key_slot("bar"));
  EXPECT_EQ(key_slot("foo{{bar}}zap"), key_slot("{bar"));  // from the first '{' to the next '}'
  EXPECT_EQ(key_slot("foo{{bar}}zap"), 4015);
  EXPECT_EQ(key_slot("a{b}c{d}"), key_slot("b"));  // only the first tag counts
  EXPECT_EQ(key_slot("a}{b}"), key_slot("b"));
  EXPECT_EQ(key_slot(std::string_view("{\0}x", 4)), key_slot(std::string_view("\0", 1)));
}

}  // namespace
}  // namespace msgwatch::redis
