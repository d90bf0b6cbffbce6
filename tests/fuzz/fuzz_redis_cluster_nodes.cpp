// libFuzzer target for the CLUSTER NODES parser and the key-to-slot mapping: any text from a
// server gives nodes whose slot ranges are within 0..16383 and ordered, or skipped lines, never
// a crash; any key maps to a slot in range. The lookups run on every parsed result.

#include "probes/redis/cluster_nodes.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

void check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace msgwatch::redis;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const int slot = key_slot(text);
  check(slot >= 0 && slot < kClusterSlots);

  const auto view = parse_cluster_nodes(text);
  const auto* self = view.myself();
  check(self == nullptr || self->myself);
  std::size_t lookups = 0;  // bounded: each lookup is linear in the nodes and their ranges
  for (const auto& node : view.nodes) {
    check(node.id.size() == 40);
    check(node.primary_id.empty() || node.primary_id.size() == 40);
    for (const auto& [first, last] : node.slots) check(0 <= first && first <= last && last < kClusterSlots);
    if (++lookups > 64) continue;
    check(view.find_id(node.id) != nullptr);
    (void)view.find_id(node.primary_id);
    if (!node.slots.empty()) (void)view.owner_of(node.slots.front().first);
  }
  for (const int probe : {-1, 0, slot, kClusterSlots - 1, kClusterSlots}) {
    const auto owner = view.owner_of(probe);
    check(!owner || !owner->empty());
  }
  return 0;
}
