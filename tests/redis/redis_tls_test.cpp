// The probe over TLS against real redis-server processes, each with a plain port (which the
// tests leave alone, or speak TLS to) and a TLS port, with the test certificates: verified
// servers, mutual TLS, an ACL user, a server the CA did not sign, the wrong protocol on either
// port and a primary with its replica replicating over TLS. Targets are parsed from YAML, as
// the daemon reads them.

#include "exporter/sdk/config_reader.hpp"
#include "probes/redis/redis_probe.hpp"
#include "tests/redis/test_support.hpp"
#include "tests/support/tls_certificates.hpp"
#include "tests/support/wait.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

namespace msgwatch::redis {
namespace {

using namespace std::chrono_literals;
using test::collect;
using test::value_of;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Clock = std::chrono::steady_clock;

const msgwatch::test::TlsCertificates& certs() { return msgwatch::test::tls_certificates(); }

// A redis-server that also serves TLS on tls_port() with `server` as its certificate.
class TlsRedis {
 public:
  explicit TlsRedis(const msgwatch::test::CertifiedKey& server, bool auth_clients = false,
                    std::vector<std::string> more = {})
      : tls_port_(test::free_loopback_port()), server_(lines(server, auth_clients, std::move(more))) {}

  [[nodiscard]] int tls_port() const { return tls_port_; }
  [[nodiscard]] std::string tls_address() const { return "127.0.0.1:" + std::to_string(tls_port_); }
  [[nodiscard]] std::string plain_address() const { return server_.address(); }

 private:
  std::vector<std::string> lines(const msgwatch::test::CertifiedKey& server, bool auth_clients,
                                 std::vector<std::string> more) const {
    std::vector<std::string> out{"tls-port " + std::to_string(tls_port_), "tls-cert-file " + server.cert.string(),
                                 "tls-key-file " + server.key.string(), "tls-ca-cert-file " + certs().ca.string(),
                                 std::string("tls-auth-clients ") + (auth_clients ? "yes" : "no")};
    out.insert(out.end(), more.begin(), more.end());
    return out;
  }

  int tls_port_;
  test::RedisServerProcess server_;
};

// A target named "cache" with the given YAML lines (each "key: value") after its address.
RedisTarget parse_target(const std::string& address, const std::string& lines) {
  const std::string source = "test.yml";
  const auto node = config::parse_yaml("name: cache\naddress: '" + address + "'\n" + lines, source);
  config::MapReader reader(source, node, "redis[0]");
  return parse_redis_target(reader);
}

std::string tls_with(const std::string& settings) {
  return "interval: 5s\ntimeout: 2s\ntls:\n  enabled: true\n  ca_file: " + certs().ca.string() + "\n" + settings;
}

std::string client_certificate() {
  return "  cert_file: " + certs().client.cert.string() + "\n  key_file: " + certs().client.key.string() + "\n";
}

// The probe's error for one target (empty when it succeeded), and how long the cycle took.
struct Attempt {
  test::Collected collected;
  Clock::duration took;
};

Attempt attempt(const RedisTarget& target) {
  boost::asio::io_context io;
  auto probe = make_redis_probe(target);
  const auto started = Clock::now();
  auto collected = collect(io, *probe);
  return {std::move(collected), Clock::now() - started};
}

TEST(RedisTls, InfoIsReadOverTls) {
  TlsRedis server(certs().server);
  const auto page = attempt(parse_target(server.tls_address(), tls_with(""))).collected;
  ASSERT_EQ(page.error, "");
  const auto families = test::node_series(page.families, server.tls_address());
  EXPECT_EQ(value_of(families, "redis_up"), 1);
  EXPECT_GT(value_of(families, "redis_memory_used_bytes").value_or(0), 0);
}

TEST(RedisTls, ServerNameIsVerifiedAgainstTheCertificate) {
  TlsRedis server(certs().server);
  const auto by_name = attempt(parse_target(server.tls_address(), tls_with("  server_name: localhost\n")));
  EXPECT_EQ(by_name.collected.error, "");
  const auto wrong = attempt(parse_target(server.tls_address(), tls_with("  server_name: redis.example\n")));
  EXPECT_EQ(wrong.collected.error,
            "redis cache " + server.tls_address() + ": tls handshake: certificate verify failed (hostname mismatch)");
}

TEST(RedisTls, MutualTlsNeedsTheClientCertificate) {
  TlsRedis server(certs().server, /*auth_clients=*/true);
  const auto with = attempt(parse_target(server.tls_address(), tls_with(client_certificate())));
  EXPECT_EQ(with.collected.error, "");
  EXPECT_EQ(value_of(test::node_series(with.collected.families, server.tls_address()), "redis_up"), 1);

  // TLS 1.3: the server refuses the missing certificate after the client's handshake is done,
  // so the first command meets the refusal: read as the server's alert, or, when the server
  // has already closed by the time it is written, as the connection reset that follows it.
  const auto without = attempt(parse_target(server.tls_address(), tls_with("")));
  EXPECT_THAT(without.collected.error, StartsWith("redis cache " + server.tls_address() + ": "));
  EXPECT_THAT(without.collected.error, AnyOf(HasSubstr("certificate required"), HasSubstr("Connection reset by peer")));
  EXPECT_LT(without.took, 2s);
}

TEST(RedisTls, AclUserOverTls) {
  TlsRedis server(certs().server, false,
                  {"requirepass \"not the monitor's\"", "user monitor on >monitor-pass ~* &* +@all"});
  ::setenv("MSGWATCH_TEST_REDIS_TLS_PASSWORD", "monitor-pass", 1);
  const auto user = "username: monitor\npassword_env: MSGWATCH_TEST_REDIS_TLS_PASSWORD\n";
  const auto good = attempt(parse_target(server.tls_address(), user + tls_with("")));
  ::setenv("MSGWATCH_TEST_REDIS_TLS_PASSWORD", "wrong-pass", 1);
  const auto bad = attempt(parse_target(server.tls_address(), user + tls_with("")));
  ::unsetenv("MSGWATCH_TEST_REDIS_TLS_PASSWORD");
  EXPECT_EQ(good.collected.error, "");
  EXPECT_EQ(value_of(test::node_series(good.collected.families, server.tls_address()), "redis_up"), 1);
  EXPECT_THAT(bad.collected.error, HasSubstr("AUTH"));
  EXPECT_THAT(bad.collected.error, HasSubstr("WRONGPASS"));
  EXPECT_THAT(bad.collected.error, ::testing::Not(HasSubstr("wrong-pass")));
}

TEST(RedisTls, AServerTheCaDidNotSignFailsVerification) {
  TlsRedis server(certs().stranger);  // signed by another CA
  const auto verified = attempt(parse_target(server.tls_address(), tls_with("")));
  EXPECT_EQ(verified.collected.error, "redis cache " + server.tls_address() +
                                          ": tls handshake: certificate verify failed (unable to get local issuer "
                                          "certificate)");
  EXPECT_LT(verified.took, 2s);
  const auto unverified = attempt(parse_target(server.tls_address(), tls_with("  insecure_skip_verify: true\n")));
  EXPECT_EQ(unverified.collected.error, "");
}

TEST(RedisTls, TheWrongProtocolOnEitherPortFailsWithinTheTimeout) {
  TlsRedis server(certs().server);
  const auto tls_to_plain = attempt(parse_target(server.plain_address(), tls_with("")));
  EXPECT_THAT(tls_to_plain.collected.error, StartsWith("redis cache " + server.plain_address() + ": "));
  EXPECT_THAT(tls_to_plain.collected.error, HasSubstr("tls handshake"));
  EXPECT_LT(tls_to_plain.took, 2s);
  const auto plain_to_tls = attempt(parse_target(server.tls_address(), "interval: 5s\ntimeout: 2s\n"));
  EXPECT_THAT(plain_to_tls.collected.error, StartsWith("redis cache " + server.tls_address() + ": "));
  EXPECT_LT(plain_to_tls.took, 2s);
}

TEST(RedisTls, PrimaryAndReplicaOverTls) {
  TlsRedis primary(certs().server, false, {"tls-replication yes"});
  TlsRedis replica(certs().server, false,
                   {"tls-replication yes", "replicaof 127.0.0.1 " + std::to_string(primary.tls_port())});
  const auto target = parse_target(primary.tls_address(), tls_with(""));
  boost::asio::io_context io;
  auto probe = make_redis_probe(target);
  msgwatch::test::wait_until_explained(
      [&]() -> std::string {
        const auto page = collect(io, *probe);
        if (!page.error.empty()) return page.error;
        const auto link = value_of(test::node_series(page.families, replica.tls_address()), "redis_master_link_up",
                                   {{"master_host", "127.0.0.1"}, {"master_port", std::to_string(primary.tls_port())}});
        if (value_of(page.families, "redis_up", {{"node", primary.tls_address()}}) != 1) return "primary not up";
        if (value_of(page.families, "redis_up", {{"node", replica.tls_address()}}) != 1) return "replica not up";
        return link == 1 ? "" : "replication link not up";
      },
      30s, "the primary and its replica read over TLS");
}

}  // namespace
}  // namespace msgwatch::redis
