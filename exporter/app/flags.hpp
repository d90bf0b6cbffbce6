#pragma once
// Command-line flags, named after the Prometheus exporter conventions. A flag given on the
// command line overrides the same setting of the config file.

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace msgwatch {

class FlagError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Flags {
  std::optional<std::string> config_file;
  std::optional<std::string> listen_address;
  std::optional<std::string> telemetry_path;
  std::optional<std::string> web_config_file;
  std::optional<std::string> log_level;
  std::optional<std::string> log_format;
  bool config_check = false;
  bool enable_lifecycle = false;  // POST /-/reload
  bool help = false;
  bool version = false;
};

// Accepts `--name=value` and `--name value`; throws FlagError for unknown flags and
// missing values.
Flags parse_flags(const std::vector<std::string>& args);

std::string usage_text();

}  // namespace msgwatch
