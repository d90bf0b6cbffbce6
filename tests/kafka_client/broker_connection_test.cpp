// BrokerConnection against a scripted broker on loopback: close() at every stage of
// connect(), also in the TLS handshake, which the connect timeout bounds too; oversized,
// announced-but-unsent and many-chunk frames, the SASL password provider and session
// lifetimes.

#include "probes/kafka/client/broker_connection.hpp"
#include "probes/kafka/client/scram.hpp"

#include "fake_broker.hpp"
#include "probes/kafka/protocol/messages/list_groups.hpp"
#include "probes/kafka/protocol/messages/metadata.hpp"
#include "run_until.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace msgwatch::kafka::test {
namespace {

namespace asio = boost::asio;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

// Long enough that a connect() which ignores close() is still waiting when the test's
// bound (20 s) gives up on it.
ConnectionOptions patient_options() {
  ConnectionOptions options;
  options.connect_timeout = 60s;
  options.request_timeout = 60s;
  return options;
}

std::shared_ptr<BrokerConnection> connection_to(asio::io_context& io, const std::string& host, std::uint16_t port,
                                                ConnectionOptions options = patient_options()) {
  return std::make_shared<BrokerConnection>(io.get_executor(), host, port, std::move(options));
}

asio::awaitable<void> connect(std::shared_ptr<BrokerConnection> connection) { co_await connection->connect(); }

asio::awaitable<void> ask_metadata(std::shared_ptr<BrokerConnection> connection, std::size_t* brokers) {
  const protocol::MetadataRequest every_topic;
  const auto response = co_await connection->send<protocol::MetadataRequest, protocol::MetadataResponse>(every_topic);
  *brokers = response.brokers.size();
}

TEST(BrokerConnectionTest, CloseWhileWaitingForApiVersionsFailsConnectAndClosesTheSocket) {
  asio::io_context io;
  FakeBroker broker(io, scripted([](FakeBrokerScript& s) { s.answer_api_versions = false; }));
  const auto connection = connection_to(io, "127.0.0.1", broker.port());
  const auto outcome = start(io, connect(connection));
  ASSERT_TRUE(run_until(io, [&] { return broker.requests() == 1; })) << "ApiVersions never reached the broker";

  connection->close();
  ASSERT_TRUE(run_until(io, [&] { return outcome->done; })) << "connect() did not end after close()";
  EXPECT_THAT(error_message(outcome->error),
              HasSubstr("127.0.0.1:" + std::to_string(broker.port()) + ": ApiVersions: closed"));
  EXPECT_FALSE(connection->is_open());
  EXPECT_TRUE(run_until(io, [&] { return broker.closed_by_client() == 1; })) << "the broker never saw the close";
}

// close() after connect() ran 0, 1, 2, ... handlers: whichever stage it lands in (the
// name being resolved, with the resolver's answer still to come; the TCP connect; the
// ApiVersions exchange), connect() must throw at once and no connection may stay open.
TEST(BrokerConnectionTest, CloseAtAnyStageOfConnectFailsItAndLeavesNoSocketOpen) {
  std::vector<std::string> errors;
  bool waiting_for_the_broker = false;  // every stage before it was tried
  for (int steps = 0; !waiting_for_the_broker && steps < 100; ++steps) {
    SCOPED_TRACE("close() after " + std::to_string(steps) + " handlers");
    asio::io_context io;
    FakeBroker broker(io, scripted([](FakeBrokerScript& s) { s.answer_api_versions = false; }));
    const auto connection = connection_to(io, "localhost", broker.port());
    const auto outcome = start(io, connect(connection));
    for (int i = 0; i < steps && !waiting_for_the_broker; ++i) waiting_for_the_broker = io.run_one_for(1s) == 0;

    connection->close();
    ASSERT_TRUE(run_until(io, [&] { return outcome->done; })) << "connect() went on after close()";
    errors.push_back(error_message(outcome->error));
    EXPECT_THAT(errors.back(), HasSubstr("localhost:" + std::to_string(broker.port())));
    EXPECT_FALSE(connection->is_open());
    // Give a connection the client might wrongly have made the time to show up.
    run_until(
        io, [] { return false; }, 200ms);
    EXPECT_EQ(broker.closed_by_client(), broker.accepted()) << "a connection was left open";
  }
  EXPECT_TRUE(waiting_for_the_broker);
  EXPECT_THAT(errors, Contains(HasSubstr("connection closed while resolving")));
  EXPECT_THAT(errors, Contains(HasSubstr("ApiVersions: closed")));
}

TEST(BrokerConnectionTest, CloseBeforeConnectMakesItFail) {
  asio::io_context io;
  FakeBroker broker(io, {});
  const auto connection = connection_to(io, "127.0.0.1", broker.port());
  connection->close();
  const auto outcome = start(io, connect(connection));
  ASSERT_TRUE(run_until(io, [&] { return outcome->done; }));
  EXPECT_NE(outcome->error, nullptr);
  EXPECT_FALSE(connection->is_open());
  run_until(
      io, [] { return false; }, 200ms);
  EXPECT_EQ(broker.accepted(), 0);
}

// A peer that accepts one connection and says nothing (a TLS handshake with it waits for the
// server's hello), or hangs up at once.
struct SilentPeer {
  SilentPeer(asio::io_context& io, bool hang_up)
      : acceptor(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    acceptor.async_accept([this, hang_up](boost::system::error_code error, asio::ip::tcp::socket socket) {
      if (error) return;
      accepted = true;
      if (!hang_up) held.emplace(std::move(socket));
    });
  }
  [[nodiscard]] std::uint16_t port() const { return acceptor.local_endpoint().port(); }

  asio::ip::tcp::acceptor acceptor;
  bool accepted = false;
  std::optional<asio::ip::tcp::socket> held;
};

ConnectionOptions tls_options(std::chrono::milliseconds connect_timeout) {
  auto options = patient_options();
  options.connect_timeout = connect_timeout;
  options.tls = TlsClient{{}, "", make_tls_client_context({})};
  return options;
}

TEST(BrokerConnectionTest, CloseDuringTheTlsHandshakeFailsConnectAtOnce) {
  asio::io_context io;
  SilentPeer peer(io, false);
  const auto connection = connection_to(io, "127.0.0.1", peer.port(), tls_options(60s));
  const auto outcome = start(io, connect(connection));
  ASSERT_TRUE(run_until(io, [&] { return peer.accepted; })) << "the client never connected";
  // The client hello is on its way, the server's never comes.
  run_until(
      io, [] { return false; }, 200ms);

  connection->close();
  ASSERT_TRUE(run_until(
      io, [&] { return outcome->done; }, 5s))
      << "connect() went on after close()";
  EXPECT_THAT(error_message(outcome->error),
              HasSubstr("127.0.0.1:" + std::to_string(peer.port()) + ": connection closed while in the TLS handshake"));
  EXPECT_FALSE(connection->is_open());
}

TEST(BrokerConnectionTest, TheConnectTimeoutBoundsTheTlsHandshake) {
  asio::io_context io;
  SilentPeer peer(io, false);
  const auto connection = connection_to(io, "127.0.0.1", peer.port(), tls_options(300ms));
  const auto outcome = start(io, connect(connection));
  ASSERT_TRUE(run_until(
      io, [&] { return outcome->done; }, 5s))
      << "the handshake outlived the connect timeout";
  EXPECT_TRUE(peer.accepted);
  EXPECT_THAT(error_message(outcome->error), HasSubstr("connect timed out after 300ms"));
}

TEST(BrokerConnectionTest, APeerThatHangsUpInTheHandshakeFailsItNamingTheBroker) {
  asio::io_context io;
  SilentPeer peer(io, true);
  const auto connection = connection_to(io, "127.0.0.1", peer.port(), tls_options(60s));
  const auto outcome = start(io, connect(connection));
  ASSERT_TRUE(run_until(
      io, [&] { return outcome->done; }, 5s));
  // Closed, or reset when the hello arrived before the close: either way the handshake's.
  EXPECT_THAT(error_message(outcome->error), HasSubstr("tls handshake with 127.0.0.1:" + std::to_string(peer.port())));
}

TEST(BrokerConnectionTest, AResponseFrameAboveTheLimitIsRefusedAndClosesTheConnection) {
  asio::io_context io;
  FakeBroker broker(io, scripted([](FakeBrokerScript& s) { s.announced_frame_size = (1U << 20) + 1; }));
  auto options = patient_options();
  options.max_response_bytes = 1U << 20;
  const auto connection = connection_to(io, "127.0.0.1", broker.port(), options);
  const auto outcome = start(io, connect(connection));
  ASSERT_TRUE(run_until(io, [&] { return outcome->done; }));
  EXPECT_THAT(
      error_message(outcome->error),
      HasSubstr("refusing a response frame: kafka protocol: frame size 1048577 exceeds the limit of 1048576 bytes"));
  EXPECT_FALSE(connection->is_open());
  EXPECT_TRUE(run_until(io, [&] { return broker.closed_by_client() == 1; })) << "the broker never saw the close";
}

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0;
  std::size_t resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

// A peer announcing a frame under the limit and sending nothing more must cost what it sent,
// not what it announced (allocating the claim drove a daemon facing random bytes to 120 MB).
TEST(BrokerConnectionTest, AnAnnouncedFrameCostsOnlyTheBytesThatArrive) {
  asio::io_context io;
  FakeBroker broker(io, scripted([](FakeBrokerScript& s) { s.announced_frame_size = 90U << 20; }));
  const auto before = resident_bytes();
  const auto connection = connection_to(io, "127.0.0.1", broker.port());
  const auto outcome = start(io, connect(connection));
  ASSERT_TRUE(run_until(io, [&] { return broker.requests() == 1; })) << "ApiVersions never reached the broker";
  run_until(
      io, [] { return false; }, 300ms);  // the prefix arrives and the client waits for the rest
  const auto grown = resident_bytes() - std::min(before, resident_bytes());
  EXPECT_LT(grown, 8U << 20) << "resident memory grew by " << grown << " bytes for a 4-byte claim";
  EXPECT_FALSE(outcome->done) << "the frame's bytes are still to come";
  connection->close();
  ASSERT_TRUE(run_until(io, [&] { return outcome->done; }));
}

// A response many times the first read chunk arrives whole, byte for byte.
TEST(BrokerConnectionTest, AFrameOfManyChunksArrivesWhole) {
  asio::io_context io;
  constexpr std::size_t groups = 40000;  // about a megabyte
  FakeBrokerScript script;
  script.apis.insert(answering<protocol::ListGroupsRequest, protocol::ListGroupsResponse>([](const auto&) {
    protocol::ListGroupsResponse response;
    for (std::size_t i = 0; i < groups; ++i)
      response.groups.push_back({"group-" + std::to_string(i), "consumer", "Stable", "classic"});
    return response;
  }));
  FakeBroker broker(io, script);
  const auto connection = connection_to(io, "127.0.0.1", broker.port());
  std::optional<protocol::ListGroupsResponse> listed;
  const auto outcome = start(io, [](auto connection, auto* listed) -> asio::awaitable<void> {
    co_await connection->connect();
    *listed = co_await connection->template send<protocol::ListGroupsRequest, protocol::ListGroupsResponse>({});
  }(connection, &listed));
  ASSERT_TRUE(run_until(io, [&] { return outcome->done; }));
  ASSERT_EQ(outcome->error, nullptr) << error_message(outcome->error);
  ASSERT_EQ(listed->groups.size(), groups);
  EXPECT_EQ(listed->groups.front().group_id, "group-0");
  EXPECT_EQ(listed->groups.back().group_id, "group-" + std::to_string(groups - 1));
}

TEST(BrokerConnectionTest, ThePasswordIsReadAgainForEveryConnection) {
  asio::io_context io;
  FakeBroker broker(io, scripted([](FakeBrokerScript& s) { s.password = "new-pw"; }));
  std::string current = "old-pw";
  int reads = 0;
  auto options = patient_options();
  options.sasl = SaslCredentials{"monitor", [&] {
                                   ++reads;
                                   return current;
                                 }};

  const auto first = connection_to(io, "127.0.0.1", broker.port(), options);
  const auto refused = start(io, connect(first));
  ASSERT_TRUE(run_until(io, [&] { return refused->done; }));
  EXPECT_THAT(error_message(refused->error), HasSubstr("SASL/PLAIN authentication as monitor failed"));
  EXPECT_THAT(error_message(refused->error), Not(HasSubstr("old-pw")));
  EXPECT_FALSE(first->is_open());

  current = "new-pw";  // the secret was rotated
  const auto second = connection_to(io, "127.0.0.1", broker.port(), options);
  run_task(io, connect(second));
  EXPECT_TRUE(second->usable());
  EXPECT_EQ(reads, 2);
  EXPECT_EQ(broker.passwords(), (std::vector<std::string>{"old-pw", "new-pw"}));
  EXPECT_FALSE(second->session_expiry().has_value()) << "the broker told no session lifetime";
}

TEST(BrokerConnectionTest, APasswordThatCannotBeReadFailsTheConnectNamingTheBroker) {
  asio::io_context io;
  FakeBroker broker(io, {});
  auto options = patient_options();
  options.sasl = SaslCredentials{
      "monitor", []() -> std::string { throw std::runtime_error("cannot read secret file /run/secrets/kafka"); }};
  const auto connection = connection_to(io, "127.0.0.1", broker.port(), options);
  const auto outcome = start(io, connect(connection));
  ASSERT_TRUE(run_until(io, [&] { return outcome->done; }));
  EXPECT_THAT(error_message(outcome->error), HasSubstr("127.0.0.1:" + std::to_string(broker.port())));
  EXPECT_THAT(error_message(outcome->error), HasSubstr("cannot read secret file /run/secrets/kafka"));
  EXPECT_FALSE(connection->is_open());
  EXPECT_TRUE(broker.passwords().empty());
  EXPECT_TRUE(run_until(io, [&] { return broker.closed_by_client() == 1; })) << "the broker never saw the close";
}

TEST(BrokerConnectionTest, ASessionLifetimeMakesTheConnectionUnusableBeforeTheSessionEnds) {
  asio::io_context io;
  FakeBroker broker(io, scripted([](FakeBrokerScript& s) { s.session_lifetime_ms = 3000; }));
  auto options = patient_options();
  options.sasl = SaslCredentials{"monitor", [] { return std::string("monitor-pw"); }};
  const auto connection = connection_to(io, "127.0.0.1", broker.port(), options);
  run_task(io, connect(connection));
  ASSERT_TRUE(connection->session_expiry().has_value());
  EXPECT_TRUE(connection->usable());

  ASSERT_TRUE(run_until(io, [&] { return !connection->usable(); })) << "the connection stayed usable";
  EXPECT_TRUE(connection->is_open()) << "not usable any more, but open until retired";
  connection->retire();
  EXPECT_FALSE(connection->is_open()) << "an idle retired connection closes at once";
  EXPECT_TRUE(run_until(io, [&] { return broker.closed_by_client() == 1; })) << "the broker never saw the close";
}

TEST(BrokerConnectionTest, ARetiredConnectionClosesOnlyOnceItsRequestsAreAnswered) {
  asio::io_context io;
  FakeBroker broker(io, scripted([](FakeBrokerScript& s) { s.metadata_delay = 300ms; }));
  const auto connection = connection_to(io, "127.0.0.1", broker.port());
  run_task(io, connect(connection));

  std::size_t brokers = 0;
  const auto request = start(io, ask_metadata(connection, &brokers));
  ASSERT_TRUE(run_until(io, [&] { return broker.requests() == 2; })) << "Metadata never reached the broker";
  connection->retire();
  EXPECT_TRUE(connection->is_open()) << "a request is in flight";
  EXPECT_FALSE(connection->usable());

  ASSERT_TRUE(run_until(io, [&] { return request->done; }));
  EXPECT_EQ(error_message(request->error), "(no error)");
  EXPECT_EQ(brokers, 1U);
  EXPECT_FALSE(connection->is_open());
  EXPECT_TRUE(run_until(io, [&] { return broker.closed_by_client() == 1; })) << "the broker never saw the close";
}

// What a SCRAM connect against the fake broker ended with.
struct ScramOutcome {
  std::string error;
  bool open = false;
  std::optional<BrokerConnection::Clock::time_point> session_expiry;
};

ScramOutcome connect_with_scram(FakeBrokerScript script, SaslMechanism mechanism, const std::string& password) {
  asio::io_context io;
  FakeBroker broker(io, std::move(script));
  auto options = patient_options();
  options.sasl = SaslCredentials{"monitor", [password] { return password; }, mechanism};
  const auto connection = connection_to(io, "127.0.0.1", broker.port(), options);
  const auto outcome = start(io, connect(connection));
  EXPECT_TRUE(run_until(io, [&] { return outcome->done; }));
  EXPECT_EQ(broker.mechanisms(), std::vector<std::string>{std::string(to_string(mechanism))});
  ScramOutcome result{outcome->error ? error_message(outcome->error) : "", connection->is_open(),
                      connection->session_expiry()};
  if (!result.open) {
    EXPECT_TRUE(run_until(io, [&] { return broker.closed_by_client() == 1; })) << "the broker never saw the close";
  }
  return result;
}

TEST(BrokerConnectionTest, ScramSha256And512AuthenticateAndHonourTheSessionLifetime) {
  for (const auto mechanism : {SaslMechanism::scram_sha_256, SaslMechanism::scram_sha_512}) {
    SCOPED_TRACE(std::string(to_string(mechanism)));
    const auto outcome = connect_with_scram(scripted([](FakeBrokerScript& s) { s.session_lifetime_ms = 60'000; }),
                                            mechanism, "monitor-pw");
    EXPECT_EQ(outcome.error, "");
    EXPECT_TRUE(outcome.open);
    EXPECT_TRUE(outcome.session_expiry.has_value()) << "the lifetime comes with the last SaslAuthenticate answer";
  }
}

TEST(BrokerConnectionTest, AWrongScramPasswordFailsTheConnectWithoutNamingIt) {
  const auto outcome = connect_with_scram({}, SaslMechanism::scram_sha_512, "wrong-pw-123");
  EXPECT_THAT(outcome.error, HasSubstr("SASL/SCRAM-SHA-512 authentication as monitor failed: Authentication failed"));
  EXPECT_THAT(outcome.error, Not(HasSubstr("wrong-pw-123")));
  EXPECT_FALSE(outcome.open);
}

TEST(BrokerConnectionTest, ABrokerWhoseSignatureDoesNotMatchIsNotTrusted) {
  const auto forged = scripted([](FakeBrokerScript& s) {
    s.scram_server_final = "v=" + scram::base64_encode(std::vector<std::uint8_t>(32, 0));
  });
  const auto outcome = connect_with_scram(forged, SaslMechanism::scram_sha_256, "monitor-pw");
  EXPECT_THAT(outcome.error,
              HasSubstr("SASL/SCRAM-SHA-256 authentication as monitor failed: the server signature does not match"));
  EXPECT_FALSE(outcome.open);

  const auto refused = connect_with_scram(scripted([](FakeBrokerScript& s) { s.scram_server_final = "e=other-error"; }),
                                          SaslMechanism::scram_sha_256, "monitor-pw");
  EXPECT_THAT(refused.error, HasSubstr("failed: the broker refused the proof: other-error"));
  EXPECT_FALSE(refused.open);
}

TEST(BrokerConnectionTest, AMechanismTheBrokerDoesNotOfferIsRefusedNamingWhatItOffers) {
  const auto outcome = connect_with_scram(scripted([](FakeBrokerScript& s) { s.mechanisms = {"PLAIN"}; }),
                                          SaslMechanism::scram_sha_512, "monitor-pw");
  EXPECT_THAT(outcome.error, HasSubstr("SASL mechanism SCRAM-SHA-512 refused (broker offers: PLAIN)"));
  EXPECT_FALSE(outcome.open);
}

}  // namespace
}  // namespace msgwatch::kafka::test
