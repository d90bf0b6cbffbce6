#include "probes/kafka/lag/snapshot_reader.hpp"

#include "probes/kafka/client/gather.hpp"
#include "probes/kafka/protocol/messages/consumer_group_describe.hpp"
#include "probes/kafka/protocol/messages/consumer_protocol_assignment.hpp"
#include "probes/kafka/protocol/messages/describe_configs.hpp"
#include "probes/kafka/protocol/messages/describe_groups.hpp"
#include "probes/kafka/protocol/messages/describe_quorum.hpp"
#include "probes/kafka/protocol/messages/describe_share_group_offsets.hpp"
#include "probes/kafka/protocol/messages/find_coordinator.hpp"
#include "probes/kafka/protocol/messages/list_groups.hpp"
#include "probes/kafka/protocol/messages/list_offsets.hpp"
#include "probes/kafka/protocol/messages/offset_fetch.hpp"
#include "probes/kafka/protocol/messages/share_group_describe.hpp"

#include "exporter/sdk/log_event.hpp"

#include <spdlog/spdlog.h>

#include <charconv>
#include <iterator>
#include <optional>
#include <set>

namespace msgwatch::kafka {
namespace asio = boost::asio;
namespace proto = protocol;

namespace {

using GroupsByBroker = std::map<std::int32_t, std::vector<std::string>>;

// A config value that must be a positive number; nullopt for anything else.
template <class Number>
std::optional<Number> parse_positive(const std::string& text) {
  Number value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

// Cycle order matters for correctness: committed offsets are read before end offsets, so
// that a consumer committing during the cycle can never show negative lag.
class SnapshotReader {
 public:
  SnapshotReader(ClusterClient& client, SnapshotOptions options) : client_(client), options_(options) {}

  asio::awaitable<ClusterSnapshot> read() {
    co_await read_metadata();
    co_await read_quorum();
    co_await read_configs();
    const auto groups = co_await list_groups();
    co_await read_groups(groups);
    co_await retry_moved_groups();
    for (const auto& group : snapshot_.unread_groups) snapshot_.groups.erase(group);
    co_await read_end_offsets();
    co_await retry_moved_partitions();
    snapshot_.unread_partitions = count_unread_partitions();
    co_return std::move(snapshot_);
  }

 private:
  asio::awaitable<void> read_metadata() {
    const proto::MetadataRequest every_topic;  // named: GCC 12 destroys co_await temporaries twice
    const auto metadata = co_await client_.metadata(every_topic);
    metadata_controller_ = metadata.controller_id;
    for (const auto& broker : metadata.brokers) {
      snapshot_.brokers.push_back({broker.node_id, broker.host, broker.port});
      snapshot_.broker_reachable[broker.node_id] = true;
    }
    apply_partition_metadata(metadata);
  }

  void apply_partition_metadata(const proto::MetadataResponse& metadata) {
    for (const auto& topic : metadata.topics) {
      if (!topic.name || topic.error_code != proto::ErrorCode::none) continue;
      auto& state = snapshot_.topics[*topic.name];
      state.selected = options_.topics.selects(*topic.name);
      for (const auto& partition : topic.partitions) {
        auto& partition_state = state.partitions[partition.partition_index];
        partition_state.leader = partition.leader_id;
        partition_state.replicas = partition.replica_nodes;
        partition_state.in_sync_replicas = partition.isr_nodes;
      }
    }
  }

  // The active controller and the metadata quorum. A KRaft broker fills Metadata's
  // controller id with a random live broker, so only DescribeQuorum (which the broker
  // forwards to the active controller) names it; a ZooKeeper cluster does not offer
  // DescribeQuorum, and there Metadata's controller id is the controller. A failure
  // (say, no DESCRIBE permission on the cluster) leaves the controller unknown (-1).
  asio::awaitable<void> read_quorum() {
    const auto broker = reachable_broker();
    if (!broker) co_return;
    try {
      auto connection = co_await client_.broker(*broker);
      if (!connection->version_of<proto::DescribeQuorumRequest>()) {
        snapshot_.controller = metadata_controller_;
        co_return;
      }
      const auto request = proto::DescribeQuorumRequest::for_cluster_metadata();
      const auto response =
          co_await connection->send<proto::DescribeQuorumRequest, proto::DescribeQuorumResponse>(request);
      if (response.error_code != proto::ErrorCode::none) {
        if (proto::is_authorization_failure(response.error_code)) snapshot_.not_permitted.insert("DescribeQuorum");
        spdlog::debug("DescribeQuorum: {}", proto::name(response.error_code));
        co_return;
      }
      for (const auto& topic : response.topics) {
        for (const auto& partition : topic.partitions) {
          if (partition.error_code != proto::ErrorCode::none) {
            spdlog::debug("DescribeQuorum {}: {}", topic.topic_name, proto::name(partition.error_code));
            continue;
          }
          QuorumState quorum{partition.leader_id, partition.leader_epoch, partition.high_watermark, {}};
          for (const auto& voter : partition.current_voters) {
            quorum.replicas.push_back({voter.replica_id, voter.log_end_offset, true});
          }
          for (const auto& observer : partition.observers) {
            quorum.replicas.push_back({observer.replica_id, observer.log_end_offset, false});
          }
          snapshot_.controller = partition.leader_id;
          snapshot_.quorum = std::move(quorum);
        }
      }
    } catch (const KafkaError& e) {
      spdlog::debug("DescribeQuorum failed, controller unknown this cycle: {}", e.what());
    }
  }

  // min.insync.replicas of every topic and the broker's transaction.max.timeout.ms, in one
  // request to any broker. A failure (say, no DescribeConfigs permission: named in
  // not_permitted) leaves the under-min-ISR metrics out and the hanging-transaction rule at
  // Kafka's default, nothing else.
  asio::awaitable<void> read_configs() {
    if (snapshot_.brokers.empty()) co_return;
    using Request = proto::DescribeConfigsRequest;
    const auto broker = snapshot_.brokers.front().id;
    Request request;
    for (const auto& [topic, state] : snapshot_.topics) {
      request.resources.push_back(
          {Request::resource_type_topic, topic, std::vector<std::string>{"min.insync.replicas"}});
    }
    request.resources.push_back({Request::resource_type_broker, std::to_string(broker),
                                 std::vector<std::string>{"transaction.max.timeout.ms"}});
    try {
      const auto response = co_await ask<Request, proto::DescribeConfigsResponse>(client_, broker, request);
      for (const auto& result : response.results) {
        if (proto::is_authorization_failure(result.error_code)) snapshot_.not_permitted.insert("DescribeConfigs");
        if (result.error_code != proto::ErrorCode::none) continue;
        for (const auto& config : result.configs) {
          if (!config.value) continue;
          if (result.resource_type == Request::resource_type_broker) {
            if (config.name == "transaction.max.timeout.ms") {
              snapshot_.transaction_max_timeout_ms = parse_positive<std::int64_t>(*config.value);
            }
            continue;
          }
          const auto topic = snapshot_.topics.find(result.resource_name);
          if (topic != snapshot_.topics.end() && config.name == "min.insync.replicas") {
            topic->second.min_insync_replicas = parse_positive<std::int32_t>(*config.value);
          }
        }
      }
    } catch (const KafkaError& e) {
      spdlog::debug("DescribeConfigs failed, no under-min-ISR metrics this cycle: {}", e.what());
    }
  }

  // Whether the cluster offers share groups, by what one broker's ApiVersions listed.
  asio::awaitable<void> note_share_group_support() {
    const auto broker = reachable_broker();
    if (!broker) co_return;
    try {
      const auto connection = co_await client_.broker(*broker);
      snapshot_.share_groups_offered = connection->version_of<proto::ShareGroupDescribeRequest>().has_value();
    } catch (const KafkaError& e) {
      spdlog::debug("broker {}: {}", *broker, e.what());
    }
  }

  // Every broker lists the groups it coordinates, so one ListGroups per broker finds both
  // the groups and their coordinators, with no FindCoordinator per group.
  asio::awaitable<GroupsByBroker> list_groups() {
    co_await note_share_group_support();
    std::vector<asio::awaitable<proto::ListGroupsResponse>> tasks;
    for (const auto& broker : snapshot_.brokers) {
      tasks.push_back(ask<proto::ListGroupsRequest, proto::ListGroupsResponse>(client_, broker.id, {}));
    }
    const auto outcomes = co_await gather(std::move(tasks));
    GroupsByBroker groups;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      const auto broker = snapshot_.brokers[i].id;
      if (!outcomes[i].value) {
        broker_failed(broker, "ListGroups", outcomes[i].error);
        snapshot_.groups_complete = false;
        continue;
      }
      const auto& response = *outcomes[i].value;
      if (response.error_code != proto::ErrorCode::none) {
        // COORDINATOR_LOAD_IN_PROGRESS and the like: the broker answers, its groups are unknown.
        spdlog::debug("ListGroups on broker {}: {}", broker, proto::name(response.error_code));
        snapshot_.groups_complete = false;
        continue;
      }
      for (const auto& group : response.groups) {
        if (!options_.groups.selects(group.group_id)) continue;
        auto& state = snapshot_.groups[group.group_id];
        state.state = group.group_state;
        state.type = group.group_type.empty() ? "classic" : group.group_type;
        state.protocol_type = group.protocol_type;
        state.coordinator = broker;
        groups[broker].push_back(group.group_id);
      }
    }
    // A group of earlier cycles that no broker lists now: its coordinator failed, or the
    // group is moving (the old coordinator no longer lists it, the new one does not yet), or
    // it was deleted. It is tried again at the coordinator FindCoordinator names now; one
    // that coordinator does not know is gone, one it cannot answer for is counted unread.
    for (const auto& [name, known] : options_.known_groups) {
      if (snapshot_.groups.contains(name) || !options_.groups.selects(name)) continue;
      auto& state = snapshot_.groups[name];
      state.type = known.type;
      state.coordinator = known.coordinator;
      moved_groups_.insert(name);
      unlisted_groups_.insert(name);
    }
    co_return groups;
  }

  // Every coordinator's groups at once; a coordinator that fails costs only its groups.
  asio::awaitable<void> read_groups(const GroupsByBroker& groups) {
    std::vector<asio::awaitable<int>> tasks;
    for (const auto& [broker, ids] : groups) tasks.push_back(read_coordinator_groups(broker, ids));
    const auto outcomes = co_await gather(std::move(tasks));
    auto outcome = outcomes.begin();
    for (const auto& [broker, ids] : groups) {
      if (!(outcome++)->value) {
        broker_failed(broker, "OffsetFetch/DescribeGroups", std::prev(outcome)->error);
        moved_groups_.insert(ids.begin(), ids.end());
      }
    }
  }

  asio::awaitable<int> read_coordinator_groups(std::int32_t broker, std::vector<std::string> ids) {
    proto::OffsetFetchRequest offsets_request;
    proto::DescribeGroupsRequest classic;
    proto::ConsumerGroupDescribeRequest consumer;
    std::vector<std::string> share;
    for (const auto& id : ids) {
      const auto& type = snapshot_.groups[id].type;
      if (type == "share") {
        share.push_back(id);
        continue;
      }
      offsets_request.groups.push_back({id, std::nullopt, -1, std::nullopt});
      if (type == "consumer") {
        consumer.group_ids.push_back(id);
      } else {
        classic.groups.push_back(id);
      }
    }
    if (!share.empty()) co_await read_share_groups(broker, share);
    if (offsets_request.groups.empty()) co_return 0;
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
      read_described(
          described, [](const auto& member) -> const auto& { return member.assignment.topic_partitions; });
    }
    co_return 0;
  }

  // A coordinator's share groups: ShareGroupDescribe for state and members, then
  // DescribeShareGroupOffsets for every partition's start offset and Kafka's lag. A broker
  // that lists share groups but speaks neither (Kafka 4.0's early access) leaves them
  // listed only.
  asio::awaitable<void> read_share_groups(std::int32_t broker, const std::vector<std::string>& ids) {
    auto connection = co_await client_.broker(broker);
    if (!connection->version_of<proto::ShareGroupDescribeRequest>() ||
        !connection->version_of<proto::DescribeShareGroupOffsetsRequest>()) {
      spdlog::debug("broker {} lists share groups but does not describe them", broker);
      read_groups_.insert(ids.begin(), ids.end());
      co_return;
    }
    proto::ShareGroupDescribeRequest describe;
    describe.group_ids = ids;
    const auto described =
        co_await connection->send<proto::ShareGroupDescribeRequest, proto::ShareGroupDescribeResponse>(describe);
    read_described(
        described, [](const auto& member) -> const auto& { return member.assignment; });
    proto::DescribeShareGroupOffsetsRequest offsets;
    for (const auto& id : ids) offsets.groups.push_back({id, std::nullopt});
    const auto answered =
        co_await connection->send<proto::DescribeShareGroupOffsetsRequest, proto::DescribeShareGroupOffsetsResponse>(
            offsets);
    for (const auto& group : answered.groups) {
      auto* state = offsets_read(group.group_id, group.error_code, "DescribeShareGroupOffsets");
      if (state == nullptr) continue;
      for (const auto& topic : group.topics) {
        for (const auto& partition : topic.partitions) {
          if (partition.error_code != proto::ErrorCode::none || partition.start_offset < 0) continue;
          auto& slot = state->share_partitions[{topic.topic_name, partition.partition_index}];
          slot.start_offset = partition.start_offset;
          if (partition.lag >= 0) slot.lag = partition.lag;
        }
      }
    }
  }

  // Groups whose coordinator moved, is loading or did not answer get one more try at the
  // coordinator FindCoordinator names now; what still fails is left out of this cycle.
  asio::awaitable<void> retry_moved_groups() {
    if (moved_groups_.empty()) co_return;
    auto moved = std::move(moved_groups_);
    moved_groups_.clear();
    const auto asked = reachable_broker();
    if (asked) {
      proto::FindCoordinatorRequest request;
      request.key_type = proto::FindCoordinatorRequest::key_type_group;
      request.coordinator_keys.assign(moved.begin(), moved.end());
      GroupsByBroker retry;
      try {
        const auto response =
            co_await ask<proto::FindCoordinatorRequest, proto::FindCoordinatorResponse>(client_, *asked, request);
        for (const auto& coordinator : response.coordinators) {
          if (coordinator.error_code != proto::ErrorCode::none || !reachable(coordinator.node_id)) continue;
          snapshot_.groups[coordinator.key].coordinator = coordinator.node_id;
          retry[coordinator.node_id].push_back(coordinator.key);
        }
      } catch (const KafkaError& e) {
        broker_failed(*asked, "FindCoordinator", std::make_exception_ptr(e));
      }
      co_await read_groups(retry);
    }
    // Whatever is still unread, after the retry, is left out.
    for (const auto& group : moved) {
      if (!read_groups_.contains(group)) {
        snapshot_.unread_groups.insert(group);
      } else if (unlisted_groups_.contains(group) && unknown_to_coordinator(snapshot_.groups[group])) {
        snapshot_.groups.erase(group);  // deleted
      }
    }
  }

  // An unlisted group whose coordinator answered with neither committed offsets nor
  // members (a deleted classic group is described as Dead, a deleted KIP-848 or share
  // group as not found): nothing of it is left to export.
  static bool unknown_to_coordinator(const GroupState& group) {
    return group.committed.empty() && group.share_partitions.empty() && group.members.value_or(0) == 0;
  }

  // A selected group's state once the coordinator answered for its offsets; nullptr for a
  // group that is not selected, or whose coordinator could not say (moved, loading: it is
  // tried once more at the coordinator FindCoordinator names).
  GroupState* offsets_read(const std::string& group, proto::ErrorCode error, const char* request) {
    const auto state = snapshot_.groups.find(group);
    if (state == snapshot_.groups.end()) return nullptr;
    if (error == proto::ErrorCode::group_id_not_found && unlisted_groups_.contains(group)) {
      read_groups_.insert(group);  // answered: the group no longer exists
      return nullptr;
    }
    if (error != proto::ErrorCode::none) {
      spdlog::debug("{} for group {}: {}", request, group, proto::name(error));
      moved_groups_.insert(group);
      return nullptr;
    }
    read_groups_.insert(group);
    return &state->second;
  }

  void read_committed(const proto::OffsetFetchResponse& response) {
    for (const auto& group : response.groups) {
      auto* state = offsets_read(group.group_id, group.error_code, "OffsetFetch");
      if (state == nullptr) continue;
      for (const auto& topic : group.topics) {
        for (const auto& partition : topic.partitions) {
          if (partition.error_code != proto::ErrorCode::none || partition.committed_offset < 0) continue;
          state->committed[{topic.name, partition.partition_index}] = partition.committed_offset;
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

  // A ConsumerGroupDescribe or ShareGroupDescribe answer: state, assignor and members, each
  // member's assignment (`assignment_of(member)`: its topic-partitions) counted per topic.
  template <class Response, class AssignmentOf>
  void read_described(const Response& response, AssignmentOf assignment_of) {
    for (const auto& group : response.groups) {
      const auto state = snapshot_.groups.find(group.group_id);
      if (state == snapshot_.groups.end() || group.error_code != proto::ErrorCode::none) continue;
      auto& out = state->second;
      out.state = group.group_state;
      out.protocol = group.assignor_name;
      out.members = static_cast<std::int32_t>(group.members.size());
      for (const auto& member : group.members) {
        MemberState details{member.member_id, member.client_id, member.client_host, {}};
        for (const auto& topic : assignment_of(member)) {
          details.assigned_partitions[topic.topic_name] += static_cast<std::int32_t>(topic.partitions.size());
        }
        out.member_details.push_back(std::move(details));
      }
    }
  }

  // Per leader and per kind (earliest, high watermark, last stable offset) one ListOffsets
  // with all its partitions (`only`: just these). A leader that fails costs only its own
  // partitions; an error on one partition leaves only that partition out.
  asio::awaitable<void> read_end_offsets(const std::set<TopicPartition>* only = nullptr) {
    std::map<std::int32_t, proto::ListOffsetsRequest> by_leader;
    for (const auto& [topic, state] : snapshot_.topics) {
      if (!state.selected) continue;
      for (const auto& [index, partition] : state.partitions) {
        if (partition.leader < 0 || (only != nullptr && !only->contains({topic, index}))) continue;
        auto& request = by_leader[partition.leader];
        if (request.topics.empty() || request.topics.back().name != topic) request.topics.push_back({topic, {}});
        request.topics.back().partitions.push_back({index, -1, proto::ListOffsetsRequest::latest_timestamp});
      }
    }
    enum class Kind { newest, oldest, stable };
    std::vector<asio::awaitable<proto::ListOffsetsResponse>> tasks;
    std::vector<std::pair<Kind, std::int32_t>> kinds;
    for (const auto& [leader, newest] : by_leader) {
      if (!reachable(leader)) continue;  // retried after fresh metadata
      auto oldest = newest;
      for (auto& topic : oldest.topics) {
        for (auto& partition : topic.partitions) partition.timestamp = proto::ListOffsetsRequest::earliest_timestamp;
      }
      auto stable = newest;
      stable.isolation_level = proto::ListOffsetsRequest::read_committed;
      for (auto&& [request, kind] :
           {std::pair{newest, Kind::newest}, std::pair{oldest, Kind::oldest}, std::pair{stable, Kind::stable}}) {
        tasks.push_back(ask<proto::ListOffsetsRequest, proto::ListOffsetsResponse>(client_, leader, request));
        kinds.emplace_back(kind, leader);
      }
    }
    const auto outcomes = co_await gather(std::move(tasks));
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      const auto [kind, leader] = kinds[i];
      if (!outcomes[i].value) {
        broker_failed(leader, "ListOffsets", outcomes[i].error);
        continue;
      }
      for (const auto& topic : outcomes[i].value->topics) {
        const auto topic_state = snapshot_.topics.find(topic.name);
        if (topic_state == snapshot_.topics.end()) continue;
        for (const auto& partition : topic.partitions) {
          const auto state = topic_state->second.partitions.find(partition.partition_index);
          if (state == topic_state->second.partitions.end()) continue;
          if (partition.error_code != proto::ErrorCode::none || partition.offset < 0) {
            spdlog::debug("ListOffsets {}-{}: {}", topic.name, partition.partition_index,
                          proto::name(partition.error_code));
            if (leader_moved(partition.error_code)) moved_partitions_.insert({topic.name, partition.partition_index});
            continue;
          }
          auto& slot = kind == Kind::newest   ? state->second.newest_offset
                       : kind == Kind::oldest ? state->second.oldest_offset
                                              : state->second.stable_offset;
          slot = partition.offset;
        }
      }
    }
  }

  static bool leader_moved(proto::ErrorCode error) {
    return error == proto::ErrorCode::not_leader_or_follower || error == proto::ErrorCode::leader_not_available ||
           error == proto::ErrorCode::unknown_topic_or_partition || error == proto::ErrorCode::fenced_leader_epoch ||
           error == proto::ErrorCode::unknown_leader_epoch;
  }

  // Partitions whose leader moved or did not answer get one more try at the leader that
  // fresh metadata names.
  asio::awaitable<void> retry_moved_partitions() {
    for (const auto& [topic, state] : snapshot_.topics) {
      if (!state.selected) continue;
      for (const auto& [index, partition] : state.partitions) {
        if (partition.leader >= 0 && !reachable(partition.leader)) moved_partitions_.insert({topic, index});
      }
    }
    if (moved_partitions_.empty()) co_return;
    auto moved = std::move(moved_partitions_);
    moved_partitions_.clear();
    proto::MetadataRequest request;
    request.topics.emplace();
    for (const auto& [topic, index] : moved) {
      if (request.topics->empty() || request.topics->back().name != topic) request.topics->push_back({{}, topic});
    }
    try {
      const auto metadata = co_await client_.metadata(request);
      apply_partition_metadata(metadata);
    } catch (const KafkaError& e) {
      spdlog::debug("Metadata for moved partitions: {}", e.what());
      co_return;
    }
    co_await read_end_offsets(&moved);
  }

  [[nodiscard]] std::size_t count_unread_partitions() const {
    std::size_t unread = 0;
    for (const auto& [topic, state] : snapshot_.topics) {
      if (!state.selected) continue;
      for (const auto& [index, partition] : state.partitions) {
        if (partition.leader >= 0 && !partition.newest_offset) ++unread;
      }
    }
    return unread;
  }

  [[nodiscard]] bool reachable(std::int32_t broker) const {
    const auto it = snapshot_.broker_reachable.find(broker);
    return it != snapshot_.broker_reachable.end() && it->second;
  }

  [[nodiscard]] std::optional<std::int32_t> reachable_broker() const {
    for (const auto& [broker, ok] : snapshot_.broker_reachable) {
      if (ok) return broker;
    }
    return std::nullopt;
  }

  void broker_failed(std::int32_t broker, const char* what, const std::exception_ptr& error) {
    if (reachable(broker)) {
      log_event(spdlog::level::warn, "broker unreachable: what it leads and coordinates is left out of this cycle",
                {{"broker", std::to_string(broker)}, {"request", what}, {"error", describe_error(error)}});
    }
    snapshot_.broker_reachable[broker] = false;
  }

  ClusterClient& client_;
  SnapshotOptions options_;
  ClusterSnapshot snapshot_;
  std::int32_t metadata_controller_ = -1;
  std::set<std::string> read_groups_;          // groups whose committed offsets were read
  std::set<std::string> moved_groups_;         // groups to try once more at their current coordinator
  std::set<std::string> unlisted_groups_;      // known from earlier cycles, listed by no broker now
  std::set<TopicPartition> moved_partitions_;  // partitions to try once more at their current leader
};

}  // namespace

KnownGroups remember_groups(const ClusterSnapshot& snapshot, const KnownGroups& before) {
  KnownGroups after;
  for (const auto& [name, group] : snapshot.groups) after[name] = {group.coordinator, group.type};
  for (const auto& [name, group] : before) {
    // Unread this cycle, or possibly unlisted (a broker's ListGroups failed): remembered.
    if (snapshot.unread_groups.contains(name) || !snapshot.groups_complete) after.try_emplace(name, group);
  }
  return after;
}

asio::awaitable<ClusterSnapshot> read_snapshot(ClusterClient& client, SnapshotOptions options) {
  SnapshotReader reader(client, options);
  co_return co_await reader.read();
}

}  // namespace msgwatch::kafka
