#include "support/logfmt.hpp"

#include <charconv>
#include <sstream>
#include <stdexcept>

namespace msgwatch::test {
namespace {

[[noreturn]] void malformed(std::string_view line, std::size_t at, const std::string& why) {
  throw std::runtime_error("logfmt: " + why + " at byte " + std::to_string(at) + " of: " + std::string(line));
}

// The quoted value starting after the opening quote at `at`; `at` ends after the closing quote.
std::string quoted_value(std::string_view line, std::size_t& at) {
  std::string value;
  while (at < line.size()) {
    const char c = line[at++];
    if (c == '"') return value;
    if (c != '\\') {
      value += c;
      continue;
    }
    if (at >= line.size()) break;
    const char escaped = line[at++];
    switch (escaped) {
      case '"':
      case '\\':
        value += escaped;
        break;
      case 'n':
        value += '\n';
        break;
      case 'r':
        value += '\r';
        break;
      case 't':
        value += '\t';
        break;
      case 'u': {
        unsigned code = 0;
        const auto digits = line.substr(at, 4);
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), code, 16);
        if (digits.size() != 4 || ec != std::errc() || end != digits.data() + 4 || code > 0x7f) {
          malformed(line, at, "bad \\u escape");
        }
        value += static_cast<char>(code);
        at += 4;
        break;
      }
      default:
        malformed(line, at - 1, "unknown escape");
    }
  }
  malformed(line, at, "unterminated quoted value");
}

}  // namespace

LogFields parse_logfmt_line(std::string_view line) {
  LogFields fields;
  std::size_t at = 0;
  while (true) {
    while (at < line.size() && line[at] == ' ') ++at;
    if (at >= line.size()) break;
    const auto equals = line.find('=', at);
    const auto space = line.find(' ', at);
    if (equals == std::string_view::npos || (space != std::string_view::npos && space < equals) || equals == at) {
      malformed(line, at, "expected key=value");
    }
    std::string key(line.substr(at, equals - at));
    at = equals + 1;
    std::string value;
    if (at < line.size() && line[at] == '"') {
      ++at;
      value = quoted_value(line, at);
      if (at < line.size() && line[at] != ' ') malformed(line, at, "no space after a quoted value");
    } else {
      const auto end = line.find(' ', at);
      value = std::string(line.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at));
      at = end == std::string_view::npos ? line.size() : end;
    }
    if (!fields.emplace(std::move(key), std::move(value)).second) malformed(line, at, "repeated key");
  }
  return fields;
}

std::vector<LogFields> log_events(const std::string& log, std::string_view message_prefix) {
  const std::string marker = "msg=\"" + std::string(message_prefix);
  std::vector<LogFields> events;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.find(marker) == std::string::npos) continue;
    auto fields = parse_logfmt_line(line);
    if (fields["msg"].starts_with(message_prefix)) events.push_back(std::move(fields));
  }
  return events;
}

}  // namespace msgwatch::test
