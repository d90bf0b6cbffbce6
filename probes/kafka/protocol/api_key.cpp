#include "probes/kafka/protocol/api_key.hpp"

#include <ostream>

namespace msgwatch::kafka::protocol {

std::string_view name(ApiKey key) noexcept {
  switch (key) {
#define MSGWATCH_KAFKA_API_KEY_NAME(id, value, text) \
  case ApiKey::id:                                   \
    return text;
    MSGWATCH_KAFKA_API_KEYS(MSGWATCH_KAFKA_API_KEY_NAME)
#undef MSGWATCH_KAFKA_API_KEY_NAME
  }
  return {};
}

std::string to_string(ApiKey key) {
  if (const std::string_view text = name(key); !text.empty()) {
    return std::string(text);
  }
  return "UNKNOWN_API(" + std::to_string(to_int(key)) + ")";
}

std::ostream& operator<<(std::ostream& out, ApiKey key) { return out << to_string(key); }

}  // namespace msgwatch::kafka::protocol
