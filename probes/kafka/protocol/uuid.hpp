#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace msgwatch::kafka::protocol {

// Kafka's UUID type: 16 raw bytes on the wire, in the order they appear there.
struct Uuid {
  std::array<std::uint8_t, 16> bytes{};

  bool is_zero() const noexcept;
  // Kafka prints topic ids in URL-safe base64 without padding (as kafka-topics does), so
  // the same text can be matched against broker logs and CLI output.
  std::string to_base64() const;

  bool operator==(const Uuid&) const = default;
};

}  // namespace msgwatch::kafka::protocol
