#pragma once

#include <stdexcept>

namespace msgwatch::kafka::protocol {

// The only exception a decoder lets escape: callers treat any malformed, truncated or
// unexpected frame from a broker the same way (drop the connection, mark the probe failed).
class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace msgwatch::kafka::protocol
