#include "probes/kafka/client/broker_stream.hpp"

#include <openssl/err.h>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <variant>

namespace msgwatch::kafka {
namespace asio = boost::asio;
using asio::ip::tcp;

struct BrokerStream::Impl {
  std::variant<tcp::socket, asio::ssl::stream<tcp::socket>> stream;
  const TlsClient* tls;
};

BrokerStream::BrokerStream(const asio::any_io_executor& executor, const TlsClient* tls)
    : impl_(tls == nullptr ? new Impl{tcp::socket(executor), nullptr}
                           : new Impl{asio::ssl::stream<tcp::socket>(executor, *tls->context), tls}) {}

BrokerStream::~BrokerStream() = default;

tcp::socket::lowest_layer_type& BrokerStream::socket() {
  return std::visit([](auto& stream) -> tcp::socket::lowest_layer_type& { return stream.lowest_layer(); },
                    impl_->stream);
}

asio::awaitable<void> BrokerStream::handshake(const std::string& host, boost::system::error_code& ec,
                                              std::string& why) {
  auto* tls_stream = std::get_if<asio::ssl::stream<tcp::socket>>(&impl_->stream);
  if (tls_stream == nullptr) co_return;
  const auto& name = impl_->tls->name_for(host);
  SSL* ssl = tls_stream->native_handle();
  if (!expect_server_name(ssl, name, impl_->tls->files.verify)) {
    ERR_clear_error();
    ec = asio::error::invalid_argument;
    why = "cannot expect the name " + name + " in the broker's certificate";
    co_return;
  }
  co_await tls_stream->async_handshake(asio::ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) co_return;
  why = ec == asio::ssl::error::stream_truncated ? "connection closed by the broker" : describe_tls_error(ec, ssl);
  ERR_clear_error();
}

asio::awaitable<void> BrokerStream::read(asio::mutable_buffer buffer, boost::system::error_code& ec) {
  co_await std::visit(
      [&](auto& stream) { return asio::async_read(stream, buffer, asio::redirect_error(asio::use_awaitable, ec)); },
      impl_->stream);
}

asio::awaitable<void> BrokerStream::write(asio::const_buffer buffer, boost::system::error_code& ec) {
  co_await std::visit(
      [&](auto& stream) { return asio::async_write(stream, buffer, asio::redirect_error(asio::use_awaitable, ec)); },
      impl_->stream);
}

}  // namespace msgwatch::kafka
