#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace msgwatch::kafka::protocol::testing {

// Expected wire bytes are written out by hand in tests, independent of Writer; these helpers
// only concatenate literal bytes and ASCII text.
using Bytes = std::vector<std::uint8_t>;

inline Bytes operator+(Bytes left, const Bytes& right) {
  left.insert(left.end(), right.begin(), right.end());
  return left;
}

inline Bytes ascii(std::string_view text) { return Bytes(text.begin(), text.end()); }

}  // namespace msgwatch::kafka::protocol::testing
