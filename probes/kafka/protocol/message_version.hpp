#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "probes/kafka/protocol/api_key.hpp"
#include "probes/kafka/protocol/reader.hpp"
#include "probes/kafka/protocol/writer.hpp"

namespace msgwatch::kafka::protocol {

// Sets a Reader's or Writer's flexible() for one message version and restores it afterwards, so
// a message embedded in another encoding (or decoded twice in a row) cannot inherit the wrong
// string and array encoding.
template <class Codec>
class [[nodiscard]] FlexibleScope {
 public:
  FlexibleScope(Codec& codec, bool flexible) noexcept : codec_(codec), saved_(codec.flexible()) {
    codec_.set_flexible(flexible);
  }
  ~FlexibleScope() { codec_.set_flexible(saved_); }
  FlexibleScope(const FlexibleScope&) = delete;
  FlexibleScope& operator=(const FlexibleScope&) = delete;

 private:
  Codec& codec_;
  bool saved_;
};

template <class Message>
constexpr bool supports_version(std::int16_t version) noexcept {
  return version >= Message::min_version && version <= Message::max_version;
}

template <class Message>
constexpr bool is_flexible_version(std::int16_t version) noexcept {
  return version >= Message::first_flexible_version;
}

// A version outside the implemented range on the decode side is bad input (DecodeError).
template <class Message>
FlexibleScope<Reader> begin_decode(Reader& reader, std::int16_t version) {
  if (!supports_version<Message>(version)) {
    reader.fail(to_string(Message::api_key), "version " + std::to_string(version) + " is not implemented");
  }
  return FlexibleScope<Reader>(reader, is_flexible_version<Message>(version));
}

// On the encode side it is a caller bug: negotiation must have picked a supported version.
template <class Message>
FlexibleScope<Writer> begin_encode(Writer& writer, std::int16_t version) {
  if (!supports_version<Message>(version)) {
    throw std::invalid_argument("kafka protocol: cannot encode " + to_string(Message::api_key) + " version " +
                                std::to_string(version));
  }
  return FlexibleScope<Writer>(writer, is_flexible_version<Message>(version));
}

}  // namespace msgwatch::kafka::protocol
