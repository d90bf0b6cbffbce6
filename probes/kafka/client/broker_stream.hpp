#pragma once
// The byte stream of a BrokerConnection: a TCP socket, or TLS over it when the cluster has a
// TLS context. The connection's framing and requests are the same for both; only connect
// adds the handshake.

#include "exporter/sdk/tls_client.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <string>

namespace msgwatch::kafka {

class BrokerStream {
 public:
  // Plain TCP when `tls` is null.
  BrokerStream(const boost::asio::any_io_executor& executor, const TlsClient* tls);
  ~BrokerStream();
  BrokerStream(const BrokerStream&) = delete;
  BrokerStream& operator=(const BrokerStream&) = delete;

  // The TCP socket underneath: connected by the owner, and closed to end every operation.
  boost::asio::ip::tcp::socket::lowest_layer_type& socket();
  // The TLS handshake with the broker dialled as `host` (its certificate verified against
  // the configured server name, else `host`); nothing for plain TCP. Sets `ec`, and a
  // description of what failed in `why`.
  boost::asio::awaitable<void> handshake(const std::string& host, boost::system::error_code& ec, std::string& why);
  // Reads exactly the buffer's size, or writes all of it; set `ec` on failure.
  boost::asio::awaitable<void> read(boost::asio::mutable_buffer buffer, boost::system::error_code& ec);
  boost::asio::awaitable<void> write(boost::asio::const_buffer buffer, boost::system::error_code& ec);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace msgwatch::kafka
