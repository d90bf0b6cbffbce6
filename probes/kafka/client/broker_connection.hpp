#pragma once
// One TCP connection to one Kafka broker, plain or TLS (client/broker_stream.hpp), speaking the protocol codec of
// probes/kafka/protocol. Requests may be issued concurrently by several coroutines: they
// are pipelined and matched to responses by correlation id (Kafka answers in order).
// Versions are negotiated once with ApiVersions at connect (after the TLS handshake, which
// verifies the broker's certificate against the host dialled), followed by SASL authentication
// when configured: PLAIN (one SaslAuthenticate round) or SCRAM-SHA-256/512 (two rounds,
// client-first and client-final, with the broker's signature checked; client/scram.hpp).
//
// A connection is used once: connect(), requests, close(). close() is final and takes
// effect at any point, also while connect() is still resolving, connecting, in the TLS
// handshake, negotiating or authenticating: that connect() then throws at once and leaves no socket open.
//
// SASL sessions (KIP-368): a broker with connections.max.reauth.ms closes a connection that
// sends a request after its session lifetime ran out. Rather than re-authenticating in place,
// a connection stops being usable() shortly before that (85 % of the lifetime, and at least
// min(1 s, half the lifetime) early); its owner then opens a fresh connection, which reads
// the password again, and retire()s the old one, which closes as soon as the requests
// already sent on it are answered. Replacing keeps the request path free of the
// authentication state machine, and no request in flight is ever cut.
//
// Not thread-safe: use it from the io_context thread that owns its executor. A request
// that gets no answer within the request timeout closes the connection, which fails every
// pending request; the owner reconnects on next use.

#include "exporter/sdk/tls_client.hpp"
#include "probes/kafka/client/broker_stream.hpp"
#include "probes/kafka/client/kafka_error.hpp"
#include "probes/kafka/client/request_stats.hpp"
#include "probes/kafka/client/sasl_mechanism.hpp"
#include "probes/kafka/protocol/framing.hpp"
#include "probes/kafka/protocol/messages/api_versions.hpp"
#include "probes/kafka/protocol/messages/sasl.hpp"
#include "probes/kafka/protocol/version_negotiation.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace msgwatch::kafka {

struct SaslCredentials {
  std::string username;
  // Called at every authentication, i.e. for every new connection, so that a rotated secret
  // is picked up at the next reconnect. May throw; the connect then fails naming the broker.
  std::function<std::string()> password;
  SaslMechanism mechanism = SaslMechanism::plain;
};

struct ConnectionOptions {
  std::string client_id = "msgwatch";
  std::optional<SaslCredentials> sasl;
  std::optional<TlsClient> tls;  // none: plain TCP
  std::shared_ptr<RequestStats> stats = std::make_shared<RequestStats>();
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
  std::chrono::milliseconds request_timeout{std::chrono::seconds(10)};
  // Frames above this size are refused as garbage rather than allocated.
  std::size_t max_response_bytes = protocol::default_max_frame_size;
};

class BrokerConnection : public std::enable_shared_from_this<BrokerConnection> {
 public:
  // `broker_label` names the broker in the request duration histogram: its node id, or
  // "bootstrap" while the metadata has not named it.
  BrokerConnection(boost::asio::any_io_executor executor, std::string host, std::uint16_t port,
                   ConnectionOptions options, std::string broker_label = "bootstrap");
  ~BrokerConnection();

  using Clock = std::chrono::steady_clock;

  // Resolves, connects, negotiates versions and authenticates; throws KafkaError. Called
  // once per connection.
  boost::asio::awaitable<void> connect();
  [[nodiscard]] bool is_open() const { return open_; }
  // Open, not retired, and its SASL session (if it has a lifetime) not about to end: the
  // connection to hand out for new requests.
  [[nodiscard]] bool usable() const;
  // When the broker's SASL session ends, if it told one (SaslAuthenticate v1+).
  [[nodiscard]] std::optional<Clock::time_point> session_expiry() const { return session_expiry_; }
  [[nodiscard]] std::string address() const { return host_ + ":" + std::to_string(port_); }
  // Fails every pending request and stops a connect() in progress; safe to call at any time.
  void close();
  // No longer handed out: closes now if nothing is in flight, else once the last pending
  // request is answered (or times out). Requests may still be sent on it meanwhile.
  void retire();

  // The highest version both sides support, or nullopt.
  template <class Request>
  [[nodiscard]] std::optional<std::int16_t> version_of() const {
    return protocol::negotiate_version<Request>(api_versions_);
  }

  // Sends one request at the negotiated version and decodes the response.
  template <class Request, class Response>
  boost::asio::awaitable<Response> send(const Request& request) {
    const auto version = version_of<Request>();
    if (!version) {
      throw KafkaError(address() + ": broker supports no version of " + protocol::to_string(Request::api_key) +
                           " that msgwatch speaks",
                       protocol::ErrorCode::unsupported_version);
    }
    const auto correlation_id = next_correlation_id_++;
    auto body =
        co_await round_trip(protocol::encode_request_frame(request, *version, correlation_id, options_.client_id),
                            correlation_id, Request::api_key);
    try {
      co_return protocol::decode_response<Response>(body, *version, correlation_id);
    } catch (const protocol::DecodeError& e) {
      options_.stats->failed(Request::api_key);
      close();
      throw KafkaError(address() + ": malformed " + protocol::to_string(Request::api_key) + " response: " + e.what());
    }
  }

 private:
  struct Pending;
  struct Resolving;

  boost::asio::awaitable<std::vector<std::uint8_t>> round_trip(std::vector<std::uint8_t> frame,
                                                               std::int32_t correlation_id, protocol::ApiKey api);
  boost::asio::awaitable<void> negotiate_versions();
  boost::asio::awaitable<void> authenticate();
  // One SaslAuthenticate round; wipes the request's bytes, throws (and closes) when the
  // broker answers with an error.
  boost::asio::awaitable<protocol::SaslAuthenticateResponse> sasl_round(protocol::SaslAuthenticateRequest& request);
  // Closes the connection; the error names the mechanism and the user, never the secret.
  KafkaError sasl_failure(const std::string& why, protocol::ErrorCode code);
  boost::asio::awaitable<void> read_loop();
  // Reads a frame's `size` bytes after its size prefix; sets `ec` when the read fails.
  boost::asio::awaitable<std::vector<std::uint8_t>> read_frame_body(std::size_t size, boost::system::error_code& ec);
  boost::asio::awaitable<void> write_loop();
  void fail_all(std::string_view reason) noexcept;
  void throw_if_closed(const char* stage) const;

  boost::asio::any_io_executor executor_;
  std::string host_;
  std::uint16_t port_;
  std::string broker_label_;
  ConnectionOptions options_;
  BrokerStream stream_;
  bool open_ = false;
  bool closed_ = false;  // by close() or a failure: final
  bool connect_started_ = false;
  bool retired_ = false;
  bool writing_ = false;
  std::shared_ptr<Resolving> resolving_;  // while connect() resolves the host name
  std::optional<Clock::time_point> replace_at_;
  std::optional<Clock::time_point> session_expiry_;
  std::int32_t next_correlation_id_ = 1;
  protocol::ApiVersionsResponse api_versions_;
  std::deque<std::vector<std::uint8_t>> write_queue_;
  std::map<std::int32_t, std::shared_ptr<Pending>> pending_;
};

}  // namespace msgwatch::kafka
