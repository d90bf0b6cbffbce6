// libFuzzer target for the Redis INFO parser and what turns INFO (and CLUSTER INFO, the same
// format) into series: any text from a server gives sections and fields, and series, never a
// crash or an exception (a malformed summary would throw); numbers are parsed strictly.

#include "exporter/sdk/series_set.hpp"
#include "probes/redis/info_metrics.hpp"
#include "probes/redis/info_parser.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace msgwatch::redis;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto info = parse_info(text);
  (void)parse_number(text);
  (void)parse_key_value_list(text);
  msgwatch::SeriesSet out;
  write_info_metrics(info, {{"maxmemory", std::string(text.substr(0, 20))}}, std::chrono::system_clock::time_point{},
                     out);
  write_cluster_info_metrics(info, out);
  msgwatch::SeriesSet labelled;
  labelled.add_labelled(out, "node", "127.0.0.1:6379");
  return 0;
}
