#include "exporter/sdk/config_reader.hpp"

#include "exporter/sdk/host_port.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <sstream>

namespace msgwatch::config {

void fail_at(const std::string& source, const YAML::Node& node, const std::string& path, const std::string& message) {
  std::string where = source;
  if (node.IsDefined() && node.Mark().line >= 0) {
    where += ":" + std::to_string(node.Mark().line + 1) + ":" + std::to_string(node.Mark().column + 1);
  }
  throw ConfigError(where + ": " + (path.empty() ? "" : path + ": ") + message);
}

std::string read_config_file(const std::string& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open " + what);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

YAML::Node parse_yaml(const std::string& text, const std::string& source) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(source + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                      ": invalid YAML: " + e.msg);
  }
}

std::chrono::milliseconds parse_duration(const std::string& text) {
  using std::chrono::milliseconds;
  if (text.empty()) throw ConfigError("empty duration");
  std::int64_t total_ms = 0;
  const char* pos = text.data();
  const char* end = text.data() + text.size();
  while (pos < end) {
    std::int64_t number = 0;
    auto [next, ec] = std::from_chars(pos, end, number);
    if (ec != std::errc() || next == pos || number < 0) {
      throw ConfigError("\"" + text + "\" is not a duration (use e.g. 500ms, 30s, 2m, 1h)");
    }
    pos = next;
    std::int64_t unit_ms = 0;
    if (end - pos >= 2 && pos[0] == 'm' && pos[1] == 's') {
      unit_ms = 1;
      pos += 2;
    } else if (pos < end && *pos == 's') {
      unit_ms = 1000;
      ++pos;
    } else if (pos < end && *pos == 'm') {
      unit_ms = 60'000;
      ++pos;
    } else if (pos < end && *pos == 'h') {
      unit_ms = 3'600'000;
      ++pos;
    } else {
      throw ConfigError("\"" + text + "\" is not a duration (use e.g. 500ms, 30s, 2m, 1h)");
    }
    if (number > (std::int64_t{1} << 40) / unit_ms) throw ConfigError("\"" + text + "\" is too long");
    total_ms += number * unit_ms;
  }
  return milliseconds(total_ms);
}

MapReader::MapReader(const std::string& source, const YAML::Node& node, std::string path)
    : source_(source), node_(node.IsDefined() ? node : YAML::Node()), path_(std::move(path)) {
  if (node_.IsNull()) return;  // absent or empty: all defaults
  if (!node_.IsMap()) fail_at(source_, node_, path_, "must be a mapping");
}

namespace {

void append_quoted(const std::string& text, std::string& out) {
  out += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

void append_canonical(const YAML::Node& node, std::string& out) {
  if (node.IsMap()) {
    std::map<std::string, YAML::Node> sorted;
    for (const auto& entry : node) sorted.emplace(entry.first.Scalar(), entry.second);
    out += '{';
    for (const auto& [key, value] : sorted) {
      append_quoted(key, out);
      out += ':';
      append_canonical(value, out);
      out += ',';
    }
    out += '}';
  } else if (node.IsSequence()) {
    out += '[';
    for (const auto& item : node) {
      append_canonical(item, out);
      out += ',';
    }
    out += ']';
  } else if (node.IsScalar()) {
    append_quoted(node.Scalar(), out);
  } else {
    out += '~';
  }
}

}  // namespace

std::string MapReader::text() const {
  std::string out;
  append_canonical(node_, out);
  return out;
}

bool MapReader::has(const std::string& key) const { return node_.IsMap() && node_[key].IsDefined(); }

YAML::Node MapReader::node(const std::string& key) const {
  if (!node_.IsMap()) return YAML::Node();
  return node_[key];
}

std::string MapReader::path_of(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

void MapReader::fail(const std::string& key, const std::string& message) const {
  fail_at(source_, has(key) ? node(key) : node_, path_of(key), message);
}

std::string MapReader::scalar(const std::string& key) const {
  const auto value = node(key);
  if (!value.IsScalar()) fail(key, "must be a single value");
  return value.Scalar();
}

void MapReader::read(const std::string& key, std::string& out) {
  if (!has(key)) return;
  read_keys_.insert(key);
  out = scalar(key);
}

void MapReader::read(const std::string& key, std::vector<std::string>& out) {
  if (!has(key)) return;
  read_keys_.insert(key);
  const auto value = node(key);
  if (value.IsScalar()) {
    out = {value.Scalar()};
    return;
  }
  if (!value.IsSequence()) fail(key, "must be a list of strings");
  out.clear();
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!value[i].IsScalar()) {
      fail_at(source_, value[i], path_of(key) + "[" + std::to_string(i) + "]", "must be a string");
    }
    out.push_back(value[i].Scalar());
  }
}

void MapReader::read(const std::string& key, std::chrono::milliseconds& out) {
  if (!has(key)) return;
  read_keys_.insert(key);
  try {
    out = parse_duration(scalar(key));
  } catch (const ConfigError& e) {
    fail(key, e.what());
  }
  if (out.count() <= 0) fail(key, "must be > 0");
}

void MapReader::read(const std::string& key, bool& out) {
  if (!has(key)) return;
  read_keys_.insert(key);
  const auto text = scalar(key);
  if (text == "true") {
    out = true;
  } else if (text == "false") {
    out = false;
  } else {
    fail(key, "must be true or false, not \"" + text + "\"");
  }
}

void MapReader::read(const std::string& key, std::int64_t& out, std::int64_t min, std::int64_t max) {
  if (!has(key)) return;
  read_keys_.insert(key);
  const auto text = scalar(key);
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) fail(key, "\"" + text + "\" is not an integer");
  if (value < min || value > max) {
    fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  out = value;
}

MapReader MapReader::section(const std::string& key) {
  read_keys_.insert(key);
  return MapReader(source_, node(key), path_of(key));
}

std::vector<MapReader> MapReader::list_of_sections(const std::string& key) {
  std::vector<MapReader> sections;
  if (!has(key)) return sections;
  read_keys_.insert(key);
  const auto value = node(key);
  if (value.IsNull()) return sections;
  if (!value.IsSequence()) fail(key, "must be a list");
  for (std::size_t i = 0; i < value.size(); ++i) {
    sections.emplace_back(source_, value[i], path_of(key) + "[" + std::to_string(i) + "]");
  }
  return sections;
}

void MapReader::reject_unknown(std::initializer_list<const char*> known) const {
  if (!node_.IsMap()) return;
  for (const auto& entry : node_) {
    const auto key = entry.first.as<std::string>();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      fail_at(source_, entry.first, path_of(key), "unknown key");
    }
  }
}

void MapReader::finish() const {
  if (!node_.IsMap()) return;
  for (const auto& entry : node_) {
    const auto key = entry.first.as<std::string>();
    if (read_keys_.count(key) == 0) fail_at(source_, entry.first, path_of(key), "unknown key");
  }
}

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

void check_host_port(MapReader& reader, const std::string& key, const std::string& address) {
  if (!parse_host_port(address)) reader.fail(key, "\"" + address + "\" is not host:port");
}

void check_name(MapReader& reader, const std::string& name) {
  if (name.empty()) reader.fail("name", "is required");
  static const std::regex allowed("[A-Za-z0-9_.:-]+");
  if (!std::regex_match(name, allowed)) reader.fail("name", "may only contain letters, digits and _ . : -");
}

}  // namespace msgwatch::config
