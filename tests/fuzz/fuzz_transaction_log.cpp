// libFuzzer target for the transaction log decoders (`__transaction_state` keys and values),
// which read whatever a coordinator, or a client writing to the topic, put there. Every input
// is decoded both as a key and as a value. Properties checked:
//  - decoding never crashes, leaks or throws anything but DecodeError;
//  - a decoded key re-encodes to exactly the input (its encoding has no alternatives), and
//    std::nullopt comes only from a key version other than 0;
//  - a decoded value has a known status, re-encodes to exactly the input in version 0, and in
//    version 1 (where unknown tagged fields are dropped and varints may be longer than needed)
//    to bytes that decode to the same value;
//  - no strict prefix of a decodable input decodes (both encodings are self-delimiting and
//    trailing bytes are refused).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "probes/kafka/protocol/decode_error.hpp"
#include "probes/kafka/protocol/transaction_log.hpp"

namespace {

using namespace msgwatch::kafka::protocol;

template <class Decode>
void expect_prefix_rejected(std::span<const std::uint8_t> bytes, Decode decode) {
  if (bytes.empty()) {
    return;
  }
  try {
    decode(bytes.first(bytes.size() - 1));
  } catch (const DecodeError&) {
    return;
  }
  __builtin_trap();
}

void fuzz_key(std::span<const std::uint8_t> bytes) {
  std::optional<TransactionLogKey> key;
  try {
    key = decode_transaction_log_key(bytes);
  } catch (const DecodeError&) {
    return;
  }
  if (!key) {
    if (bytes.size() < 2 || (bytes[0] == 0 && bytes[1] == 0)) {
      __builtin_trap();
    }
    return;
  }
  const std::vector<std::uint8_t> encoded = encode_transaction_log_key(*key);
  if (!std::equal(encoded.begin(), encoded.end(), bytes.begin(), bytes.end())) {
    __builtin_trap();
  }
  expect_prefix_rejected(bytes, decode_transaction_log_key);
}

void fuzz_value(std::span<const std::uint8_t> bytes) {
  TransactionLogValue value;
  try {
    value = decode_transaction_log_value(bytes);
  } catch (const DecodeError&) {
    return;
  }
  if (to_string(value.status) == "Unknown") {
    __builtin_trap();
  }
  const std::vector<std::uint8_t> encoded = encode_transaction_log_value(value);
  if (value.version == 0 && !std::equal(encoded.begin(), encoded.end(), bytes.begin(), bytes.end())) {
    __builtin_trap();
  }
  if (!(decode_transaction_log_value(encoded) == value)) {
    __builtin_trap();
  }
  expect_prefix_rejected(bytes, decode_transaction_log_value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  fuzz_key(bytes);
  fuzz_value(bytes);
  return 0;
}
