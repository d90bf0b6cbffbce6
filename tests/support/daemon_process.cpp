#include "support/daemon_process.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <csignal>
#include <exception>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "support/test_environment.hpp"
#include "support/wait.hpp"

namespace msgwatch::test {
namespace {

ChildProcess start_daemon(const std::filesystem::path& binary, const DaemonOptions& options,
                          const std::filesystem::path& config, const std::filesystem::path& log, std::uint16_t port) {
  write_file(config, options.config_yaml);
  std::vector<std::string> argv{binary.string(), "--config.file=" + config.string(),
                                "--web.listen-address=127.0.0.1:" + std::to_string(port),
                                "--log.level=" + options.log_level};
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  return ChildProcess::spawn(argv, log, log, options.env);
}

// Shortest text that reads back as the same double: "600", "0.1", "NaN".
std::string format_value(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

}  // namespace

DaemonProcess::DaemonProcess(DaemonOptions options)
    : binary_(daemon_binary()),
      dir_(make_temp_dir("msgwatch-daemon")),
      config_path_(dir_ / "config.yaml"),
      log_path_(dir_ / "daemon.log"),
      port_(free_loopback_port()),
      child_(start_daemon(binary_, options, config_path_, log_path_, port_)) {}

DaemonProcess::DaemonProcess(const std::string& config_yaml)
    : DaemonProcess(DaemonOptions{config_yaml, {}, {}, "debug"}) {}

DaemonProcess::~DaemonProcess() {
  try {
    child_.kill_and_reap();
    // During unwinding gtest has not yet recorded the exception as a failure.
    const bool failed = std::uncaught_exceptions() > 0 || ::testing::Test::HasFailure();
    if (failed) {
      std::cerr << "---- msgwatch daemon log " << log_path_.string() << " (tail) ----\n"
                << log_tail() << "---- end of daemon log ----\n";
    } else {
      std::filesystem::remove_all(dir_);
    }
  } catch (const std::exception& e) {
    std::cerr << "cleaning up the daemon in " << dir_.string() << ": " << e.what() << "\n";
  }
}

std::string DaemonProcess::listen_address() const { return "127.0.0.1:" + std::to_string(port_); }

std::string DaemonProcess::log() const { return read_file(log_path_); }

std::string DaemonProcess::log_tail(std::size_t lines) const { return tail_lines(log(), lines); }

void DaemonProcess::fail(const std::string& why) const {
  throw std::runtime_error("msgwatch daemon (pid " + std::to_string(child_.pid()) + ", port " + std::to_string(port_) +
                           "): " + why + "\n---- daemon log " + log_path_.string() + " (tail) ----\n" + log_tail());
}

void DaemonProcess::wait_ready(std::chrono::milliseconds deadline) {
  std::optional<ExitStatus> exited;
  try {
    wait_until_explained(
        [&]() -> std::string {
          exited = child_.poll();
          if (exited) return "";
          // Until it says so, a listener on its port is some other process that took the port.
          if (log().find("serving metrics") == std::string::npos) return "not serving yet";
          try {
            const HttpResponse r = http_get("127.0.0.1", port_, "/-/ready", {}, 2s);
            if (r.status == 200) return "";
            return "GET /-/ready answered " + std::to_string(r.status);
          } catch (const std::exception& e) {
            return e.what();  // not listening yet
          }
        },
        deadline, "GET /-/ready to answer 200");
  } catch (const WaitTimeout& e) {
    fail(e.what());
  }
  if (exited) fail("exited with " + exited->describe() + " before it was ready");
}

HttpResponse DaemonProcess::get(const std::string& target, const HttpHeaders& headers,
                                std::chrono::milliseconds timeout) {
  try {
    return http_get("127.0.0.1", port_, target, headers, timeout);
  } catch (const std::exception& e) {
    if (auto status = child_.poll()) fail("exited with " + status->describe() + "; " + e.what());
    fail(e.what());
  }
}

std::string DaemonProcess::scrape() {
  HttpResponse r = get("/metrics");
  if (r.status != 200) fail("GET /metrics answered " + std::to_string(r.status) + ": " + r.body);
  return std::move(r.body);
}

Exposition DaemonProcess::scrape_metrics() {
  const std::string body = scrape();
  try {
    return Exposition::parse(body);
  } catch (const std::exception& e) {
    fail(std::string("/metrics is not valid exposition format: ") + e.what());
  }
}

Exposition DaemonProcess::wait_for_metrics(const std::function<std::string(const Exposition&)>& check,
                                           std::chrono::milliseconds deadline, const std::string& what) {
  std::optional<Exposition> last;
  try {
    wait_until_explained(
        [&]() -> std::string {
          last = scrape_metrics();
          return check(*last);
        },
        deadline, what);
  } catch (const WaitTimeout& e) {
    fail(e.what());
  }
  return std::move(*last);
}

Exposition DaemonProcess::wait_for_value(const std::string& name, const Labels& labels, double expected,
                                         std::chrono::milliseconds deadline) {
  const std::string series = name + format_labels(labels);
  return wait_for_metrics(
      [&](const Exposition& e) -> std::string {
        const auto v = e.value(name, labels);
        if (!v) return series + " absent";
        if (*v == expected || (std::isnan(*v) && std::isnan(expected))) return "";
        return series + " = " + format_value(*v);
      },
      deadline, series + " = " + format_value(expected));
}

void DaemonProcess::stop(std::chrono::milliseconds deadline) {
  if (auto status = child_.poll()) fail("had already exited with " + status->describe());
  child_.signal(SIGTERM);
  auto status = child_.wait_for(deadline);
  if (!status) {
    child_.kill_and_reap();
    fail("still running " + std::to_string(deadline.count()) + " ms after SIGTERM (killed)");
  }
  if (!status->success()) fail("exited with " + status->describe() + " after SIGTERM, want 0");
}

ExitStatus DaemonProcess::wait_exit(std::chrono::milliseconds deadline) {
  auto status = child_.wait_for(deadline);
  if (!status) fail("still running after " + std::to_string(deadline.count()) + " ms");
  return *status;
}

ProcessResult run_daemon(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                         const EnvOverrides& env) {
  std::vector<std::string> argv{daemon_binary().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, timeout, env);
}

std::filesystem::path write_temp_file(const std::string& name, const std::string& text) {
  // Function-local static: created on first use, its destructor runs at exit.
  static const struct ProcessDir {
    std::filesystem::path path = make_temp_dir("msgwatch-files");
    ~ProcessDir() {
      std::error_code ignored;  // nothing useful to do about a leftover temp dir at exit
      std::filesystem::remove_all(path, ignored);
    }
  } process_dir;
  const std::filesystem::path dir = process_dir.path / unique_name("f");
  std::filesystem::create_directories(dir);
  write_file(dir / name, text);
  return dir / name;
}

std::string kafka_lag_config(const std::string& bootstrap, const std::string& lag_settings,
                             const std::string& interval) {
  return "kafka:\n  - name: it\n    bootstrap_servers: [" + bootstrap + "]\n    lag:\n      interval: " + interval +
         "\n      timeout: " + interval + "\n" + lag_settings;
}

}  // namespace msgwatch::test
