#pragma once
// An asynchronous Redis client on one TCP connection, for C++20 coroutines on Boost.Asio.
// hiredis serves only as the RESP codec (resp_codec.hpp); the socket is Asio's, so the same
// client can later run over a TLS stream, which hiredis 0.14 cannot.
//
// One command at a time: the caller awaits each reply before sending the next command.
// Not thread-safe: every call, close() included, runs on the executor's thread. close() may
// be called while a command is pending; the command then fails with RedisIoError.
// After an I/O or protocol error the connection closes itself; after an error reply it stays
// usable.

#include "exporter/sdk/host_port.hpp"
#include "probes/redis/redis_reply.hpp"
#include "probes/redis/resp_codec.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

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

  // Resolves the host and connects to the first address that accepts. Throws RedisIoError
  // ("connect: Connection refused").
  boost::asio::awaitable<void> connect(const HostPort& address);

  // AUTH with ACL user and password ("AUTH user pass"), or the password alone ("AUTH pass")
  // when username is empty. Throws RedisCommandError naming AUTH, never the credentials.
  boost::asio::awaitable<void> authenticate(const std::string& username, const std::string& password);

  // Sends one command and awaits its reply. An error reply throws RedisCommandError.
  boost::asio::awaitable<RedisReply> command(std::vector<std::string> args);

  void close() noexcept;
  [[nodiscard]] bool is_open() const { return socket_.is_open(); }

 private:
  boost::asio::awaitable<RedisReply> exchange(const std::string& name, const std::string& request);

  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  RespLimits limits_;
  std::unique_ptr<RespDecoder> decoder_;
  std::array<char, 16 * 1024> buffer_{};
};

}  // namespace msgwatch::redis
