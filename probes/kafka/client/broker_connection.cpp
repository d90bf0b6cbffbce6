#include "probes/kafka/client/broker_connection.hpp"

#include "exporter/async_event.hpp"
#include "probes/kafka/protocol/messages/sasl.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace msgwatch::kafka {
namespace asio = boost::asio;
using asio::ip::tcp;

struct BrokerConnection::Pending {
  explicit Pending(const asio::any_io_executor& executor) : done(executor) {}
  AsyncEvent done;
  std::vector<std::uint8_t> frame;  // response header + body, without the size prefix
  std::string error;
};

namespace {

std::uint32_t read_be32(const std::uint8_t* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
         std::uint32_t{bytes[3]};
}

}  // namespace

BrokerConnection::BrokerConnection(asio::any_io_executor executor, std::string host, std::uint16_t port,
                                   ConnectionOptions options)
    : executor_(std::move(executor)),
      host_(std::move(host)),
      port_(port),
      options_(std::move(options)),
      socket_(executor_) {}

BrokerConnection::~BrokerConnection() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

asio::awaitable<void> BrokerConnection::connect() {
  auto self = shared_from_this();
  auto resolver = std::make_shared<tcp::resolver>(executor_);
  asio::steady_timer watchdog(executor_);
  auto timed_out = std::make_shared<bool>(false);
  watchdog.expires_after(options_.connect_timeout);
  watchdog.async_wait([self, resolver, timed_out](boost::system::error_code ec) {
    if (ec) return;
    *timed_out = true;
    resolver->cancel();
    self->socket_.close(ec);
  });
  boost::system::error_code ec;
  const auto endpoints =
      co_await resolver->async_resolve(host_, std::to_string(port_), asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) co_await asio::async_connect(socket_, endpoints, asio::redirect_error(asio::use_awaitable, ec));
  watchdog.cancel();
  if (*timed_out) {
    throw KafkaError(address() + ": connect timed out after " + std::to_string(options_.connect_timeout.count()) +
                     "ms");
  }
  if (ec) {
    boost::system::error_code ignored;
    socket_.close(ignored);
    throw KafkaError(address() + ": connect: " + ec.message());
  }
  socket_.set_option(tcp::no_delay(true), ec);
  open_ = true;
  asio::co_spawn(executor_, read_loop(), asio::detached);
  co_await negotiate_versions();
  if (options_.sasl) co_await authenticate();
}

asio::awaitable<void> BrokerConnection::authenticate() {
  // Named, not a temporary: GCC 12 destroys temporaries of a co_await expression twice.
  const protocol::SaslHandshakeRequest plain{"PLAIN"};
  const auto handshake = co_await send<protocol::SaslHandshakeRequest, protocol::SaslHandshakeResponse>(plain);
  if (handshake.error_code != protocol::ErrorCode::none) {
    close();
    std::string offered;
    for (const auto& mechanism : handshake.mechanisms) offered += (offered.empty() ? "" : ", ") + mechanism;
    throw KafkaError(address() + ": SASL mechanism PLAIN refused (broker offers: " + offered + ")",
                     handshake.error_code);
  }
  // RFC 4616: authorization id (empty), NUL, user name, NUL, password.
  protocol::SaslAuthenticateRequest request;
  const auto& sasl = *options_.sasl;
  request.auth_bytes.push_back(0);
  request.auth_bytes.insert(request.auth_bytes.end(), sasl.username.begin(), sasl.username.end());
  request.auth_bytes.push_back(0);
  request.auth_bytes.insert(request.auth_bytes.end(), sasl.password.begin(), sasl.password.end());
  const auto result = co_await send<protocol::SaslAuthenticateRequest, protocol::SaslAuthenticateResponse>(request);
  if (result.error_code != protocol::ErrorCode::none) {
    close();
    throw KafkaError(address() + ": SASL/PLAIN authentication as " + sasl.username +
                         " failed: " + result.error_message.value_or(std::string(protocol::name(result.error_code))),
                     result.error_code);
  }
}

asio::awaitable<void> BrokerConnection::negotiate_versions() {
  protocol::ApiVersionsRequest request;
  request.client_software_name = "msgwatch";
  request.client_software_version = "1";
  for (const std::int16_t version : {std::int16_t{3}, std::int16_t{0}}) {
    const auto correlation_id = next_correlation_id_++;
    auto frame =
        co_await round_trip(protocol::encode_request_frame(request, version, correlation_id, options_.client_id),
                            correlation_id, protocol::ApiKey::api_versions);
    try {
      api_versions_ = protocol::decode_response<protocol::ApiVersionsResponse>(frame, version, correlation_id);
    } catch (const protocol::DecodeError& e) {
      close();
      throw KafkaError(address() + ": malformed ApiVersions response: " + e.what());
    }
    if (api_versions_.error_code == protocol::ErrorCode::none) co_return;
    if (api_versions_.error_code != protocol::ErrorCode::unsupported_version) break;
  }
  close();
  throw KafkaError(address() + ": ApiVersions failed: " + std::string(protocol::name(api_versions_.error_code)),
                   api_versions_.error_code);
}

asio::awaitable<std::vector<std::uint8_t>> BrokerConnection::round_trip(std::vector<std::uint8_t> frame,
                                                                        std::int32_t correlation_id,
                                                                        protocol::ApiKey api) {
  if (!open_) throw KafkaError(address() + ": not connected");
  auto self = shared_from_this();
  ++options_.stats->sent[api];
  auto pending = std::make_shared<Pending>(executor_);
  pending_[correlation_id] = pending;
  write_queue_.push_back(std::move(frame));
  if (!writing_) {
    writing_ = true;
    asio::co_spawn(executor_, write_loop(), asio::detached);
  }
  const bool answered = co_await pending->done.wait_until(std::chrono::steady_clock::now() + options_.request_timeout);
  if (!answered) {
    ++options_.stats->failed[api];
    close();
    throw KafkaError(address() + ": no " + protocol::to_string(api) + " response within " +
                         std::to_string(options_.request_timeout.count()) + "ms",
                     protocol::ErrorCode::request_timed_out);
  }
  if (!pending->error.empty()) {
    ++options_.stats->failed[api];
    throw KafkaError(address() + ": " + protocol::to_string(api) + ": " + pending->error);
  }
  co_return std::move(pending->frame);
}

asio::awaitable<void> BrokerConnection::write_loop() {
  auto self = shared_from_this();
  while (open_ && !write_queue_.empty()) {
    auto frame = std::move(write_queue_.front());
    write_queue_.pop_front();
    boost::system::error_code ec;
    co_await asio::async_write(socket_, asio::buffer(frame), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      fail_all("write: " + ec.message());
      break;
    }
  }
  writing_ = false;
}

asio::awaitable<void> BrokerConnection::read_loop() {
  auto self = shared_from_this();
  while (open_) {
    std::uint8_t size_bytes[4];
    boost::system::error_code ec;
    co_await asio::async_read(socket_, asio::buffer(size_bytes), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      fail_all(ec == asio::error::eof ? "connection closed by broker" : "read: " + ec.message());
      break;
    }
    const auto size = read_be32(size_bytes);
    if (size < 4 || size > options_.max_response_bytes) {
      fail_all("refusing a response frame of " + std::to_string(size) + " bytes");
      break;
    }
    std::vector<std::uint8_t> frame(size);
    co_await asio::async_read(socket_, asio::buffer(frame), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      fail_all("read: " + ec.message());
      break;
    }
    const auto correlation_id = static_cast<std::int32_t>(read_be32(frame.data()));
    const auto it = pending_.find(correlation_id);
    if (it == pending_.end()) {
      fail_all("response with unknown correlation id " + std::to_string(correlation_id));
      break;
    }
    it->second->frame = std::move(frame);
    it->second->done.set();
    pending_.erase(it);
  }
}

void BrokerConnection::fail_all(const std::string& reason) {
  if (open_) spdlog::debug("kafka connection {} closed: {}", address(), reason);
  open_ = false;
  boost::system::error_code ignored;
  socket_.close(ignored);
  auto pending = std::move(pending_);
  pending_.clear();
  write_queue_.clear();
  for (auto& [id, request] : pending) {
    request->error = reason;
    request->done.set();
  }
}

void BrokerConnection::close() { fail_all("closed"); }

}  // namespace msgwatch::kafka
