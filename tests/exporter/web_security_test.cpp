// Basic auth against bcrypt hashes, and the web configuration file it comes from.

#include "exporter/app/web_config.hpp"
#include "exporter/runtime/basic_auth.hpp"

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
  EXPECT_THAT(error_of("tls_server_config:\n  cert_file: server.crt\n"),
              HasSubstr("tls_server_config: HTTPS is not supported yet"));
}

TEST(WebConfig, AMissingFileIsAnError) { EXPECT_THROW(read_web_config("/nonexistent/web.yml"), config::ConfigError); }

}  // namespace
}  // namespace msgwatch
