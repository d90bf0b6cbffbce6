#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "probes/kafka/protocol/api_key.hpp"
#include "probes/kafka/protocol/error_code.hpp"
#include "probes/kafka/protocol/reader.hpp"
#include "probes/kafka/protocol/writer.hpp"

namespace msgwatch::kafka::protocol {

// SaslHandshake (key 17), SaslHandshakeRequest.json / SaslHandshakeResponse.json. Version 1
// only: with it the authentication bytes travel in SaslAuthenticate requests (KIP-152)
// instead of as raw frames. Both 3.9 and 4.x serve 0-1.
struct SaslHandshakeRequest {
  static constexpr ApiKey api_key = ApiKey::sasl_handshake;
  static constexpr std::int16_t min_version = 1;
  static constexpr std::int16_t max_version = 1;
  static constexpr std::int16_t first_flexible_version = 32767;  // never flexible

  std::string mechanism;

  void encode(Writer& writer, std::int16_t version) const;
  static SaslHandshakeRequest decode(Reader& reader, std::int16_t version);
  bool operator==(const SaslHandshakeRequest&) const = default;
};

struct SaslHandshakeResponse {
  static constexpr ApiKey api_key = ApiKey::sasl_handshake;
  static constexpr std::int16_t min_version = 1;
  static constexpr std::int16_t max_version = 1;
  static constexpr std::int16_t first_flexible_version = 32767;

  ErrorCode error_code = ErrorCode::none;
  std::vector<std::string> mechanisms;

  void encode(Writer& writer, std::int16_t version) const;
  static SaslHandshakeResponse decode(Reader& reader, std::int16_t version);
  bool operator==(const SaslHandshakeResponse&) const = default;
};

// SaslAuthenticate (key 36), versions 0-2 (flexible from 2); 3.9 and 4.x serve 0-2.
struct SaslAuthenticateRequest {
  static constexpr ApiKey api_key = ApiKey::sasl_authenticate;
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 2;
  static constexpr std::int16_t first_flexible_version = 2;

  std::vector<std::uint8_t> auth_bytes;

  void encode(Writer& writer, std::int16_t version) const;
  static SaslAuthenticateRequest decode(Reader& reader, std::int16_t version);
  bool operator==(const SaslAuthenticateRequest&) const = default;
};

struct SaslAuthenticateResponse {
  static constexpr ApiKey api_key = ApiKey::sasl_authenticate;
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 2;
  static constexpr std::int16_t first_flexible_version = 2;

  ErrorCode error_code = ErrorCode::none;
  std::optional<std::string> error_message;
  std::vector<std::uint8_t> auth_bytes;
  std::int64_t session_lifetime_ms = 0;  // v1+

  void encode(Writer& writer, std::int16_t version) const;
  static SaslAuthenticateResponse decode(Reader& reader, std::int16_t version);
  bool operator==(const SaslAuthenticateResponse&) const = default;
};

}  // namespace msgwatch::kafka::protocol
