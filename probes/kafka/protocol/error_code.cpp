#include "probes/kafka/protocol/error_code.hpp"

#include <ostream>

namespace msgwatch::kafka::protocol {

std::string_view name(ErrorCode code) noexcept {
  switch (code) {
#define MSGWATCH_KAFKA_ERROR_NAME(id, value, text, retriable) \
  case ErrorCode::id:                                         \
    return text;
    MSGWATCH_KAFKA_ERROR_CODES(MSGWATCH_KAFKA_ERROR_NAME)
#undef MSGWATCH_KAFKA_ERROR_NAME
  }
  return {};
}

bool is_known(ErrorCode code) noexcept { return !name(code).empty(); }

std::string to_string(ErrorCode code) {
  if (const std::string_view text = name(code); !text.empty()) {
    return std::string(text);
  }
  return "UNKNOWN(" + std::to_string(to_int(code)) + ")";
}

bool is_authorization_failure(ErrorCode code) noexcept {
  return code == ErrorCode::topic_authorization_failed || code == ErrorCode::group_authorization_failed ||
         code == ErrorCode::cluster_authorization_failed || code == ErrorCode::transactional_id_authorization_failed;
}

bool is_retriable(ErrorCode code) noexcept {
  switch (code) {
#define MSGWATCH_KAFKA_ERROR_RETRIABLE(id, value, text, retriable) \
  case ErrorCode::id:                                              \
    return retriable;
    MSGWATCH_KAFKA_ERROR_CODES(MSGWATCH_KAFKA_ERROR_RETRIABLE)
#undef MSGWATCH_KAFKA_ERROR_RETRIABLE
  }
  return false;
}

std::ostream& operator<<(std::ostream& out, ErrorCode code) { return out << to_string(code); }

}  // namespace msgwatch::kafka::protocol
