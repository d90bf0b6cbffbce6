#pragma once
// The daemon's configuration: a YAML file, overridden by command-line flags (flags.hpp).
// Parsing rejects unknown keys, wrong types and out-of-range values with one ConfigError
// that names the key's path and line, e.g.
//   config.yml:7:14: kafka[0].lag.interval: must be > 0

#include "exporter/sdk/config_reader.hpp"
#include "exporter/sdk/probe_family.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace msgwatch::config {

struct Web {
  std::string listen_address = "127.0.0.1:9440";
  std::string telemetry_path = "/metrics";
};

struct Log {
  std::string level = "info";     // trace, debug, info, warn, error
  std::string format = "logfmt";  // logfmt, json
};

// One configured target of a probe family.
struct Target {
  const ProbeFamily* family = nullptr;
  std::unique_ptr<ProbeTarget> parsed;
  // Its section of the file, normalised and prefixed by the family's key: two targets with
  // the same text are the same configuration (what a reload keeps running).
  std::string section;
};

struct Config {
  Web web;
  Log log;
  // Every probe family's targets, in the order of the registry (exporter/app/probe_registry.cpp).
  std::vector<Target> targets;
};

// `source` names the text in error messages (usually the file path).
Config parse(const std::string& yaml_text, const std::string& source);
Config load_file(const std::string& path);

// Checks of values that flags may also set: each returns an error message, or "" when fine.
std::string check_log_level(const std::string& level);
std::string check_log_format(const std::string& format);
std::string check_telemetry_path(const std::string& path);
std::string check_listen_address(const std::string& address);
// Runs the checks above; throws ConfigError naming the key.
void validate_web_and_log(const Config& config);

}  // namespace msgwatch::config
