#include "probes/kafka/protocol/version_negotiation.hpp"

#include <algorithm>

namespace msgwatch::kafka::protocol {

std::optional<std::int16_t> negotiate_version(const ApiVersionsResponse& broker, ApiKey api_key, std::int16_t our_min,
                                              std::int16_t our_max) noexcept {
  for (const auto& range : broker.api_keys) {
    if (range.api_key != api_key) {
      continue;
    }
    const std::int16_t low = std::max(our_min, range.min_version);
    const std::int16_t high = std::min(our_max, range.max_version);
    if (low > high) {
      return std::nullopt;
    }
    return high;
  }
  return std::nullopt;
}

}  // namespace msgwatch::kafka::protocol
