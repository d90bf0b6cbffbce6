#include "exporter/runtime/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace msgwatch {
namespace {

constexpr auto kCpu = counter_family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.");
constexpr auto kResident = gauge_family("process_resident_memory_bytes", "Resident memory size in bytes.");
constexpr auto kVirtual = gauge_family("process_virtual_memory_bytes", "Virtual memory size in bytes.");
constexpr auto kStart =
    gauge_family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.");
constexpr auto kOpenFds = gauge_family("process_open_fds", "Number of open file descriptors.");
constexpr auto kMaxFds = gauge_family("process_max_fds", "Maximum number of open file descriptors.");

std::string read_file(const char* path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool to_number(std::string_view text, double& out) {
  long long value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size()) return false;
  out = static_cast<double>(value);
  return true;
}

}  // namespace

bool parse_process_stat(std::string_view stat, long ticks_per_second, long page_bytes, ProcessStat& out) {
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields are counted
  // from the last ')'. Field 3 (state) is the first after it; utime is 14, stime 15,
  // starttime 22, vsize 23, rss 24 (man 5 proc).
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos || ticks_per_second <= 0) return false;
  std::vector<std::string_view> fields;
  std::size_t at = close + 1;
  while (at < stat.size()) {
    while (at < stat.size() && stat[at] == ' ') ++at;
    const auto end = stat.find_first_of(" \n", at);
    const auto stop = end == std::string_view::npos ? stat.size() : end;
    if (stop > at) fields.push_back(stat.substr(at, stop - at));
    at = stop + 1;
  }
  const auto field = [&fields](std::size_t number) { return fields[number - 3]; };
  if (fields.size() < 24 - 2) return false;
  double utime = 0;
  double stime = 0;
  double start = 0;
  double vsize = 0;
  double rss = 0;
  if (!to_number(field(14), utime) || !to_number(field(15), stime) || !to_number(field(22), start) ||
      !to_number(field(23), vsize) || !to_number(field(24), rss)) {
    return false;
  }
  const auto ticks = static_cast<double>(ticks_per_second);
  out.cpu_seconds = (utime + stime) / ticks;
  out.start_seconds_since_boot = start / ticks;
  out.virtual_bytes = vsize;
  out.resident_bytes = rss * static_cast<double>(page_bytes);
  return true;
}

bool parse_boot_time(std::string_view proc_stat, double& boot_unix_seconds) {
  const auto at = proc_stat.find("\nbtime ");
  if (at == std::string_view::npos) return false;
  const auto begin = at + 7;
  const auto end = proc_stat.find('\n', begin);
  return to_number(proc_stat.substr(begin, end == std::string_view::npos ? end : end - begin), boot_unix_seconds);
}

void write_process_metrics(SeriesSet& out) {
  ProcessStat stat;
  if (parse_process_stat(read_file("/proc/self/stat"), sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE), stat)) {
    out.add(kCpu, {}, stat.cpu_seconds);
    out.add(kResident, {}, stat.resident_bytes);
    out.add(kVirtual, {}, stat.virtual_bytes);
    double boot = 0;
    if (parse_boot_time(read_file("/proc/stat"), boot)) out.add(kStart, {}, boot + stat.start_seconds_since_boot);
  }
  std::error_code error;
  std::size_t open = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end; it.increment(error)) {
    ++open;
  }
  // The iterator's own descriptor is among those counted.
  if (!error && open > 0) out.add(kOpenFds, {}, static_cast<double>(open - 1));
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) out.add(kMaxFds, {}, static_cast<double>(limit.rlim_cur));
}

}  // namespace msgwatch
