#include "probes/kafka/lag/kafka_lag_probe.hpp"

#include "exporter/name_filter.hpp"
#include "probes/kafka/client/cluster_client.hpp"
#include "probes/kafka/client/gather.hpp"
#include "probes/kafka/lag/lag_metrics.hpp"
#include "probes/kafka/protocol/messages/consumer_group_describe.hpp"
#include "probes/kafka/protocol/messages/describe_groups.hpp"
#include "probes/kafka/protocol/messages/list_groups.hpp"
#include "probes/kafka/protocol/messages/list_offsets.hpp"
#include "probes/kafka/protocol/messages/offset_fetch.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/this_coro.hpp>

#include <optional>

namespace msgwatch::kafka {
namespace asio = boost::asio;
namespace proto = protocol;

namespace {

// Cycle order matters for correctness: committed offsets are read before end offsets, so
// that a consumer committing during the cycle can never show negative lag.
class KafkaLagProbe final : public Probe {
 public:
  explicit KafkaLagProbe(const config::KafkaCluster& cluster)
      : cluster_(cluster), topic_filter_(cluster.topics), group_filter_(cluster.groups) {}

  std::string kind() const override { return "kafka_lag"; }
  std::string target() const override { return cluster_.name; }
  ProbeSchedule schedule() const override { return cluster_.lag_schedule; }

  asio::awaitable<MetricFamilies> collect() override {
    if (!client_) {
      ConnectionOptions options;
      options.client_id = cluster_.client_id;
      options.stats = stats_;
      // Read at (re)connection, so a rotated secret file is picked up by a restart of
      // the client; the config check made sure it is readable.
      if (cluster_.sasl) options.sasl = SaslPlain{cluster_.sasl->username, cluster_.sasl->password.resolve()};
      client_ =
          std::make_unique<ClusterClient>(co_await asio::this_coro::executor, cluster_.bootstrap_servers, options);
    }
    ClusterSnapshot snapshot;
    co_await read_metadata(snapshot);
    const auto groups_by_coordinator = co_await list_groups(snapshot);
    co_await read_groups(snapshot, groups_by_coordinator);
    co_await read_end_offsets(snapshot);
    auto families = lag_metrics(snapshot);
    auto requests = request_metrics(*stats_);
    families.insert(families.end(), std::make_move_iterator(requests.begin()), std::make_move_iterator(requests.end()));
    co_return families;
  }

  void abort() override {
    if (client_) client_->close_all();
  }

 private:
  using GroupsByBroker = std::map<std::int32_t, std::vector<std::string>>;

  asio::awaitable<void> read_metadata(ClusterSnapshot& snapshot) {
    const proto::MetadataRequest every_topic;  // named: see BrokerConnection::authenticate
    const auto metadata = co_await client_->metadata(every_topic);
    snapshot.controller = metadata.controller_id;
    for (const auto& broker : metadata.brokers) snapshot.brokers.push_back({broker.node_id, broker.host, broker.port});
    for (const auto& topic : metadata.topics) {
      if (!topic.name || topic.error_code != proto::ErrorCode::none || !topic_filter_.selects(*topic.name)) continue;
      auto& state = snapshot.topics[*topic.name];
      for (const auto& partition : topic.partitions) {
        auto& partition_state = state.partitions[partition.partition_index];
        partition_state.leader = partition.leader_id;
        partition_state.replicas = partition.replica_nodes;
        partition_state.in_sync_replicas = partition.isr_nodes;
      }
    }
  }

  // Every broker lists the groups it coordinates, so one ListGroups per broker finds both
  // the groups and their coordinators, with no FindCoordinator per group.
  asio::awaitable<GroupsByBroker> list_groups(ClusterSnapshot& snapshot) {
    std::vector<asio::awaitable<proto::ListGroupsResponse>> tasks;
    for (const auto& broker : snapshot.brokers)
      tasks.push_back(ask<proto::ListGroupsRequest, proto::ListGroupsResponse>(broker.id, {}));
    auto outcomes = co_await gather(std::move(tasks));
    GroupsByBroker groups;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      const auto& response = value_or_throw(outcomes[i], "ListGroups");
      if (response.error_code != proto::ErrorCode::none) {
        throw KafkaError("ListGroups on broker " + std::to_string(snapshot.brokers[i].id) + ": " +
                             std::string(proto::name(response.error_code)),
                         response.error_code);
      }
      for (const auto& group : response.groups) {
        if (!group_filter_.selects(group.group_id)) continue;
        auto& state = snapshot.groups[group.group_id];
        state.state = group.group_state;
        state.type = group.group_type.empty() ? "classic" : group.group_type;
        groups[snapshot.brokers[i].id].push_back(group.group_id);
      }
    }
    co_return groups;
  }

  asio::awaitable<void> read_groups(ClusterSnapshot& snapshot, const GroupsByBroker& groups) {
    std::vector<asio::awaitable<int>> tasks;
    for (const auto& [broker, ids] : groups) tasks.push_back(read_coordinator_groups(snapshot, broker, ids));
    for (auto& outcome : co_await gather(std::move(tasks))) value_or_throw(outcome, "group offsets");
  }

  asio::awaitable<int> read_coordinator_groups(ClusterSnapshot& snapshot, std::int32_t broker,
                                               const std::vector<std::string>& ids) {
    proto::OffsetFetchRequest offsets_request;
    std::vector<std::string> classic;
    std::vector<std::string> consumer;
    for (const auto& id : ids) {
      offsets_request.groups.push_back({id, std::nullopt, -1, std::nullopt});
      (snapshot.groups[id].type == "consumer" ? consumer : classic).push_back(id);
    }
    const auto offsets = co_await ask<proto::OffsetFetchRequest, proto::OffsetFetchResponse>(broker, offsets_request);
    for (const auto& group : offsets.groups) {
      const auto state = snapshot.groups.find(group.group_id);
      if (state == snapshot.groups.end()) continue;
      if (group.error_code != proto::ErrorCode::none) {
        spdlog::debug("kafka {}: OffsetFetch for group {}: {}", cluster_.name, group.group_id,
                      proto::name(group.error_code));
        continue;
      }
      for (const auto& topic : group.topics) {
        for (const auto& partition : topic.partitions) {
          if (partition.error_code != proto::ErrorCode::none || partition.committed_offset < 0) continue;
          state->second.committed[{topic.name, partition.partition_index}] = partition.committed_offset;
        }
      }
    }
    if (!classic.empty()) {
      proto::DescribeGroupsRequest describe;
      describe.groups = classic;
      const auto described =
          co_await ask<proto::DescribeGroupsRequest, proto::DescribeGroupsResponse>(broker, describe);
      for (const auto& group : described.groups) {
        const auto state = snapshot.groups.find(group.group_id);
        if (state == snapshot.groups.end() || group.error_code != proto::ErrorCode::none) continue;
        state->second.state = group.group_state;
        state->second.members = static_cast<std::int32_t>(group.members.size());
      }
    }
    if (!consumer.empty()) {
      proto::ConsumerGroupDescribeRequest describe;
      describe.group_ids = consumer;
      const auto described =
          co_await ask<proto::ConsumerGroupDescribeRequest, proto::ConsumerGroupDescribeResponse>(broker, describe);
      for (const auto& group : described.groups) {
        const auto state = snapshot.groups.find(group.group_id);
        if (state == snapshot.groups.end() || group.error_code != proto::ErrorCode::none) continue;
        state->second.state = group.group_state;
        state->second.members = static_cast<std::int32_t>(group.members.size());
      }
    }
    co_return 0;
  }

  // One ListOffsets per leader and per kind (earliest, latest). An error on one partition
  // leaves only that partition without offsets.
  asio::awaitable<void> read_end_offsets(ClusterSnapshot& snapshot) {
    std::map<std::int32_t, proto::ListOffsetsRequest> by_leader;
    for (const auto& [topic, state] : snapshot.topics) {
      for (const auto& [index, partition] : state.partitions) {
        if (partition.leader < 0) continue;
        auto& request = by_leader[partition.leader];
        if (request.topics.empty() || request.topics.back().name != topic) request.topics.push_back({topic, {}});
        request.topics.back().partitions.push_back({index, -1, proto::ListOffsetsRequest::latest_timestamp});
      }
    }
    std::vector<asio::awaitable<proto::ListOffsetsResponse>> tasks;
    std::vector<bool> is_latest;
    for (const auto& [leader, request] : by_leader) {
      auto earliest = request;
      for (auto& topic : earliest.topics) {
        for (auto& partition : topic.partitions) partition.timestamp = proto::ListOffsetsRequest::earliest_timestamp;
      }
      tasks.push_back(ask<proto::ListOffsetsRequest, proto::ListOffsetsResponse>(leader, request));
      is_latest.push_back(true);
      tasks.push_back(ask<proto::ListOffsetsRequest, proto::ListOffsetsResponse>(leader, earliest));
      is_latest.push_back(false);
    }
    auto outcomes = co_await gather(std::move(tasks));
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      const auto& response = value_or_throw(outcomes[i], "ListOffsets");
      for (const auto& topic : response.topics) {
        auto topic_state = snapshot.topics.find(topic.name);
        if (topic_state == snapshot.topics.end()) continue;
        for (const auto& partition : topic.partitions) {
          auto partition_state = topic_state->second.partitions.find(partition.partition_index);
          if (partition_state == topic_state->second.partitions.end()) continue;
          if (partition.error_code != proto::ErrorCode::none || partition.offset < 0) {
            spdlog::debug("kafka {}: ListOffsets {}-{}: {}", cluster_.name, topic.name, partition.partition_index,
                          proto::name(partition.error_code));
            continue;
          }
          (is_latest[i] ? partition_state->second.newest_offset : partition_state->second.oldest_offset) =
              partition.offset;
        }
      }
    }
  }

  template <class Request, class Response>
  asio::awaitable<Response> ask(std::int32_t broker, Request message) {
    auto connection = co_await client_->broker(broker);
    co_return co_await connection->template send<Request, Response>(message);
  }

  template <class T>
  static const T& value_or_throw(const Outcome<T>& outcome, const char* what) {
    if (!outcome.value) std::rethrow_exception(outcome.error);
    return *outcome.value;
  }

  config::KafkaCluster cluster_;
  NameFilter topic_filter_;
  NameFilter group_filter_;
  std::shared_ptr<RequestStats> stats_ = std::make_shared<RequestStats>();
  std::unique_ptr<ClusterClient> client_;
};

}  // namespace

std::unique_ptr<Probe> make_kafka_lag_probe(const config::KafkaCluster& cluster) {
  return std::make_unique<KafkaLagProbe>(cluster);
}

}  // namespace msgwatch::kafka
