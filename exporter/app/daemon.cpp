#include "exporter/app/daemon.hpp"

#include "exporter/app/config.hpp"
#include "exporter/app/flags.hpp"
#include "exporter/app/probe_registry.hpp"
#include "exporter/app/running_targets.hpp"
#include "exporter/app/web_config.hpp"
#include "exporter/runtime/exposition.hpp"
#include "exporter/runtime/http_server.hpp"
#include "exporter/runtime/logging.hpp"
#include "exporter/runtime/process_metrics.hpp"
#include "exporter/runtime/scheduler.hpp"
#include "exporter/sdk/log_event.hpp"
#include "version.hpp"

#include <prometheus/counter.h>
#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <iostream>
#include <memory>
#include <optional>

namespace msgwatch {
namespace {

config::Config load_config(const Flags& flags) {
  auto config = flags.config_file ? config::load_file(*flags.config_file) : config::Config{};
  if (flags.listen_address) config.web.listen_address = *flags.listen_address;
  if (flags.telemetry_path) config.web.telemetry_path = *flags.telemetry_path;
  if (flags.log_level) config.log.level = *flags.log_level;
  if (flags.log_format) config.log.format = *flags.log_format;
  config::validate_web_and_log(config);
  return config;
}

// Secrets must be readable at start-up: a missing file is a config error, not a probe
// that fails forever. The values are dropped at once.
void check_secrets(const config::Config& config) {
  for (const auto& target : config.targets) target.parsed->check_secrets();
}

// What the daemon will do, secrets described (file:..., env:...) but never read out.
void log_config(const config::Config& config) {
  log_event(
      spdlog::level::info, "starting",
      {{"version", kVersion}, {"listen_address", config.web.listen_address}, {"path", config.web.telemetry_path}});
  for (const auto& target : config.targets) target.parsed->log();
}

std::string count_targets(const config::Config& config) {
  std::string out;
  for (const auto* family : probe_families()) {
    const auto count = std::count_if(config.targets.begin(), config.targets.end(),
                                     [family](const auto& target) { return target.family == family; });
    out += (out.empty() ? "" : ", ") + std::to_string(count) + " " + std::string(family->nouns);
  }
  return out;
}

constexpr auto kBuildInfo =
    gauge_family("msgwatch_build_info", "The daemon's version; always 1.", {"version", "revision"});
constexpr auto kReloadSuccessful = gauge_family("msgwatch_config_last_reload_successful",
                                                "1 if the last configuration reload succeeded (or none was asked "
                                                "since the start), 0 if it failed and the previous one still runs.");
constexpr auto kReloadSuccessTime =
    gauge_family("msgwatch_config_last_reload_success_timestamp_seconds",
                 "Unix time of the last successful configuration load (the start, or a reload).");

// What a reload applies besides the targets and the web configuration file: the log level.
// The rest of `web` and `log` is read at start only (the listener stays bound, the log
// format stays).
void apply_web_and_log(const config::Config& running, const config::Config& next) {
  if (next.log.level != running.log.level) spdlog::default_logger()->set_level(spdlog::level::from_str(next.log.level));
  if (next.log.format != running.log.format || next.web.listen_address != running.web.listen_address ||
      next.web.telemetry_path != running.web.telemetry_path) {
    log_event(spdlog::level::warn, "web.* and log.format take effect at the next start, not on reload", {});
  }
}

void log_web_config(const std::string& path, const WebConfig& web) {
  log_event(spdlog::level::info, "web configuration",
            {{"file", path},
             {"basic_auth_users", std::to_string(web.basic_auth_users.size())},
             {"tls", web.tls ? "true" : "false"}});
}

// Runs `reload` on the io_context thread and waits for its answer, at most `bound` (for
// POST /-/reload, which the HTTP thread serves).
std::string reload_from_http_thread(boost::asio::io_context& io, const std::function<std::string()>& reload,
                                    std::chrono::seconds bound) {
  auto answer = std::make_shared<std::promise<std::string>>();
  auto future = answer->get_future();
  boost::asio::post(io, [answer, &reload] { answer->set_value(reload()); });
  if (future.wait_for(bound) != std::future_status::ready)
    return "the reload did not end within " + std::to_string(bound.count()) + "s";
  return future.get();
}

int serve(const Flags& flags, config::Config config, const WebConfig& web) {
  boost::asio::io_context io;
  PageStore store;
  std::atomic<bool> ready{false};
  const ProbeContext context;
  auto& render_failures = prometheus::BuildCounter()
                              .Name("msgwatch_page_render_failures_total")
                              .Help("Renderings of the metrics page that failed (the previous page stays served).")
                              .Register(*context.registry)
                              .Add({});
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<RunningTargets> targets;
  bool last_reload_successful = true;
  double last_reload_success_unix = unix_now();
  // The page is rendered after probe results, not per scrape: results that arrive in the same
  // turn of the event loop share one rendering.
  bool render_pending = false;
  const auto render = [&] {
    render_pending = false;
    SeriesSet own;
    own.add(kBuildInfo, {kVersion, kRevision}, 1);
    own.add(kReloadSuccessful, {}, last_reload_successful ? 1 : 0);
    own.add(kReloadSuccessTime, {}, last_reload_success_unix);
    write_process_metrics(own);
    PageSources sources;
    if (scheduler) {
      sources.sets = scheduler->series();
      scheduler->write_self_metrics(own);
    }
    sources.sets.push_back(&own);
    auto instruments = context.registry->Collect();
    if (targets) targets->collect_instruments(instruments);
    for (const auto& family : instruments) sources.instruments.push_back(&family);
    store.publish(std::make_shared<RenderedPage>(render_page(sources)));
    if (scheduler && scheduler->every_probe_ran()) ready = true;
  };
  const auto render_safely = [&] {
    try {
      render();
    } catch (const std::exception& e) {
      render_failures.Increment();
      log_event(spdlog::level::err, "rendering the metrics page failed", {{"error", e.what()}});
    }
  };
  const auto request_render = [&] {
    if (render_pending) return;
    render_pending = true;
    boost::asio::post(io, render_safely);
  };
  scheduler = std::make_unique<Scheduler>(io, std::vector<std::unique_ptr<Probe>>{}, request_render);
  targets = std::make_unique<RunningTargets>(*scheduler);
  targets->apply(config);
  render_safely();

  std::function<std::string()> reload;  // below, once the HTTP server exists
  HttpServer::Routes routes{config.web.telemetry_path, &store, [&ready] { return ready.load(); }, {}};
  if (flags.enable_lifecycle) {
    routes.reload = [&io, &reload] { return reload_from_http_thread(io, reload, std::chrono::seconds(30)); };
  }
  HttpServer http(config.web.listen_address, std::move(routes), http_security(web));
  log_event(spdlog::level::info, "serving metrics",
            {{"url", (web.tls ? "https://" : "http://") + config.web.listen_address + config.web.telemetry_path},
             {"port", std::to_string(http.port())}});

  // A reload reads the files again (flags still override them), the web configuration file
  // included, and applies them; an invalid file changes nothing. Runs on the io_context thread.
  reload = [&]() -> std::string {
    try {
      auto next = load_config(flags);
      check_secrets(next);
      std::optional<WebConfig> next_web;
      if (flags.web_config_file) next_web = read_web_config(*flags.web_config_file);
      const auto change = targets->apply(next);
      if (next_web) {
        http.secure(http_security(*next_web));
        log_web_config(*flags.web_config_file, *next_web);
      }
      apply_web_and_log(config, next);
      config = std::move(next);
      last_reload_successful = true;
      last_reload_success_unix = unix_now();
      log_event(spdlog::level::info, "configuration reloaded",
                {{"targets_kept", std::to_string(change.kept)},
                 {"targets_started", std::to_string(change.started)},
                 {"targets_stopped", std::to_string(change.stopped)}});
      request_render();
      return "";
    } catch (const std::exception& e) {
      last_reload_successful = false;
      log_event(spdlog::level::err, "configuration reload failed: the running configuration is kept",
                {{"error", e.what()}});
      request_render();
      return e.what();
    }
  };

  boost::asio::signal_set hangups(io, SIGHUP);
  std::function<void()> await_hangup = [&] {
    hangups.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      log_event(spdlog::level::info, "reloading the configuration", {{"signal", "SIGHUP"}});
      reload();
      await_hangup();
    });
  };
  await_hangup();
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  boost::asio::steady_timer grace(io);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    log_event(spdlog::level::info, "stopping", {{"signal", std::to_string(signal)}});
    hangups.cancel();
    scheduler->stop();
    // Let aborted probes unwind and close their connections, then stop.
    grace.expires_after(std::chrono::milliseconds(500));
    grace.async_wait([&io](const boost::system::error_code&) { io.stop(); });
  });
  http.start();
  scheduler->start();
  io.run();
  http.stop();
  targets.reset();
  scheduler.reset();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int run_daemon(const std::vector<std::string>& args) {
  Flags flags;
  try {
    flags = parse_flags(args);
  } catch (const FlagError& e) {
    std::cerr << "msgwatch: " << e.what() << "\n";
    return 2;
  }
  if (flags.help) {
    std::cout << usage_text();
    return 0;
  }
  if (flags.version) {
    std::cout << "msgwatch " << kVersion << " (" << kRevision << ")\n";
    return 0;
  }
  config::Config config;
  WebConfig web;
  try {
    config = load_config(flags);
    check_secrets(config);
    if (flags.web_config_file) web = read_web_config(*flags.web_config_file);
  } catch (const config::ConfigError& e) {
    std::cerr << "msgwatch: configuration error: " << e.what() << "\n";
    return 1;
  }
  if (flags.config_check) {
    std::cout << "msgwatch: configuration OK: " << count_targets(config) << "\n";
    return 0;
  }
  setup_logging(config.log.level, config.log.format);
  log_config(config);
  if (flags.web_config_file) log_web_config(*flags.web_config_file, web);
  try {
    return serve(flags, std::move(config), web);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
}

}  // namespace msgwatch
