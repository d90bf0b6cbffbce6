// libFuzzer target for Redis glob matching: any pattern against any key (the key is what SCAN
// returned from the network) ends, in time linear-ish in their sizes, without reading out of
// bounds. The input is split at its first 0 byte into pattern and key.

#include "probes/redis/key_pattern.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto split = input.find('\0');
  const auto pattern = input.substr(0, split);
  const auto key = split == std::string_view::npos ? std::string_view() : input.substr(split + 1);
  (void)msgwatch::redis::glob_match(pattern, key);
  (void)msgwatch::redis::glob_match(key, pattern);
  return 0;
}
