#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "probes/kafka/protocol/api_key.hpp"
#include "probes/kafka/protocol/decode_error.hpp"
#include "probes/kafka/protocol/message_version.hpp"
#include "probes/kafka/protocol/reader.hpp"
#include "probes/kafka/protocol/writer.hpp"

namespace msgwatch::kafka::protocol {

// Frames on a Kafka connection are an int32 size followed by that many bytes: a header, then
// the body. Requests use header v1, or v2 (adds tagged fields) for flexible versions; responses
// use header v0, or v1 (adds tagged fields) for flexible versions -- except ApiVersions, whose
// response header stays v0 so a client can always parse the broker's answer.

// Brokers refuse requests above socket.request.max.bytes (100 MiB by default); a response size
// prefix above this is treated as corruption rather than allocated.
inline constexpr std::size_t default_max_frame_size = 100 * 1024 * 1024;

struct RequestHeader {
  ApiKey api_key{};
  std::int16_t api_version = 0;
  std::int32_t correlation_id = 0;
  std::optional<std::string> client_id;
  bool operator==(const RequestHeader&) const = default;
};

// Size of the frame that follows a 4-byte size prefix; throws DecodeError if below 4 (no room
// for a correlation id) or above
// max_frame_size, so a corrupt prefix cannot make the caller allocate gigabytes.
std::size_t decode_frame_size(std::span<const std::uint8_t, 4> prefix,
                              std::size_t max_frame_size = default_max_frame_size);

bool uses_flexible_response_header(ApiKey api_key, bool flexible_body) noexcept;

void encode_request_header(Writer& writer, const RequestHeader& header, bool flexible);
RequestHeader decode_request_header(Reader& reader, bool flexible);
// The fixed leading fields only (api key, version, correlation id; no client id), enough for a
// fake broker to pick the request type before decoding the rest with decode_request().
RequestHeader peek_request_header(std::span<const std::uint8_t> frame_without_size_prefix);

void encode_response_header(Writer& writer, std::int32_t correlation_id, bool flexible);
std::int32_t decode_response_header(Reader& reader, bool flexible);

namespace detail {

// Reserves the size prefix, lets write_content append header and body, then fills the prefix in.
template <class F>
std::vector<std::uint8_t> build_frame(F&& write_content) {
  Writer writer;
  writer.int32(0);
  write_content(writer);
  const std::size_t content_size = writer.size() - 4;
  if (content_size > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    throw std::length_error("kafka protocol: frame larger than INT32_MAX bytes");
  }
  writer.patch_int32(0, static_cast<std::int32_t>(content_size));
  return std::move(writer).take();
}

template <class Response>
Response decode_response_body(std::span<const std::uint8_t> frame, std::int16_t version,
                              std::int32_t expected_correlation_id) {
  Reader reader(frame);
  const std::int32_t correlation_id = decode_response_header(
      reader, uses_flexible_response_header(Response::api_key, is_flexible_version<Response>(version)));
  if (correlation_id != expected_correlation_id) {
    reader.fail("response_header.correlation_id",
                "expected " + std::to_string(expected_correlation_id) + ", got " + std::to_string(correlation_id));
  }
  Response response = Response::decode(reader, version);
  reader.expect_end("response body");
  return response;
}

}  // namespace detail

// A complete request frame: size prefix, request header, body.
template <class Request>
std::vector<std::uint8_t> encode_request_frame(const Request& request, std::int16_t version,
                                               std::int32_t correlation_id, std::string_view client_id) {
  return detail::build_frame([&](Writer& writer) {
    const RequestHeader header{Request::api_key, version, correlation_id, std::string(client_id)};
    encode_request_header(writer, header, is_flexible_version<Request>(version));
    request.encode(writer, version);
  });
}

// Decodes a response frame (without its size prefix) to the request sent with `version` and
// `expected_correlation_id`. Throws DecodeError on a correlation id mismatch, malformed or
// truncated content, and trailing bytes.
template <class Response>
Response decode_response(std::span<const std::uint8_t> frame_without_size_prefix, std::int16_t version,
                         std::int32_t expected_correlation_id) {
  if constexpr (Response::api_key == ApiKey::api_versions) {
    // A broker that does not support the requested ApiVersions version answers with a v0 body
    // (UNSUPPORTED_VERSION plus its own ranges), so a failed parse is retried as v0.
    try {
      return detail::decode_response_body<Response>(frame_without_size_prefix, version, expected_correlation_id);
    } catch (const DecodeError&) {
      if (version == 0) {
        throw;
      }
    }
    return detail::decode_response_body<Response>(frame_without_size_prefix, 0, expected_correlation_id);
  } else {
    return detail::decode_response_body<Response>(frame_without_size_prefix, version, expected_correlation_id);
  }
}

// The broker side, for tests and fake brokers.
template <class Request>
struct DecodedRequest {
  RequestHeader header;
  Request body;
};

// Decodes a request frame (without its size prefix) whose header names Request's API key and a
// version this library implements; rejects trailing bytes.
template <class Request>
DecodedRequest<Request> decode_request(std::span<const std::uint8_t> frame_without_size_prefix) {
  const RequestHeader peeked = peek_request_header(frame_without_size_prefix);
  Reader reader(frame_without_size_prefix);
  if (peeked.api_key != Request::api_key) {
    reader.fail("request_header.api_key",
                "expected " + to_string(Request::api_key) + ", got " + to_string(peeked.api_key));
  }
  if (!supports_version<Request>(peeked.api_version)) {
    reader.fail("request_header.api_version", "version " + std::to_string(peeked.api_version) + " is not implemented");
  }
  DecodedRequest<Request> decoded{decode_request_header(reader, is_flexible_version<Request>(peeked.api_version)), {}};
  decoded.body = Request::decode(reader, peeked.api_version);
  reader.expect_end("request body");
  return decoded;
}

template <class Response>
std::vector<std::uint8_t> encode_response_frame(const Response& response, std::int16_t version,
                                                std::int32_t correlation_id) {
  return detail::build_frame([&](Writer& writer) {
    encode_response_header(writer, correlation_id,
                           uses_flexible_response_header(Response::api_key, is_flexible_version<Response>(version)));
    response.encode(writer, version);
  });
}

}  // namespace msgwatch::kafka::protocol
