#pragma once

#include "probes/kafka/protocol/error_code.hpp"

#include <stdexcept>
#include <string>

namespace msgwatch::kafka {

// A failed exchange with a broker: network, protocol or a top-level Kafka error code.
class KafkaError : public std::runtime_error {
 public:
  explicit KafkaError(const std::string& message, protocol::ErrorCode code = protocol::ErrorCode::unknown_server_error)
      : std::runtime_error(message), code_(code) {}
  [[nodiscard]] protocol::ErrorCode code() const { return code_; }

 private:
  protocol::ErrorCode code_;
};

}  // namespace msgwatch::kafka
