#include "probes/redis/redis_node.hpp"

#include "probes/redis/cluster_nodes.hpp"
#include "probes/redis/diagnostic_reader.hpp"
#include "probes/redis/info_metrics.hpp"
#include "probes/redis/info_parser.hpp"
#include "probes/redis/key_group_reader.hpp"
#include "probes/redis/queue_reader.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace msgwatch::redis {

namespace asio = boost::asio;

namespace {

// Keys in `db` as INFO keyspace says; a database it does not list is empty.
double database_keys(const Info& info, std::string_view db) {
  for (const auto& entry : info.keyspace) {
    if (entry.db == db) return entry.keys;
  }
  return 0;
}

bool owns(const std::vector<std::pair<int, int>>& slots, int slot) {
  return std::any_of(slots.begin(), slots.end(),
                     [&](const auto& range) { return range.first <= slot && slot <= range.second; });
}

// Who the server is and whom its INFO names: its primary (a replica) or its replicas.
NodeReport report_from_info(const Info& info, const std::string& address) {
  NodeReport report;
  report.run_id = info.text("run_id");
  report.self.address = address;
  report.self.role = info.text("role");
  const auto master_host = info.text("master_host");
  const auto master_port = info.text("master_port");
  if (report.self.role == "slave" && !master_host.empty()) {
    report.self.primary = normalize_address(master_host + ":" + master_port).value_or("");
    if (!report.self.primary.empty()) report.named.push_back({report.self.primary, "master", ""});
  }
  for (auto& replica : connected_replicas(info)) {
    report.named.push_back({replica["ip"] + ":" + replica["port"], "slave", address});
  }
  return report;
}

}  // namespace

RedisNode::RedisNode(std::string address, const RedisTarget& target)
    : address_(std::move(address)),
      host_port_(parse_host_port(address_)),
      target_(target),
      key_groups_(target.key_groups) {}

void RedisNode::interrupt() noexcept {
  interrupted_ = true;
  if (connection_) connection_->close();
}

asio::awaitable<NodeReading> RedisNode::read() {
  if (reading_) throw std::runtime_error("the previous read has not ended");
  if (!host_port_) throw std::runtime_error("address is not host:port");
  interrupted_ = false;
  reading_ = true;
  struct Done {
    bool& reading;
    ~Done() { reading = false; }
  } done{reading_};

  if (connection_ && connection_->is_open()) {
    std::string stale;
    try {
      co_return co_await cycle();
    } catch (const RedisIoError& e) {
      stale = e.what();
    } catch (const std::exception&) {
      if (connection_) connection_->close();
      throw;
    }
    if (interrupted_) throw std::runtime_error(stale);
    spdlog::debug("redis {} {}: reconnecting after: {}", target_.name, address_, stale);
  }

  try {
    co_await open_connection();
    co_return co_await cycle();
  } catch (const std::exception&) {
    if (connection_) connection_->close();
    throw;
  }
}

asio::awaitable<void> RedisNode::open_connection() {
  std::string password;
  try {
    password = target_.password.resolve();
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("password: ") + e.what());
  }
  connection_ = std::make_unique<RedisConnection>(co_await asio::this_coro::executor);
  if (target_.tls) connection_->use_tls(*target_.tls);
  info_all_refused_ = false;
  for (auto* command : {&config_, &slowlog_, &latency_, &memory_usage_, &cluster_}) command->reset();
  co_await connection_->connect(*host_port_);
  if (!password.empty()) co_await connection_->authenticate(target_.username, password);

  // Names the connection in CLIENT LIST; proxies that lack CLIENT refuse it, which is harmless.
  bool named = true;
  std::vector<std::string> setname{"CLIENT", "SETNAME", "msgwatch"};
  try {
    co_await connection_->command(std::move(setname));
  } catch (const RedisCommandError&) {
    named = false;
  }
  if (!named) spdlog::debug("redis {} {}: CLIENT SETNAME refused", target_.name, address_);
}

asio::awaitable<std::string> RedisNode::read_info() {
  if (!info_all_refused_) {
    // INFO ALL adds Commandstats, Errorstats and Latencystats to the default sections.
    std::optional<RedisReply> reply;
    std::vector<std::string> info_all{"INFO", "ALL"};
    try {
      reply = co_await connection_->command(std::move(info_all));
    } catch (const RedisCommandError&) {
      info_all_refused_ = true;
    }
    if (reply && reply->type == RedisReply::Type::string && !reply->str.empty()) co_return std::move(reply->str);
    info_all_refused_ = true;
  }
  std::vector<std::string> info{"INFO"};
  auto reply = co_await connection_->command(std::move(info));
  if (reply.type != RedisReply::Type::string) throw RespProtocolError("INFO: reply is not a bulk string");
  co_return std::move(reply.str);
}

// Two CONFIG GETs: one pattern each, as every Redis version takes it (several arguments only
// from 7.0 on).
asio::awaitable<std::map<std::string, std::string>> RedisNode::read_config() {
  std::map<std::string, std::string> config;
  for (const char* pattern : {"max*", "io-threads"}) {
    std::vector<std::string> config_get{"CONFIG", "GET", pattern};
    const auto reply = co_await config_.ask(*connection_, std::move(config_get), target_.name + " " + address_);
    if (!reply || reply->type != RedisReply::Type::array) continue;
    for (std::size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
      config.emplace(reply->elements[i].str, reply->elements[i + 1].str);
    }
  }
  co_return config;
}

// CLUSTER INFO into series, CLUSTER NODES into the members this node names and the slots it
// owns itself.
asio::awaitable<void> RedisNode::read_cluster(NodeReading& reading, std::vector<std::pair<int, int>>& own_slots) {
  const auto label = target_.name + " " + address_;
  std::vector<std::string> info_command{"CLUSTER", "INFO"};
  const auto info = co_await cluster_.ask(*connection_, std::move(info_command), label);
  if (!info) co_return;
  if (info->type != RedisReply::Type::string) throw RespProtocolError("CLUSTER INFO: reply is not a bulk string");
  write_cluster_info_metrics(parse_info(info->str), reading.series);

  std::vector<std::string> nodes_command{"CLUSTER", "NODES"};
  const auto nodes = co_await cluster_.ask(*connection_, std::move(nodes_command), label);
  if (!nodes) co_return;
  if (nodes->type != RedisReply::Type::string) throw RespProtocolError("CLUSTER NODES: reply is not a bulk string");
  const auto view = parse_cluster_nodes(nodes->str);
  for (const auto& node : view.nodes) {
    if (node.myself) {
      own_slots = node.slots;
      continue;
    }
    if (node.address.empty() || node.handshake) continue;
    const auto* primary = node.replica ? view.find_id(node.primary_id) : nullptr;
    reading.report.named.push_back({node.address,
                                    node.primary   ? "master"
                                    : node.replica ? "slave"
                                                   : "",
                                    primary != nullptr ? primary->address : ""});
  }
}

asio::awaitable<NodeReading> RedisNode::cycle() {
  const std::string text = co_await read_info();
  const auto config = co_await read_config();
  const Info info = parse_info(text);
  if (info.index.empty()) throw RespProtocolError("INFO: reply has no fields");

  NodeReading reading;
  reading.report = report_from_info(info, address_);
  const bool primary = reading.report.self.role == "master";
  const bool cluster = info.text("cluster_enabled") == "1";
  std::vector<std::pair<int, int>> own_slots;
  if (cluster) co_await read_cluster(reading, own_slots);

  const auto label = target_.name + " " + address_;
  const auto diagnostics = co_await read_diagnostics(*connection_, slowlog_, latency_, label);
  std::vector<std::string> queues;
  for (const auto& key : target_.queues) {
    if (cluster ? owns(own_slots, key_slot(key)) : primary) queues.push_back(key);
  }
  reading.queues = co_await read_queues(*connection_, queues);
  reading.queues_asked = std::move(queues);
  const bool sample = !target_.key_groups.empty() && (primary || target_.key_sampling.on_replicas);
  if (sample) co_await sample_key_groups(*connection_, key_groups_, target_.key_sampling, memory_usage_, label);

  write_info_metrics(info, config, std::chrono::system_clock::now(), reading.series);
  write_diagnostic_metrics(diagnostics, reading.series);
  if (sample) write_key_group_metrics(key_groups_, database_keys(info, "db0"), reading.series);
  co_return reading;
}

}  // namespace msgwatch::redis
