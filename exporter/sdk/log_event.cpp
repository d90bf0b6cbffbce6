#include "exporter/sdk/log_event.hpp"

#include <cstdio>

namespace msgwatch {
namespace {

// Separators of the payload: message, then key and value pairs. Control characters that
// escape_log_text turns into \u escapes, so no message or value can contain them raw.
constexpr char kField = '\x1e';
constexpr char kValue = '\x1f';

bool needs_quotes(std::string_view value) {
  if (value.empty()) return true;
  for (const char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return true;
  }
  return false;
}

void append_value(std::string& out, std::string_view value, bool json) {
  if (json || needs_quotes(value)) {
    out += '"';
    out += escape_log_text(value);
    out += '"';
  } else {
    out += value;
  }
}

}  // namespace

std::string escape_log_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string encode_log_payload(std::string_view message, std::initializer_list<LogField> fields) {
  // Separators inside the parts would split them: they become spaces here (they are
  // control characters no real message or value carries).
  const auto clean = [](std::string_view text) {
    std::string out(text);
    for (auto& c : out) {
      if (c == kField || c == kValue) c = ' ';
    }
    return out;
  };
  std::string payload = clean(message);
  for (const auto& field : fields) {
    payload += kField;
    payload += clean(field.key);
    payload += kValue;
    payload += clean(field.value);
  }
  return payload;
}

std::string render_log_payload(std::string_view payload, bool json) {
  std::string out;
  auto end = payload.find(kField);
  const auto message = payload.substr(0, end);
  out += json ? "\"msg\":" : "msg=";
  out += '"';
  out += escape_log_text(message);
  out += '"';
  while (end != std::string_view::npos) {
    const auto begin = end + 1;
    end = payload.find(kField, begin);
    const auto field = payload.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
    const auto separator = field.find(kValue);
    const auto key = field.substr(0, separator);
    const auto value = separator == std::string_view::npos ? std::string_view() : field.substr(separator + 1);
    if (json) {
      out += ",\"";
      out += escape_log_text(key);
      out += "\":";
    } else {
      out += ' ';
      out += key;
      out += '=';
    }
    append_value(out, value, json);
  }
  return out;
}

std::string describe_error(const std::exception_ptr& error) {
  if (!error) return {};
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

std::string log_duration(std::chrono::milliseconds duration) { return std::to_string(duration.count()) + "ms"; }

void log_event(spdlog::level::level_enum level, std::string_view message, std::initializer_list<LogField> fields) {
  if (!spdlog::should_log(level)) return;
  spdlog::log(level, "{}", encode_log_payload(message, fields));
}

}  // namespace msgwatch
