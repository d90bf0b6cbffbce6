#include "probes/kafka/canary/canary_message.hpp"

#include <charconv>
#include <cstdio>
#include <random>

namespace msgwatch::kafka {
namespace {

constexpr std::string_view kPrefix = "msgwatch-canary/1 ";
constexpr std::size_t kMaxInstance = 64;

// The next blank-separated field of `rest`, which loses it and the blank after it.
std::string_view next_field(std::string_view& rest) {
  const auto blank = rest.find(' ');
  const auto field = rest.substr(0, blank);
  rest = blank == std::string_view::npos ? std::string_view() : rest.substr(blank + 1);
  return field;
}

std::optional<std::int64_t> non_negative(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

}  // namespace

std::string encode_canary_message(const CanaryMessage& message) {
  return std::string(kPrefix) + message.instance + ' ' + std::to_string(message.sequence) + ' ' +
         std::to_string(message.send_time_us);
}

std::optional<CanaryMessage> decode_canary_message(std::string_view value) {
  if (value.substr(0, kPrefix.size()) != kPrefix || value.back() == ' ') return std::nullopt;
  std::string_view rest = value.substr(kPrefix.size());
  const auto instance = next_field(rest);
  const auto sequence = non_negative(next_field(rest));
  const auto send_time = non_negative(next_field(rest));
  if (instance.empty() || instance.size() > kMaxInstance || !sequence || !send_time || !rest.empty()) {
    return std::nullopt;
  }
  return CanaryMessage{std::string(instance), *sequence, *send_time};
}

std::string new_canary_instance() {
  std::random_device device;
  std::uniform_int_distribution<std::uint64_t> bits;
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(bits(device)));
  return text;
}

static_assert(sizeof(void*) == 8, "the opaque pointer carries 64 bits");
constexpr int kPartitionBits = 20;

void* pack_canary_id(std::int32_t partition, std::int64_t sequence) {
  return reinterpret_cast<void*>((static_cast<std::uint64_t>(sequence) << kPartitionBits) |
                                 (static_cast<std::uint64_t>(partition) & kMaxCanaryPartition));
}

std::pair<std::int32_t, std::int64_t> unpack_canary_id(void* opaque) {
  const auto bits = reinterpret_cast<std::uint64_t>(opaque);
  return {static_cast<std::int32_t>(bits & kMaxCanaryPartition), static_cast<std::int64_t>(bits >> kPartitionBits)};
}

}  // namespace msgwatch::kafka
