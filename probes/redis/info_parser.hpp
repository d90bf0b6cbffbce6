#pragma once
// Parses the text of Redis's INFO reply. Pure functions, no I/O.
//
// The text is `# Section` headers followed by `field:value` lines, CRLF-terminated (LF alone is
// accepted too). Redis before 2.6 has no headers; fields then belong to the section "".
// Anything else (empty lines, lines without ':', an empty field name) is skipped and counted,
// never fatal: INFO grows new fields with every Redis version and forks add their own.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace msgwatch::redis {

struct InfoSection {
  std::string name;                                         // "Server", "Memory", ...
  std::vector<std::pair<std::string, std::string>> fields;  // in text order
};

// One `db0:keys=1,expires=0,avg_ttl=0` line of the Keyspace section.
struct KeyspaceEntry {
  std::string db;  // "db0", exported as the `db` label as redis_exporter does
  double keys = 0;
  double expires = 0;
  std::optional<double> avg_ttl_ms;  // absent before Redis 2.6
};

struct Info {
  std::vector<InfoSection> sections;
  std::vector<KeyspaceEntry> keyspace;
  std::size_t skipped_lines = 0;

  // The value of a field in any section; the first one when a field repeats.
  [[nodiscard]] const std::string* find(std::string_view field) const;
  // The field's text; empty when missing.
  [[nodiscard]] std::string text(std::string_view field) const;
  // The field as a number, or nullopt when missing or not strictly numeric.
  [[nodiscard]] std::optional<double> number(std::string_view field) const;
  [[nodiscard]] const InfoSection* section(std::string_view name) const;

  std::map<std::string, std::string, std::less<>> index;  // field -> value, first wins
};

Info parse_info(std::string_view text);

// A finite decimal number and nothing else: no spaces, no unit suffix ("1.5M"), no hex,
// "inf" or "nan". Integers beyond 2^53 lose precision as every Prometheus sample does.
std::optional<double> parse_number(std::string_view text);

// "keys=1,expires=0,avg_ttl=0" -> {{"keys","1"},...}; nullopt when a part has no '='.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_key_value_list(std::string_view text);

// The replicas a primary lists in its Replication section
// (`slaveN:ip=...,port=...,state=...,offset=...,lag=...`), in order; lines that do not parse
// are left out.
std::vector<std::map<std::string, std::string>> connected_replicas(const Info& info);

}  // namespace msgwatch::redis
