#pragma once
// The daemon under test as a child process, driven the way an operator and Prometheus
// drive it: flags on the command line, a YAML file, HTTP on a loopback port, SIGTERM to
// stop. Its output goes to a log file whose tail accompanies every failure, because
// "readiness timed out" alone never explains anything.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/prometheus_text.hpp"

namespace msgwatch::test {

using namespace std::chrono_literals;

struct DaemonOptions {
  std::string config_yaml;              // written to config.yaml in the daemon's temp dir
  std::vector<std::string> extra_args;  // appended after the standard flags
  EnvOverrides env;                     // e.g. a secret passed through the environment
  std::string log_level = "debug";
};

// Not thread-safe; use from the test's thread (see ChildProcess).
class DaemonProcess {
 public:
  // Starts MSGWATCH_BINARY with --config.file=<dir>/config.yaml
  // --web.listen-address=127.0.0.1:<free port> --log.level=<level> and the extra args.
  // Returns at once; call wait_ready() before scraping.
  explicit DaemonProcess(DaemonOptions options);
  explicit DaemonProcess(const std::string& config_yaml);
  // Kills the daemon if it still runs. If the current test has failed, prints the log
  // tail and keeps the temp dir for inspection; otherwise removes it.
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] std::string listen_address() const;  // 127.0.0.1:<port>
  [[nodiscard]] const std::filesystem::path& config_path() const { return config_path_; }
  [[nodiscard]] const std::filesystem::path& log_path() const { return log_path_; }
  [[nodiscard]] std::string log() const;
  [[nodiscard]] std::string log_tail(std::size_t lines = 60) const;
  [[nodiscard]] bool running() { return child_.running(); }
  [[nodiscard]] pid_t pid() const { return child_.pid(); }

  // Polls GET /-/ready until it answers 200. Throws (with the log tail) on timeout or as
  // soon as the daemon exits.
  void wait_ready(std::chrono::milliseconds deadline = 60s);

  // GET any path on the daemon; throws (with the log tail) if the request fails.
  HttpResponse get(const std::string& target, const HttpHeaders& headers = {}, std::chrono::milliseconds timeout = 10s);
  // The /metrics body; throws unless the status is 200.
  std::string scrape();
  // scrape(), parsed strictly.
  Exposition scrape_metrics();

  // Scrapes until `check` returns "" for the parsed exposition (it returns the current
  // state otherwise, which the timeout message quotes) and returns that exposition.
  Exposition wait_for_metrics(const std::function<std::string(const Exposition&)>& check,
                              std::chrono::milliseconds deadline, const std::string& what);
  // Scrapes until the sample with exactly these labels has value `expected`.
  Exposition wait_for_value(const std::string& name, const Labels& labels, double expected,
                            std::chrono::milliseconds deadline = 60s);

  // SIGTERM, then waits up to `deadline` and throws unless the exit code is 0 (the daemon
  // is killed if it does not exit in time).
  void stop(std::chrono::milliseconds deadline = 10s);
  // Waits for the daemon to exit by itself (e.g. after a fatal config error).
  ExitStatus wait_exit(std::chrono::milliseconds deadline = 30s);

 private:
  [[noreturn]] void fail(const std::string& why) const;

  std::filesystem::path binary_;  // first: an unset MSGWATCH_BINARY fails before any file exists
  std::filesystem::path dir_;
  std::filesystem::path config_path_;
  std::filesystem::path log_path_;
  std::uint16_t port_ = 0;
  ChildProcess child_;
};

// Runs the daemon binary to completion with exactly `args` (e.g. {"--config.check",
// "--config.file=..."} or a bad flag); stdout and stderr are captured separately.
ProcessResult run_daemon(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 30s,
                         const EnvOverrides& env = {});

// Writes `text` to a file of that name in a fresh directory and returns its path, for
// configs passed to run_daemon. The directories live under one per-process temp dir that
// is removed when the test process exits normally.
std::filesystem::path write_temp_file(const std::string& name, const std::string& text);

// A config with one Kafka cluster named "it" whose kafka_lag probe runs every `interval`
// (also its timeout); `lag_settings` are extra lines of its `lag:` section, indented by six
// spaces.
std::string kafka_lag_config(const std::string& bootstrap, const std::string& lag_settings = "",
                             const std::string& interval = "1s");

}  // namespace msgwatch::test
