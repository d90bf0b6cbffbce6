#pragma once
// Redis Cluster's view of itself, parsed from CLUSTER NODES, and the key-to-slot mapping.
// Pure functions, no I/O; every input is bytes from the network (fuzzed).
//
// One line per node: `<id> <ip:port@cport[,hostname]> <flags> <primary-id|-> <ping-sent>
// <pong-recv> <config-epoch> <link-state> <slot>...`, slots as `N` or `N-M`, and slots being
// imported or migrated as `[N->-id]` / `[N-<-id]` (not owned; skipped). Redis before 4.0 writes
// the address without `@cport`. Lines end in "\n" ("\r\n" is accepted too). A line is skipped
// when a field is missing or malformed: an id that is not 40 hex digits, a port, time or epoch
// that is not a decimal number, a link state other than connected/disconnected, a slot outside
// 0..16383 or a reversed range. Unknown flags are ignored.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace msgwatch::redis {

inline constexpr int kClusterSlots = 16384;

struct ClusterNode {
  std::string id;          // 40 hex characters
  std::string address;     // "ip:port" as announced (bus port and hostname left out); empty: unknown
  bool myself = false;     // the node that answered
  bool primary = false;    // flag "master"
  bool replica = false;    // flag "slave"
  bool failing = false;    // flag "fail" (the cluster agreed)
  bool suspected = false;  // flag "fail?" (this node's own suspicion)
  bool handshake = false;  // flag "handshake": not a member yet
  std::string primary_id;  // of a replica; empty for a primary
  bool link_connected = false;
  std::vector<std::pair<int, int>> slots;  // owned slot ranges, inclusive, in text order
};

// Lines that do not parse are skipped and counted, never fatal.
struct ClusterNodes {
  std::vector<ClusterNode> nodes;
  std::size_t skipped_lines = 0;

  [[nodiscard]] const ClusterNode* find_id(std::string_view id) const;
  [[nodiscard]] const ClusterNode* myself() const;
  // The address of the primary that owns `slot`, if one does and its address is known.
  [[nodiscard]] std::optional<std::string> owner_of(int slot) const;
};

ClusterNodes parse_cluster_nodes(std::string_view text);

// The slot of a key as Redis Cluster computes it: CRC16 (XMODEM) of the key, or of its hash
// tag (the part between the first '{' and the next '}', when not empty), modulo 16384.
int key_slot(std::string_view key);

}  // namespace msgwatch::redis
