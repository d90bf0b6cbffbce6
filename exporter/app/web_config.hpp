#pragma once
// The web configuration file of `--web.config.file`, in the format Prometheus exporters
// share, so that operators reuse theirs: `basic_auth_users` (user: bcrypt hash) protects
// every endpoint, `tls_server_config` serves them over HTTPS. Keys of that format this daemon
// does not implement are refused with a clear error rather than ignored, which could serve
// in a way the file meant to prevent.

#include "exporter/runtime/http_server.hpp"
#include "exporter/runtime/tls_context.hpp"
#include "exporter/sdk/config_reader.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace msgwatch {

struct WebConfig {
  std::map<std::string, std::string> basic_auth_users;     // user -> bcrypt hash
  std::optional<TlsSettings> tls;                          // paths resolved against the file's directory
  std::shared_ptr<boost::asio::ssl::context> tls_context;  // made of tls's files when it is set
};

// Reads and checks the file, and the TLS files it names (readable, the key matching its
// certificate), which make the TLS context; throws config::ConfigError naming the file, line
// and key.
WebConfig read_web_config(const std::string& path);

// What the HTTP server applies: the users' hashes and the TLS context.
HttpSecurity http_security(const WebConfig& web);

}  // namespace msgwatch
