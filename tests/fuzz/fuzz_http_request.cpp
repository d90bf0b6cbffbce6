// libFuzzer target for the HTTP request head parser: any bytes give a request or nullopt,
// nothing else (the HTTP server feeds it whatever a client sends, up to 16 KiB).

#include "exporter/runtime/http_request.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto request = msgwatch::parse_http_request(std::string_view(reinterpret_cast<const char*>(data), size));
  if (request && (request->path.empty() || request->path.front() != '/')) __builtin_trap();
  return 0;
}
