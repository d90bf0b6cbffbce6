#pragma once

#include <cstdint>
#include <optional>

#include "probes/kafka/protocol/api_key.hpp"
#include "probes/kafka/protocol/messages/api_versions.hpp"

namespace msgwatch::kafka::protocol {

// The highest version both this library ([our_min, our_max]) and the broker (its ApiVersions
// answer) support, or nullopt if the broker does not know the API or the ranges do not overlap
// (e.g. ConsumerGroupDescribe on a broker older than 3.7).
std::optional<std::int16_t> negotiate_version(const ApiVersionsResponse& broker, ApiKey api_key, std::int16_t our_min,
                                              std::int16_t our_max) noexcept;

template <class Message>
std::optional<std::int16_t> negotiate_version(const ApiVersionsResponse& broker) noexcept {
  return negotiate_version(broker, Message::api_key, Message::min_version, Message::max_version);
}

}  // namespace msgwatch::kafka::protocol
