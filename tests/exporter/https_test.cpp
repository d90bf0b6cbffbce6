// The daemon serving HTTPS as `--web.config.file`'s tls_server_config says, with curl as
// the client: the CA's clients are served, client certificates are asked for and verified
// as each client_auth_type says, and what is not TLS (plain HTTP, garbage, silence) costs
// only its own connection, for a bounded time.

#include "support/daemon_process.hpp"
#include "support/process.hpp"
#include "support/tls_certificates.hpp"
#include "support/wait.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <string_view>

namespace msgwatch::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::string_view_literals;

constexpr const char* kScrapePwHash = "$2b$04$5YTNHdmj7R6TlqnOZ3FSP./3QZswS62k5zR6IzZDVlj5pF9kWC4xa";  // scrape-pw

struct CurlResult {
  int exit_code = 0;  // curl's: 0, or why it failed (35 handshake, 56 receiving, 60 untrusted)
  int status = 0;     // the HTTP status, 0 without one
  std::string body;
  std::string error;  // curl's message
};

// curl trusting the test CA, with `args`, fetching `url`.
CurlResult curl(const std::string& url, const std::vector<std::string>& args = {}) {
  std::vector<std::string> argv{"curl", "--silent", "--show-error", "--max-time", "5", "--write-out", "\n%{http_code}"};
  argv.insert(argv.end(), {"--cacert", tls_certificates().ca.string()});
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(url);
  const auto result = run_process(argv, 30s);
  CurlResult out{result.status.code, 0, result.out, result.err};
  const auto newline = out.body.rfind('\n');
  if (newline != std::string::npos) {
    out.status = std::atoi(out.body.c_str() + newline + 1);
    out.body.resize(newline);
  }
  return out;
}

std::string https_url(const DaemonProcess& daemon, const std::string& path) {
  return "https://" + daemon.listen_address() + path;
}

std::vector<std::string> presenting(const CertifiedKey& pair) {
  return {"--cert", pair.cert.string(), "--key", pair.key.string()};
}

// The daemon without probes, reading `web_yaml` as its web configuration file.
DaemonOptions https_daemon(const std::string& web_yaml) {
  DaemonOptions options;
  options.extra_args = {"--web.config.file=" + write_temp_file("web.yml", web_yaml).string()};
  return options;
}

// tls_server_config with the test server's certificate and `more` lines of that section.
std::string tls_config(const std::string& more = "") {
  const auto& certs = tls_certificates();
  return "tls_server_config:\n  cert_file: " + certs.server.cert.string() +
         "\n  key_file: " + certs.server.key.string() + "\n" + more;
}

// Polls /-/ready over HTTPS (as a client presenting `args`) until it answers 200.
void wait_https_ready(DaemonProcess& daemon, const std::vector<std::string>& args = {}) {
  wait_until_explained(
      [&]() -> std::string {
        if (!daemon.running()) throw std::runtime_error("the daemon exited:\n" + daemon.log_tail());
        const auto ready = curl(https_url(daemon, "/-/ready"), args);
        return ready.status == 200 ? "" : "curl exit " + std::to_string(ready.exit_code) + ": " + ready.error;
      },
      60s, "GET /-/ready over HTTPS to answer 200");
}

// A TCP connection to the daemon's port that sends `bytes` (or nothing) and then waits.
class RawClient {
 public:
  RawClient(std::uint16_t port, std::string_view bytes) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(bytes.size())) {
      throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
    }
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // Whether the server closes the connection within `deadline` (whatever it sends first, such
  // as a TLS alert, is read and dropped).
  bool closed_within(std::chrono::milliseconds deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    for (auto now = std::chrono::steady_clock::now(); now < until; now = std::chrono::steady_clock::now()) {
      pollfd ready{fd_, POLLIN, 0};
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(until - now);
      if (::poll(&ready, 1, static_cast<int>(wait.count()) + 1) <= 0) continue;
      char bytes[512];
      if (::recv(fd_, bytes, sizeof bytes, 0) <= 0) return true;
    }
    return false;
  }

 private:
  int fd_;
};

TEST(Https, ServesEveryEndpointToClientsOfItsCa) {
  DaemonProcess daemon(https_daemon(tls_config()));
  wait_https_ready(daemon);
  const auto metrics = curl(https_url(daemon, "/metrics"));
  EXPECT_EQ(metrics.status, 200) << metrics.error;
  EXPECT_TRUE(Exposition::parse(metrics.body).has_family("msgwatch_build_info"));
  EXPECT_EQ(curl(https_url(daemon, "/-/healthy")).body, "Healthy\n");
  EXPECT_EQ(curl(https_url(daemon, "/nope")).status, 404);
  EXPECT_EQ(curl(https_url(daemon, "/metrics"), {"--tls-max", "1.2"}).status, 200) << "TLS 1.2 is the default minimum";
  EXPECT_EQ(curl("https://localhost:" + std::to_string(daemon.port()) + "/metrics").status, 200) << "the DNS name";

  const auto untrusted = run_process({"curl", "--silent", "--max-time", "5", https_url(daemon, "/metrics")}, 30s);
  EXPECT_EQ(untrusted.status.code, 60) << "a client without the test CA does not trust the server";
  daemon.stop();
  EXPECT_THAT(daemon.log(), HasSubstr("tls=true"));
  EXPECT_THAT(daemon.log(), HasSubstr("url=https://" + daemon.listen_address() + "/metrics"));
}

TEST(Https, PlainHttpAndGarbageCostOnlyTheirConnection) {
  DaemonProcess daemon(https_daemon(tls_config()));
  wait_https_ready(daemon);
  const auto plain = curl("http://" + daemon.listen_address() + "/metrics");
  EXPECT_NE(plain.exit_code, 0);
  EXPECT_NE(plain.status, 200);
  RawClient garbage(daemon.port(), "\x16\x03\x01\x00\x10 not a client hello at all\r\n\r\n"sv);
  EXPECT_TRUE(garbage.closed_within(5s)) << "a failed handshake is closed at once";
  EXPECT_EQ(curl(https_url(daemon, "/metrics")).status, 200);
  daemon.stop();
  EXPECT_THAT(daemon.log(), HasSubstr("msg=\"tls handshake failed\" peer=127.0.0.1:"));
  EXPECT_THAT(daemon.log(), Not(HasSubstr("-----BEGIN")));
}

TEST(Https, AClientThatNeverHandshakesHoldsNoOneAndIsClosedInTime) {
  DaemonProcess daemon(https_daemon(tls_config()));
  wait_https_ready(daemon);
  RawClient silent(daemon.port(), "");
  RawClient slow(daemon.port(), "\x16\x03\x01"sv);  // the start of a hello, and no more
  const auto served = curl(https_url(daemon, "/metrics"));
  EXPECT_EQ(served.status, 200) << served.error;
  EXPECT_TRUE(silent.closed_within(15s)) << "the handshake is bounded (10 s)";
  EXPECT_TRUE(slow.closed_within(2s));
  daemon.stop();
  EXPECT_THAT(daemon.log(), HasSubstr("error=\"no handshake within 10000ms\""));
}

// Go's five client authentication policies, with no client certificate, one of another CA
// and one of the client CA.
TEST(Https, ClientCertificatesAreAskedForAndVerifiedAsEachClientAuthTypeSays) {
  const auto& certs = tls_certificates();
  struct Case {
    std::string type;
    bool anonymous_served;
    bool stranger_served;
  };
  const Case cases[] = {
      {"NoClientCert", true, true},
      {"RequestClientCert", true, true},
      {"RequireAnyClientCert", false, true},
      {"VerifyClientCertIfGiven", true, false},
      {"RequireAndVerifyClientCert", false, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.type);
    const auto ca = c.type == "NoClientCert" ? "" : "  client_ca_file: " + certs.ca.string() + "\n";
    DaemonProcess daemon(https_daemon(tls_config("  client_auth_type: " + c.type + "\n" + ca)));
    wait_https_ready(daemon, presenting(certs.client));
    const auto url = https_url(daemon, "/metrics");
    EXPECT_EQ(curl(url, presenting(certs.client)).status, 200);
    const auto anonymous = curl(url);
    EXPECT_EQ(anonymous.status == 200, c.anonymous_served) << anonymous.error;
    const auto stranger = curl(url, presenting(certs.stranger));
    EXPECT_EQ(stranger.status == 200, c.stranger_served) << stranger.error;
    if (!c.anonymous_served) {
      EXPECT_NE(curl(url, {"--tls-max", "1.2"}).status, 200) << "refused in a TLS 1.2 handshake too";
    }
    EXPECT_EQ(curl(url, presenting(certs.client)).status, 200) << "still serving";
    daemon.stop();
  }
}

TEST(Https, BasicAuthOverTlsGivesAWrongPassword401AndNothingElse) {
  DaemonProcess daemon(https_daemon(tls_config() + "basic_auth_users:\n  prometheus: " + kScrapePwHash + "\n"));
  wait_https_ready(daemon, {"--user", "prometheus:scrape-pw"});
  const std::vector<std::string> wrong[] = {{}, {"--user", "prometheus:scrape-px"}};
  for (const auto& credentials : wrong) {
    const auto refused = curl(https_url(daemon, "/metrics"), credentials);
    EXPECT_EQ(refused.status, 401);
    EXPECT_EQ(refused.body, "Unauthorized\n");
  }
  const auto metrics = curl(https_url(daemon, "/metrics"), {"--user", "prometheus:scrape-pw"});
  EXPECT_EQ(metrics.status, 200);
  EXPECT_TRUE(Exposition::parse(metrics.body).has_family("msgwatch_build_info"));
  daemon.stop();
}

// A certificate rotated and the users changed in the file, then SIGHUP: new connections get
// the new certificate and the new users at once, without a restart; a file that no longer
// holds together changes nothing.
TEST(Https, AReloadRotatesTheCertificateAndTheUsers) {
  const auto& certs = tls_certificates();
  const auto web_file =
      write_temp_file("web.yml", tls_config() + "basic_auth_users:\n  prometheus: " + kScrapePwHash + "\n");
  DaemonOptions options;
  options.extra_args = {"--web.config.file=" + web_file.string()};
  DaemonProcess daemon(options);
  const std::vector<std::string> before{"--user", "prometheus:scrape-pw"};
  const std::vector<std::string> after{"--cacert", certs.other_ca.string(), "--user", "grafana:scrape-pw"};
  wait_https_ready(daemon, before);

  write_file(web_file, "tls_server_config:\n  cert_file: " + certs.impostor.cert.string() + "\n  key_file: " +
                           certs.impostor.key.string() + "\nbasic_auth_users:\n  grafana: " + kScrapePwHash + "\n");
  ASSERT_EQ(::kill(daemon.pid(), SIGHUP), 0);
  wait_https_ready(daemon, after);
  const auto url = https_url(daemon, "/metrics");
  EXPECT_EQ(curl(url, before).exit_code, 60) << "the old certificate is no longer presented";
  EXPECT_EQ(curl(url, {"--cacert", certs.other_ca.string(), "--user", "prometheus:scrape-pw"}).status, 401)
      << "the old user is gone";
  EXPECT_EQ(curl(url, after).status, 200);

  write_file(web_file, "tls_server_config:\n  cert_file: " + (certs.dir / "missing.pem").string() +
                           "\n  key_file: " + certs.impostor.key.string() + "\n");
  ASSERT_EQ(::kill(daemon.pid(), SIGHUP), 0);
  wait_until_explained(
      [&]() -> std::string {
        const auto page = curl(url, after);
        return page.body.find("msgwatch_config_last_reload_successful 0") != std::string::npos ? "" : "not failed yet";
      },
      30s, "the reload of a broken web configuration to fail");
  EXPECT_EQ(curl(url, after).status, 200) << "the running web configuration is kept";
  daemon.stop();
  EXPECT_THAT(daemon.log(), HasSubstr("configuration reload failed"));
  EXPECT_THAT(daemon.log(), HasSubstr("missing.pem"));
}

TEST(Https, MinVersionTls13RefusesATls12OnlyClient) {
  DaemonProcess daemon(https_daemon(tls_config("  min_version: TLS13\n")));
  wait_https_ready(daemon);
  const auto tls12 = curl(https_url(daemon, "/metrics"), {"--tls-max", "1.2"});
  EXPECT_EQ(tls12.exit_code, 35) << "a handshake failure: " << tls12.error;
  EXPECT_EQ(curl(https_url(daemon, "/metrics"), {"--tlsv1.3"}).status, 200);
  daemon.stop();
}

TEST(Https, ConfigCheckNamesTheKeyOfEveryMistake) {
  const auto& certs = tls_certificates();
  const auto check = [](const std::string& web_yaml) {
    return run_daemon({"--config.check", "--web.config.file=" + write_temp_file("web.yml", web_yaml).string()});
  };
  const auto good = check(
      tls_config("  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: " + certs.ca.string() + "\n"));
  EXPECT_EQ(good.status.code, 0) << good.err;

  const std::pair<std::string, std::string> mistakes[] = {
      {"tls_server_config:\n  cert_file: /nonexistent/server.crt\n  key_file: " + certs.server.key.string() + "\n",
       "tls_server_config.cert_file: cannot read /nonexistent/server.crt"},
      {"tls_server_config:\n  cert_file: " + certs.server.cert.string() + "\n  key_file: " + certs.client.key.string() +
           "\n",
       "tls_server_config.key_file: the key in " + certs.client.key.string() + " does not match the certificate"},
      {tls_config("  cert_fiel: server.crt\n"), "tls_server_config.cert_fiel: unknown key"},
      {tls_config("  client_allowed_sans: [prometheus]\n"), "tls_server_config.client_allowed_sans: not supported"},
      {tls_config("  client_auth_type: RequireClientCertificate\n"),
       "tls_server_config.client_auth_type: \"RequireClientCertificate\" is not one of"},
      {tls_config("  client_auth_type: RequireAndVerifyClientCert\n"),
       "tls_server_config.client_auth_type: verifies client certificates and so needs client_ca_file"},
  };
  for (const auto& [web_yaml, message] : mistakes) {
    const auto refused = check(web_yaml);
    EXPECT_EQ(refused.status.code, 1) << message;
    EXPECT_THAT(refused.err, HasSubstr("web.yml:")) << message;
    EXPECT_THAT(refused.err, HasSubstr(message));
  }
}

}  // namespace
}  // namespace msgwatch::test
