#include "probes/redis/cluster_nodes.hpp"

#include <array>
#include <charconv>
#include <limits>

namespace msgwatch::redis {

namespace {

constexpr auto npos = std::string_view::npos;

// The text up to the first `separator` (all of it when there is none), removed from `text`.
std::string_view take(std::string_view& text, char separator) {
  const auto at = text.find(separator);
  const auto head = text.substr(0, at);
  text.remove_prefix(at == npos ? text.size() : at + 1);
  return head;
}

// Decimal digits and nothing else (no sign, no spaces), at most `max`.
std::optional<std::uint64_t> parse_unsigned(std::string_view text, std::uint64_t max) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value > max) return std::nullopt;
  return value;
}

bool is_node_id(std::string_view text) {
  if (text.size() != 40) return false;
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

// "ip:port@cport[,hostname]" (or "ip:port" before Redis 4) -> "ip:port"; "" when the ip or the
// port is not known (":0@0", or ":port@cport" for itself on a node no other node has met yet);
// nullopt when malformed. IPv6 addresses come without brackets: the port follows the last ':'.
std::optional<std::string> parse_address(std::string_view field) {
  field = field.substr(0, field.find(','));  // the hostname and any later auxiliary fields
  const auto at = field.find('@');
  if (at != npos && !parse_unsigned(field.substr(at + 1), 65535)) return std::nullopt;
  const auto ip_port = field.substr(0, at);
  const auto colon = ip_port.rfind(':');
  if (colon == npos) return std::nullopt;
  const auto port = parse_unsigned(ip_port.substr(colon + 1), 65535);
  if (!port) return std::nullopt;
  if (colon == 0 || *port == 0) return std::string();
  return std::string(ip_port);
}

// Adds an owned range `N` or `N-M`; a slot being migrated or imported (`[N->-id]`, `[N-<-id]`)
// is not owned and adds nothing. False when malformed.
bool add_slots(std::string_view token, std::vector<std::pair<int, int>>& slots) {
  if (token.front() == '[') return token.back() == ']';
  const auto dash = token.find('-');
  const auto first = parse_unsigned(token.substr(0, dash), kClusterSlots - 1);
  const auto last = dash == npos ? first : parse_unsigned(token.substr(dash + 1), kClusterSlots - 1);
  if (!first || !last || *first > *last) return false;
  slots.emplace_back(static_cast<int>(*first), static_cast<int>(*last));
  return true;
}

std::optional<ClusterNode> parse_node(std::string_view line) {
  std::vector<std::string_view> fields;  // Redis writes single spaces; empty fields are ignored
  while (!line.empty()) {
    const auto field = take(line, ' ');
    if (!field.empty()) fields.push_back(field);
  }
  // id, address, flags, primary, ping-sent, pong-recv, config-epoch, link-state, slots...
  if (fields.size() < 8 || !is_node_id(fields[0])) return std::nullopt;

  ClusterNode node;
  node.id = std::string(fields[0]);
  auto address = parse_address(fields[1]);
  if (!address) return std::nullopt;
  node.address = std::move(*address);

  bool noaddr = false;
  for (auto flags = fields[2]; !flags.empty();) {
    const auto flag = take(flags, ',');
    if (flag == "myself") node.myself = true;
    if (flag == "master") node.primary = true;
    if (flag == "slave") node.replica = true;
    if (flag == "fail") node.failing = true;
    if (flag == "fail?") node.suspected = true;
    if (flag == "handshake") node.handshake = true;
    if (flag == "noaddr") noaddr = true;
  }
  if (noaddr) node.address.clear();

  if (fields[3] != "-") {
    if (!is_node_id(fields[3])) return std::nullopt;
    node.primary_id = std::string(fields[3]);
  }
  for (std::size_t i = 4; i < 7; ++i) {  // ping-sent, pong-recv (ms), config-epoch: checked, not kept
    if (!parse_unsigned(fields[i], std::numeric_limits<std::uint64_t>::max())) return std::nullopt;
  }
  if (fields[7] != "connected" && fields[7] != "disconnected") return std::nullopt;
  node.link_connected = fields[7] == "connected";

  for (std::size_t i = 8; i < fields.size(); ++i) {
    if (!add_slots(fields[i], node.slots)) return std::nullopt;
  }
  return node;
}

constexpr auto crc16_table = [] {
  std::array<std::uint16_t, 256> table{};
  for (unsigned byte = 0; byte < table.size(); ++byte) {
    auto crc = static_cast<std::uint16_t>(byte << 8);
    for (int bit = 0; bit < 8; ++bit) {
      crc = static_cast<std::uint16_t>((crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1);
    }
    table[byte] = crc;
  }
  return table;
}();

// CRC16-XMODEM: polynomial 0x1021, initial value 0, no reflection, no final xor.
std::uint16_t crc16(std::string_view bytes) {
  std::uint16_t crc = 0;
  for (const char c : bytes) {
    crc = static_cast<std::uint16_t>((crc << 8) ^ crc16_table[((crc >> 8) ^ static_cast<unsigned char>(c)) & 0xff]);
  }
  return crc;
}

}  // namespace

const ClusterNode* ClusterNodes::find_id(std::string_view id) const {
  for (const auto& node : nodes) {
    if (node.id == id) return &node;
  }
  return nullptr;
}

const ClusterNode* ClusterNodes::myself() const {
  for (const auto& node : nodes) {
    if (node.myself) return &node;
  }
  return nullptr;
}

std::optional<std::string> ClusterNodes::owner_of(int slot) const {
  for (const auto& node : nodes) {
    if (!node.primary) continue;
    for (const auto& [first, last] : node.slots) {
      if (slot < first || slot > last) continue;
      if (node.address.empty()) return std::nullopt;
      return node.address;
    }
  }
  return std::nullopt;
}

ClusterNodes parse_cluster_nodes(std::string_view text) {
  ClusterNodes result;
  while (!text.empty()) {
    auto line = take(text, '\n');
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (auto node = parse_node(line)) {
      result.nodes.push_back(std::move(*node));
    } else {
      ++result.skipped_lines;
    }
  }
  return result;
}

int key_slot(std::string_view key) {
  const auto open = key.find('{');
  if (open != npos) {
    const auto close = key.find('}', open + 1);
    if (close != npos && close > open + 1) key = key.substr(open + 1, close - open - 1);
  }
  return crc16(key) % kClusterSlots;
}

}  // namespace msgwatch::redis
