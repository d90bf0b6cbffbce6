// Measures a running msgwatch daemon's kafka_lag probe from the outside, the way an operator
// would see it: cycle wall time and Kafka requests from its own metrics, CPU and memory from
// /proc, and /metrics as a scraper gets it. Prints one `name value unit` line per figure.
//
//   measure --port P --pid PID [--broker-pid PID] [--cluster bench] [--probe kafka_lag]
//           [--interval-ms 5000] [--timeout-ms 4000] [--cycles 6] [--scrapes 200]
//           [--scrape-intervals 2] [--deadline-s 300] [--save-page FILE]
//
// --broker-pid: also the broker's CPU per cycle, on a one-broker cluster the other half of
// where a cycle's time goes.
//
// Cycles are told apart by the probe's last success time and failure count, which the
// scheduler updates once per attempt. Every counter and CPU reading is taken between two
// cycles, while the probe sleeps, so a delta over N cycles holds exactly N cycles (and the
// rendering of the page after each).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/http_client.hpp"
#include "support/prometheus_text.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
namespace mt = msgwatch::test;

struct Options {
  std::uint16_t port = 0;
  int pid = 0;
  int broker_pid = 0;
  std::string cluster = "bench";
  std::string probe = "kafka_lag";
  std::chrono::milliseconds interval = 5000ms;
  std::chrono::milliseconds timeout = 4000ms;
  int cycles = 6;
  int scrapes = 200;
  int scrape_intervals = 2;  // the GETs are spread over this many probe intervals
  std::chrono::seconds deadline = 300s;
  std::string save_page;  // where to keep the last page read, for a look at what it holds
};

void figure(const std::string& name, double value, const char* unit) {
  // Integers (byte and request counts) in full, other values to 4 significant digits.
  if (std::abs(value) < 1e15 && value == std::floor(value)) {
    std::printf("%s %.0f %s\n", name.c_str(), value, unit);
  } else {
    std::printf("%s %.4g %s\n", name.c_str(), value, unit);
  }
  std::fflush(stdout);
}

double seconds(std::chrono::milliseconds d) { return std::chrono::duration<double>(d).count(); }

void note(const std::string& text) { std::fprintf(stderr, "measure: %s\n", text.c_str()); }

class Socket {
 public:
  Socket() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  }
  ~Socket() { ::close(fd_); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  [[nodiscard]] int fd() const { return fd_; }

 private:
  int fd_;
};

struct Fetched {
  mt::HttpResponse response;
  double seconds = 0;  // connect to the last byte of the body
};

// The response is complete once Content-Length bytes of body are in (the daemon always sends
// it); reading stops there, so the time is not stretched by waiting for the close.
bool complete(const std::string& data, std::size_t& header_end, std::optional<std::size_t>& length) {
  if (header_end == std::string::npos) {
    header_end = data.find("\r\n\r\n");
    if (header_end == std::string::npos) return false;
    header_end += 4;
    std::string head = data.substr(0, header_end);
    std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
    const auto at = head.find("\r\ncontent-length:");
    if (at != std::string::npos) length = std::strtoull(head.c_str() + at + 17, nullptr, 10);
  }
  return length && data.size() >= header_end + *length;
}

// A plain HTTP/1.1 GET over a fresh connection, as a scraper without keep-alive does it.
// Blocking sockets: nothing else runs meanwhile, and the timing stays simple.
Fetched fetch(std::uint16_t port, const std::string& target, bool gzip, std::chrono::seconds timeout = 30s) {
  const auto start = Clock::now();
  Socket socket;
  timeval tv{static_cast<time_t>(timeout.count()), 0};
  ::setsockopt(socket.fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(socket.fd(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const std::string where = "GET http://127.0.0.1:" + std::to_string(port) + target;
  if (::connect(socket.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error(where + ": connect: " + std::strerror(errno));
  }
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                        "\r\nConnection: close\r\n" + (gzip ? "Accept-Encoding: gzip\r\n" : "") + "\r\n";
  for (std::size_t sent = 0; sent < request.size();) {
    const ssize_t n = ::send(socket.fd(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error(where + ": send: " + std::strerror(errno));
    sent += static_cast<std::size_t>(n);
  }
  std::string data;
  data.reserve(1 << 20);
  std::vector<char> chunk(1 << 16);
  std::size_t header_end = std::string::npos;
  std::optional<std::size_t> length;
  bool eof = false;
  while (!complete(data, header_end, length)) {
    const ssize_t n = ::recv(socket.fd(), chunk.data(), chunk.size(), 0);
    if (n < 0) throw std::runtime_error(where + ": recv: " + std::strerror(errno));
    if (n == 0) {
      eof = true;
      break;
    }
    data.append(chunk.data(), static_cast<std::size_t>(n));
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  auto response = mt::parse_http_response(data, eof);
  if (!response) throw std::runtime_error(where + ": truncated response");
  return {std::move(*response), seconds};
}

struct CpuSeconds {
  double user = 0;
  double system = 0;
  [[nodiscard]] double total() const { return user + system; }
};

// utime and stime (fields 14 and 15) of /proc/PID/stat, all threads together. The command
// name (field 2) may hold spaces, so fields are counted after its closing parenthesis.
CpuSeconds cpu_seconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto paren = stat.rfind(')');
  if (paren == std::string::npos) throw std::runtime_error("process " + std::to_string(pid) + " is gone");
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  CpuSeconds cpu;
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  for (int i = 3; fields >> field; ++i) {
    if (i == 14) cpu.user = std::stod(field) / tick;
    if (i == 15) {
      cpu.system = std::stod(field) / tick;
      return cpu;
    }
  }
  throw std::runtime_error("cannot read /proc/" + std::to_string(pid) + "/stat");
}

// A "Vm...:  1234 kB" line of /proc/PID/status, in bytes.
double status_bytes(int pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + ":", 0) == 0) return std::strtod(line.c_str() + key.size() + 1, nullptr) * 1024;
  }
  throw std::runtime_error("no " + key + " in /proc/" + std::to_string(pid) + "/status");
}

// Where the probe stands after its latest attempt, from one page.
struct ProbeState {
  double last_success = 0;
  double failures = 0;
  double duration = 0;
  bool success = false;
  std::map<std::string, double> requests;  // msgwatch_kafka_requests_total by api
  CpuSeconds cpu;                          // of the daemon, read right after the page
  CpuSeconds broker_cpu;                   // with --broker-pid
  double rss = 0;                          // the daemon's VmRSS, in bytes

  [[nodiscard]] bool same_attempt(const ProbeState& other) const {
    return last_success == other.last_success && failures == other.failures;
  }
};

class Daemon {
 public:
  explicit Daemon(const Options& o) : o_(o) {}

  // nullopt until the probe has finished its first attempt.
  std::optional<ProbeState> state() {
    auto page = fetch(o_.port, "/metrics", false);
    CpuSeconds cpu = cpu_seconds(o_.pid);
    CpuSeconds broker_cpu = o_.broker_pid != 0 ? cpu_seconds(o_.broker_pid) : CpuSeconds{};
    const double rss = status_bytes(o_.pid, "VmRSS");
    if (page.response.status != 200) {
      throw std::runtime_error("/metrics answered " + std::to_string(page.response.status));
    }
    // Only the daemon's own families go through the strict parser here: a whole FULL page
    // (100,000 series) takes long enough to parse that it could overlap the next cycle.
    const auto exposition = mt::Exposition::parse(own_lines(page.response.body));
    const std::initializer_list<std::pair<std::string_view, std::string_view>> labels = {{"probe", o_.probe},
                                                                                         {"cluster", o_.cluster}};
    const auto last_success = exposition.value("msgwatch_probe_last_success_timestamp_seconds", labels);
    const auto failures = exposition.value("msgwatch_probe_failures_total", labels);
    if (!last_success || !failures) return std::nullopt;
    ProbeState s;
    s.last_success = *last_success;
    s.failures = *failures;
    s.duration = exposition.value("msgwatch_probe_duration_seconds", labels).value_or(NAN);
    s.success = exposition.value("msgwatch_probe_success", labels).value_or(0) == 1;
    for (const auto& sample : exposition.samples_named("msgwatch_kafka_requests_total")) {
      std::string api;
      bool ours = false;
      for (const auto& [key, value] : sample.labels) {
        if (key == "api") api = value;
        if (key == "cluster" && value == o_.cluster) ours = true;
      }
      if (ours) s.requests[api] = sample.value;
    }
    s.cpu = cpu;
    s.broker_cpu = broker_cpu;
    s.rss = rss;
    last_page_ = std::move(page.response.body);
    return s;
  }

  // Waits for the attempt after `previous` (or the first one) without touching the daemon
  // while it runs: the scheduler starts an attempt `interval` after the start of the one
  // before and cuts it off at `timeout`, so the page is read once, just after that cut-off
  // and before the following start. Reading it during a cycle would take CPU from the
  // daemon and the broker on a small machine, and lengthen the very cycle being measured.
  ProbeState next_attempt(const std::optional<ProbeState>& previous) {
    const auto until = Clock::now() + o_.deadline;
    if (previous) {
      if (previous->success)
        next_start_ = previous->last_success - previous->duration + seconds(o_.interval);
      else if (next_start_)
        *next_start_ += seconds(o_.interval);
    }
    if (previous && next_start_) {
      const double offset = std::min(seconds(o_.timeout) + 0.25, seconds(o_.interval) - 0.4);
      const double wait = *next_start_ + offset - unix_now();
      if (wait > 0) std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    }
    for (;;) {
      if (auto s = state(); s && !(previous && s->same_attempt(*previous))) return *s;
      if (Clock::now() > until) throw std::runtime_error("no new " + o_.probe + " attempt in time");
      std::this_thread::sleep_for(100ms);
    }
  }

  void wait_ready() {
    const auto until = Clock::now() + o_.deadline;
    for (;;) {
      try {
        if (fetch(o_.port, "/-/ready", false, 5s).response.status == 200) return;
      } catch (const std::exception&) {
        // Not listening yet.
      }
      if (Clock::now() > until) throw std::runtime_error("daemon not ready in time");
      std::this_thread::sleep_for(200ms);
    }
  }

  [[nodiscard]] const std::string& last_page() const { return last_page_; }

 private:
  // The lines of the daemon's own msgwatch_* families, with their HELP and TYPE lines.
  static std::string own_lines(std::string_view page) {
    std::string out;
    for (std::size_t at = 0; at < page.size();) {
      auto end = page.find('\n', at);
      end = end == std::string_view::npos ? page.size() : end + 1;
      const std::string_view line = page.substr(at, end - at);
      if (line.starts_with("msgwatch_") || line.starts_with("# HELP msgwatch_") ||
          line.starts_with("# TYPE msgwatch_")) {
        out += line;
      }
      at = end;
    }
    return out;
  }

  static double unix_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  }

  const Options& o_;
  std::string last_page_;
  std::optional<double> next_start_;  // Unix time the next attempt starts, once known
};

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Nearest-rank percentile.
double percentile(std::vector<double> v, double p) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100 * static_cast<double>(v.size())));
  return v[std::max<std::size_t>(rank, 1) - 1];
}

void measure_cycles(const Options& o, Daemon& daemon) {
  daemon.wait_ready();
  // The first attempt connects, negotiates versions and warms every cache: reported alone.
  ProbeState previous = daemon.next_attempt(std::nullopt);
  figure("cycle_first", previous.duration * 1000, "ms");
  if (!previous.success) note("the first attempt failed");
  const ProbeState start = previous;
  std::vector<double> durations;
  std::vector<double> cpu;
  int failed = 0;
  for (int i = 0; i < o.cycles; ++i) {
    ProbeState s = daemon.next_attempt(previous);
    // Two attempts between two readings would make every per-cycle figure wrong.
    const bool missed = s.success
                            ? previous.success && s.last_success - previous.last_success > 1.5 * seconds(o.interval)
                            : s.failures - previous.failures > 1;
    if (missed) throw std::runtime_error("an attempt went by unseen; the measuring tool polls too slowly");
    note("cycle " + std::to_string(i + 1) + ": " + (s.success ? "ok" : "failed") + ", " +
         std::to_string(s.duration * 1000) + " ms, daemon CPU " +
         std::to_string((s.cpu.total() - previous.cpu.total()) * 1000) + " ms, RSS " +
         std::to_string(s.rss / (1 << 20)) + " MiB");
    if (s.success) {
      durations.push_back(s.duration);
    } else {
      ++failed;
    }
    cpu.push_back(s.cpu.total() - previous.cpu.total());
    previous = s;
  }
  const double cycles = o.cycles;
  figure("cycle_wall.median", median(durations) * 1000, "ms");
  figure("cycle_wall.min", durations.empty() ? NAN : *std::min_element(durations.begin(), durations.end()) * 1000,
         "ms");
  figure("cycle_wall.max", durations.empty() ? NAN : *std::max_element(durations.begin(), durations.end()) * 1000,
         "ms");
  figure("cycles_measured", cycles, "cycles");
  figure("cycles_failed", failed, "cycles");
  double total = 0;
  for (const auto& [api, count] : previous.requests) {
    const auto before = start.requests.find(api);
    const double delta = count - (before == start.requests.end() ? 0 : before->second);
    total += delta;
    figure("requests_per_cycle." + api, delta / cycles, "requests");
  }
  figure("requests_per_cycle.total", total / cycles, "requests");
  figure("cpu_per_cycle", (previous.cpu.total() - start.cpu.total()) / cycles * 1000, "ms");
  figure("cpu_per_cycle.user", (previous.cpu.user - start.cpu.user) / cycles * 1000, "ms");
  figure("cpu_per_cycle.system", (previous.cpu.system - start.cpu.system) / cycles * 1000, "ms");
  figure("cpu_per_cycle.median", median(cpu) * 1000, "ms");
  // Memory that stays after each cycle: a steady daemon shows 0 here; a leak, or an
  // allocator that keeps what the cycles free, shows as growth.
  figure("rss_growth_per_cycle", (previous.rss - start.rss) / cycles / (1 << 20), "MiB");
  if (o.broker_pid != 0) {
    figure("broker_cpu_per_cycle", (previous.broker_cpu.total() - start.broker_cpu.total()) / cycles * 1000, "ms");
  }
}

void measure_scrapes(const Options& o, Daemon& daemon) {
  std::vector<double> plain;
  std::vector<double> gzip;
  std::vector<double> plain_bytes;
  std::vector<double> gzip_bytes;
  // Paced evenly over whole probe intervals, as scrapes arrive at any time: the share of
  // them that meets a running cycle (and its rendering) is then the same in every run,
  // which a burst, landing on a cycle or not, would leave to chance. Alternating, so both
  // kinds meet the same mix.
  const auto span = o.scrape_intervals * o.interval;
  const auto start = Clock::now();
  for (int i = 0; i < o.scrapes; ++i) {
    std::this_thread::sleep_until(start + span * i / o.scrapes);
    for (const bool compressed : {false, true}) {
      const auto got = fetch(o.port, "/metrics", compressed);
      if (got.response.status != 200)
        throw std::runtime_error("/metrics answered " + std::to_string(got.response.status));
      const bool is_gzip = got.response.header("Content-Encoding").value_or("") == "gzip";
      if (compressed != is_gzip) throw std::runtime_error("Content-Encoding does not match Accept-Encoding");
      (compressed ? gzip : plain).push_back(got.seconds);
      (compressed ? gzip_bytes : plain_bytes).push_back(static_cast<double>(got.response.body.size()));
    }
  }
  figure("metrics_plain.median", median(plain) * 1000, "ms");
  figure("metrics_plain.p90", percentile(plain, 90) * 1000, "ms");
  figure("metrics_gzip.median", median(gzip) * 1000, "ms");
  figure("metrics_gzip.p90", percentile(gzip, 90) * 1000, "ms");
  figure("metrics_plain.bytes", median(plain_bytes), "bytes");
  figure("metrics_gzip.bytes", median(gzip_bytes), "bytes");
}

// What the page holds, to check the daemon saw the whole workload.
void count_series(const Options& o, const Daemon& daemon) {
  const auto exposition = mt::Exposition::parse(daemon.last_page());
  // Which build was measured; a comment line, as it is not a figure.
  for (const auto& sample : exposition.samples_named("msgwatch_build_info")) {
    std::printf("#");
    for (const auto& [key, value] : sample.labels) std::printf(" %s=%s", key.c_str(), value.c_str());
    std::printf("\n");
  }
  figure("series", static_cast<double>(exposition.samples().size()), "series");
  double lag_series = 0;
  double lag_sum = 0;
  for (const auto& sample : exposition.samples_named("kafka_consumergroup_lag")) {
    for (const auto& [key, value] : sample.labels) {
      if (key == "cluster" && value == o.cluster) {
        ++lag_series;
        lag_sum += sample.value;
      }
    }
  }
  figure("lag_series", lag_series, "series");
  figure("lag_sum", lag_sum, "messages");
  if (!o.save_page.empty()) {
    std::ofstream out(o.save_page, std::ios::binary);
    out << daemon.last_page();
    if (!out.flush()) throw std::runtime_error("cannot write " + o.save_page);
  }
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) throw std::runtime_error(std::string(flag) + " needs a value");
    const std::string value = argv[++i];
    const auto number = [&] {
      char* end = nullptr;
      const long v = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || v < 1 || v > 1'000'000'000) {
        throw std::runtime_error(std::string(flag) + ": not a positive number: " + value);
      }
      return v;
    };
    if (flag == "--port") {
      o.port = static_cast<std::uint16_t>(number());
    } else if (flag == "--pid") {
      o.pid = static_cast<int>(number());
    } else if (flag == "--broker-pid") {
      o.broker_pid = static_cast<int>(number());
    } else if (flag == "--cluster") {
      o.cluster = value;
    } else if (flag == "--probe") {
      o.probe = value;
    } else if (flag == "--interval-ms") {
      o.interval = std::chrono::milliseconds(number());
    } else if (flag == "--timeout-ms") {
      o.timeout = std::chrono::milliseconds(number());
    } else if (flag == "--cycles") {
      o.cycles = static_cast<int>(number());
    } else if (flag == "--scrapes") {
      o.scrapes = static_cast<int>(number());
    } else if (flag == "--scrape-intervals") {
      o.scrape_intervals = static_cast<int>(number());
    } else if (flag == "--save-page") {
      o.save_page = value;
    } else if (flag == "--deadline-s") {
      o.deadline = std::chrono::seconds(number());
    } else {
      throw std::runtime_error("unknown flag " + std::string(flag));
    }
  }
  if (o.port == 0 || o.pid == 0) throw std::runtime_error("--port and --pid are required");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse_args(argc, argv);
    Daemon daemon(o);
    measure_cycles(o, daemon);
    count_series(o, daemon);
    measure_scrapes(o, daemon);
    figure("rss_peak", status_bytes(o.pid, "VmHWM") / (1 << 20), "MiB");
    figure("rss_after", status_bytes(o.pid, "VmRSS") / (1 << 20), "MiB");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "measure: error: %s\n", e.what());
    return 1;
  }
}
