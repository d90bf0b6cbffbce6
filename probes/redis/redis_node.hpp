#pragma once
// One Redis server of a target: its connection, kept open between cycles, and one cycle's
// reading of it. INFO ALL (INFO where ALL is refused), CONFIG GET, the slow log and latency
// monitor; on a cluster node CLUSTER INFO and CLUSTER NODES; the key groups on a primary (and
// on a replica where configured) and the configured queues it serves: on a cluster node the
// keys whose slots it owns, elsewhere every queue on a primary.
//
// Runs on the probe's io_context thread only. A connection that died since the last cycle
// (restart, idle timeout, failover) earns one retry on a fresh one; a failed read closes it
// and the next read opens a new one, re-reading the password so that a rotated secret is
// picked up.

#include "exporter/sdk/host_port.hpp"
#include "exporter/sdk/series_set.hpp"
#include "probes/redis/key_groups.hpp"
#include "probes/redis/optional_command.hpp"
#include "probes/redis/queue_replies.hpp"
#include "probes/redis/redis_config.hpp"
#include "probes/redis/redis_connection.hpp"
#include "probes/redis/redis_topology.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace msgwatch::redis {

struct NodeReading {
  SeriesSet series;  // everything about this server; the probe adds the `node` label
  NodeReport report;
  std::vector<QueueState> queues;
  std::vector<std::string> queues_asked;  // the configured queues this server serves
};

class RedisNode {
 public:
  // `target` outlives the node.
  RedisNode(std::string address, const RedisTarget& target);

  // One reading; throws with a message that names what failed (never a credential).
  boost::asio::awaitable<NodeReading> read();
  // Ends a read in progress (it fails) and closes the connection: the cycle's deadline or
  // the probe's abort.
  void interrupt() noexcept;
  [[nodiscard]] const std::string& address() const { return address_; }

  // The last good reading's series and when it was taken, for a cycle in which the server
  // does not answer.
  std::optional<std::chrono::steady_clock::time_point> last_success;
  SeriesSet last_good;

 private:
  boost::asio::awaitable<void> open_connection();
  boost::asio::awaitable<NodeReading> cycle();
  boost::asio::awaitable<std::string> read_info();
  boost::asio::awaitable<std::map<std::string, std::string>> read_config();
  boost::asio::awaitable<void> read_cluster(NodeReading& reading, std::vector<std::pair<int, int>>& own_slots);

  std::string address_;
  std::optional<HostPort> host_port_;
  const RedisTarget& target_;
  std::unique_ptr<RedisConnection> connection_;
  bool interrupted_ = false;
  bool reading_ = false;           // a read left behind by its cycle has not ended yet
  bool info_all_refused_ = false;  // per connection
  OptionalCommand config_{"redis_config_* are not exported"};
  OptionalCommand slowlog_{"redis_slowlog_* are not exported"};
  OptionalCommand latency_{"redis_latency_spike_* are not exported"};
  OptionalCommand memory_usage_{"redis_key_group_memory_bytes is not exported"};
  OptionalCommand cluster_{"redis_cluster_* are not exported and cluster nodes are not discovered"};
  KeyGroupSampler key_groups_;  // its SCAN goes on across cycles and connections
};

}  // namespace msgwatch::redis
