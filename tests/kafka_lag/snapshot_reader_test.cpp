// The snapshot reader against a scripted broker: what becomes of a group that earlier cycles
// saw and that no broker lists now. While it moves between coordinators (the old one no
// longer lists it, the new one is still loading it) it must be counted unread, never
// silently dropped; once deleted it must go.

#include "probes/kafka/lag/snapshot_reader.hpp"

#include "fake_broker.hpp"
#include "probes/kafka/lag/cluster_metrics.hpp"
#include "probes/kafka/protocol/messages/describe_groups.hpp"
#include "probes/kafka/protocol/messages/find_coordinator.hpp"
#include "probes/kafka/protocol/messages/list_groups.hpp"
#include "probes/kafka/protocol/messages/offset_fetch.hpp"
#include "run_until.hpp"

#include <gtest/gtest.h>

namespace msgwatch::kafka::test {
namespace {

namespace asio = boost::asio;
namespace proto = protocol;

// What the coordinator answers for the group "orders", which ListGroups never lists.
struct Coordinator {
  proto::ErrorCode offset_fetch_error = proto::ErrorCode::none;
  std::vector<proto::OffsetFetchResponse::Topic> committed;
  std::string described_state;
};

FakeBrokerScript unlisting_broker(const Coordinator& coordinator, std::uint16_t& port) {
  FakeBrokerScript script;
  script.apis.insert(answering<proto::ListGroupsRequest, proto::ListGroupsResponse>(
      [](const auto&) { return proto::ListGroupsResponse{}; }));
  script.apis.insert(answering<proto::FindCoordinatorRequest, proto::FindCoordinatorResponse>([&port](const auto& r) {
    proto::FindCoordinatorResponse response;
    for (const auto& key : r.coordinator_keys)
      response.coordinators.push_back({key, 1, "127.0.0.1", port, proto::ErrorCode::none, std::nullopt});
    return response;
  }));
  script.apis.insert(answering<proto::OffsetFetchRequest, proto::OffsetFetchResponse>([&coordinator](const auto& r) {
    proto::OffsetFetchResponse response;
    for (const auto& group : r.groups) {
      response.groups.push_back({group.group_id, coordinator.committed, coordinator.offset_fetch_error});
    }
    return response;
  }));
  script.apis.insert(
      answering<proto::DescribeGroupsRequest, proto::DescribeGroupsResponse>([&coordinator](const auto& r) {
        proto::DescribeGroupsResponse response;
        for (const auto& id : r.groups) {
          proto::DescribeGroupsResponse::Group group;
          group.group_id = id;
          group.group_state = coordinator.described_state;
          group.protocol_type = "consumer";
          response.groups.push_back(group);
        }
        return response;
      }));
  return script;
}

// The groups msgwatch_kafka_group_unread names on the page written from `snapshot`.
std::vector<std::string> named_unread(const ClusterSnapshot& snapshot) {
  SeriesSet page;
  write_cluster_metrics(snapshot, true, page);
  std::vector<std::string> groups;
  if (const auto* unread = page.find("msgwatch_kafka_group_unread")) {
    for (std::size_t i = 0; i < unread->size(); ++i) groups.emplace_back(unread->label(i, 0));
  }
  return groups;
}

class UnlistedGroupTest : public ::testing::Test {
 protected:
  UnlistedGroupTest()
      : broker_(io_, unlisting_broker(coordinator_, port_)),
        client_(io_.get_executor(), {"127.0.0.1:" + std::to_string(broker_.port())}, {}) {
    port_ = broker_.port();
  }

  ClusterSnapshot read() {
    std::optional<ClusterSnapshot> snapshot;
    run_task(io_, [&]() -> asio::awaitable<void> {
      snapshot = co_await read_snapshot(client_, {every_, every_, known_});
    }());
    return std::move(*snapshot);
  }

  asio::io_context io_;
  std::uint16_t port_ = 0;
  Coordinator coordinator_;
  FakeBroker broker_;
  ClusterClient client_;
  NameFilter every_{NamePatterns{}};
  KnownGroups known_{{"orders", {1, "classic"}}};
};

TEST_F(UnlistedGroupTest, AGroupItsNewCoordinatorIsStillLoadingIsUnreadNotDropped) {
  coordinator_.offset_fetch_error = proto::ErrorCode::coordinator_load_in_progress;
  const auto snapshot = read();
  EXPECT_FALSE(snapshot.groups.contains("orders"));
  EXPECT_EQ(snapshot.unread_groups, std::set<std::string>{"orders"});
  EXPECT_TRUE(snapshot.partial());
  EXPECT_EQ(named_unread(snapshot), std::vector<std::string>{"orders"}) << "its alerts are held";
  EXPECT_TRUE(remember_groups(snapshot, known_).contains("orders")) << "tried again next cycle";
}

TEST_F(UnlistedGroupTest, AGroupItsNewCoordinatorAnswersForIsRead) {
  coordinator_.committed = {{"payments", {{0, 42, -1, std::nullopt, proto::ErrorCode::none}}}};
  coordinator_.described_state = "Empty";
  const auto snapshot = read();
  ASSERT_TRUE(snapshot.groups.contains("orders"));
  EXPECT_EQ(snapshot.groups.at("orders").committed.at({"payments", 0}), 42);
  EXPECT_EQ(snapshot.groups.at("orders").state, "Empty");
  EXPECT_FALSE(snapshot.partial());
  EXPECT_TRUE(named_unread(snapshot).empty());
}

TEST_F(UnlistedGroupTest, ADeletedClassicGroupGoes) {
  coordinator_.described_state = "Dead";
  const auto snapshot = read();
  EXPECT_FALSE(snapshot.groups.contains("orders"));
  EXPECT_TRUE(snapshot.unread_groups.empty());
  EXPECT_FALSE(snapshot.partial());
  EXPECT_FALSE(remember_groups(snapshot, known_).contains("orders"));
}

TEST_F(UnlistedGroupTest, AGroupTheCoordinatorDoesNotKnowGoes) {
  coordinator_.offset_fetch_error = proto::ErrorCode::group_id_not_found;
  const auto snapshot = read();
  EXPECT_FALSE(snapshot.groups.contains("orders"));
  EXPECT_TRUE(snapshot.unread_groups.empty());
  EXPECT_FALSE(snapshot.partial());
}

}  // namespace
}  // namespace msgwatch::kafka::test
