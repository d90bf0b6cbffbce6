#pragma once
// The daemon's configuration: a YAML file, overridden by command-line flags (flags.hpp).
// Parsing rejects unknown keys, wrong types and out-of-range values with one ConfigError
// that names the key's path and line, e.g.
//   config.yml:7:14: kafka[0].lag.interval: must be > 0

#include "exporter/sdk/name_filter.hpp"
#include "exporter/sdk/probe.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace msgwatch::config {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A secret is never stored in the config text itself: it is read from a file or an
// environment variable when a connection needs it, and never logged.
struct Secret {
  enum class Source { none, file, env };
  Source source = Source::none;
  std::string reference;  // file path or variable name

  [[nodiscard]] bool empty() const { return source == Source::none; }
  // Reads the value now; throws ConfigError when the file or variable is missing.
  [[nodiscard]] std::string resolve() const;
  // What logs may show: "file:/run/secrets/x", "env:VAR" or "none", never the value.
  [[nodiscard]] std::string describe() const;
};

using NameFilter = NamePatterns;

struct KafkaSasl {
  std::string mechanism = "PLAIN";  // only PLAIN for now
  std::string username;
  Secret password;
};

enum class Granularity { partition, topic };

struct KafkaCluster {
  std::string name;                            // the `cluster` label
  std::vector<std::string> bootstrap_servers;  // host:port
  std::string client_id = "msgwatch";
  std::optional<KafkaSasl> sasl;
  ProbeSchedule lag_schedule;
  NameFilter topics{{".*"}, {"__.*"}};
  NameFilter groups;
  // Groups whose consumers read committed data also get lag against the last stable offset.
  NameFilter read_committed_groups{{}, {}};
  // topic: no per-partition series, only per-topic and per-group aggregates.
  Granularity granularity = Granularity::partition;
  // A hard cap on the cluster's series; the excess is dropped and counted.
  std::int64_t max_series = 500'000;
  // Consumer status: observations per evaluation window, and how long a group with lag
  // may go without moving its committed offset before it counts as stopped.
  std::int64_t status_window = 10;
  std::chrono::milliseconds commit_window{std::chrono::minutes(5)};
};

struct RedisTarget {
  std::string name;      // the `cluster` label
  std::string address;   // host:port
  std::string username;  // ACL user; empty = default user
  Secret password;
  ProbeSchedule schedule;
};

struct Web {
  std::string listen_address = "127.0.0.1:9440";
  std::string telemetry_path = "/metrics";
};

struct Log {
  std::string level = "info";     // trace, debug, info, warn, error
  std::string format = "logfmt";  // logfmt, json
};

struct Config {
  Web web;
  Log log;
  std::vector<KafkaCluster> kafka;
  std::vector<RedisTarget> redis;
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
