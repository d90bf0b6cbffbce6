#include "exporter/app/config.hpp"

#include "exporter/app/probe_registry.hpp"
#include "exporter/sdk/config_reader.hpp"
#include "exporter/sdk/host_port.hpp"

#include <cstdlib>
#include <regex>
#include <set>

namespace msgwatch::config {
namespace {

void read_checked(MapReader& reader, const std::string& key, std::string& out,
                  std::string (*check)(const std::string&)) {
  reader.read(key, out);
  if (const auto error = check(out); !error.empty()) reader.fail(key, error);
}

}  // namespace

std::string check_log_level(const std::string& level) {
  static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error"};
  return levels.count(level) != 0 ? "" : "\"" + level + "\" is not one of trace, debug, info, warn, error";
}

std::string check_log_format(const std::string& format) {
  return format == "logfmt" || format == "json" ? "" : "\"" + format + "\" is not one of logfmt, json";
}

std::string check_telemetry_path(const std::string& path) {
  return !path.empty() && path.front() == '/' && path != "/" ? "" : "\"" + path + "\" must start with / and not be /";
}

std::string check_listen_address(const std::string& address) {
  return parse_host_port(address, {true, true}) ? "" : "\"" + address + "\" is not [host]:port";
}

void validate_web_and_log(const Config& config) {
  const std::pair<const char*, std::string> checks[] = {
      {"web.listen_address", check_listen_address(config.web.listen_address)},
      {"web.telemetry_path", check_telemetry_path(config.web.telemetry_path)},
      {"log.level", check_log_level(config.log.level)},
      {"log.format", check_log_format(config.log.format)},
  };
  for (const auto& [key, error] : checks) {
    if (!error.empty()) throw ConfigError(std::string(key) + ": " + error);
  }
}

Config parse(const std::string& yaml_text, const std::string& source) {
  const auto root = parse_yaml(yaml_text, source);
  Config config;
  MapReader top(source, root, "");
  auto web = top.section("web");
  read_checked(web, "listen_address", config.web.listen_address, check_listen_address);
  read_checked(web, "telemetry_path", config.web.telemetry_path, check_telemetry_path);
  web.finish();
  auto log = top.section("log");
  read_checked(log, "level", config.log.level, check_log_level);
  read_checked(log, "format", config.log.format, check_log_format);
  log.finish();
  for (const auto* family : probe_families()) {
    std::set<std::string> names;
    for (auto& item : top.list_of_sections(std::string(family->key))) {
      auto target = family->parse(item);
      if (!names.insert(target->cluster_label()).second)
        item.fail("name", "\"" + target->cluster_label() + "\" is used twice");
      config.targets.push_back({family, std::move(target), std::string(family->key) + "\n" + item.text()});
    }
  }
  top.finish();
  return config;
}

Config load_file(const std::string& path) { return parse(read_config_file(path, "config file"), path); }

}  // namespace msgwatch::config
