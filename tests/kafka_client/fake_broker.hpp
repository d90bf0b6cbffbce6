#pragma once
// A scripted Kafka broker on a loopback port, served by coroutines on the test's own
// io_context: it speaks just enough of the protocol (ApiVersions, SaslHandshake,
// SaslAuthenticate with PLAIN or SCRAM-SHA-256/512, Metadata naming itself broker 1, and
// whatever request types a test scripts) to drive the client through its states, and it
// counts what a test wants to assert on (connections accepted, closed by the client,
// requests received, mechanisms asked for, PLAIN passwords offered).
//
// Not thread-safe: everything runs on the io_context's thread.

#include "probes/kafka/protocol/framing.hpp"
#include "probes/kafka/protocol/messages/api_versions.hpp"
#include "probes/kafka/protocol/messages/metadata.hpp"
#include "probes/kafka/protocol/messages/sasl.hpp"
#include "scram_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace msgwatch::kafka::test {

// A request type a test scripts: offered in ApiVersions at the codec's versions, each
// request (a frame without its size prefix) answered with the frame `answer` returns.
struct ScriptedApi {
  std::int16_t min_version = 0;
  std::int16_t max_version = 0;
  std::function<std::vector<std::uint8_t>(std::span<const std::uint8_t>)> answer;
};

// Answers every Request with what `respond` makes of it.
template <class Request, class Response>
std::pair<protocol::ApiKey, ScriptedApi> answering(std::function<Response(const Request&)> respond) {
  return {Request::api_key,
          {Request::min_version, Request::max_version, [respond](std::span<const std::uint8_t> frame) {
             const auto request = protocol::decode_request<Request>(frame);
             return protocol::encode_response_frame(respond(request.body), request.header.api_version,
                                                    request.header.correlation_id);
           }}};
}

struct FakeBrokerScript {
  bool answer_api_versions = true;
  // Answers ApiVersions with only this size prefix, announcing a frame of that many bytes.
  std::optional<std::uint32_t> announced_frame_size;
  std::string password = "monitor-pw";                                             // the one SaslAuthenticate accepts
  std::vector<std::string> mechanisms{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};  // SaslHandshake offers these
  // SCRAM: sent instead of the server-final message the exchange calls for, when not empty
  // (a forged signature, an e= error).
  std::string scram_server_final;
  std::int64_t session_lifetime_ms = 0;
  std::chrono::milliseconds metadata_delay{0};
  std::map<protocol::ApiKey, ScriptedApi> apis;  // request types beyond the built-in ones
};

// The default script with one change, e.g. scripted([](auto& s) { s.password = "x"; }).
template <class Edit>
FakeBrokerScript scripted(Edit edit) {
  FakeBrokerScript script;
  edit(script);
  return script;
}

class FakeBroker {
 public:
  FakeBroker(boost::asio::io_context& io, FakeBrokerScript script)
      : state_(std::make_shared<State>(io, std::move(script))) {
    boost::asio::co_spawn(io, accept_loop(state_), boost::asio::detached);
  }
  ~FakeBroker() { stop(); }
  FakeBroker(const FakeBroker&) = delete;
  FakeBroker& operator=(const FakeBroker&) = delete;

  [[nodiscard]] std::uint16_t port() const { return state_->acceptor.local_endpoint().port(); }
  [[nodiscard]] int accepted() const { return state_->accepted; }
  [[nodiscard]] int closed_by_client() const { return state_->closed_by_client; }
  [[nodiscard]] int requests() const { return state_->requests; }
  [[nodiscard]] const std::vector<std::string>& passwords() const { return state_->passwords; }
  [[nodiscard]] const std::vector<std::string>& mechanisms() const { return state_->mechanisms; }
  // SCRAM exchanges whose proof was right.
  [[nodiscard]] int scram_proofs_accepted() const { return state_->scram_proofs_accepted; }
  FakeBrokerScript& script() { return state_->script; }

  // Closes the listening socket and every connection.
  void stop() {
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    for (const auto& weak : state_->sockets) {
      if (auto socket = weak.lock()) socket->close(ignored);
    }
  }

 private:
  using tcp = boost::asio::ip::tcp;

  struct State {
    State(boost::asio::io_context& io, FakeBrokerScript s)
        : acceptor(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)), script(std::move(s)) {}
    tcp::acceptor acceptor;
    FakeBrokerScript script;
    int accepted = 0;
    int closed_by_client = 0;
    int requests = 0;
    std::vector<std::string> passwords;
    std::vector<std::string> mechanisms;
    int scram_proofs_accepted = 0;
    std::vector<std::weak_ptr<tcp::socket>> sockets;
  };

  // Detached coroutines: every error ends the loop quietly, nothing is thrown.
  static boost::asio::awaitable<void> accept_loop(std::shared_ptr<State> state) {
    try {
      for (;;) {
        boost::system::error_code error;
        auto socket = std::make_shared<tcp::socket>(
            co_await state->acceptor.async_accept(boost::asio::redirect_error(boost::asio::use_awaitable, error)));
        if (error) co_return;
        ++state->accepted;
        state->sockets.push_back(socket);
        boost::asio::co_spawn(state->acceptor.get_executor(), serve(state, socket), boost::asio::detached);
      }
    } catch (...) {
      // Out of memory: the broker stops accepting, and the test's wait for it fails.
    }
  }

  static boost::asio::awaitable<void> serve(std::shared_ptr<State> state, std::shared_ptr<tcp::socket> socket) {
    namespace asio = boost::asio;
    namespace proto = protocol;
    std::string mechanism;                      // this connection's, from its SaslHandshake
    std::unique_ptr<ScramServer> scram_server;  // after its client-first message
    try {
      for (;;) {
        std::uint8_t prefix[4];
        boost::system::error_code error;
        co_await asio::async_read(*socket, asio::buffer(prefix), asio::redirect_error(asio::use_awaitable, error));
        if (error) {
          if (error == asio::error::eof || error == asio::error::connection_reset) ++state->closed_by_client;
          co_return;
        }
        std::vector<std::uint8_t> frame(proto::decode_frame_size(std::span<const std::uint8_t, 4>(prefix)));
        co_await asio::async_read(*socket, asio::buffer(frame), asio::redirect_error(asio::use_awaitable, error));
        if (error) co_return;
        ++state->requests;
        const auto header = proto::peek_request_header(frame);
        std::vector<std::uint8_t> answer;
        switch (header.api_key) {
          case proto::ApiKey::api_versions: {
            if (!state->script.answer_api_versions) continue;
            if (const auto size = state->script.announced_frame_size) {
              answer = {static_cast<std::uint8_t>(*size >> 24), static_cast<std::uint8_t>(*size >> 16),
                        static_cast<std::uint8_t>(*size >> 8), static_cast<std::uint8_t>(*size)};
              break;
            }
            proto::ApiVersionsResponse response;
            response.api_keys = {{proto::ApiKey::metadata, 0, 12},
                                 {proto::ApiKey::sasl_handshake, 0, 1},
                                 {proto::ApiKey::api_versions, 0, 3},
                                 {proto::ApiKey::sasl_authenticate, 0, 2}};
            for (const auto& [key, api] : state->script.apis) {
              response.api_keys.push_back({key, api.min_version, api.max_version});
            }
            answer = proto::encode_response_frame(response, header.api_version, header.correlation_id);
            break;
          }
          case proto::ApiKey::sasl_handshake: {
            mechanism = proto::decode_request<proto::SaslHandshakeRequest>(frame).body.mechanism;
            state->mechanisms.push_back(mechanism);
            const auto& offered = state->script.mechanisms;
            const bool known = std::find(offered.begin(), offered.end(), mechanism) != offered.end();
            const proto::SaslHandshakeResponse response{
                known ? proto::ErrorCode::none : proto::ErrorCode::unsupported_sasl_mechanism, offered};
            answer = proto::encode_response_frame(response, header.api_version, header.correlation_id);
            break;
          }
          case proto::ApiKey::sasl_authenticate: {
            const auto request = proto::decode_request<proto::SaslAuthenticateRequest>(frame).body;
            const std::string bytes(request.auth_bytes.begin(), request.auth_bytes.end());
            proto::SaslAuthenticateResponse response;
            const auto refuse = [&response] {
              response.error_code = proto::ErrorCode::sasl_authentication_failed;
              response.error_message = "Authentication failed: Invalid username or password";
            };
            if (mechanism == "PLAIN") {
              // authzid NUL user NUL password
              const auto password = bytes.substr(bytes.find('\0', 1) + 1);
              state->passwords.push_back(password);
              if (password == state->script.password) {
                response.session_lifetime_ms = state->script.session_lifetime_ms;
              } else {
                refuse();
              }
            } else if (!scram_server) {
              const auto hash = mechanism == "SCRAM-SHA-256" ? scram::Hash::sha256 : scram::Hash::sha512;
              scram_server = std::make_unique<ScramServer>(
                  hash, state->script.password, std::vector<std::uint8_t>{'f', 'a', 'k', 'e'}, 4096, "fake-srv");
              const auto server_first = scram_server->server_first(bytes);
              response.auth_bytes.assign(server_first.begin(), server_first.end());
            } else if (const auto server_final = scram_server->server_final(bytes)) {
              ++state->scram_proofs_accepted;
              const auto& sent =
                  state->script.scram_server_final.empty() ? *server_final : state->script.scram_server_final;
              response.auth_bytes.assign(sent.begin(), sent.end());
              response.session_lifetime_ms = state->script.session_lifetime_ms;
            } else {
              refuse();
            }
            answer = proto::encode_response_frame(response, header.api_version, header.correlation_id);
            break;
          }
          case proto::ApiKey::metadata: {
            if (state->script.metadata_delay.count() > 0) {
              asio::steady_timer delay(socket->get_executor(), state->script.metadata_delay);
              co_await delay.async_wait(asio::redirect_error(asio::use_awaitable, error));
            }
            proto::MetadataResponse response;
            response.brokers = {{1, "127.0.0.1", state->acceptor.local_endpoint().port(), std::nullopt}};
            response.cluster_id = "fake";
            response.controller_id = 1;
            answer = proto::encode_response_frame(response, header.api_version, header.correlation_id);
            break;
          }
          default: {
            const auto api = state->script.apis.find(header.api_key);
            if (api == state->script.apis.end()) co_return;  // not scripted: hang up
            answer = api->second.answer(frame);
            break;
          }
        }
        co_await asio::async_write(*socket, asio::buffer(answer), asio::redirect_error(asio::use_awaitable, error));
        if (error) co_return;
      }
    } catch (...) {
      // A malformed request ends this connection; the test sees the client's error.
    }
  }

  std::shared_ptr<State> state_;
};

}  // namespace msgwatch::kafka::test
