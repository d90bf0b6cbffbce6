#pragma once
// The connections of one Kafka cluster: bootstrap, the broker address book learnt from
// Metadata, and one lazily (re)connected BrokerConnection per broker, kept across cycles.
//
// SASL session lifetimes (KIP-368, connections.max.reauth.ms) are handled by reconnecting
// before expiry rather than by re-authenticating in place: a connection whose session is
// about to end is no longer usable(), so broker() and any_broker() open a fresh one (which
// reads the password again and authenticates) and retire the old one, which closes once the
// requests already sent on it are answered. In-place re-authentication would have to hold
// back new requests while SaslHandshake and SaslAuthenticate run on a busy connection; a
// new connection costs one ApiVersions round trip more and never blocks a request.
//
// Not thread-safe; use from the io_context thread. Concurrent broker(id) calls for one
// broker share one connection attempt, so a burst of requests opens one connection.

#include "probes/kafka/client/broker_connection.hpp"
#include "probes/kafka/protocol/messages/metadata.hpp"

#include <boost/asio/awaitable.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace msgwatch::kafka {

class ClusterClient {
 public:
  ClusterClient(boost::asio::any_io_executor executor, std::vector<std::string> bootstrap_servers,
                ConnectionOptions options);
  ~ClusterClient();

  // Metadata from any reachable broker; updates the address book.
  boost::asio::awaitable<protocol::MetadataResponse> metadata(const protocol::MetadataRequest& request);
  // A usable connection to the broker with this node id (address from the last Metadata).
  boost::asio::awaitable<std::shared_ptr<BrokerConnection>> broker(std::int32_t node_id);
  // Closes every connection: pending requests fail at once, connects in progress too.
  void close_all();

 private:
  struct Attempt;
  // The key of the attempt to reach any broker; node ids are never negative.
  static constexpr std::int32_t any_broker_key = -1;

  boost::asio::awaitable<std::shared_ptr<BrokerConnection>> connect(const std::string& host, std::uint16_t port,
                                                                    std::string broker_label);
  boost::asio::awaitable<std::shared_ptr<BrokerConnection>> any_broker();
  // Runs connect_node(key) or connect_any(), or joins the one already running for that key.
  boost::asio::awaitable<std::shared_ptr<BrokerConnection>> connect_once(std::int32_t key);
  boost::asio::awaitable<std::shared_ptr<BrokerConnection>> connect_node(std::int32_t node_id);
  boost::asio::awaitable<std::shared_ptr<BrokerConnection>> connect_any();

  boost::asio::any_io_executor executor_;
  std::vector<std::pair<std::string, std::uint16_t>> bootstrap_;
  ConnectionOptions options_;
  std::map<std::int32_t, std::pair<std::string, std::uint16_t>> addresses_;
  std::map<std::int32_t, std::shared_ptr<BrokerConnection>> brokers_;
  std::shared_ptr<BrokerConnection> bootstrap_connection_;
  std::map<std::int32_t, std::shared_ptr<Attempt>> attempts_;
  // Every connection made, including those still connecting or retired, so close_all()
  // reaches all.
  std::vector<std::weak_ptr<BrokerConnection>> made_;
};

// Sends one request to the broker with this node id, connecting first if need be. The
// request is taken by value: the coroutine outlives the caller's temporaries.
template <class Request, class Response>
boost::asio::awaitable<Response> ask(ClusterClient& client, std::int32_t node_id, Request request) {
  auto connection = co_await client.broker(node_id);
  co_return co_await connection->template send<Request, Response>(request);
}

}  // namespace msgwatch::kafka
