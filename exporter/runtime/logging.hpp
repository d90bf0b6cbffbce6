#pragma once
// Logs go to stderr, one line per event, as logfmt or one JSON object per line, like the
// Prometheus exporters; the fields of an event are those of sdk/log_event.hpp.

#include <string>

namespace msgwatch {

// `level` and `format` must have passed config::check_log_level / check_log_format.
void setup_logging(const std::string& level, const std::string& format);

}  // namespace msgwatch
