#include "exporter/app/web_config.hpp"

#include "exporter/runtime/basic_auth.hpp"

#include <boost/asio/ssl/context.hpp>

#include <filesystem>

namespace msgwatch {
namespace {

template <typename T>
struct Named {
  const char* name;
  T value;
};

constexpr Named<TlsSettings::ClientAuth> kClientAuthTypes[] = {
    {"NoClientCert", TlsSettings::ClientAuth::none},
    {"RequestClientCert", TlsSettings::ClientAuth::request},
    {"RequireAnyClientCert", TlsSettings::ClientAuth::require_any},
    {"VerifyClientCertIfGiven", TlsSettings::ClientAuth::verify_if_given},
    {"RequireAndVerifyClientCert", TlsSettings::ClientAuth::require_and_verify},
};

constexpr Named<TlsSettings::Version> kVersions[] = {
    {"TLS10", TlsSettings::Version::tls10},
    {"TLS11", TlsSettings::Version::tls11},
    {"TLS12", TlsSettings::Version::tls12},
    {"TLS13", TlsSettings::Version::tls13},
};

// Keys of exporter-toolkit's tls_server_config that this daemon does not implement.
constexpr const char* kUnsupportedTlsKeys[] = {"cert",
                                               "key",
                                               "client_ca",
                                               "cipher_suites",
                                               "curve_preferences",
                                               "prefer_server_cipher_suites",
                                               "client_allowed_sans"};

// The value of `key`, one of `names`, when the key is set.
template <typename T, std::size_t N>
void read_named(config::MapReader& reader, const std::string& key, const Named<T> (&names)[N], T& out) {
  if (!reader.has(key)) return;
  std::string text;
  reader.read(key, text);
  std::string known;
  for (const auto& [name, value] : names) {
    if (text == name) {
      out = value;
      return;
    }
    known += (known.empty() ? "" : ", ") + std::string(name);
  }
  reader.fail(key, "\"" + text + "\" is not one of " + known);
}

// A file named in the web configuration file, as exporter-toolkit reads it: a relative path
// is relative to that file's directory.
std::string beside(const std::string& web_config_path, const std::string& file) {
  if (std::filesystem::path(file).is_absolute()) return file;
  return (std::filesystem::path(web_config_path).parent_path() / file).string();
}

// The settings of tls_server_config, and the context made of their files (read now).
void read_tls(config::MapReader& top, const std::string& path, WebConfig& web) {
  auto tls = top.section("tls_server_config");
  for (const char* key : kUnsupportedTlsKeys) {
    if (tls.has(key)) {
      tls.fail(key,
               "not supported (msgwatch reads cert_file, key_file, client_auth_type, client_ca_file, "
               "min_version and max_version)");
    }
  }
  tls.reject_unknown({"cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version", "max_version"});
  TlsSettings settings;
  tls.read("cert_file", settings.cert_file);
  tls.read("key_file", settings.key_file);
  tls.read("client_ca_file", settings.client_ca_file);
  read_named(tls, "client_auth_type", kClientAuthTypes, settings.client_auth);
  read_named(tls, "min_version", kVersions, settings.min_version);
  read_named(tls, "max_version", kVersions, settings.max_version);
  if (settings.cert_file.empty()) tls.fail("cert_file", "is required");
  if (settings.key_file.empty()) tls.fail("key_file", "is required");
  if (settings.max_version < settings.min_version) tls.fail("max_version", "must not be older than min_version");
  if (verifies_client_certificates(settings.client_auth) && settings.client_ca_file.empty()) {
    tls.fail("client_auth_type", "verifies client certificates and so needs client_ca_file");
  }
  if (settings.client_auth == TlsSettings::ClientAuth::none && !settings.client_ca_file.empty()) {
    tls.fail("client_ca_file", "is set, but client_auth_type asks for no client certificate");
  }
  settings.cert_file = beside(path, settings.cert_file);
  settings.key_file = beside(path, settings.key_file);
  if (!settings.client_ca_file.empty()) settings.client_ca_file = beside(path, settings.client_ca_file);
  try {
    web.tls_context = make_tls_context(settings);
  } catch (const TlsSetupError& e) {
    tls.fail(e.key(), e.what());
  }
  web.tls = std::move(settings);
}

}  // namespace

WebConfig read_web_config(const std::string& path) {
  const auto root = config::parse_yaml(config::read_config_file(path, "web config file"), path);
  config::MapReader top(path, root, "");
  top.reject_unknown({"basic_auth_users", "tls_server_config"});
  WebConfig web;
  if (top.has("tls_server_config")) read_tls(top, path, web);
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

HttpSecurity http_security(const WebConfig& web) {
  HttpSecurity security;
  if (!web.basic_auth_users.empty()) security.auth = std::make_shared<const BasicAuth>(web.basic_auth_users);
  security.tls = web.tls_context;
  return security;
}

}  // namespace msgwatch
