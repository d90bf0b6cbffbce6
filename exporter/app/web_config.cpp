#include "exporter/app/web_config.hpp"

#include "exporter/runtime/basic_auth.hpp"

namespace msgwatch {

WebConfig read_web_config(const std::string& path) {
  const auto root = config::parse_yaml(config::read_config_file(path, "web config file"), path);
  config::MapReader top(path, root, "");
  top.reject_unknown({"basic_auth_users", "tls_server_config"});
  if (top.has("tls_server_config")) {
    top.fail("tls_server_config", "HTTPS is not supported yet; terminate TLS in front of the daemon");
  }
  WebConfig web;
  if (top.has("basic_auth_users")) {
    const auto users = top.node("basic_auth_users");
    if (!users.IsMap()) top.fail("basic_auth_users", "expected a mapping of user names to bcrypt hashes");
    for (const auto& entry : users) {
      const auto user = entry.first.as<std::string>();
      const auto where = top.path_of("basic_auth_users") + "." + user;
      if (user.empty() || user.find(':') != std::string::npos) {
        config::fail_at(path, entry.first, where, "a user name must not be empty nor contain ':'");
      }
      if (!entry.second.IsScalar() || !is_bcrypt_hash(entry.second.Scalar())) {
        config::fail_at(path, entry.second, where, "expected a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters)");
      }
      web.basic_auth_users[user] = entry.second.Scalar();
    }
  }
  return web;
}

}  // namespace msgwatch
