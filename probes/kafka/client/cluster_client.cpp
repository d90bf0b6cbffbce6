#include "probes/kafka/client/cluster_client.hpp"

#include "exporter/sdk/host_port.hpp"

#include "exporter/sdk/async_event.hpp"

#include <algorithm>
#include <exception>

namespace msgwatch::kafka {
namespace asio = boost::asio;

struct ClusterClient::Attempt {
  std::shared_ptr<BrokerConnection> connection;
  std::exception_ptr error;
  std::vector<std::shared_ptr<AsyncEvent>> waiters;
};

ClusterClient::ClusterClient(asio::any_io_executor executor, std::vector<std::string> bootstrap_servers,
                             ConnectionOptions options)
    : executor_(std::move(executor)), options_(std::move(options)) {
  for (const auto& server : bootstrap_servers) {
    const auto address = parse_host_port(server);
    if (!address) throw KafkaError("bootstrap server \"" + server + "\" is not host:port");
    bootstrap_.emplace_back(address->host, address->port);
  }
}

ClusterClient::~ClusterClient() { close_all(); }

void ClusterClient::close_all() {
  for (const auto& weak : made_) {
    if (auto connection = weak.lock()) connection->close();
  }
  made_.clear();
}

asio::awaitable<std::shared_ptr<BrokerConnection>> ClusterClient::connect(const std::string& host, std::uint16_t port,
                                                                          std::string broker_label) {
  auto connection = std::make_shared<BrokerConnection>(executor_, host, port, options_, std::move(broker_label));
  std::erase_if(made_, [](const auto& weak) { return weak.expired(); });
  made_.push_back(connection);
  co_await connection->connect();
  co_return connection;
}

asio::awaitable<std::shared_ptr<BrokerConnection>> ClusterClient::connect_once(std::int32_t key) {
  if (const auto running = attempts_.find(key); running != attempts_.end()) {
    auto attempt = running->second;
    auto waiter = std::make_shared<AsyncEvent>(executor_);
    attempt->waiters.push_back(waiter);
    // An attempt ends by itself: each connection it tries is bounded by the connect timeout
    // and one request timeout per exchange (ApiVersions twice at most, SaslHandshake,
    // SaslAuthenticate once for PLAIN, twice for SCRAM). This bound only guards against a bug.
    const auto per_connection = options_.connect_timeout + 5 * options_.request_timeout;
    const auto tries = static_cast<int>(key == any_broker_key ? addresses_.size() + bootstrap_.size() : 1);
    const bool ended = co_await waiter->wait_until(AsyncEvent::Clock::now() + per_connection * (tries + 1));
    if (!ended) throw KafkaError("gave up waiting for another request's connection attempt");
    if (attempt->error) std::rethrow_exception(attempt->error);
    co_return attempt->connection;
  }
  auto attempt = std::make_shared<Attempt>();
  attempts_[key] = attempt;
  try {
    if (key == any_broker_key) {
      attempt->connection = co_await connect_any();
    } else {
      attempt->connection = co_await connect_node(key);
    }
  } catch (...) {
    attempt->error = std::current_exception();
  }
  if (const auto it = attempts_.find(key); it != attempts_.end() && it->second == attempt) attempts_.erase(it);
  for (const auto& waiter : attempt->waiters) waiter->set();
  if (attempt->error) std::rethrow_exception(attempt->error);
  co_return attempt->connection;
}

asio::awaitable<std::shared_ptr<BrokerConnection>> ClusterClient::any_broker() {
  for (auto& [id, connection] : brokers_) {
    if (connection && connection->usable()) co_return connection;
  }
  if (bootstrap_connection_ && bootstrap_connection_->usable()) co_return bootstrap_connection_;
  co_return co_await connect_once(any_broker_key);
}

asio::awaitable<std::shared_ptr<BrokerConnection>> ClusterClient::connect_any() {
  // Not handed out any more; it closes once its requests in flight are answered.
  if (bootstrap_connection_) bootstrap_connection_->retire();
  // Known brokers first (the cluster may have moved on from the bootstrap list), then the
  // bootstrap servers; the last error is the one reported.
  std::vector<std::pair<std::pair<std::string, std::uint16_t>, std::string>> candidates;  // address, label
  for (const auto& [id, address] : addresses_) candidates.push_back({address, std::to_string(id)});
  for (const auto& address : bootstrap_) {
    if (std::none_of(candidates.begin(), candidates.end(), [&](const auto& c) { return c.first == address; })) {
      candidates.push_back({address, "bootstrap"});
    }
  }
  std::string errors;
  for (const auto& [address, label] : candidates) {
    try {
      bootstrap_connection_ = co_await connect(address.first, address.second, label);
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
  if (const auto known = brokers_.find(node_id); known != brokers_.end() && known->second && known->second->usable()) {
    co_return known->second;
  }
  co_return co_await connect_once(node_id);
}

asio::awaitable<std::shared_ptr<BrokerConnection>> ClusterClient::connect_node(std::int32_t node_id) {
  const auto address = addresses_.find(node_id);
  if (address == addresses_.end()) throw KafkaError("broker " + std::to_string(node_id) + " is not in the metadata");
  // Not handed out any more; it closes once its requests in flight are answered.
  if (const auto old = brokers_.find(node_id); old != brokers_.end() && old->second) old->second->retire();
  // Copies: metadata() may change the address book meanwhile.
  const std::string host = address->second.first;
  const std::uint16_t port = address->second.second;
  auto fresh = co_await connect(host, port, std::to_string(node_id));
  brokers_[node_id] = fresh;
  co_return fresh;
}

}  // namespace msgwatch::kafka
