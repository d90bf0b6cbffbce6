// libFuzzer target for the consumer protocol's member assignment bytes (DescribeGroups'
// member_assignment), which arrive from the broker as written by arbitrary clients.
#include <cstddef>
#include <cstdint>
#include <span>

#include "probes/kafka/protocol/messages/consumer_protocol_assignment.hpp"

using namespace msgwatch::kafka::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  try {
    const ConsumerProtocolAssignment decoded = decode_consumer_protocol_assignment(bytes);
    if (size < 2) {
      return 0;
    }
    const auto version = static_cast<std::int16_t>((data[0] << 8) | data[1]);
    if (version > ConsumerProtocolAssignment::max_version) {
      return 0;  // read with the v3 layout, cannot be written back as the same version
    }
    const auto again = decode_consumer_protocol_assignment(encode_consumer_protocol_assignment(decoded, version));
    if (!(again == decoded)) {
      __builtin_trap();
    }
  } catch (const DecodeError&) {
  }
  return 0;
}
