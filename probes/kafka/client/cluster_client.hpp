#pragma once
// The connections of one Kafka cluster: bootstrap, the broker address book learnt from
// Metadata, and one lazily (re)connected BrokerConnection per broker, kept across cycles.
//
// Not thread-safe; use from the io_context thread. broker(id) must not be awaited twice
// for the same id at once (the probe has one task per broker per phase).

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
  // An open connection to the broker with this node id (address from the last Metadata).
  boost::asio::awaitable<std::shared_ptr<BrokerConnection>> broker(std::int32_t node_id);
  // Closes every connection: pending requests fail at once.
  void close_all();

 private:
  boost::asio::awaitable<std::shared_ptr<BrokerConnection>> connect(const std::string& host, std::uint16_t port);
  boost::asio::awaitable<std::shared_ptr<BrokerConnection>> any_broker();

  boost::asio::any_io_executor executor_;
  std::vector<std::pair<std::string, std::uint16_t>> bootstrap_;
  ConnectionOptions options_;
  std::map<std::int32_t, std::pair<std::string, std::uint16_t>> addresses_;
  std::map<std::int32_t, std::shared_ptr<BrokerConnection>> brokers_;
  std::shared_ptr<BrokerConnection> bootstrap_connection_;
  // Every connection made, including those still connecting, so close_all() reaches all.
  std::vector<std::weak_ptr<BrokerConnection>> made_;
};

}  // namespace msgwatch::kafka
