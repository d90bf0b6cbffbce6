#include "tests/redis/redis_cluster_rig.hpp"

#include "support/process.hpp"
#include "support/wait.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace msgwatch::redis::test {

using namespace std::chrono_literals;
using msgwatch::test::WaitTimeout;

// ---- RedisNodeClient ----

RedisNodeClient::RedisNodeClient(const std::string& address, std::chrono::milliseconds timeout) : address_(address) {
  const auto colon = address.rfind(':');
  const timeval tv{static_cast<time_t>(timeout.count() / 1000),
                   static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  context_.reset(redisConnectWithTimeout(address.substr(0, colon).c_str(), std::stoi(address.substr(colon + 1)), tv));
  if (context_ == nullptr || context_->err != 0) {
    throw std::runtime_error("cannot connect to " + address + ": " +
                             (context_ == nullptr ? "out of memory" : std::string(context_->errstr)));
  }
  redisSetTimeout(context_.get(), tv);
}

void RedisNodeClient::append(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  if (redisAppendCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(), lengths.data()) != REDIS_OK) {
    throw std::runtime_error(address_ + ": cannot send " + args.at(0) + ": " + context_->errstr);
  }
}

RedisReplyPtr RedisNodeClient::read_reply(const std::vector<std::string>& args) {
  void* reply = nullptr;
  if (redisGetReply(context_.get(), &reply) != REDIS_OK || reply == nullptr) {
    throw std::runtime_error(address_ + ": no reply to " + args.at(0) + ": " + context_->errstr);
  }
  return RedisReplyPtr(static_cast<redisReply*>(reply));
}

RedisReplyPtr RedisNodeClient::command(const std::vector<std::string>& args) {
  append(args);
  auto reply = read_reply(args);
  if (reply->type == REDIS_REPLY_ERROR) {
    throw std::runtime_error(address_ + ": " + args.at(0) + ": " + std::string(reply->str, reply->len));
  }
  return reply;
}

std::vector<RedisReplyPtr> RedisNodeClient::pipeline(const std::vector<std::vector<std::string>>& commands) {
  for (const auto& args : commands) append(args);
  std::vector<RedisReplyPtr> replies;
  replies.reserve(commands.size());
  for (const auto& args : commands) replies.push_back(read_reply(args));
  return replies;
}

std::string RedisNodeClient::text(const std::vector<std::string>& args) {
  const auto reply = command(args);
  if (reply->type != REDIS_REPLY_STRING && reply->type != REDIS_REPLY_STATUS) {
    throw std::runtime_error(address_ + ": " + args.at(0) + ": the reply is not a string");
  }
  return {reply->str, reply->len};
}

// ---- RedisClusterRig ----

namespace {

// The value of `field` in INFO-style "field:value\r\n" text; "" when absent.
std::string info_field(const std::string& text, const std::string& field) {
  const auto at = text.find(field + ":");
  if (at == std::string::npos || (at > 0 && text[at - 1] != '\n')) return "";
  const auto begin = at + field.size() + 1;
  return text.substr(begin, text.find_first_of("\r\n", begin) - begin);
}

}  // namespace

RedisClusterRig::RedisClusterRig(int primaries, int replicas_per_primary, std::vector<std::string> config_lines) {
  if (primaries < 3 || replicas_per_primary < 0) {
    throw std::invalid_argument("a Redis cluster needs at least 3 primaries and no negative replica count");
  }
  const int count = primaries * (1 + replicas_per_primary);
  for (int i = 0; i < count; ++i) {
    // The bus port is chosen like the client port: port + 10000 may be taken or beyond 65535.
    std::vector<std::string> lines = {"cluster-enabled yes", "cluster-config-file nodes.conf",
                                      "cluster-port " + std::to_string(free_loopback_port()),
                                      "cluster-node-timeout 5000"};
    lines.insert(lines.end(), config_lines.begin(), config_lines.end());
    nodes_.push_back(Node{std::make_unique<RedisServerProcess>(std::move(lines)), "", true});
  }

  std::vector<std::string> argv = {"redis-cli", "--cluster", "create"};
  for (const auto& address : addresses()) argv.push_back(address);
  argv.insert(argv.end(), {"--cluster-replicas", std::to_string(replicas_per_primary), "--cluster-yes"});
  const auto result = msgwatch::test::run_process(argv, 60s);
  if (!result.status.success())
    throw std::runtime_error("creating the cluster failed: " + result.describe() + log_tails());

  for (std::size_t i = 0; i < nodes_.size(); ++i) nodes_[i].id = client(i).text({"CLUSTER", "MYID"});
  wait_until_healthy();
}

void RedisClusterRig::check_index(std::size_t index) const {
  if (index >= nodes_.size()) {
    throw std::out_of_range("no node " + std::to_string(index) + " in a cluster of " + std::to_string(nodes_.size()));
  }
}

std::string RedisClusterRig::address(std::size_t index) const {
  check_index(index);
  return nodes_[index].process->address();
}

std::vector<std::string> RedisClusterRig::addresses() const {
  std::vector<std::string> out;
  for (const auto& node : nodes_) out.push_back(node.process->address());
  return out;
}

const std::string& RedisClusterRig::node_id(std::size_t index) const {
  check_index(index);
  return nodes_[index].id;
}

std::optional<std::size_t> RedisClusterRig::index_of(std::string_view address) const {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].process->address() == address) return i;
  }
  return std::nullopt;
}

bool RedisClusterRig::running(std::size_t index) const {
  check_index(index);
  return nodes_[index].running;
}

RedisClusterRig::Role RedisClusterRig::role(std::size_t index) const {
  const auto reply = client(index).command({"ROLE"});
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 1 || reply->element[0]->type != REDIS_REPLY_STRING) {
    throw std::runtime_error(address(index) + ": ROLE: unexpected reply");
  }
  const std::string kind(reply->element[0]->str, reply->element[0]->len);
  if (kind == "master") return Role{true, std::nullopt, ""};
  // ["slave", primary ip, primary port, link state, offset]
  if (kind != "slave" || reply->elements < 4 || reply->element[1]->type != REDIS_REPLY_STRING ||
      reply->element[2]->type != REDIS_REPLY_INTEGER || reply->element[3]->type != REDIS_REPLY_STRING) {
    throw std::runtime_error(address(index) + ": ROLE: unexpected reply for a replica");
  }
  const std::string primary =
      std::string(reply->element[1]->str, reply->element[1]->len) + ":" + std::to_string(reply->element[2]->integer);
  return Role{false, index_of(primary), std::string(reply->element[3]->str, reply->element[3]->len)};
}

std::vector<std::size_t> RedisClusterRig::primaries() const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].running && role(i).primary) out.push_back(i);
  }
  return out;
}

std::vector<std::size_t> RedisClusterRig::replicas() const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].running && !role(i).primary) out.push_back(i);
  }
  return out;
}

std::optional<std::size_t> RedisClusterRig::primary_of(std::size_t index) const { return role(index).primary_index; }

RedisNodeClient RedisClusterRig::client(std::size_t index) const { return RedisNodeClient(address(index)); }

std::string RedisClusterRig::cluster_nodes(std::size_t index) const { return client(index).text({"CLUSTER", "NODES"}); }

void RedisClusterRig::stop(std::size_t index) {
  check_index(index);
  nodes_[index].process->stop();
  nodes_[index].running = false;
}

void RedisClusterRig::start(std::size_t index) {
  check_index(index);
  nodes_[index].process->start();
  nodes_[index].running = true;
}

void RedisClusterRig::failover(std::size_t replica_index, std::chrono::milliseconds deadline) {
  if (role(replica_index).primary) {
    throw std::logic_error("failover: node " + std::to_string(replica_index) + " is already a primary");
  }
  const auto started = std::chrono::steady_clock::now();
  std::optional<std::chrono::steady_clock::time_point> sent;
  try {
    msgwatch::test::wait_until_explained(
        [&]() -> std::string {
          try {
            // A manual failover gives up after 5 s (the replica could not catch up): ask again.
            if (!sent || std::chrono::steady_clock::now() - *sent > 10s) {
              client(replica_index).command({"CLUSTER", "FAILOVER"});
              sent = std::chrono::steady_clock::now();
            }
            const auto now = role(replica_index);
            return now.primary ? "" : "still a replica, link " + now.link;
          } catch (const std::runtime_error& e) {
            return e.what();
          }
        },
        deadline, "node " + std::to_string(replica_index) + " (" + address(replica_index) + ") to become a primary");
  } catch (const WaitTimeout& e) {
    throw WaitTimeout(e.what() + log_tails());
  }
  const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  wait_until_healthy(std::max<std::chrono::milliseconds>(deadline - spent, 1s));
}

std::string RedisClusterRig::health() const {
  try {
    std::map<std::size_t, std::size_t> replica_count;  // primary -> replicas that report replicating from it
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      const std::string node = "node " + std::to_string(i) + " (" + address(i) + ")";
      if (!nodes_[i].running) return node + " is stopped";
      const auto info = client(i).text({"CLUSTER", "INFO"});
      if (info_field(info, "cluster_state") != "ok")
        return node + ": cluster_state " + info_field(info, "cluster_state");
      if (info_field(info, "cluster_known_nodes") != std::to_string(nodes_.size())) {
        return node + " knows " + info_field(info, "cluster_known_nodes") + " nodes";
      }
      const auto now = role(i);
      if (now.primary) {
        replica_count.try_emplace(i, 0);
      } else if (!now.primary_index) {
        return node + " replicates from a node outside the cluster";
      } else if (now.link != "connected") {
        return node + ": link to its primary " + now.link;
      } else {
        ++replica_count[*now.primary_index];
      }
    }
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      auto observer = client(i);
      // A restarted node is back in CLUSTER INFO before every bus link to it is: look at the
      // link-state and flag fields of CLUSTER NODES too (no hostnames here, so the text is enough).
      const auto nodes = observer.text({"CLUSTER", "NODES"});
      if (nodes.find(" disconnected") != std::string::npos) return "node " + std::to_string(i) + " has a link down";
      if (nodes.find(",fail") != std::string::npos) return "node " + std::to_string(i) + " sees a node failing";
      for (const auto& [primary, count] : replica_count) {
        // An error (unknown node, "not a master") means this node does not see it as a primary yet.
        const auto reply = observer.command({"CLUSTER", "REPLICAS", nodes_[primary].id});
        if (reply->type != REDIS_REPLY_ARRAY || reply->elements != count) {
          return "node " + std::to_string(i) + " sees " + std::to_string(reply->elements) + " replicas of node " +
                 std::to_string(primary) + ", which has " + std::to_string(count);
        }
      }
    }
    return "";
  } catch (const std::runtime_error& e) {
    return e.what();
  }
}

void RedisClusterRig::wait_until_healthy(std::chrono::milliseconds deadline) const {
  try {
    msgwatch::test::wait_until_explained([&] { return health(); }, deadline, "the Redis cluster to be healthy");
  } catch (const WaitTimeout& e) {
    throw WaitTimeout(e.what() + log_tails());
  }
}

std::string RedisClusterRig::log_tails() const {
  std::string out;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    out += "\n--- node " + std::to_string(i) + " (" + nodes_[i].process->address() + ") log:\n";
    out += msgwatch::test::tail_lines(msgwatch::test::read_file(nodes_[i].process->dir() / "redis.log"), 8);
  }
  return out;
}

}  // namespace msgwatch::redis::test
