#pragma once
// The web configuration file of `--web.config.file`, in the format Prometheus exporters
// share, so that operators reuse theirs: `basic_auth_users` (user: bcrypt hash) protects
// every endpoint. `tls_server_config` is refused with a clear error (this daemon does not
// serve HTTPS yet) rather than ignored, which would serve in the clear what the file meant to
// protect.

#include "exporter/sdk/config_reader.hpp"

#include <map>
#include <string>

namespace msgwatch {

struct WebConfig {
  std::map<std::string, std::string> basic_auth_users;  // user -> bcrypt hash
};

// Reads and checks the file; throws config::ConfigError naming the file, line and key.
WebConfig read_web_config(const std::string& path);

}  // namespace msgwatch
