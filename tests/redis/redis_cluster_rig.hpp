#pragma once
// A Redis Cluster of real redis-server processes on loopback for the integration tests:
// `primaries` primaries with `replicas_per_primary` replicas each, created with
// `redis-cli --cluster create` and waited for until every node agrees. Roles are asked from the
// nodes (ROLE) whenever they are needed, never remembered, since failovers change them. Every
// wait is bounded. Needs Redis 7.0 or later (the bus port is set with cluster-port).

#include "tests/redis/test_support.hpp"

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace msgwatch::redis::test {

struct RedisReplyDeleter {
  void operator()(redisReply* reply) const noexcept { freeReplyObject(reply); }
};
using RedisReplyPtr = std::unique_ptr<redisReply, RedisReplyDeleter>;

// A synchronous hiredis connection to one node: the tests' oracle, sharing nothing with the
// probe's client.
class RedisNodeClient {
 public:
  explicit RedisNodeClient(const std::string& address,
                           std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

  // The reply to one command; throws std::runtime_error for a connection failure or an error reply.
  RedisReplyPtr command(const std::vector<std::string>& args);
  // The replies to commands sent at once (pipelined), in order; error replies are returned, not
  // thrown. Throws std::runtime_error for a connection failure.
  std::vector<RedisReplyPtr> pipeline(const std::vector<std::vector<std::string>>& commands);
  // A string or status reply as text; throws std::runtime_error for any other reply.
  std::string text(const std::vector<std::string>& args);

 private:
  struct ContextDeleter {
    void operator()(redisContext* context) const noexcept { redisFree(context); }
  };
  void append(const std::vector<std::string>& args);
  RedisReplyPtr read_reply(const std::vector<std::string>& args);

  std::string address_;
  std::unique_ptr<redisContext, ContextDeleter> context_;
};

class RedisClusterRig {
 public:
  // Starts the nodes, creates the cluster and waits (up to 60 s) until it is healthy. Throws
  // std::runtime_error when something fails, with the tail of each node's log. `config_lines`
  // go into every node's redis.conf after the rig's own, so they can override them (e.g.
  // "cluster-node-timeout 2000").
  RedisClusterRig(int primaries, int replicas_per_primary, std::vector<std::string> config_lines = {});
  RedisClusterRig(const RedisClusterRig&) = delete;
  RedisClusterRig& operator=(const RedisClusterRig&) = delete;

  [[nodiscard]] std::size_t size() const { return nodes_.size(); }
  [[nodiscard]] std::string address(std::size_t index) const;  // "127.0.0.1:port"
  [[nodiscard]] std::vector<std::string> addresses() const;
  [[nodiscard]] const std::string& node_id(std::size_t index) const;  // CLUSTER MYID, fixed for life
  [[nodiscard]] std::optional<std::size_t> index_of(std::string_view address) const;
  [[nodiscard]] bool running(std::size_t index) const;

  // Roles as the running nodes report them now (ROLE); node indexes in ascending order.
  [[nodiscard]] std::vector<std::size_t> primaries() const;
  [[nodiscard]] std::vector<std::size_t> replicas() const;
  // The node a replica replicates from, as the replica reports it; nullopt for a primary.
  [[nodiscard]] std::optional<std::size_t> primary_of(std::size_t index) const;

  [[nodiscard]] RedisNodeClient client(std::size_t index) const;
  // The CLUSTER NODES text exactly as the node answers it.
  [[nodiscard]] std::string cluster_nodes(std::size_t index) const;

  // Stops the process (SIGTERM, waited for); start() restarts it on the same ports with the same
  // nodes.conf, so it rejoins as whatever the cluster made of it meanwhile. Neither waits for the
  // cluster: call wait_until_healthy() when a test needs it.
  void stop(std::size_t index);
  void start(std::size_t index);

  // Runs CLUSTER FAILOVER on a replica (again if a manual failover times out) and waits until it
  // is a primary and the cluster is healthy again.
  void failover(std::size_t replica_index, std::chrono::milliseconds deadline = std::chrono::seconds(60));

  // Waits until health() is empty; throws msgwatch::test::WaitTimeout with the last reason and
  // the nodes' log tails.
  void wait_until_healthy(std::chrono::milliseconds deadline = std::chrono::seconds(60)) const;
  // Empty when every node runs, reports cluster_state:ok, knows all the nodes with its bus links
  // to them up and none failing or suspected, every replica's link to its primary is up, and
  // every node sees each primary with the replicas that report replicating from it. Otherwise
  // what is not so yet.
  [[nodiscard]] std::string health() const;

 private:
  struct Role {
    bool primary = false;
    std::optional<std::size_t> primary_index;  // of a replica, when it names a node of the rig
    std::string link;                          // of a replica: "connect", "sync", "connected", ...
  };
  [[nodiscard]] Role role(std::size_t index) const;
  [[nodiscard]] std::string log_tails() const;
  void check_index(std::size_t index) const;

  struct Node {
    std::unique_ptr<RedisServerProcess> process;
    std::string id;
    bool running = true;
  };
  std::vector<Node> nodes_;
};

}  // namespace msgwatch::redis::test
