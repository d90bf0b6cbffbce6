// libFuzzer target for the parsers of decoded replies (stream groups, pending entries, the slow
// log, the latency monitor): any bytes from a server, decoded as RESP, give their values or
// RespProtocolError, and nothing else.

#include "probes/redis/diagnostic_replies.hpp"
#include "probes/redis/queue_replies.hpp"
#include "probes/redis/resp_codec.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  msgwatch::redis::RespLimits limits;
  limits.max_reply_bytes = 1 << 20;
  limits.max_reply_elements = 10000;
  msgwatch::redis::RespDecoder decoder(limits);
  try {
    decoder.feed(std::string_view(reinterpret_cast<const char*>(data), size));
    while (const auto reply = decoder.next()) {
      try {
        (void)msgwatch::redis::parse_stream_groups(*reply);
      } catch (const msgwatch::redis::RespProtocolError&) {
      }
      try {
        (void)msgwatch::redis::parse_oldest_pending_idle(*reply);
      } catch (const msgwatch::redis::RespProtocolError&) {
      }
      try {
        (void)msgwatch::redis::parse_last_slow_command(*reply);
      } catch (const msgwatch::redis::RespProtocolError&) {
      }
      try {
        (void)msgwatch::redis::parse_latency_latest(*reply);
      } catch (const msgwatch::redis::RespProtocolError&) {
      }
    }
  } catch (const msgwatch::redis::RespProtocolError&) {
  }
  return 0;
}
