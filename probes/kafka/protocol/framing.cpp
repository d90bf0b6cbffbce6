#include "probes/kafka/protocol/framing.hpp"

namespace msgwatch::kafka::protocol {

std::size_t decode_frame_size(std::span<const std::uint8_t, 4> prefix, std::size_t max_frame_size) {
  Reader reader(prefix);
  const std::int32_t size = reader.int32("frame_size");
  if (size < 4) {
    // Every request and response starts with at least a 4-byte correlation id.
    throw DecodeError("kafka protocol: frame size " + std::to_string(size) + " is too small for a header");
  }
  if (static_cast<std::size_t>(size) > max_frame_size) {
    throw DecodeError("kafka protocol: frame size " + std::to_string(size) + " exceeds the limit of " +
                      std::to_string(max_frame_size) + " bytes");
  }
  return static_cast<std::size_t>(size);
}

bool uses_flexible_response_header(ApiKey api_key, bool flexible_body) noexcept {
  return flexible_body && api_key != ApiKey::api_versions;
}

void encode_request_header(Writer& writer, const RequestHeader& header, bool flexible) {
  writer.int16(to_int(header.api_key));
  writer.int16(header.api_version);
  writer.int32(header.correlation_id);
  writer.classic_nullable_string(header.client_id);
  if (flexible) {
    writer.unsigned_varint(0);  // empty tagged-field section of header v2
  }
}

RequestHeader decode_request_header(Reader& reader, bool flexible) {
  RequestHeader header;
  header.api_key = static_cast<ApiKey>(reader.int16("request_header.api_key"));
  header.api_version = reader.int16("request_header.api_version");
  header.correlation_id = reader.int32("request_header.correlation_id");
  header.client_id = reader.classic_nullable_string("request_header.client_id");
  if (flexible) {
    const FlexibleScope<Reader> scope(reader, true);
    reader.tagged_fields();
  }
  return header;
}

RequestHeader peek_request_header(std::span<const std::uint8_t> frame_without_size_prefix) {
  Reader reader(frame_without_size_prefix);
  RequestHeader header;
  header.api_key = static_cast<ApiKey>(reader.int16("request_header.api_key"));
  header.api_version = reader.int16("request_header.api_version");
  header.correlation_id = reader.int32("request_header.correlation_id");
  return header;
}

void encode_response_header(Writer& writer, std::int32_t correlation_id, bool flexible) {
  writer.int32(correlation_id);
  if (flexible) {
    writer.unsigned_varint(0);  // empty tagged-field section of header v1
  }
}

std::int32_t decode_response_header(Reader& reader, bool flexible) {
  const std::int32_t correlation_id = reader.int32("response_header.correlation_id");
  if (flexible) {
    const FlexibleScope<Reader> scope(reader, true);
    reader.tagged_fields();
  }
  return correlation_id;
}

}  // namespace msgwatch::kafka::protocol
