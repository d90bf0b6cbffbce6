#pragma once
// The canary's record value, text so that anyone can read it with a console consumer:
//   msgwatch-canary/1 <instance> <sequence> <send time, microseconds since the epoch>
// The instance is the sending daemon's random id (new at every start), the sequence counts
// that instance's messages to one partition from 0. The record's key is the instance.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace msgwatch::kafka {

struct CanaryMessage {
  std::string instance;
  std::int64_t sequence = 0;
  std::int64_t send_time_us = 0;
  bool operator==(const CanaryMessage&) const = default;
};

std::string encode_canary_message(const CanaryMessage& message);

// nullopt for anything else: another format, a foreign record, bytes cut short, numbers
// out of range. Never throws.
std::optional<CanaryMessage> decode_canary_message(std::string_view value);

// A new instance id: 16 random hex digits.
std::string new_canary_instance();

// A message's partition (below 2^20, more than Kafka allows a topic) and sequence (below
// 2^44: half a million years at one message a second), carried through librdkafka as the
// message's opaque pointer to its delivery report.
constexpr std::int32_t kMaxCanaryPartition = (1 << 20) - 1;
void* pack_canary_id(std::int32_t partition, std::int64_t sequence);
std::pair<std::int32_t, std::int64_t> unpack_canary_id(void* opaque);

}  // namespace msgwatch::kafka
