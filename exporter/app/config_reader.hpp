#pragma once
// Walks a YAML tree with the key path at hand, so that every error names the path and line,
// and rejects keys nobody asked for (a typo must not silently fall back to a default).

#include "exporter/app/config.hpp"

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace msgwatch::config {

[[noreturn]] void fail_at(const std::string& source, const YAML::Node& node, const std::string& path,
                          const std::string& message);

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

 private:
  std::string scalar(const std::string& key) const;

  const std::string& source_;
  YAML::Node node_;
  std::string path_;
  std::set<std::string> read_keys_;
};

}  // namespace msgwatch::config
