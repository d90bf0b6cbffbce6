// libFuzzer target for the canary message decoder, which reads whatever anyone wrote to the
// canary topic. Properties checked:
//  - decoding never crashes, leaks or throws;
//  - a decoded message re-encodes to text that decodes to the same message.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "probes/kafka/canary/canary_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace msgwatch::kafka;
  const auto message = decode_canary_message(std::string_view(reinterpret_cast<const char*>(data), size));
  if (message && decode_canary_message(encode_canary_message(*message)) != message) __builtin_trap();
  return 0;
}
