#pragma once
// The SASL mechanisms the daemon speaks to Kafka, by the names Kafka and librdkafka use
// (sasl.enabled.mechanisms, sasl.mechanisms): PLAIN (RFC 4616) and SCRAM (RFC 5802,
// RFC 7677, KIP-84).

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace msgwatch::kafka {

enum class SaslMechanism { plain, scram_sha_256, scram_sha_512 };

inline constexpr std::array<std::pair<SaslMechanism, std::string_view>, 3> sasl_mechanisms{{
    {SaslMechanism::plain, "PLAIN"},
    {SaslMechanism::scram_sha_256, "SCRAM-SHA-256"},
    {SaslMechanism::scram_sha_512, "SCRAM-SHA-512"},
}};

constexpr std::string_view to_string(SaslMechanism mechanism) {
  for (const auto& [known, name] : sasl_mechanisms) {
    if (known == mechanism) return name;
  }
  return "?";
}

// Exactly as written (Kafka's names are case-sensitive).
constexpr std::optional<SaslMechanism> parse_sasl_mechanism(std::string_view name) {
  for (const auto& [mechanism, known] : sasl_mechanisms) {
    if (known == name) return mechanism;
  }
  return std::nullopt;
}

// "PLAIN, SCRAM-SHA-256, SCRAM-SHA-512", for error messages.
inline std::string sasl_mechanism_names() {
  std::string names;
  for (const auto& [mechanism, name] : sasl_mechanisms) names += (names.empty() ? "" : ", ") + std::string(name);
  return names;
}

}  // namespace msgwatch::kafka
