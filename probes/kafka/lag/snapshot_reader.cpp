#include "probes/kafka/lag/snapshot_reader.hpp"

#include "probes/kafka/client/gather.hpp"
#include "probes/kafka/protocol/messages/consumer_group_describe.hpp"
#include "probes/kafka/protocol/messages/consumer_protocol_assignment.hpp"
#include "probes/kafka/protocol/messages/describe_configs.hpp"
#include "probes/kafka/protocol/messages/describe_groups.hpp"
#include "probes/kafka/protocol/messages/list_groups.hpp"
#include "probes/kafka/protocol/messages/list_offsets.hpp"
#include "probes/kafka/protocol/messages/offset_fetch.hpp"

#include <spdlog/spdlog.h>

#include <charconv>

namespace msgwatch::kafka {
namespace asio = boost::asio;
namespace proto = protocol;

namespace {

using GroupsByBroker = std::map<std::int32_t, std::vector<std::string>>;

template <class T>
const T& value_or_throw(const Outcome<T>& outcome) {
  if (!outcome.value) std::rethrow_exception(outcome.error);
  return *outcome.value;
}

template <class Request, class Response>
asio::awaitable<Response> ask(ClusterClient& client, std::int32_t broker, Request message) {
  auto connection = co_await client.broker(broker);
  co_return co_await connection->template send<Request, Response>(message);
}

// Cycle order matters for correctness: committed offsets are read before end offsets, so
// that a consumer committing during the cycle can never show negative lag.
class SnapshotReader {
 public:
  SnapshotReader(ClusterClient& client, SnapshotFilters filters) : client_(client), filters_(filters) {}

  asio::awaitable<ClusterSnapshot> read() {
    co_await read_metadata();
    co_await read_topic_configs();
    const auto groups = co_await list_groups();
    std::vector<asio::awaitable<int>> tasks;
    for (const auto& [broker, ids] : groups) tasks.push_back(read_coordinator_groups(broker, ids));
    for (const auto& outcome : co_await gather(std::move(tasks))) value_or_throw(outcome);
    co_await read_end_offsets();
    co_return std::move(snapshot_);
  }

 private:
  asio::awaitable<void> read_metadata() {
    const proto::MetadataRequest every_topic;  // named: GCC 12 destroys co_await temporaries twice
    const auto metadata = co_await client_.metadata(every_topic);
    snapshot_.controller = metadata.controller_id;
    for (const auto& broker : metadata.brokers) snapshot_.brokers.push_back({broker.node_id, broker.host, broker.port});
    for (const auto& topic : metadata.topics) {
      if (!topic.name || topic.error_code != proto::ErrorCode::none) continue;
      auto& state = snapshot_.topics[*topic.name];
      state.selected = filters_.topics.selects(*topic.name);
      for (const auto& partition : topic.partitions) {
        auto& partition_state = state.partitions[partition.partition_index];
        partition_state.leader = partition.leader_id;
        partition_state.replicas = partition.replica_nodes;
        partition_state.in_sync_replicas = partition.isr_nodes;
      }
    }
  }

  // min.insync.replicas of every topic, in one request to any broker. A failure
  // (say, no DescribeConfigs permission) leaves the under-min-ISR metrics out, nothing else.
  asio::awaitable<void> read_topic_configs() {
    if (snapshot_.topics.empty() || snapshot_.brokers.empty()) co_return;
    proto::DescribeConfigsRequest request;
    for (const auto& [topic, state] : snapshot_.topics) {
      request.resources.push_back(
          {proto::DescribeConfigsRequest::resource_type_topic, topic, std::vector<std::string>{"min.insync.replicas"}});
    }
    try {
      const auto response = co_await ask<proto::DescribeConfigsRequest, proto::DescribeConfigsResponse>(
          client_, snapshot_.brokers.front().id, request);
      for (const auto& result : response.results) {
        const auto topic = snapshot_.topics.find(result.resource_name);
        if (topic == snapshot_.topics.end() || result.error_code != proto::ErrorCode::none) continue;
        for (const auto& config : result.configs) {
          if (config.name != "min.insync.replicas" || !config.value) continue;
          std::int32_t value = 0;
          const auto& text = *config.value;
          if (std::from_chars(text.data(), text.data() + text.size(), value).ec == std::errc()) {
            topic->second.min_insync_replicas = value;
          }
        }
      }
    } catch (const KafkaError& e) {
      spdlog::debug("DescribeConfigs failed, no under-min-ISR metrics this cycle: {}", e.what());
    }
  }

  // Every broker lists the groups it coordinates, so one ListGroups per broker finds both
  // the groups and their coordinators, with no FindCoordinator per group.
  asio::awaitable<GroupsByBroker> list_groups() {
    std::vector<asio::awaitable<proto::ListGroupsResponse>> tasks;
    for (const auto& broker : snapshot_.brokers) {
      tasks.push_back(ask<proto::ListGroupsRequest, proto::ListGroupsResponse>(client_, broker.id, {}));
    }
    const auto outcomes = co_await gather(std::move(tasks));
    GroupsByBroker groups;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      const auto& response = value_or_throw(outcomes[i]);
      const auto broker = snapshot_.brokers[i].id;
      if (response.error_code != proto::ErrorCode::none) {
        throw KafkaError(
            "ListGroups on broker " + std::to_string(broker) + ": " + std::string(proto::name(response.error_code)),
            response.error_code);
      }
      for (const auto& group : response.groups) {
        if (!filters_.groups.selects(group.group_id)) continue;
        auto& state = snapshot_.groups[group.group_id];
        state.state = group.group_state;
        state.type = group.group_type.empty() ? "classic" : group.group_type;
        state.protocol_type = group.protocol_type;
        state.coordinator = broker;
        groups[broker].push_back(group.group_id);
      }
    }
    co_return groups;
  }

  asio::awaitable<int> read_coordinator_groups(std::int32_t broker, std::vector<std::string> ids) {
    proto::OffsetFetchRequest offsets_request;
    proto::DescribeGroupsRequest classic;
    proto::ConsumerGroupDescribeRequest consumer;
    for (const auto& id : ids) {
      offsets_request.groups.push_back({id, std::nullopt, -1, std::nullopt});
      if (snapshot_.groups[id].type == "consumer") {
        consumer.group_ids.push_back(id);
      } else {
        classic.groups.push_back(id);
      }
    }
    const auto offsets =
        co_await ask<proto::OffsetFetchRequest, proto::OffsetFetchResponse>(client_, broker, offsets_request);
    read_committed(offsets);
    if (!classic.groups.empty()) {
      const auto described =
          co_await ask<proto::DescribeGroupsRequest, proto::DescribeGroupsResponse>(client_, broker, classic);
      read_classic(described);
    }
    if (!consumer.group_ids.empty()) {
      const auto described = co_await ask<proto::ConsumerGroupDescribeRequest, proto::ConsumerGroupDescribeResponse>(
          client_, broker, consumer);
      read_consumer(described);
    }
    co_return 0;
  }

  void read_committed(const proto::OffsetFetchResponse& response) {
    for (const auto& group : response.groups) {
      const auto state = snapshot_.groups.find(group.group_id);
      if (state == snapshot_.groups.end()) continue;
      if (group.error_code != proto::ErrorCode::none) {
        spdlog::debug("OffsetFetch for group {}: {}", group.group_id, proto::name(group.error_code));
        continue;
      }
      for (const auto& topic : group.topics) {
        for (const auto& partition : topic.partitions) {
          if (partition.error_code != proto::ErrorCode::none || partition.committed_offset < 0) continue;
          state->second.committed[{topic.name, partition.partition_index}] = partition.committed_offset;
        }
      }
    }
  }

  void read_classic(const proto::DescribeGroupsResponse& response) {
    for (const auto& group : response.groups) {
      const auto state = snapshot_.groups.find(group.group_id);
      if (state == snapshot_.groups.end() || group.error_code != proto::ErrorCode::none) continue;
      auto& out = state->second;
      out.state = group.group_state;
      out.protocol_type = group.protocol_type;
      out.protocol = group.protocol_data;
      out.members = static_cast<std::int32_t>(group.members.size());
      for (const auto& member : group.members) {
        MemberState details{member.member_id, member.client_id, member.client_host, {}};
        // Only the consumer protocol's assignment format is known; Connect and others
        // keep their assignment bytes to themselves.
        if (group.protocol_type == "consumer" && !member.member_assignment.empty()) {
          try {
            const auto assignment = proto::decode_consumer_protocol_assignment(member.member_assignment);
            for (const auto& topic : assignment.assigned_partitions) {
              details.assigned_partitions[topic.topic] += static_cast<std::int32_t>(topic.partitions.size());
            }
          } catch (const proto::DecodeError& e) {
            spdlog::debug("group {} member {}: unreadable assignment: {}", group.group_id, member.member_id, e.what());
          }
        }
        out.member_details.push_back(std::move(details));
      }
    }
  }

  void read_consumer(const proto::ConsumerGroupDescribeResponse& response) {
    for (const auto& group : response.groups) {
      const auto state = snapshot_.groups.find(group.group_id);
      if (state == snapshot_.groups.end() || group.error_code != proto::ErrorCode::none) continue;
      auto& out = state->second;
      out.state = group.group_state;
      out.protocol = group.assignor_name;
      out.members = static_cast<std::int32_t>(group.members.size());
      for (const auto& member : group.members) {
        MemberState details{member.member_id, member.client_id, member.client_host, {}};
        for (const auto& topic : member.assignment.topic_partitions) {
          details.assigned_partitions[topic.topic_name] += static_cast<std::int32_t>(topic.partitions.size());
        }
        out.member_details.push_back(std::move(details));
      }
    }
  }

  // Per leader and per kind (earliest, high watermark, last stable offset) one ListOffsets
  // with all its partitions. An error on one partition leaves only that partition out.
  asio::awaitable<void> read_end_offsets() {
    std::map<std::int32_t, proto::ListOffsetsRequest> by_leader;
    for (const auto& [topic, state] : snapshot_.topics) {
      if (!state.selected) continue;
      for (const auto& [index, partition] : state.partitions) {
        if (partition.leader < 0) continue;
        auto& request = by_leader[partition.leader];
        if (request.topics.empty() || request.topics.back().name != topic) request.topics.push_back({topic, {}});
        request.topics.back().partitions.push_back({index, -1, proto::ListOffsetsRequest::latest_timestamp});
      }
    }
    enum class Kind { newest, oldest, stable };
    std::vector<asio::awaitable<proto::ListOffsetsResponse>> tasks;
    std::vector<Kind> kinds;
    for (const auto& [leader, newest] : by_leader) {
      auto oldest = newest;
      for (auto& topic : oldest.topics) {
        for (auto& partition : topic.partitions) partition.timestamp = proto::ListOffsetsRequest::earliest_timestamp;
      }
      auto stable = newest;
      stable.isolation_level = proto::ListOffsetsRequest::read_committed;
      for (auto&& [request, kind] :
           {std::pair{newest, Kind::newest}, std::pair{oldest, Kind::oldest}, std::pair{stable, Kind::stable}}) {
        tasks.push_back(ask<proto::ListOffsetsRequest, proto::ListOffsetsResponse>(client_, leader, request));
        kinds.push_back(kind);
      }
    }
    const auto outcomes = co_await gather(std::move(tasks));
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      for (const auto& topic : value_or_throw(outcomes[i]).topics) {
        const auto topic_state = snapshot_.topics.find(topic.name);
        if (topic_state == snapshot_.topics.end()) continue;
        for (const auto& partition : topic.partitions) {
          const auto state = topic_state->second.partitions.find(partition.partition_index);
          if (state == topic_state->second.partitions.end()) continue;
          if (partition.error_code != proto::ErrorCode::none || partition.offset < 0) {
            spdlog::debug("ListOffsets {}-{}: {}", topic.name, partition.partition_index,
                          proto::name(partition.error_code));
            continue;
          }
          auto& slot = kinds[i] == Kind::newest   ? state->second.newest_offset
                       : kinds[i] == Kind::oldest ? state->second.oldest_offset
                                                  : state->second.stable_offset;
          slot = partition.offset;
        }
      }
    }
  }

  ClusterClient& client_;
  SnapshotFilters filters_;
  ClusterSnapshot snapshot_;
};

}  // namespace

asio::awaitable<ClusterSnapshot> read_snapshot(ClusterClient& client, SnapshotFilters filters) {
  SnapshotReader reader(client, filters);
  co_return co_await reader.read();
}

}  // namespace msgwatch::kafka
