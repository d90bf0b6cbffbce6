#include "probes/redis/redis_topology.hpp"

#include "exporter/sdk/host_port.hpp"

#include <spdlog/spdlog.h>

namespace msgwatch::redis {

std::optional<std::string> normalize_address(std::string_view text) {
  if (text.empty()) return std::nullopt;
  auto parsed = parse_host_port(text);
  if (!parsed) {
    // Redis writes an IPv6 address without brackets ("::1:6379"): the port follows the last colon.
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    parsed = parse_host_port("[" + std::string(text.substr(0, colon)) + "]" + std::string(text.substr(colon)));
    if (!parsed) return std::nullopt;
  }
  if (parsed->host.empty() || parsed->port == 0) return std::nullopt;
  const bool v6 = parsed->host.find(':') != std::string::npos;
  return (v6 ? "[" + parsed->host + "]" : parsed->host) + ":" + std::to_string(parsed->port);
}

RedisTopology::RedisTopology(const std::vector<std::string>& seeds, bool discover) : discover_(discover) {
  for (const auto& seed : seeds) {
    auto& node = nodes_[seed];
    node.seed = true;
  }
}

void RedisTopology::begin_cycle() {
  for (auto& [address, node] : nodes_) {
    node.asked = false;
    node.answered = false;
  }
}

std::vector<std::string> RedisTopology::next_round() {
  std::vector<std::string> round;
  for (auto& [address, node] : nodes_) {
    if (node.asked || !node.alias_of.empty()) continue;
    node.asked = true;
    round.push_back(address);
  }
  return round;
}

void RedisTopology::name(const NamedNode& named, Clock::time_point now) {
  const auto address = normalize_address(named.address);
  if (!address) return;
  auto it = nodes_.find(*address);
  if (it == nodes_.end()) {
    if (nodes_.size() >= kMaxNodes) {
      if (overflow_++ == 0) spdlog::warn("redis: more than {} servers named; the others are not probed", kMaxNodes);
      return;
    }
    it = nodes_.emplace(*address, Node{}).first;
  }
  auto& node = it->second;
  node.last_seen = now;
  // A server's own word wins over what another says of it in the same cycle.
  if (!node.answered && !named.role.empty()) {
    node.role = named.role;
    node.primary = named.role == "slave" ? named.primary : "";
  }
}

void RedisTopology::answered(const std::string& address, const NodeReport& report, Clock::time_point now) {
  const auto it = nodes_.find(address);
  if (it == nodes_.end()) return;
  auto& node = it->second;
  node.answered = true;
  node.last_answer = now;
  node.last_seen = now;
  node.run_id = report.run_id;
  node.role = report.self.role;
  node.primary = report.self.role == "slave" ? report.self.primary : "";
  if (!discover_) return;
  for (const auto& named : report.named) {
    if (normalize_address(named.address) != address) name(named, now);
  }
}

void RedisTopology::end_cycle(Clock::time_point now, Clock::duration forget_after) {
  // Two answers with one run_id are one server: keep an address a server named over a seed
  // (given by another name, such as a DNS name for an IP), else the first.
  std::map<std::string, std::string> kept_by_run_id;
  for (auto& [address, node] : nodes_) {
    if (!node.answered || node.run_id.empty()) continue;
    auto [kept, added] = kept_by_run_id.try_emplace(node.run_id, address);
    if (added) continue;
    auto& first = nodes_.at(kept->second);
    const bool prefer_this = first.seed && !node.seed;
    auto& alias = prefer_this ? first : node;
    alias.alias_of = prefer_this ? address : kept->second;
    alias.answered = false;
    if (prefer_this) kept->second = address;
  }
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    auto& node = it->second;
    if (!node.alias_of.empty() && !nodes_.contains(node.alias_of)) node.alias_of.clear();
    const bool gone = !node.seed && node.alias_of.empty() && now - node.last_seen >= forget_after;
    it = gone ? nodes_.erase(it) : std::next(it);
  }
}

}  // namespace msgwatch::redis
