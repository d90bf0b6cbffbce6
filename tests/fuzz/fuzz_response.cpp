// libFuzzer target for one response decoder, chosen at build time by MSGWATCH_FUZZ_RESPONSE.
// Input: one byte selecting the version within the implemented range, then the bytes as a
// broker would send them. Properties checked:
//  - decoding never crashes, leaks or throws anything but DecodeError;
//  - whatever decodes re-encodes and decodes to the same value (no asymmetric field handling);
//  - the same bytes as a framed response (header + body) obey the same rules.
#include <cstddef>
#include <cstdint>
#include <span>

#include "probes/kafka/protocol/protocol.hpp"

namespace {

using namespace msgwatch::kafka::protocol;
using Response = MSGWATCH_FUZZ_RESPONSE;

std::int16_t pick_version(std::uint8_t selector) {
  const int count = Response::max_version - Response::min_version + 1;
  return static_cast<std::int16_t>(Response::min_version + selector % count);
}

void expect_stable_round_trip(const Response& decoded, std::int16_t version) {
  Writer writer;
  decoded.encode(writer, version);
  Reader reader(writer.data());
  const Response again = Response::decode(reader, version);
  reader.expect_end("re-encoded body");
  if (!(again == decoded)) {
    __builtin_trap();
  }
}

void fuzz_body(std::span<const std::uint8_t> body, std::int16_t version) {
  try {
    Reader reader(body);
    const Response decoded = Response::decode(reader, version);
    reader.expect_end("body");
    expect_stable_round_trip(decoded, version);
  } catch (const DecodeError&) {
  }
}

void fuzz_frame(std::span<const std::uint8_t> frame, std::int16_t version) {
  // Take the expected correlation id from the input so the body behind the header is reached.
  std::int32_t correlation_id = 0;
  try {
    Reader peek(frame);
    correlation_id = peek.int32("correlation_id");
  } catch (const DecodeError&) {
  }
  try {
    const Response decoded = decode_response<Response>(frame, version, correlation_id);
    (void)decoded;
  } catch (const DecodeError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::int16_t version = pick_version(data[0]);
  const std::span<const std::uint8_t> rest(data + 1, size - 1);
  fuzz_body(rest, version);
  fuzz_frame(rest, version);
  return 0;
}
