// Measures a running msgwatch daemon's kafka_lag probe from the outside, the way an operator
// would see it: cycle wall time, Kafka requests and their round trips from its own metrics,
// CPU and memory from /proc, and /metrics as scrapers get it, one at a time and many at
// once. Prints one `name value unit` line per figure.
//
//   measure --port P --pid PID [--broker-pid PID[,PID...]] [--cluster bench] [--probe kafka_lag]
//           [--interval-ms 5000] [--timeout-ms 4000] [--cycles 6] [--scrapes 200]
//           [--scrape-intervals 2] [--load-clients 50] [--load-seconds 60]
//           [--load-max-requests 2000000] [--load-pause-ms 0] [--soak]
//           [--deadline-s 300] [--save-page FILE]
//
// --broker-pid: also the brokers' CPU per cycle (all of them together), on a local cluster
// the other half of where a cycle's time goes. --scrapes 0 and --load-seconds 0 leave out
// those phases. --soak: also the soak.* figures, the daemon's RSS over the measured cycles.
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
#include <latch>
#include <map>
#include <memory>
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
  std::vector<int> broker_pids;
  std::string cluster = "bench";
  std::string probe = "kafka_lag";
  std::chrono::milliseconds interval = 5000ms;
  std::chrono::milliseconds timeout = 4000ms;
  int cycles = 6;
  int scrapes = 200;
  int scrape_intervals = 2;  // the GETs are spread over this many probe intervals
  int load_clients = 50;
  std::chrono::seconds load_duration = 60s;
  long load_max_requests = 2'000'000;  // over all clients: bounds the latencies kept
  std::chrono::milliseconds load_pause = 0ms;
  bool soak = false;
  std::chrono::seconds deadline = 300s;
  std::string save_page;  // where to keep the last page read, for a look at what it holds
};

// The daemon's histogram of Kafka request round trips, by cluster, api and broker.
constexpr std::string_view kRequestDuration = "msgwatch_kafka_request_duration_seconds";

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

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

void note(const std::string& text) { std::fprintf(stderr, "measure: %s\n", text.c_str()); }

// A note that belongs with the figures: a comment line in the output, and in the log.
void remark(const std::string& text) {
  std::printf("# note: %s\n", text.c_str());
  std::fflush(stdout);
  note(text);
}

class Socket {
 public:
  Socket() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  }
  ~Socket() { ::close(fd_); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  [[nodiscard]] int fd() const { return fd_; }

  // Blocking connect to 127.0.0.1:port; every later send and recv times out after `timeout`.
  void connect_loopback(std::uint16_t port, std::chrono::seconds timeout) const {
    timeval tv{static_cast<time_t>(timeout.count()), 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
    }
  }

  void send_all(std::string_view data) const {
    for (std::size_t sent = 0; sent < data.size();) {
      const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error(std::string("send: ") + std::strerror(errno));
      sent += static_cast<std::size_t>(n);
    }
  }

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
  const std::string where = "GET http://127.0.0.1:" + std::to_string(port) + target;
  std::string data;
  std::size_t header_end = std::string::npos;
  std::optional<std::size_t> length;
  bool eof = false;
  try {
    Socket socket;
    socket.connect_loopback(port, timeout);
    socket.send_all("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\nConnection: close\r\n" + (gzip ? "Accept-Encoding: gzip\r\n" : "") + "\r\n");
    data.reserve(1 << 20);
    std::vector<char> chunk(1 << 16);
    while (!complete(data, header_end, length)) {
      const ssize_t n = ::recv(socket.fd(), chunk.data(), chunk.size(), 0);
      if (n < 0) throw std::runtime_error(std::string("recv: ") + std::strerror(errno));
      if (n == 0) {
        eof = true;
        break;
      }
      data.append(chunk.data(), static_cast<std::size_t>(n));
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(where + ": " + e.what());
  }
  const double seconds = seconds_since(start);
  auto response = mt::parse_http_response(data, eof);
  if (!response) throw std::runtime_error(where + ": truncated response");
  return {std::move(*response), seconds};
}

struct CpuSeconds {
  double user = 0;
  double system = 0;
  [[nodiscard]] double total() const { return user + system; }
  CpuSeconds& operator+=(const CpuSeconds& other) {
    user += other.user;
    system += other.system;
    return *this;
  }
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

double unix_now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

// Where the probe stands after its latest attempt, from one page.
struct ProbeState {
  double last_success = 0;
  double failures = 0;
  double duration = 0;
  bool success = false;
  std::map<std::string, double> requests;  // msgwatch_kafka_requests_total by api
  // msgwatch_kafka_request_duration_seconds_sum by api, summed over brokers; only if the
  // daemon has that family.
  std::optional<std::map<std::string, double>> request_seconds;
  CpuSeconds cpu;         // of the daemon, read right after the page
  CpuSeconds broker_cpu;  // of the --broker-pid processes together
  double rss = 0;         // the daemon's VmRSS, in bytes

  [[nodiscard]] bool same_attempt(const ProbeState& other) const {
    return last_success == other.last_success && failures == other.failures;
  }
};

class Daemon {
 public:
  explicit Daemon(const Options& o) : o_(o) {}

  // nullopt until the probe has finished its first attempt.
  std::optional<ProbeState> state() {
    // Gzip, inflated here: the daemon keeps its page compressed and inflates it for a
    // plain-text client, work that would otherwise count as the daemon's CPU per cycle.
    auto page = fetch(o_.port, "/metrics", true);
    CpuSeconds cpu = cpu_seconds(o_.pid);
    CpuSeconds broker_cpu;
    for (const int pid : o_.broker_pids) broker_cpu += cpu_seconds(pid);
    const double rss = status_bytes(o_.pid, "VmRSS");
    if (page.response.status != 200) {
      throw std::runtime_error("/metrics answered " + std::to_string(page.response.status));
    }
    const bool gzip = page.response.header("Content-Encoding").value_or("") == "gzip";
    std::string text = gzip ? mt::gunzip(page.response.body) : std::move(page.response.body);
    // Only the daemon's own families go through the strict parser here: a whole FULL page
    // (100,000 series) takes long enough to parse that it could overlap the next cycle.
    const auto exposition = mt::Exposition::parse(own_lines(text));
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
    s.requests = by_api(exposition, "msgwatch_kafka_requests_total");
    if (exposition.has_family(kRequestDuration)) {
      s.request_seconds = by_api(exposition, std::string(kRequestDuration) + "_sum");
    }
    s.cpu = cpu;
    s.broker_cpu = broker_cpu;
    s.rss = rss;
    last_page_ = std::move(text);
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

  // The samples named `name` of this cluster, summed by their `api` label.
  [[nodiscard]] std::map<std::string, double> by_api(const mt::Exposition& exposition, const std::string& name) const {
    std::map<std::string, double> sums;
    for (const auto& sample : exposition.samples_named(name)) {
      std::string api;
      bool ours = false;
      for (const auto& [key, value] : sample.labels) {
        if (key == "api") api = value;
        if (key == "cluster" && value == o_.cluster) ours = true;
      }
      if (ours) sums[api] += sample.value;
    }
    return sums;
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

double max_of(const std::vector<double>& v) { return v.empty() ? NAN : *std::max_element(v.begin(), v.end()); }

// Per-series figures are computed at the end, from what the cycles measured.
struct CycleResults {
  double cpu_per_cycle = 0;  // seconds
};

// `to` minus `from`, API by API, printed per cycle as name.API and in total as name.
void per_cycle_by_api(const std::string& name, const std::map<std::string, double>& from,
                      const std::map<std::string, double>& to, double cycles, double scale, const char* unit) {
  double total = 0;
  for (const auto& [api, value] : to) {
    const auto before = from.find(api);
    const double delta = value - (before == from.end() ? 0 : before->second);
    total += delta;
    figure(name + "." + api, delta / cycles * scale, unit);
  }
  figure(name + (name == "requests_per_cycle" ? ".total" : ""), total / cycles * scale, unit);
}

void soak_figures(const Options& o, const std::vector<double>& rss, int failed) {
  const auto mib = [](double bytes) { return bytes / (1 << 20); };
  figure("soak.cycles", static_cast<double>(rss.size()), "cycles");
  figure("soak.cycles_failed", failed, "cycles");
  figure("soak.interval", static_cast<double>(o.interval.count()), "ms");
  if (rss.size() < 2) return;
  figure("soak.rss_first", mib(rss.front()), "MiB");
  figure("soak.rss_last", mib(rss.back()), "MiB");
  figure("soak.rss_max", mib(max_of(rss)), "MiB");
  figure("soak.rss_growth_per_cycle", mib(rss.back() - rss.front()) / static_cast<double>(rss.size() - 1), "MiB");
  // Steady memory: the second half of the cycles reaches no higher than the first did. The
  // first cycles may grow the heap to its working size; a leak keeps growing after that.
  const auto half = static_cast<std::ptrdiff_t>(rss.size() / 2);
  const double first = *std::max_element(rss.begin(), rss.begin() + half);
  const double second = *std::max_element(rss.begin() + half, rss.end());
  figure("soak.rss_second_half_over_first", second / first, "x");
}

CycleResults measure_cycles(const Options& o, Daemon& daemon) {
  daemon.wait_ready();
  // The first attempt connects, negotiates versions and warms every cache: reported alone.
  ProbeState previous = daemon.next_attempt(std::nullopt);
  figure("cycle_first", previous.duration * 1000, "ms");
  if (!previous.success) note("the first attempt failed");
  const ProbeState start = previous;
  std::vector<double> durations;
  std::vector<double> cpu;
  std::vector<double> rss;
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
    rss.push_back(s.rss);
    previous = s;
  }
  const double cycles = o.cycles;
  figure("cycle_wall.median", median(durations) * 1000, "ms");
  figure("cycle_wall.min", durations.empty() ? NAN : *std::min_element(durations.begin(), durations.end()) * 1000,
         "ms");
  figure("cycle_wall.max", max_of(durations) * 1000, "ms");
  figure("cycles_measured", cycles, "cycles");
  figure("cycles_failed", failed, "cycles");
  per_cycle_by_api("requests_per_cycle", start.requests, previous.requests, cycles, 1, "requests");
  if (start.request_seconds && previous.request_seconds) {
    // Round trips of the cycle's requests, summed: concurrent requests all count, so this
    // can exceed the cycle's wall time.
    per_cycle_by_api("broker_time_per_cycle", *start.request_seconds, *previous.request_seconds, cycles, 1000, "ms");
  } else {
    remark("no " + std::string(kRequestDuration) + " family on the page: broker_time_per_cycle skipped");
  }
  CycleResults results;
  results.cpu_per_cycle = (previous.cpu.total() - start.cpu.total()) / cycles;
  figure("cpu_per_cycle", results.cpu_per_cycle * 1000, "ms");
  figure("cpu_per_cycle.user", (previous.cpu.user - start.cpu.user) / cycles * 1000, "ms");
  figure("cpu_per_cycle.system", (previous.cpu.system - start.cpu.system) / cycles * 1000, "ms");
  figure("cpu_per_cycle.median", median(cpu) * 1000, "ms");
  // Memory that stays after each cycle: a steady daemon shows 0 here; a leak, or an
  // allocator that keeps what the cycles free, shows as growth.
  figure("rss_growth_per_cycle", (previous.rss - start.rss) / cycles / (1 << 20), "MiB");
  if (!o.broker_pids.empty()) {
    figure("broker_cpu_per_cycle", (previous.broker_cpu.total() - start.broker_cpu.total()) / cycles * 1000, "ms");
  }
  if (o.soak) soak_figures(o, rss, failed);
  return results;
}

void measure_scrapes(const Options& o) {
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

// ---- Many scrapers at once.

// One failed request of a load client; `kind` groups them in the report.
struct LoadError : std::runtime_error {
  LoadError(std::string kind_, const std::string& what) : std::runtime_error(what), kind(std::move(kind_)) {}
  std::string kind;
};

struct LoadClient {
  std::vector<double> latencies;  // seconds, of the requests that succeeded
  long requests = 0;
  long errors = 0;
  long connections = 0;
  std::map<std::string, long> errors_by_kind;
  std::map<std::string, std::string> first_error;  // by kind
};

struct ResponseHead {
  int status = 0;
  std::optional<std::size_t> length;
  bool gzip = false;
  bool close = false;
};

ResponseHead parse_head(std::string_view head) {
  ResponseHead h;
  const auto line_end = head.find("\r\n");
  const std::string_view status_line = head.substr(0, line_end);
  if (!status_line.starts_with("HTTP/1.1 ") || status_line.size() < 12) {
    throw LoadError("framing", "bad status line: " + std::string(status_line));
  }
  h.status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
  std::string lower(head);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  const auto value_of = [&](std::string_view name) -> std::optional<std::string> {
    const auto at = lower.find("\r\n" + std::string(name) + ":");
    if (at == std::string::npos) return std::nullopt;
    const auto from = at + 3 + name.size();
    std::string value = lower.substr(from, lower.find("\r\n", from) - from);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t") + 1);
    return value;
  };
  if (const auto length = value_of("content-length")) h.length = std::strtoull(length->c_str(), nullptr, 10);
  h.gzip = value_of("content-encoding") == "gzip";
  h.close = value_of("connection") == "close";
  if (value_of("transfer-encoding")) throw LoadError("framing", "Transfer-Encoding instead of Content-Length");
  return h;
}

// One GET /metrics with Accept-Encoding: gzip on `socket`, read to the last byte of the
// body (Content-Length). The body is counted and its gzip header checked, not kept or
// inflated: 50 clients inflating pages would load the cores the daemon is measured on.
// Returns whether the connection may carry the next request.
bool load_request(const Socket& socket, const std::string& request, std::vector<char>& buffer) {
  try {
    socket.send_all(request);
  } catch (const std::exception& e) {
    throw LoadError("send", e.what());
  }
  std::string head;
  std::optional<ResponseHead> parsed;
  std::size_t body = 0;
  unsigned char magic[2] = {0, 0};
  const auto take_body = [&](const char* data, std::size_t n) {
    for (std::size_t i = 0; i < n && body + i < 2; ++i) magic[body + i] = static_cast<unsigned char>(data[i]);
    body += n;
  };
  while (!parsed || body < *parsed->length) {
    const ssize_t n = ::recv(socket.fd(), buffer.data(), buffer.size(), 0);
    if (n < 0) {
      const bool timed_out = errno == EAGAIN || errno == EWOULDBLOCK;
      throw LoadError(timed_out ? "timeout" : "recv", std::string("recv: ") + std::strerror(errno));
    }
    if (n == 0) {
      if (!parsed) throw LoadError("closed", "connection closed before the response head");
      throw LoadError("short_body", "connection closed after " + std::to_string(body) + " of " +
                                        std::to_string(*parsed->length) + " body bytes");
    }
    if (parsed) {
      take_body(buffer.data(), static_cast<std::size_t>(n));
      continue;
    }
    head.append(buffer.data(), static_cast<std::size_t>(n));
    const auto end = head.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (head.size() > 16 * 1024) throw LoadError("framing", "response head over 16 KiB");
      continue;
    }
    parsed = parse_head(std::string_view(head).substr(0, end + 2));
    if (!parsed->length) throw LoadError("framing", "no Content-Length");
    take_body(head.data() + end + 4, head.size() - end - 4);
  }
  if (body > *parsed->length) throw LoadError("framing", "bytes after the body");
  if (parsed->status != 200) throw LoadError("status", "status " + std::to_string(parsed->status));
  if (!parsed->gzip) throw LoadError("encoding", "no Content-Encoding: gzip");
  if (*parsed->length < 18 || magic[0] != 0x1f || magic[1] != 0x8b) {
    throw LoadError("short_body", "not a gzip member: " + std::to_string(*parsed->length) + " bytes");
  }
  return !parsed->close;
}

// A scraper that keeps its connection alive (as Prometheus does), GETs /metrics in a loop
// until `until` or `max_requests`, and opens a new connection after an error or a close.
void load_client(const Options& o, Clock::time_point until, long max_requests, LoadClient& r) {
  const std::string request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(o.port) +
                              "\r\nAccept-Encoding: gzip\r\nUser-Agent: msgwatch-bench\r\n\r\n";
  std::vector<char> buffer(256 * 1024);
  std::unique_ptr<Socket> socket;
  while (Clock::now() < until && r.requests < max_requests) {
    ++r.requests;
    const auto start = Clock::now();
    try {
      if (!socket) {
        socket = std::make_unique<Socket>();
        try {
          socket->connect_loopback(o.port, 10s);
        } catch (const std::exception& e) {
          throw LoadError("connect", e.what());
        }
        ++r.connections;
      }
      if (!load_request(*socket, request, buffer)) socket.reset();
      r.latencies.push_back(seconds_since(start));
    } catch (const LoadError& e) {
      socket.reset();
      ++r.errors;
      ++r.errors_by_kind[e.kind];
      r.first_error.emplace(e.kind, e.what());
      std::this_thread::sleep_for(10ms);  // no busy loop against a daemon that refuses
    } catch (const std::exception& e) {
      socket.reset();
      ++r.errors;
      ++r.errors_by_kind["other"];
      r.first_error.emplace("other", e.what());
      std::this_thread::sleep_for(10ms);
    }
    if (o.load_pause > 0ms) std::this_thread::sleep_for(o.load_pause);
  }
}

void measure_load(const Options& o, Daemon& daemon) {
  const ProbeState before = daemon.state().value();
  std::vector<LoadClient> clients(static_cast<std::size_t>(o.load_clients));
  std::vector<std::thread> threads;
  threads.reserve(clients.size());
  std::latch go(o.load_clients + 1);
  // Each client's share of the bound on requests, so the latencies kept stay bounded.
  const long per_client = std::max(1L, o.load_max_requests / o.load_clients);
  // The end is set once every thread exists; they wait on the latch until then, and read
  // it after.
  Clock::time_point until = Clock::time_point::max();
  for (auto& client : clients) {
    threads.emplace_back([&o, &until, per_client, &go, &client] {
      go.arrive_and_wait();
      load_client(o, until, per_client, client);
    });
  }
  const auto start = Clock::now();
  until = start + o.load_duration;
  const CpuSeconds cpu_before = cpu_seconds(o.pid);
  go.count_down();
  for (auto& thread : threads) thread.join();
  const double wall = seconds_since(start);
  const CpuSeconds cpu_after = cpu_seconds(o.pid);
  const ProbeState after = daemon.state().value();

  std::vector<double> latencies;
  long requests = 0;
  long errors = 0;
  long connections = 0;
  std::map<std::string, long> by_kind;
  std::map<std::string, std::string> first;
  for (const auto& client : clients) {
    latencies.insert(latencies.end(), client.latencies.begin(), client.latencies.end());
    requests += client.requests;
    errors += client.errors;
    connections += client.connections;
    for (const auto& [kind, count] : client.errors_by_kind) by_kind[kind] += count;
    for (const auto& [kind, text] : client.first_error) first.emplace(kind, text);
  }
  std::sort(latencies.begin(), latencies.end());
  figure("metrics_gzip_load.clients", o.load_clients, "clients");
  figure("metrics_gzip_load.seconds", wall, "s");
  figure("metrics_gzip_load.requests", static_cast<double>(requests), "requests");
  figure("metrics_gzip_load.errors", static_cast<double>(errors), "requests");
  figure("metrics_gzip_load.connections", static_cast<double>(connections), "connections");
  figure("metrics_gzip_load.rate", static_cast<double>(requests) / wall, "requests/s");
  figure("metrics_gzip_load.p50", percentile(latencies, 50) * 1000, "ms");
  figure("metrics_gzip_load.p99", percentile(latencies, 99) * 1000, "ms");
  figure("metrics_gzip_load.max", max_of(latencies) * 1000, "ms");
  // What serving cost the daemon (its cycles ran meanwhile and are included), and whether
  // the cycles went on: failed attempts, and how old the last success was at the end.
  figure("metrics_gzip_load.daemon_cpu", (cpu_after.total() - cpu_before.total()) / wall, "cores");
  figure("metrics_gzip_load.cycles_failed", after.failures - before.failures, "cycles");
  figure("metrics_gzip_load.last_success_age", unix_now() - after.last_success, "s");
  for (const auto& [kind, count] : by_kind) {
    remark("load: " + std::to_string(count) + " " + kind + " error(s), first: " + first[kind]);
  }
  if (requests >= o.load_max_requests - o.load_clients) remark("load: stopped at --load-max-requests, not at the time");
}

// What the page holds, to check the daemon saw the whole workload. Returns the number of
// samples on it.
double count_series(const Options& o, const Daemon& daemon) {
  const auto exposition = mt::Exposition::parse(daemon.last_page());
  // Which build was measured; a comment line, as it is not a figure.
  for (const auto& sample : exposition.samples_named("msgwatch_build_info")) {
    std::printf("#");
    for (const auto& [key, value] : sample.labels) std::printf(" %s=%s", key.c_str(), value.c_str());
    std::printf("\n");
  }
  const auto series = static_cast<double>(exposition.samples().size());
  figure("series", series, "series");
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
  return series;
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--soak") {
      o.soak = true;
      continue;
    }
    if (i + 1 >= argc) throw std::runtime_error(std::string(flag) + " needs a value");
    const std::string value = argv[++i];
    const auto in_range = [&](const std::string& text, long low, long high) {
      char* end = nullptr;
      const long v = std::strtol(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || v < low || v > high) {
        throw std::runtime_error(std::string(flag) + ": not a number in " + std::to_string(low) + ".." +
                                 std::to_string(high) + ": " + text);
      }
      return v;
    };
    const auto number = [&] { return in_range(value, 1, 1'000'000'000); };
    const auto count = [&] { return in_range(value, 0, 1'000'000'000); };
    if (flag == "--port") {
      o.port = static_cast<std::uint16_t>(in_range(value, 1, 65535));
    } else if (flag == "--pid") {
      o.pid = static_cast<int>(number());
    } else if (flag == "--broker-pid") {
      std::istringstream list(value);
      for (std::string pid; std::getline(list, pid, ',');) {
        o.broker_pids.push_back(static_cast<int>(in_range(pid, 1, 1'000'000'000)));
      }
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
      o.scrapes = static_cast<int>(count());
    } else if (flag == "--scrape-intervals") {
      o.scrape_intervals = static_cast<int>(number());
    } else if (flag == "--load-clients") {
      o.load_clients = static_cast<int>(in_range(value, 1, 1000));
    } else if (flag == "--load-seconds") {
      o.load_duration = std::chrono::seconds(in_range(value, 0, 3600));
    } else if (flag == "--load-max-requests") {
      o.load_max_requests = in_range(value, 1, 100'000'000);
    } else if (flag == "--load-pause-ms") {
      o.load_pause = std::chrono::milliseconds(in_range(value, 0, 60'000));
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
    const CycleResults cycles = measure_cycles(o, daemon);
    const double series = count_series(o, daemon);
    if (o.scrapes > 0) measure_scrapes(o);
    if (o.load_duration > 0s) measure_load(o, daemon);
    const double peak = status_bytes(o.pid, "VmHWM");
    figure("rss_peak", peak / (1 << 20), "MiB");
    figure("rss_after", status_bytes(o.pid, "VmRSS") / (1 << 20), "MiB");
    // Everything the process holds, its fixed cost included, over the series on the page.
    figure("bytes_per_series", peak / series, "bytes");
    figure("cpu_us_per_series_per_cycle", cycles.cpu_per_cycle * 1e6 / series, "us");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "measure: error: %s\n", e.what());
    return 1;
  }
}
