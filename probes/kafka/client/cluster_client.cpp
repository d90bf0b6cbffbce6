#include "probes/kafka/client/cluster_client.hpp"

#include <algorithm>

namespace msgwatch::kafka {
namespace asio = boost::asio;

ClusterClient::ClusterClient(asio::any_io_executor executor, std::vector<std::string> bootstrap_servers,
                             ConnectionOptions options)
    : executor_(std::move(executor)), options_(std::move(options)) {
  for (const auto& server : bootstrap_servers) {
    const auto colon = server.rfind(':');  // the config validated host:port
    bootstrap_.emplace_back(server.substr(0, colon), static_cast<std::uint16_t>(std::stoul(server.substr(colon + 1))));
  }
}

ClusterClient::~ClusterClient() { close_all(); }

void ClusterClient::close_all() {
  for (const auto& weak : made_) {
    if (auto connection = weak.lock()) connection->close();
  }
  made_.clear();
}

asio::awaitable<std::shared_ptr<BrokerConnection>> ClusterClient::connect(const std::string& host, std::uint16_t port) {
  auto connection = std::make_shared<BrokerConnection>(executor_, host, port, options_);
  std::erase_if(made_, [](const auto& weak) { return weak.expired(); });
  made_.push_back(connection);
  co_await connection->connect();
  co_return connection;
}

asio::awaitable<std::shared_ptr<BrokerConnection>> ClusterClient::any_broker() {
  for (auto& [id, connection] : brokers_) {
    if (connection && connection->is_open()) co_return connection;
  }
  if (bootstrap_connection_ && bootstrap_connection_->is_open()) co_return bootstrap_connection_;
  // Known brokers first (the cluster may have moved on from the bootstrap list), then the
  // bootstrap servers; the last error is the one reported.
  std::vector<std::pair<std::string, std::uint16_t>> candidates;
  for (const auto& [id, address] : addresses_) candidates.push_back(address);
  for (const auto& address : bootstrap_) {
    if (std::find(candidates.begin(), candidates.end(), address) == candidates.end()) candidates.push_back(address);
  }
  std::string errors;
  for (const auto& [host, port] : candidates) {
    try {
      bootstrap_connection_ = co_await connect(host, port);
      co_return bootstrap_connection_;
    } catch (const KafkaError& e) {
      errors += (errors.empty() ? "" : "; ") + std::string(e.what());
    }
  }
  throw KafkaError("no broker reachable: " + errors);
}

asio::awaitable<protocol::MetadataResponse> ClusterClient::metadata(const protocol::MetadataRequest& request) {
  auto connection = co_await any_broker();
  auto response = co_await connection->send<protocol::MetadataRequest, protocol::MetadataResponse>(request);
  std::map<std::int32_t, std::pair<std::string, std::uint16_t>> addresses;
  for (const auto& broker : response.brokers) {
    addresses[broker.node_id] = {broker.host, static_cast<std::uint16_t>(broker.port)};
  }
  // A broker that moved or left loses its connection.
  for (auto it = brokers_.begin(); it != brokers_.end();) {
    const auto address = addresses.find(it->first);
    if (address == addresses.end() || address->second != addresses_[it->first]) {
      if (it->second) it->second->close();
      it = brokers_.erase(it);
    } else {
      ++it;
    }
  }
  addresses_ = std::move(addresses);
  co_return response;
}

asio::awaitable<std::shared_ptr<BrokerConnection>> ClusterClient::broker(std::int32_t node_id) {
  auto& connection = brokers_[node_id];
  if (connection && connection->is_open()) co_return connection;
  const auto address = addresses_.find(node_id);
  if (address == addresses_.end()) throw KafkaError("broker " + std::to_string(node_id) + " is not in the metadata");
  auto fresh = co_await connect(address->second.first, address->second.second);
  brokers_[node_id] = fresh;
  co_return fresh;
}

}  // namespace msgwatch::kafka
