// Basic auth against bcrypt hashes, and the web configuration file it comes from with the
// TLS settings.

#include "exporter/app/web_config.hpp"
#include "exporter/runtime/basic_auth.hpp"
#include "support/tls_certificates.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace msgwatch {
namespace {

using ::testing::HasSubstr;

// Made with libcrypt's bcrypt at cost 4 (as `htpasswd -B -C 4` makes them).
constexpr const char* kScrapePwHash = "$2b$04$5YTNHdmj7R6TlqnOZ3FSP./3QZswS62k5zR6IzZDVlj5pF9kWC4xa";
constexpr const char* kColonsHash = "$2b$04$cwDG.OnSo6xiREmjFhptK.IynDMqWWC1WzqXYmobxosLvBy.nu/eC";  // pass:with:colons

BasicAuth two_users() { return BasicAuth({{"prometheus", kScrapePwHash}, {"ops", kColonsHash}}); }

TEST(BasicAuth, TheRightPasswordIsAllowed) {
  const auto auth = two_users();
  EXPECT_TRUE(auth.allows("Basic cHJvbWV0aGV1czpzY3JhcGUtcHc="));  // prometheus:scrape-pw
  EXPECT_TRUE(auth.allows("basic cHJvbWV0aGV1czpzY3JhcGUtcHc=")) << "the scheme is case-insensitive";
  EXPECT_TRUE(auth.allows("Basic b3BzOnBhc3M6d2l0aDpjb2xvbnM=")) << "ops:pass:with:colons, split at the first ':'";
}

TEST(BasicAuth, AWrongPasswordAnUnknownUserAndMalformedHeadersAreRefused) {
  const auto auth = two_users();
  EXPECT_FALSE(auth.allows(""));
  EXPECT_FALSE(auth.allows("Basic cHJvbWV0aGV1czpzY3JhcGUtcHg="));  // prometheus:scrape-px
  EXPECT_FALSE(auth.allows("Basic bm9ib2R5OnNjcmFwZS1wdw=="));      // nobody:scrape-pw
  EXPECT_FALSE(auth.allows("Basic cHJvbWV0aGV1cw=="));              // prometheus, no ':'
  EXPECT_FALSE(auth.allows("Basic !!!!"));
  EXPECT_FALSE(auth.allows("Basic cHJvbWV0aGV1czpzY3JhcGUtcHc"));  // padding missing
  EXPECT_FALSE(auth.allows("Bearer cHJvbWV0aGV1czpzY3JhcGUtcHc="));
  EXPECT_FALSE(auth.allows("Basic "));
}

TEST(BasicAuth, RememberedCredentialsAreOnlyEverTheExactOnes) {
  const auto auth = two_users();
  ASSERT_TRUE(auth.allows("Basic cHJvbWV0aGV1czpzY3JhcGUtcHc="));
  EXPECT_TRUE(auth.allows("Basic cHJvbWV0aGV1czpzY3JhcGUtcHc="));
  EXPECT_FALSE(auth.allows("Basic cHJvbWV0aGV1czpzY3JhcGUtcHg="));
  EXPECT_FALSE(auth.allows("Basic b3BzOnNjcmFwZS1wdw==")) << "ops:scrape-pw: another user's password";
}

TEST(BasicAuth, OnlyCredentialsThatPassedAreRemembered) {
  const auto auth = two_users();
  EXPECT_FALSE(auth.remembers("Basic cHJvbWV0aGV1czpzY3JhcGUtcHc=")) << "not checked yet";
  ASSERT_TRUE(auth.allows("Basic cHJvbWV0aGV1czpzY3JhcGUtcHc="));
  EXPECT_TRUE(auth.remembers("Basic cHJvbWV0aGV1czpzY3JhcGUtcHc="));
  EXPECT_TRUE(auth.remembers("basic cHJvbWV0aGV1czpzY3JhcGUtcHc=")) << "the scheme is case-insensitive";
  ASSERT_FALSE(auth.allows("Basic cHJvbWV0aGV1czpzY3JhcGUtcHg="));
  EXPECT_FALSE(auth.remembers("Basic cHJvbWV0aGV1czpzY3JhcGUtcHg=")) << "a refusal is not remembered";
  EXPECT_FALSE(auth.remembers("Basic !!!!"));
  EXPECT_FALSE(auth.remembers(""));
}

TEST(BasicAuth, OnlyBcryptHashesAreAccepted) {
  using Users = std::map<std::string, std::string>;
  EXPECT_THROW(BasicAuth(Users{{"prometheus", "scrape-pw"}}), std::invalid_argument);
  EXPECT_THROW(BasicAuth(Users{{"prometheus", "$6$salt$abcdefghijklmnopqrstuvwxyz"}}), std::invalid_argument);
  EXPECT_TRUE(is_bcrypt_hash(kScrapePwHash));
  EXPECT_TRUE(is_bcrypt_hash("$2y$10$AFBL.8EUhlG222bSqR39P.8u4nbjomzWxZ3FSq1iaX6iEroBjvIeW"));
  EXPECT_FALSE(is_bcrypt_hash("$2x$10$AFBL.8EUhlG222bSqR39P.8u4nbjomzWxZ3FSq1iaX6iEroBjvIeW"));
}

std::string write_file(const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("msgwatch-web-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".yml");
  std::ofstream(path) << text;
  return path.string();
}

std::string error_of(const std::string& text) {
  const auto path = write_file(text);
  try {
    read_web_config(path);
  } catch (const config::ConfigError& e) {
    std::filesystem::remove(path);
    return e.what();
  }
  std::filesystem::remove(path);
  return "no error";
}

TEST(WebConfig, BasicAuthUsersAreRead) {
  const auto path =
      write_file(std::string("basic_auth_users:\n  prometheus: ") + kScrapePwHash + "\n  ops: '" + kColonsHash + "'\n");
  const auto web = read_web_config(path);
  std::filesystem::remove(path);
  EXPECT_EQ(web.basic_auth_users.size(), 2u);
  EXPECT_EQ(web.basic_auth_users.at("prometheus"), kScrapePwHash);
}

TEST(WebConfig, AnEmptyFileAsksForNothing) { EXPECT_EQ(error_of(""), "no error"); }

TEST(WebConfig, MistakesNameTheLineAndKey) {
  EXPECT_THAT(error_of("basic_auth_user:\n  prometheus: x\n"), HasSubstr(":1:1: basic_auth_user: unknown key"));
  EXPECT_THAT(error_of("basic_auth_users:\n  prometheus: scrape-pw\n"),
              HasSubstr(":2:15: basic_auth_users.prometheus: expected a bcrypt hash"));
  EXPECT_THAT(error_of("basic_auth_users: [prometheus]\n"), HasSubstr("basic_auth_users: expected a mapping"));
  EXPECT_THAT(error_of("basic_auth_users: {a: [b]\n"), HasSubstr("invalid YAML"));
}

TEST(WebConfig, AMissingFileIsAnError) { EXPECT_THROW(read_web_config("/nonexistent/web.yml"), config::ConfigError); }

// tls_server_config naming the test certificates, with `more` lines in that section.
std::string tls_section(const std::string& more = "") {
  const auto& certs = test::tls_certificates();
  return "tls_server_config:\n  cert_file: " + certs.server.cert.string() +
         "\n  key_file: " + certs.server.key.string() + "\n" + more;
}

TEST(WebConfig, TlsSettingsAreReadWithGosDefaults) {
  const auto path = write_file(tls_section());
  const auto web = read_web_config(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(web.tls.has_value());
  EXPECT_EQ(web.tls->cert_file, test::tls_certificates().server.cert.string());
  EXPECT_EQ(web.tls->client_auth, TlsSettings::ClientAuth::none);
  EXPECT_EQ(web.tls->min_version, TlsSettings::Version::tls12);
  EXPECT_EQ(web.tls->max_version, TlsSettings::Version::tls13);
  EXPECT_TRUE(web.basic_auth_users.empty());
}

TEST(WebConfig, TlsFilesAreRelativeToTheWebConfigFile) {
  const auto& certs = test::tls_certificates();
  const auto path = certs.dir / "relative-web.yml";
  std::ofstream(path) << "tls_server_config:\n  cert_file: server.crt\n  key_file: ./server.key\n"
                         "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n"
                         "  min_version: TLS13\n  max_version: TLS13\n";
  const auto web = read_web_config(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(web.tls.has_value());
  EXPECT_EQ(web.tls->cert_file, (certs.dir / "server.crt").string());
  EXPECT_EQ(web.tls->key_file, (certs.dir / "./server.key").string());
  EXPECT_EQ(web.tls->client_ca_file, certs.ca.string());
  EXPECT_EQ(web.tls->client_auth, TlsSettings::ClientAuth::require_and_verify);
  EXPECT_EQ(web.tls->min_version, TlsSettings::Version::tls13);
}

TEST(WebConfig, EveryClientAuthTypeOfGoIsRead) {
  const std::pair<const char*, TlsSettings::ClientAuth> types[] = {
      {"NoClientCert", TlsSettings::ClientAuth::none},
      {"RequestClientCert", TlsSettings::ClientAuth::request},
      {"RequireAnyClientCert", TlsSettings::ClientAuth::require_any},
      {"VerifyClientCertIfGiven", TlsSettings::ClientAuth::verify_if_given},
      {"RequireAndVerifyClientCert", TlsSettings::ClientAuth::require_and_verify},
  };
  for (const auto& [name, policy] : types) {
    const auto ca = policy == TlsSettings::ClientAuth::none
                        ? ""
                        : "  client_ca_file: " + test::tls_certificates().ca.string() + "\n";
    const auto path = write_file(tls_section("  client_auth_type: " + std::string(name) + "\n" + ca));
    const auto web = read_web_config(path);
    std::filesystem::remove(path);
    EXPECT_EQ(web.tls->client_auth, policy) << name;
  }
}

TEST(WebConfig, TlsMistakesNameTheLineAndKey) {
  const auto& certs = test::tls_certificates();
  EXPECT_THAT(error_of("tls_server_config:\n  cert_file: " + certs.server.cert.string() + "\n"),
              HasSubstr(":2:3: tls_server_config.key_file: is required"));
  EXPECT_THAT(error_of("tls_server_config:\n"), HasSubstr("tls_server_config.cert_file: is required"));
  EXPECT_THAT(error_of(tls_section("  client_auth: RequireAndVerifyClientCert\n")),
              HasSubstr(":4:3: tls_server_config.client_auth: unknown key"));
  EXPECT_THAT(error_of(tls_section("  cipher_suites: [TLS_AES_128_GCM_SHA256]\n")),
              HasSubstr(":4:18: tls_server_config.cipher_suites: not supported"));
  EXPECT_THAT(error_of(tls_section("  client_auth_type: RequireClientCertificate\n")),
              HasSubstr(":4:21: tls_server_config.client_auth_type: \"RequireClientCertificate\" is not one of "
                        "NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, "
                        "RequireAndVerifyClientCert"));
  EXPECT_THAT(error_of(tls_section("  min_version: TLS1.2\n")),
              HasSubstr("tls_server_config.min_version: \"TLS1.2\" is not one of TLS10, TLS11, TLS12, TLS13"));
  EXPECT_THAT(error_of(tls_section("  max_version: TLS11\n")),
              HasSubstr("tls_server_config.max_version: must not be older than min_version"));
  EXPECT_THAT(
      error_of(tls_section("  client_auth_type: VerifyClientCertIfGiven\n")),
      HasSubstr("tls_server_config.client_auth_type: verifies client certificates and so needs client_ca_file"));
  EXPECT_THAT(
      error_of(tls_section("  client_ca_file: " + certs.ca.string() + "\n")),
      HasSubstr("tls_server_config.client_ca_file: is set, but client_auth_type asks for no client certificate"));
}

TEST(WebConfig, TlsFilesAreReadAndTheKeyMustMatchItsCertificate) {
  const auto& certs = test::tls_certificates();
  const auto with = [&](const std::filesystem::path& cert, const std::filesystem::path& key,
                        const std::string& more = "") {
    return "tls_server_config:\n  cert_file: " + cert.string() + "\n  key_file: " + key.string() + "\n" + more;
  };
  EXPECT_THAT(error_of(with("/nonexistent/server.crt", certs.server.key)),
              HasSubstr(":2:14: tls_server_config.cert_file: cannot read /nonexistent/server.crt: No such file"));
  EXPECT_THAT(error_of(with(certs.server.cert, "/nonexistent/server.key")),
              HasSubstr(":3:13: tls_server_config.key_file: cannot read /nonexistent/server.key"));
  EXPECT_THAT(
      error_of(with(certs.server.key, certs.server.key)),
      HasSubstr("tls_server_config.cert_file: " + certs.server.key.string() + " holds no valid PEM certificate"));
  EXPECT_THAT(
      error_of(with(certs.server.cert, certs.server.cert)),
      HasSubstr("tls_server_config.key_file: " + certs.server.cert.string() + " holds no unencrypted PEM private key"));
  EXPECT_THAT(error_of(with(certs.server.cert, certs.client.key)),
              HasSubstr("tls_server_config.key_file: the key in " + certs.client.key.string() +
                        " does not match the certificate in " + certs.server.cert.string()));
  EXPECT_THAT(
      error_of(with(
          certs.server.cert, certs.server.key,
          "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: " + certs.server.key.string() + "\n")),
      HasSubstr("tls_server_config.client_ca_file: " + certs.server.key.string() + " holds no PEM certificate"));
  EXPECT_THAT(error_of(with(certs.server.cert, certs.server.key,
                            "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: /nonexistent/ca.crt\n")),
              HasSubstr("tls_server_config.client_ca_file: cannot read /nonexistent/ca.crt"));
}

TEST(WebConfig, TlsAndBasicAuthTogether) {
  const auto path = write_file(tls_section() + "basic_auth_users:\n  prometheus: " + kScrapePwHash + "\n");
  const auto web = read_web_config(path);
  std::filesystem::remove(path);
  EXPECT_TRUE(web.tls.has_value());
  EXPECT_EQ(web.basic_auth_users.size(), 1u);
}

}  // namespace
}  // namespace msgwatch
