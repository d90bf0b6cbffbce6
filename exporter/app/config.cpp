#include "exporter/app/config.hpp"

#include "exporter/app/config_reader.hpp"
#include "exporter/sdk/host_port.hpp"

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace msgwatch::config {
namespace {

void check_name(MapReader& reader, const std::string& name, std::set<std::string>& seen) {
  if (name.empty()) reader.fail("name", "is required");
  static const std::regex allowed("[A-Za-z0-9_.:-]+");
  if (!std::regex_match(name, allowed)) reader.fail("name", "may only contain letters, digits and _ . : -");
  if (!seen.insert(name).second) reader.fail("name", "\"" + name + "\" is used twice");
}

void check_host_port(MapReader& reader, const std::string& key, const std::string& address) {
  if (!parse_host_port(address)) reader.fail(key, "\"" + address + "\" is not host:port");
}

Secret read_secret(MapReader& reader, const std::string& key) {
  Secret secret;
  std::string file;
  std::string env;
  reader.read(key + "_file", file);
  reader.read(key + "_env", env);
  if (reader.has(key)) {
    reader.fail(key, "secrets are not written in the config: use " + key + "_file or " + key + "_env");
  }
  if (!file.empty() && !env.empty()) reader.fail(key + "_env", "set " + key + "_file or " + key + "_env, not both");
  if (!file.empty()) secret = {Secret::Source::file, file};
  if (!env.empty()) secret = {Secret::Source::env, env};
  return secret;
}

ProbeSchedule read_schedule(MapReader& reader, ProbeSchedule schedule) {
  reader.read("interval", schedule.interval);
  reader.read("timeout", schedule.timeout);
  if (schedule.timeout > schedule.interval) reader.fail("timeout", "must not be longer than interval");
  reader.read("stale_after", schedule.stale_after);
  if (reader.has("stale_after") && schedule.stale_after < schedule.interval) {
    reader.fail("stale_after", "must not be shorter than interval");
  }
  return schedule;
}

NameFilter read_filter(MapReader& parent, const std::string& key, NameFilter filter) {
  auto reader = parent.section(key);
  for (const char* field : {"include", "exclude"}) {
    auto& patterns = std::string(field) == "include" ? filter.include : filter.exclude;
    reader.read(field, patterns);
    for (const auto& pattern : patterns) {
      try {
        std::regex compiled(pattern);
      } catch (const std::regex_error& e) {
        reader.fail(field, "\"" + pattern + "\" is not a valid regular expression: " + e.what());
      }
    }
  }
  reader.finish();
  return filter;
}

KafkaCluster read_kafka(MapReader& reader, std::set<std::string>& names) {
  KafkaCluster cluster;
  reader.reject_unknown({"name", "bootstrap_servers", "client_id", "sasl", "lag"});
  reader.read("name", cluster.name);
  check_name(reader, cluster.name, names);
  reader.read("bootstrap_servers", cluster.bootstrap_servers);
  if (cluster.bootstrap_servers.empty()) reader.fail("bootstrap_servers", "is required");
  for (const auto& server : cluster.bootstrap_servers) check_host_port(reader, "bootstrap_servers", server);
  reader.read("client_id", cluster.client_id);
  if (reader.has("sasl")) {
    auto sasl_reader = reader.section("sasl");
    KafkaSasl sasl;
    sasl_reader.read("mechanism", sasl.mechanism);
    if (sasl.mechanism != "PLAIN") sasl_reader.fail("mechanism", "only PLAIN is supported");
    sasl_reader.read("username", sasl.username);
    if (sasl.username.empty()) sasl_reader.fail("username", "is required");
    sasl.password = read_secret(sasl_reader, "password");
    if (sasl.password.empty()) sasl_reader.fail("password_file", "password_file or password_env is required");
    sasl_reader.finish();
    cluster.sasl = sasl;
  }
  auto lag = reader.section("lag");
  cluster.lag_schedule = read_schedule(lag, cluster.lag_schedule);
  cluster.topics = read_filter(lag, "topics", cluster.topics);
  cluster.groups = read_filter(lag, "groups", cluster.groups);
  cluster.read_committed_groups = read_filter(lag, "read_committed_groups", cluster.read_committed_groups);
  std::string granularity = "partition";
  lag.read("granularity", granularity);
  if (granularity == "topic") {
    cluster.granularity = Granularity::topic;
  } else if (granularity != "partition") {
    lag.fail("granularity", "\"" + granularity + "\" is not one of partition, topic");
  }
  lag.read("max_series", cluster.max_series, 1, 100'000'000);
  lag.read("status_window", cluster.status_window, 2, 1000);
  lag.read("commit_window", cluster.commit_window);
  lag.finish();
  reader.finish();
  return cluster;
}

RedisTarget read_redis(MapReader& reader, std::set<std::string>& names) {
  RedisTarget target;
  target.schedule.interval = std::chrono::seconds(15);
  target.schedule.timeout = std::chrono::seconds(10);
  reader.reject_unknown({"name", "address", "username", "password", "password_file", "password_env", "interval",
                         "timeout", "stale_after"});
  reader.read("name", target.name);
  check_name(reader, target.name, names);
  reader.read("address", target.address);
  if (target.address.empty()) reader.fail("address", "is required");
  check_host_port(reader, "address", target.address);
  reader.read("username", target.username);
  target.password = read_secret(reader, "password");
  target.schedule = read_schedule(reader, target.schedule);
  reader.finish();
  return target;
}

void read_checked(MapReader& reader, const std::string& key, std::string& out,
                  std::string (*check)(const std::string&)) {
  reader.read(key, out);
  if (const auto error = check(out); !error.empty()) reader.fail(key, error);
}

}  // namespace

std::string Secret::resolve() const {
  switch (source) {
    case Source::none:
      return {};
    case Source::env: {
      const char* value = std::getenv(reference.c_str());
      if (value == nullptr) throw ConfigError("environment variable " + reference + " is not set");
      return value;
    }
    case Source::file: {
      std::ifstream in(reference);
      if (!in) throw ConfigError("cannot read secret file " + reference);
      std::string value((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
      return value;
    }
  }
  return {};
}

std::string Secret::describe() const {
  switch (source) {
    case Source::none:
      return "none";
    case Source::env:
      return "env:" + reference;
    case Source::file:
      return "file:" + reference;
  }
  return "none";
}

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
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(source + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                      ": invalid YAML: " + e.msg);
  }
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
  std::set<std::string> kafka_names;
  std::set<std::string> redis_names;
  for (auto& cluster : top.list_of_sections("kafka")) config.kafka.push_back(read_kafka(cluster, kafka_names));
  for (auto& target : top.list_of_sections("redis")) config.redis.push_back(read_redis(target, redis_names));
  top.finish();
  return config;
}

Config load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open config file");
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

}  // namespace msgwatch::config
