#include "probes/redis/redis_connection.hpp"

#include "exporter/sdk/tls_client.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <cctype>

namespace msgwatch::redis {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

}  // namespace

std::string command_name(const std::vector<std::string>& args) {
  if (args.empty()) return "(empty command)";
  std::string name = upper(args[0]);
  static const std::array<std::string_view, 11> with_subcommand{
      "ACL", "CLIENT", "CLUSTER", "COMMAND", "CONFIG", "INFO", "LATENCY", "MEMORY", "OBJECT", "SLOWLOG", "XINFO"};
  if (args.size() > 1 && std::find(with_subcommand.begin(), with_subcommand.end(), name) != with_subcommand.end()) {
    name += " " + upper(args[1]);
  }
  return name;
}

RedisConnection::RedisConnection(asio::any_io_executor executor, RespLimits limits)
    : resolver_(executor), socket_(executor), limits_(limits) {}

RedisConnection::~RedisConnection() { close(); }

void RedisConnection::use_tls(const TlsClient& tls) { tls_settings_ = &tls; }

RedisIoError RedisConnection::io_error(const std::string& what, const boost::system::error_code& ec) {
  // A TLS peer that closes without close_notify is the same as a plain one closing.
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
    return RedisIoError(what + ": connection closed by the server");
  }
  return RedisIoError(what + ": " + describe_tls_error(ec, tls_ ? tls_->native_handle() : nullptr));
}

// Closing the socket also ends a TLS handshake or read in progress on it.
void RedisConnection::close() noexcept {
  resolver_.cancel();
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

asio::awaitable<void> RedisConnection::connect(const HostPort& address) {
  close();
  tls_.reset();
  boost::system::error_code ec;
  const auto endpoints = co_await resolver_.async_resolve(address.host, std::to_string(address.port),
                                                          asio::redirect_error(asio::use_awaitable, ec));
  if (ec) throw io_error("resolve " + address.host, ec);
  co_await asio::async_connect(socket_, endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    close();
    throw io_error("connect", ec);
  }
  socket_.set_option(tcp::no_delay(true), ec);
  if (tls_settings_ != nullptr) co_await handshake(address.host);
  decoder_ = std::make_unique<RespDecoder>(limits_);
}

asio::awaitable<void> RedisConnection::handshake(const std::string& host) {
  tls_.emplace(socket_, *tls_settings_->context);
  const std::string& name = tls_settings_->name_for(host);
  if (!expect_server_name(tls_->native_handle(), name, tls_settings_->files.verify)) {
    close();
    throw RedisIoError("tls: cannot ask for server name " + name);
  }
  boost::system::error_code ec;
  co_await tls_->async_handshake(asio::ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    auto error = io_error("tls handshake", ec);
    close();
    throw error;
  }
}

asio::awaitable<void> RedisConnection::authenticate(const std::string& username, const std::string& password) {
  std::vector<std::string> args{"AUTH"};
  if (!username.empty()) args.push_back(username);
  args.push_back(password);
  std::optional<RedisCommandError> failure;
  try {
    co_await command(std::move(args));
  } catch (const RedisCommandError& e) {
    // Redis never echoes AUTH's arguments, but a proxy in front of it might.
    std::string message = e.server_message();
    for (auto at = message.find(password); !password.empty() && at != std::string::npos; at = message.find(password)) {
      message.replace(at, password.size(), "<redacted>");
    }
    failure.emplace("AUTH", message);
  }
  if (failure) throw *failure;
}

asio::awaitable<RedisReply> RedisConnection::command(std::vector<std::string> args) {
  const std::string name = command_name(args);
  if (!socket_.is_open() || decoder_ == nullptr) throw RedisIoError(name + ": not connected");
  const std::string request = encode_command(args);
  RedisReply reply;
  try {
    reply = co_await exchange(name, request);
  } catch (...) {
    close();  // the stream is out of step with the commands sent: unusable
    throw;
  }
  if (reply.is_error()) throw RedisCommandError(name, reply.str);
  co_return reply;
}

asio::awaitable<RedisReply> RedisConnection::exchange(const std::string& name, const std::string& request) {
  boost::system::error_code ec;
  co_await on_stream([&](auto& stream) {
    return asio::async_write(stream, asio::buffer(request), asio::redirect_error(asio::use_awaitable, ec));
  });
  if (ec) throw io_error(name + ": write", ec);
  while (true) {
    try {
      if (auto reply = decoder_->next()) co_return std::move(*reply);
    } catch (const RespProtocolError& e) {
      throw RespProtocolError(name + ": " + e.what());
    }
    const std::size_t n = co_await on_stream([&](auto& stream) {
      return stream.async_read_some(asio::buffer(buffer_), asio::redirect_error(asio::use_awaitable, ec));
    });
    if (ec) throw io_error(name + ": read", ec);
    try {
      decoder_->feed(std::string_view(buffer_.data(), n));
    } catch (const RespProtocolError& e) {
      throw RespProtocolError(name + ": " + e.what());
    }
  }
}

}  // namespace msgwatch::redis
