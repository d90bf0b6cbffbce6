// libFuzzer target for the Redis RESP decoder (configure with -DMSGWATCH_FUZZ=ON and clang):
// any byte stream, fed in chunks whose sizes come from the input, yields replies or
// RespProtocolError and nothing else.

#include "probes/redis/resp_codec.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  msgwatch::redis::RespLimits limits;
  limits.max_reply_bytes = 1 << 20;
  limits.max_reply_elements = 10000;
  msgwatch::redis::RespDecoder decoder(limits);
  const std::size_t chunk = 1 + data[0] % 64;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    for (std::size_t at = 0; at < bytes.size(); at += chunk) {
      decoder.feed(bytes.substr(at, chunk));
      while (decoder.next()) {
      }
    }
  } catch (const msgwatch::redis::RespProtocolError&) {
  }
  return 0;
}
