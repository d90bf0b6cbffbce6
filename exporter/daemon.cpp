#include "exporter/daemon.hpp"

#include "exporter/config.hpp"
#include "exporter/exposition.hpp"
#include "exporter/flags.hpp"
#include "exporter/http_server.hpp"
#include "exporter/logging.hpp"
#include "exporter/metric_family_builder.hpp"
#include "exporter/probe_factory.hpp"
#include "exporter/scheduler.hpp"
#include "version.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <malloc.h>

#include <atomic>
#include <iostream>

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
  for (const auto& cluster : config.kafka) {
    if (cluster.sasl) (void)cluster.sasl->password.resolve();
  }
  for (const auto& target : config.redis) (void)target.password.resolve();
}

void log_config(const config::Config& config) {
  spdlog::info("msgwatch {} listening on {} path {}", kVersion, config.web.listen_address, config.web.telemetry_path);
  for (const auto& cluster : config.kafka) {
    std::string servers;
    for (const auto& server : cluster.bootstrap_servers) servers += (servers.empty() ? "" : ",") + server;
    spdlog::info("kafka cluster {}: bootstrap {} sasl {} lag interval {}ms timeout {}ms", cluster.name, servers,
                 cluster.sasl ? cluster.sasl->mechanism + " user " + cluster.sasl->username + " password " +
                                    cluster.sasl->password.describe()
                              : "off",
                 cluster.lag_schedule.interval.count(), cluster.lag_schedule.timeout.count());
  }
  for (const auto& target : config.redis) {
    spdlog::info("redis {}: {} password {} interval {}ms timeout {}ms", target.name, target.address,
                 target.password.describe(), target.schedule.interval.count(), target.schedule.timeout.count());
  }
}

MetricFamilies build_info() {
  MetricFamilies families;
  families.push_back(gauge("msgwatch_build_info", "The daemon's version; always 1.")
                         .add({{"version", std::string(kVersion)}, {"revision", std::string(kRevision)}}, 1)
                         .take());
  return families;
}

int serve(const config::Config& config) {
  boost::asio::io_context io;
  MetricsStore store;
  std::atomic<bool> ready{false};
  std::unique_ptr<Scheduler> scheduler;
  const auto render = [&] {
    MetricFamilies self_metrics;
    auto families = scheduler ? scheduler->families(self_metrics) : FamilyView{};
    const auto info = build_info();
    for (const auto& family : info) families.push_back(&family);
    auto rendered = std::make_shared<RenderedMetrics>();
    rendered->text = render_text(families);
    rendered->gzip = gzip_compress(rendered->text);
    store.publish(std::move(rendered));
    // Each cycle frees and allocates tens of megabytes; without this, glibc keeps the freed
    // memory and the resident size grows from cycle to cycle.
    ::malloc_trim(0);
    if (scheduler && scheduler->every_probe_ran()) ready = true;
  };
  scheduler = std::make_unique<Scheduler>(io, make_probes(config), render);
  render();

  HttpServer http(config.web.listen_address, {config.web.telemetry_path, &store, [&ready] { return ready.load(); }});
  spdlog::info("serving metrics on http://{}{} (port {})", config.web.listen_address, config.web.telemetry_path,
               http.port());

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  boost::asio::steady_timer grace(io);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}, stopping", signal);
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
  try {
    config = load_config(flags);
    check_secrets(config);
  } catch (const config::ConfigError& e) {
    std::cerr << "msgwatch: configuration error: " << e.what() << "\n";
    return 1;
  }
  if (flags.config_check) {
    std::cout << "msgwatch: configuration OK: " << config.kafka.size() << " Kafka cluster(s), " << config.redis.size()
              << " Redis target(s)\n";
    return 0;
  }
  setup_logging(config.log.level, config.log.format);
  log_config(config);
  try {
    return serve(config);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
}

}  // namespace msgwatch
