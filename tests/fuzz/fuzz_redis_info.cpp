// libFuzzer target for the Redis INFO parser: any text from a server gives sections and
// fields, never a crash; numbers are parsed strictly.

#include "probes/redis/info_parser.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)msgwatch::redis::parse_info(text);
  (void)msgwatch::redis::parse_number(text);
  (void)msgwatch::redis::parse_key_value_list(text);
  return 0;
}
