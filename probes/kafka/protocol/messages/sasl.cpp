#include "probes/kafka/protocol/messages/sasl.hpp"

#include "probes/kafka/protocol/message_version.hpp"

namespace msgwatch::kafka::protocol {

void SaslHandshakeRequest::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<SaslHandshakeRequest>(w, version);
  w.string(mechanism);
}

SaslHandshakeRequest SaslHandshakeRequest::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<SaslHandshakeRequest>(r, version);
  SaslHandshakeRequest request;
  request.mechanism = r.string("mechanism");
  return request;
}

void SaslHandshakeResponse::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<SaslHandshakeResponse>(w, version);
  w.error_code(error_code);
  w.string_array(mechanisms);
}

SaslHandshakeResponse SaslHandshakeResponse::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<SaslHandshakeResponse>(r, version);
  SaslHandshakeResponse response;
  response.error_code = r.error_code();
  response.mechanisms = r.string_array("mechanisms");
  return response;
}

void SaslAuthenticateRequest::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<SaslAuthenticateRequest>(w, version);
  w.bytes(auth_bytes);
  w.tagged_fields();
}

SaslAuthenticateRequest SaslAuthenticateRequest::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<SaslAuthenticateRequest>(r, version);
  SaslAuthenticateRequest request;
  request.auth_bytes = r.bytes("auth_bytes");
  r.tagged_fields();
  return request;
}

void SaslAuthenticateResponse::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<SaslAuthenticateResponse>(w, version);
  w.error_code(error_code);
  w.nullable_string(error_message);
  w.bytes(auth_bytes);
  if (version >= 1) w.int64(session_lifetime_ms);
  w.tagged_fields();
}

SaslAuthenticateResponse SaslAuthenticateResponse::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<SaslAuthenticateResponse>(r, version);
  SaslAuthenticateResponse response;
  response.error_code = r.error_code();
  response.error_message = r.nullable_string("error_message");
  response.auth_bytes = r.bytes("auth_bytes");
  if (version >= 1) response.session_lifetime_ms = r.int64("session_lifetime_ms");
  r.tagged_fields();
  return response;
}

}  // namespace msgwatch::kafka::protocol
