#include <gtest/gtest.h>

#include <sstream>

#include "probes/kafka/protocol/api_key.hpp"
#include "probes/kafka/protocol/error_code.hpp"

namespace msgwatch::kafka::protocol {
namespace {

TEST(ErrorCode, NamesMatchKafka) {
  EXPECT_EQ(name(ErrorCode::none), "NONE");
  EXPECT_EQ(name(ErrorCode::unknown_server_error), "UNKNOWN_SERVER_ERROR");
  EXPECT_EQ(name(ErrorCode::not_leader_or_follower), "NOT_LEADER_OR_FOLLOWER");
  EXPECT_EQ(name(ErrorCode::coordinator_load_in_progress), "COORDINATOR_LOAD_IN_PROGRESS");
  EXPECT_EQ(name(ErrorCode::group_id_not_found), "GROUP_ID_NOT_FOUND");
  EXPECT_EQ(name(ErrorCode::transaction_abortable), "TRANSACTION_ABORTABLE");
  EXPECT_EQ(name(ErrorCode::share_session_limit_reached), "SHARE_SESSION_LIMIT_REACHED");
}

TEST(ErrorCode, WireValuesMatchKafka) {
  EXPECT_EQ(to_int(ErrorCode::unknown_server_error), -1);
  EXPECT_EQ(to_int(ErrorCode::not_leader_or_follower), 6);
  EXPECT_EQ(to_int(ErrorCode::not_coordinator), 16);
  EXPECT_EQ(to_int(ErrorCode::unsupported_version), 35);
  EXPECT_EQ(to_int(ErrorCode::group_id_not_found), 69);
  EXPECT_EQ(to_int(ErrorCode::unstable_offset_commit), 88);
  EXPECT_EQ(to_int(ErrorCode::transactional_id_not_found), 105);
  EXPECT_EQ(to_int(ErrorCode::transaction_abortable), 120);
  EXPECT_EQ(to_int(ErrorCode::share_session_limit_reached), 133);
}

TEST(ErrorCode, EveryCodeFromMinusOneTo133IsKnown) {
  for (int v = -1; v <= 133; ++v) {
    const auto code = static_cast<ErrorCode>(v);
    EXPECT_TRUE(is_known(code)) << v;
    EXPECT_FALSE(name(code).empty()) << v;
  }
}

TEST(ErrorCode, UnknownValuesStayRepresentableAndPrintable) {
  const auto future = static_cast<ErrorCode>(321);
  EXPECT_FALSE(is_known(future));
  EXPECT_EQ(name(future), "");
  EXPECT_EQ(to_string(future), "UNKNOWN(321)");
  EXPECT_EQ(to_string(static_cast<ErrorCode>(-7)), "UNKNOWN(-7)");
  EXPECT_FALSE(is_retriable(future));
  std::ostringstream out;
  out << future << ' ' << ErrorCode::not_coordinator;
  EXPECT_EQ(out.str(), "UNKNOWN(321) NOT_COORDINATOR");
}

TEST(ErrorCode, RetriableFollowsKafkasExceptionHierarchy) {
  for (const auto code :
       {ErrorCode::not_leader_or_follower, ErrorCode::leader_not_available, ErrorCode::unknown_topic_or_partition,
        ErrorCode::request_timed_out, ErrorCode::coordinator_load_in_progress, ErrorCode::coordinator_not_available,
        ErrorCode::not_coordinator, ErrorCode::not_controller, ErrorCode::concurrent_transactions,
        ErrorCode::unstable_offset_commit, ErrorCode::fenced_leader_epoch, ErrorCode::offset_not_available,
        ErrorCode::kafka_storage_error, ErrorCode::unknown_topic_id}) {
    EXPECT_TRUE(is_retriable(code)) << code;
  }
  for (const auto code : {ErrorCode::none, ErrorCode::unknown_server_error, ErrorCode::topic_authorization_failed,
                          ErrorCode::group_authorization_failed, ErrorCode::unsupported_version,
                          ErrorCode::group_id_not_found, ErrorCode::invalid_request, ErrorCode::rebalance_in_progress,
                          ErrorCode::transactional_id_not_found, ErrorCode::producer_fenced}) {
    EXPECT_FALSE(is_retriable(code)) << code;
  }
}

TEST(ApiKey, NamesAndUnknownKeys) {
  EXPECT_EQ(to_int(ApiKey::api_versions), 18);
  EXPECT_EQ(to_int(ApiKey::consumer_group_describe), 69);
  EXPECT_EQ(name(ApiKey::describe_producers), "DescribeProducers");
  EXPECT_EQ(to_string(ApiKey::list_offsets), "ListOffsets");
  EXPECT_EQ(to_string(static_cast<ApiKey>(999)), "UNKNOWN_API(999)");
}

}  // namespace
}  // namespace msgwatch::kafka::protocol
