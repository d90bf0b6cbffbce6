#include "probes/kafka/protocol/uuid.hpp"

#include <algorithm>

namespace msgwatch::kafka::protocol {

bool Uuid::is_zero() const noexcept {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

std::string Uuid::to_base64() const {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve(22);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n =
        (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) | std::uint32_t{bytes[i + 2]};
    out.push_back(alphabet[(n >> 18) & 0x3f]);
    out.push_back(alphabet[(n >> 12) & 0x3f]);
    out.push_back(alphabet[(n >> 6) & 0x3f]);
    out.push_back(alphabet[n & 0x3f]);
  }
  // 16 = 5 * 3 + 1: one byte is left, giving two characters without padding.
  const std::uint32_t last = std::uint32_t{bytes[i]} << 16;
  out.push_back(alphabet[(last >> 18) & 0x3f]);
  out.push_back(alphabet[(last >> 12) & 0x3f]);
  return out;
}

}  // namespace msgwatch::kafka::protocol
