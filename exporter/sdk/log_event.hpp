#pragma once
// Log events with fields, as Prometheus' exporters write them: a message and the event's
// own fields as keys of their own, e.g. in logfmt
//   ts=2026-12-01T10:00:00.000Z level=warn msg="probe failed" probe=kafka_lag cluster=orders error="..."
// and in JSON {"ts":"...","level":"warn","msg":"probe failed","probe":"kafka_lag",...}.
// Values are escaped (and quoted in logfmt where they need it), so a broker's error text
// cannot break a line or forge a field. runtime/logging.hpp sets the format up.

#include <spdlog/spdlog.h>

#include <chrono>
#include <exception>
#include <initializer_list>
#include <string>
#include <string_view>

namespace msgwatch {

struct LogField {
  std::string_view key;  // a plain word: letters, digits, underscores
  std::string value;
};

// One event with fields, for example
//   log_event(spdlog::level::warn, "probe failed", {{"probe", kind}, {"cluster", name}, {"error", what}});
void log_event(spdlog::level::level_enum level, std::string_view message, std::initializer_list<LogField> fields);

// The payload log_event hands to spdlog, and its rendering as the log line's fields after
// `level`; plain spdlog messages render as msg="...".
std::string encode_log_payload(std::string_view message, std::initializer_list<LogField> fields);
std::string render_log_payload(std::string_view payload, bool json);

// An exception's message as a log field ("unknown error" for one that is no std::exception,
// "" for none).
std::string describe_error(const std::exception_ptr& error);

// A duration as a log field: "1500ms".
std::string log_duration(std::chrono::milliseconds duration);

// Escapes `text` for a double-quoted logfmt or JSON string.
std::string escape_log_text(std::string_view text);

}  // namespace msgwatch
