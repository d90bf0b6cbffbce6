#pragma once
// What a probe family parses its configuration section with: a reader that walks the YAML
// tree with the key path at hand, so that every error names the path and line, and rejects
// keys nobody asked for (a typo must not silently fall back to a default); secrets; and the
// readers of settings every probe has (schedule, name filters, addresses, names).

#include "exporter/sdk/name_filter.hpp"
#include "exporter/sdk/probe.hpp"

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <set>
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

[[noreturn]] void fail_at(const std::string& source, const YAML::Node& node, const std::string& path,
                          const std::string& message);

// The whole file at `path`; throws ConfigError "<path>: cannot open <what>".
std::string read_config_file(const std::string& path, const std::string& what);
// The YAML document in `text`; throws ConfigError naming `source`, line and column when it
// is not YAML.
YAML::Node parse_yaml(const std::string& text, const std::string& source);

// Parses "500ms", "30s", "2m", "1h", "1m30s".
std::chrono::milliseconds parse_duration(const std::string& text);

class MapReader {
 public:
  MapReader(const std::string& source, const YAML::Node& node, std::string path);

  [[nodiscard]] bool has(const std::string& key) const;
  [[nodiscard]] YAML::Node node(const std::string& key) const;
  [[nodiscard]] std::string path_of(const std::string& key) const;

  void read(const std::string& key, std::string& out);
  void read(const std::string& key, std::vector<std::string>& out);
  void read(const std::string& key, std::chrono::milliseconds& out);
  void read(const std::string& key, bool& out);
  void read(const std::string& key, std::int64_t& out, std::int64_t min, std::int64_t max);

  // A nested mapping (absent = empty reader, all defaults).
  MapReader section(const std::string& key);
  // A list of mappings; an absent key is an empty list.
  std::vector<MapReader> list_of_sections(const std::string& key);

  // Throws for a key not in `known`: called before reading a mapping with required keys,
  // so a misspelt key is reported as such rather than as a missing one.
  void reject_unknown(std::initializer_list<const char*> known) const;

  // Throws for a key that exists but was never read.
  void finish() const;

  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

  const std::string& source() const { return source_; }
  // The mapping's content as one canonical text (keys sorted; comments, layout, style and
  // quoting gone): equal texts are equal configurations.
  [[nodiscard]] std::string text() const;

 private:
  std::string scalar(const std::string& key) const;

  const std::string& source_;
  YAML::Node node_;
  std::string path_;
  std::set<std::string> read_keys_;
};

// `key_file` or `key_env` (never `key` itself: secrets are not written in the config).
Secret read_secret(MapReader& reader, const std::string& key);
// interval, timeout and stale_after of a probe, over `schedule`'s defaults.
ProbeSchedule read_schedule(MapReader& reader, ProbeSchedule schedule);
// {include: [...], exclude: [...]}, each a valid regular expression.
NameFilter read_filter(MapReader& parent, const std::string& key, NameFilter filter);
void check_host_port(MapReader& reader, const std::string& key, const std::string& address);
// A target's `name` (its `cluster` label): required, letters, digits and _ . : - only.
void check_name(MapReader& reader, const std::string& name);

}  // namespace msgwatch::config
