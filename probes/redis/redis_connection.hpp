#pragma once
// An asynchronous Redis client on one TCP connection, plain or TLS, for C++20 coroutines on
// Boost.Asio. hiredis serves only as the RESP codec (resp_codec.hpp); the socket and the TLS
// stream are Asio's (hiredis 0.14 has no TLS).
//
// One command at a time: the caller awaits each reply before sending the next command.
// Not thread-safe: every call, close() included, runs on the executor's thread. close() may
// be called while a command is pending; the command then fails with RedisIoError.
// After an I/O or protocol error the connection closes itself; after an error reply it stays
// usable.

#include "exporter/sdk/host_port.hpp"
#include "exporter/sdk/tls_client.hpp"
#include "probes/redis/redis_reply.hpp"
#include "probes/redis/resp_codec.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace msgwatch::redis {

// How a command is named in errors: its name, plus the subcommand for container commands
// ("CONFIG GET", "INFO ALL"); never other arguments, which may be keys or credentials.
std::string command_name(const std::vector<std::string>& args);

class RedisConnection {
 public:
  explicit RedisConnection(boost::asio::any_io_executor executor, RespLimits limits = {});
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Speak TLS from the next connect() on, as `tls` (which outlives the connection) says: the
  // server verified (or not) against its server_name, or the host connected to when empty.
  void use_tls(const TlsClient& tls);

  // Resolves the host, connects to the first address that accepts and, with TLS, does the
  // handshake. Throws RedisIoError ("connect: Connection refused", "tls handshake:
  // certificate verify failed (unable to get local issuer certificate)").
  boost::asio::awaitable<void> connect(const HostPort& address);

  // AUTH with ACL user and password ("AUTH user pass"), or the password alone ("AUTH pass")
  // when username is empty. Throws RedisCommandError naming AUTH, never the credentials.
  boost::asio::awaitable<void> authenticate(const std::string& username, const std::string& password);

  // Sends one command and awaits its reply. An error reply throws RedisCommandError.
  boost::asio::awaitable<RedisReply> command(std::vector<std::string> args);

  void close() noexcept;
  [[nodiscard]] bool is_open() const { return socket_.is_open(); }

 private:
  boost::asio::awaitable<void> handshake(const std::string& host);
  boost::asio::awaitable<RedisReply> exchange(const std::string& name, const std::string& request);
  [[nodiscard]] RedisIoError io_error(const std::string& what, const boost::system::error_code& ec);

  // The same operation on the TLS stream when there is one, on the socket otherwise.
  template <typename Operation>
  auto on_stream(Operation operation) {
    return tls_ ? operation(*tls_) : operation(socket_);
  }

  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  const TlsClient* tls_settings_ = nullptr;
  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;  // over socket_
  RespLimits limits_;
  std::unique_ptr<RespDecoder> decoder_;
  std::array<char, 16 * 1024> buffer_{};
};

}  // namespace msgwatch::redis
