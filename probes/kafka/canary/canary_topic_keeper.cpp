#include "probes/kafka/canary/canary_topic_keeper.hpp"

#include "exporter/sdk/log_event.hpp"
#include "probes/kafka/client/kafka_error.hpp"
#include "probes/kafka/protocol/protocol.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace msgwatch::kafka {
namespace asio = boost::asio;
namespace {

const char* change_name(CanaryPlanStep::Kind kind) {
  switch (kind) {
    case CanaryPlanStep::Kind::add_partitions:
      return "partitions_added";
    case CanaryPlanStep::Kind::reassign:
      return "reassigned";
    case CanaryPlanStep::Kind::elect_preferred_leaders:
      return "leaders_elected";
    case CanaryPlanStep::Kind::none:
      break;
  }
  return "planning";  // the round failed before a step was planned
}

// A partition-level error of an answer; ELECTION_NOT_NEEDED is not one (the preferred
// leader already leads, as the metadata read before may not have shown yet).
void check(protocol::ErrorCode code, const std::optional<std::string>& message, const std::string& what) {
  using protocol::ErrorCode;
  if (code == ErrorCode::none || code == ErrorCode::election_not_needed) return;
  throw KafkaError(what + ": " + std::string(protocol::name(code)) + (message ? " (" + *message + ")" : ""), code);
}

// What a failure is logged once for: the change, and the broker's error code where it gave
// one (its message may differ every time: Kafka's names the request's session), else the error.
std::string failure_cause(const CanaryPlanStep& step, const std::exception& e) {
  const auto* refused = dynamic_cast<const KafkaError*>(&e);
  const bool coded = refused != nullptr && refused->code() != protocol::ErrorCode::unknown_server_error;
  return std::string(change_name(step.kind)) + " " + (coded ? std::string(protocol::name(refused->code())) : e.what());
}

}  // namespace

CanaryTopicKeeper::CanaryTopicKeeper(const KafkaCluster& cluster) : cluster_(cluster) {
  for (const auto kind : {CanaryPlanStep::Kind::add_partitions, CanaryPlanStep::Kind::reassign,
                          CanaryPlanStep::Kind::elect_preferred_leaders}) {
    changes_.made[change_name(kind)] = 0;
    changes_.failed[change_name(kind)] = 0;
  }
  changes_.failed[change_name(CanaryPlanStep::Kind::none)] = 0;
  auto options = connection_options(cluster_);
  options.connect_timeout = canary_wait_bound(settings_);
  options.request_timeout = canary_wait_bound(settings_);
  client_ = std::make_unique<ClusterClient>(io_.get_executor(), cluster_.bootstrap_servers, std::move(options));
}

CanaryTopicKeeper::~CanaryTopicKeeper() {
  client_->close_all();
  io_.restart();
  io_.run_for(std::chrono::seconds(1));  // lets the closed connections wind down
}

void CanaryTopicKeeper::keep(rd_kafka_t* client, const CanaryTopicView& view) {
  if (!view.exists() || view.brokers.empty()) return;
  const auto now = CanaryBrokerSightings::Clock::now();
  sightings_.update(view, now);
  if (in_flight_.awaited(view, now)) return;
  CanaryPlanStep step;
  try {
    const bool reassigning = reassignment_in_progress(view);
    changes_.reassignment_in_progress = reassigning;
    step = plan_canary_topic(
        {view, sightings_.removed(now, settings_.broker_removed_after), settings_.partitions_per_broker, reassigning});
    if (step.kind != CanaryPlanStep::Kind::none) {
      carry_out(client, view, step);
      in_flight_.made(step, view.replicas.size(), now);
      ++changes_.made[change_name(step.kind)];
    }
    logged_.clear();  // the round went as planned: a failure after it is logged again
  } catch (const std::exception& e) {
    ++next_broker_;
    ++changes_.failed[change_name(step.kind)];
    if (step.kind == CanaryPlanStep::Kind::none) changes_.reassignment_in_progress.reset();
    const auto cause = failure_cause(step, e);
    if (logged_ == cause) return;
    logged_ = cause;
    log_event(spdlog::level::warn, "canary topic not changed",
              {{"cluster", cluster_.name},
               {"topic", settings_.topic},
               {"change", change_name(step.kind)},
               {"reason", step.reason},
               {"error", e.what()}});
  }
}

void CanaryTopicKeeper::carry_out(rd_kafka_t* client, const CanaryTopicView& view, const CanaryPlanStep& step) {
  const auto bound = canary_wait_bound(settings_);
  const auto timeout_ms = static_cast<std::int32_t>(bound.count());
  std::string detail;
  switch (step.kind) {
    case CanaryPlanStep::Kind::add_partitions: {
      add_canary_partitions(client, settings_.topic, view.replicas.size(), step.new_partitions, bound);
      for (const auto& replicas : step.new_partitions)
        detail += (detail.empty() ? "[" : " [") + id_list(replicas) + "]";
      break;
    }
    case CanaryPlanStep::Kind::reassign: {
      protocol::AlterPartitionReassignmentsRequest request;
      request.timeout_ms = timeout_ms;
      request.topics.push_back({settings_.topic, {{step.partition, step.replicas}}});
      const auto answer =
          run(ask_any<protocol::AlterPartitionReassignmentsRequest, protocol::AlterPartitionReassignmentsResponse>(
              request));
      check(answer.error_code, answer.error_message, "reassign partition " + std::to_string(step.partition));
      for (const auto& topic : answer.responses) {
        for (const auto& partition : topic.partitions) {
          check(partition.error_code, partition.error_message, "reassign partition " + std::to_string(step.partition));
        }
      }
      detail = "partition " + std::to_string(step.partition) + " to [" + id_list(step.replicas) + "]";
      break;
    }
    case CanaryPlanStep::Kind::elect_preferred_leaders: {
      protocol::ElectLeadersRequest request;
      request.timeout_ms = timeout_ms;
      request.topic_partitions =
          std::vector<protocol::ElectLeadersRequest::TopicPartitions>{{settings_.topic, step.elect}};
      const auto answer = run(ask_any<protocol::ElectLeadersRequest, protocol::ElectLeadersResponse>(request));
      check(answer.error_code, std::nullopt, "preferred leader election");
      for (const auto& topic : answer.replica_election_results) {
        for (const auto& partition : topic.partition_result) {
          check(partition.error_code, partition.error_message,
                "preferred leader election of partition " + std::to_string(partition.partition_id));
        }
      }
      detail = "partitions " + id_list(step.elect);
      break;
    }
    case CanaryPlanStep::Kind::none:
      return;
  }
  log_event(spdlog::level::info, "canary topic changed",
            {{"cluster", cluster_.name},
             {"topic", settings_.topic},
             {"change", change_name(step.kind)},
             {"reason", step.reason},
             {"detail", detail}});
}

bool CanaryTopicKeeper::reassignment_in_progress(const CanaryTopicView& view) {
  protocol::ListPartitionReassignmentsRequest request;
  request.timeout_ms = static_cast<std::int32_t>(canary_wait_bound(settings_).count());
  std::vector<std::int32_t> partitions;
  for (const auto& [partition, leader] : view.leaders) partitions.push_back(partition);
  request.topics = std::vector<protocol::ListPartitionReassignmentsRequest::Topic>{{settings_.topic, partitions}};
  const auto answer =
      run(ask_any<protocol::ListPartitionReassignmentsRequest, protocol::ListPartitionReassignmentsResponse>(request));
  check(answer.error_code, answer.error_message, "list reassignments");
  for (const auto& topic : answer.topics) {
    if (!topic.partitions.empty()) return true;
  }
  return false;
}

template <class Result>
Result CanaryTopicKeeper::run(asio::awaitable<Result> task) {
  auto future = asio::co_spawn(io_, std::move(task), asio::use_future);
  io_.restart();
  io_.run_for(canary_wait_bound(settings_));
  if (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    client_->close_all();  // fails what is pending at once
    io_.restart();
    io_.run_for(std::chrono::seconds(1));
    throw std::runtime_error("no answer within " + std::to_string(canary_wait_bound(settings_).count()) + " ms");
  }
  return future.get();
}

template <class Request, class Response>
asio::awaitable<Response> CanaryTopicKeeper::ask_any(Request request) {
  protocol::MetadataRequest brokers_only;
  brokers_only.topics = std::vector<protocol::MetadataRequest::Topic>{};
  const auto metadata = co_await client_->metadata(brokers_only);  // the brokers' addresses
  if (metadata.brokers.empty()) throw KafkaError("no broker in the metadata");
  const auto broker = metadata.brokers[next_broker_ % metadata.brokers.size()].node_id;
  co_return co_await ask<Request, Response>(*client_, broker, std::move(request));
}

}  // namespace msgwatch::kafka
