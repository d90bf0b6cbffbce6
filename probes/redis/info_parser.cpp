#include "probes/redis/info_parser.hpp"

#include <charconv>
#include <cmath>

namespace msgwatch::redis {

namespace {

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

bool is_db_name(std::string_view name) {
  if (name.size() < 3 || name.substr(0, 2) != "db") return false;
  for (const char c : name.substr(2)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::optional<KeyspaceEntry> parse_keyspace(const std::string& db, std::string_view value) {
  const auto parts = parse_key_value_list(value);
  if (!parts) return std::nullopt;
  KeyspaceEntry entry{db, 0, 0, std::nullopt};
  bool have_keys = false;
  bool have_expires = false;
  for (const auto& [key, text] : *parts) {
    const auto number = parse_number(text);
    if (key == "keys" || key == "expires") {
      if (!number) return std::nullopt;  // the two fields redis_exporter requires
      (key == "keys" ? entry.keys : entry.expires) = *number;
      (key == "keys" ? have_keys : have_expires) = true;
    } else if (key == "avg_ttl" && number) {
      entry.avg_ttl_ms = *number;
    }
  }
  if (!have_keys || !have_expires) return std::nullopt;
  return entry;
}

}  // namespace

std::optional<double> parse_number(std::string_view text) {
  if (text.empty() || text.front() == '+') return std::nullopt;
  double value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value, std::chars_format::general);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_key_value_list(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> parts;
  while (true) {
    const auto comma = text.find(',');
    const auto part = text.substr(0, comma);
    const auto equals = part.find('=');
    if (equals == std::string_view::npos || equals == 0) return std::nullopt;
    parts.emplace_back(std::string(part.substr(0, equals)), std::string(part.substr(equals + 1)));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return parts;
}

const std::string* Info::find(std::string_view field) const {
  const auto it = index.find(field);
  return it == index.end() ? nullptr : &it->second;
}

std::string Info::text(std::string_view field) const {
  const auto* value = find(field);
  return value == nullptr ? std::string() : *value;
}

std::optional<double> Info::number(std::string_view field) const {
  const auto* value = find(field);
  return value == nullptr ? std::nullopt : parse_number(*value);
}

const InfoSection* Info::section(std::string_view name) const {
  for (const auto& section : sections) {
    if (section.name == name) return &section;
  }
  return nullptr;
}

Info parse_info(std::string_view text) {
  Info info;
  InfoSection* current = nullptr;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    const auto line = trim(text.substr(0, newline));
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (line.empty()) continue;

    if (line.front() == '#') {
      const auto name = trim(line.substr(1));
      if (name.empty()) {
        ++info.skipped_lines;
        continue;
      }
      current = &info.sections.emplace_back(InfoSection{std::string(name), {}});
      continue;
    }

    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      ++info.skipped_lines;
      continue;
    }
    if (current == nullptr) current = &info.sections.emplace_back(InfoSection{"", {}});
    std::string key(line.substr(0, colon));
    std::string value(line.substr(colon + 1));

    if ((current->name == "Keyspace" || current->name.empty()) && is_db_name(key)) {
      if (auto entry = parse_keyspace(key, value)) {
        info.keyspace.push_back(std::move(*entry));
      } else {
        ++info.skipped_lines;
      }
    }
    info.index.emplace(key, value);
    current->fields.emplace_back(std::move(key), std::move(value));
  }
  return info;
}

std::vector<std::map<std::string, std::string>> connected_replicas(const Info& info) {
  std::vector<std::map<std::string, std::string>> replicas;
  const auto* replication = info.section("Replication");
  if (replication == nullptr) return replicas;
  for (const auto& [key, value] : replication->fields) {
    if (key.size() < 6 || key.compare(0, 5, "slave") != 0 ||
        key.find_first_not_of("0123456789", 5) != std::string::npos) {
      continue;
    }
    if (const auto parts = parse_key_value_list(value)) replicas.emplace_back(parts->begin(), parts->end());
  }
  return replicas;
}

}  // namespace msgwatch::redis
