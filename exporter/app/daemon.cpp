#include "exporter/app/daemon.hpp"

#include "exporter/app/config.hpp"
#include "exporter/app/flags.hpp"
#include "exporter/app/probe_registry.hpp"
#include "exporter/app/web_config.hpp"
#include "exporter/runtime/basic_auth.hpp"
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
#include <iostream>
#include <memory>

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
  for (const auto& [family, target] : config.targets) target->check_secrets();
}

// What the daemon will do, secrets described (file:..., env:...) but never read out.
void log_config(const config::Config& config) {
  log_event(
      spdlog::level::info, "starting",
      {{"version", kVersion}, {"listen_address", config.web.listen_address}, {"path", config.web.telemetry_path}});
  for (const auto& [family, target] : config.targets) target->log();
}

std::string count_targets(const config::Config& config) {
  std::string out;
  for (const auto* family : probe_families()) {
    const auto count = std::count_if(config.targets.begin(), config.targets.end(),
                                     [family](const auto& entry) { return entry.first == family; });
    out += (out.empty() ? "" : ", ") + std::to_string(count) + " " + std::string(family->nouns);
  }
  return out;
}

constexpr auto kBuildInfo =
    gauge_family("msgwatch_build_info", "The daemon's version; always 1.", {"version", "revision"});

int serve(const config::Config& config, const WebConfig& web) {
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
  // The page is rendered after probe results, not per scrape: results that arrive in the same
  // turn of the event loop share one rendering.
  bool render_pending = false;
  const auto render = [&] {
    render_pending = false;
    SeriesSet own;
    own.add(kBuildInfo, {kVersion, kRevision}, 1);
    write_process_metrics(own);
    PageSources sources;
    if (scheduler) {
      sources.sets = scheduler->series();
      scheduler->write_self_metrics(own);
    }
    sources.sets.push_back(&own);
    const auto instruments = context.registry->Collect();
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
  scheduler = std::make_unique<Scheduler>(io, make_probes(config, context), request_render);
  render_safely();

  std::unique_ptr<BasicAuth> auth;
  if (!web.basic_auth_users.empty()) auth = std::make_unique<BasicAuth>(web.basic_auth_users);
  HttpServer http(config.web.listen_address,
                  {config.web.telemetry_path, &store, [&ready] { return ready.load(); }, auth.get()});
  log_event(spdlog::level::info, "serving metrics",
            {{"url", "http://" + config.web.listen_address + config.web.telemetry_path},
             {"port", std::to_string(http.port())}});

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  boost::asio::steady_timer grace(io);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    log_event(spdlog::level::info, "stopping", {{"signal", std::to_string(signal)}});
    scheduler->stop();
    // Let aborted probes unwind and close their connections, then stop.
    grace.expires_after(std::chrono::milliseconds(500));
    grace.async_wait([&io](const boost::system::error_code&) { io.stop(); });
  });
  http.start();
  scheduler->start();
  io.run();
  http.stop();
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
  if (flags.web_config_file) {
    log_event(spdlog::level::info, "web configuration",
              {{"file", *flags.web_config_file}, {"basic_auth_users", std::to_string(web.basic_auth_users.size())}});
  }
  try {
    return serve(config, web);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
}

}  // namespace msgwatch
