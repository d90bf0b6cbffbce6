#pragma once
// Logs go to stderr as logfmt (`ts=… level=info msg="…"`) or one JSON object per line,
// like the Prometheus exporters. Messages are escaped, so a broker's error text cannot
// break a line.

#include <string>

namespace msgwatch {

// `level` and `format` must have passed config::check_log_level / check_log_format.
void setup_logging(const std::string& level, const std::string& format);

// Escapes `text` for a double-quoted logfmt or JSON string.
std::string escape_log_text(const std::string& text);

}  // namespace msgwatch
