#pragma once
// The daemon's log lines (logfmt, its default format; exporter/sdk/log_event.cpp) read back
// into fields, so a test can check what a logged event says rather than search its text.

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace msgwatch::test {

using LogFields = std::map<std::string, std::string>;

// key=value pairs separated by spaces; a value is bare or double-quoted with the escapes
// \" \\ \n \r \t and \u00XX. Throws std::runtime_error on anything else.
LogFields parse_logfmt_line(std::string_view line);

// The fields of every line of `log` whose msg begins with `message_prefix`, in order.
std::vector<LogFields> log_events(const std::string& log, std::string_view message_prefix);

}  // namespace msgwatch::test
