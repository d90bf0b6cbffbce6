#include <gtest/gtest.h>

#include "probes/kafka/protocol/protocol.hpp"

namespace msgwatch::kafka::protocol {
namespace {

ApiVersionsResponse broker(std::vector<ApiVersionsResponse::ApiVersion> ranges) {
  ApiVersionsResponse response;
  response.api_keys = std::move(ranges);
  return response;
}

TEST(VersionNegotiation, PicksHighestCommonVersion) {
  // Ranges as advertised by Kafka 3.9: Metadata 0-12, ListOffsets 0-9, DescribeGroups 0-5.
  const auto kafka_3_9 =
      broker({{ApiKey::metadata, 0, 12}, {ApiKey::list_offsets, 0, 9}, {ApiKey::describe_groups, 0, 5}});
  EXPECT_EQ(negotiate_version<MetadataRequest>(kafka_3_9), 12);
  EXPECT_EQ(negotiate_version<ListOffsetsRequest>(kafka_3_9), 9);
  EXPECT_EQ(negotiate_version<DescribeGroupsRequest>(kafka_3_9), 5);
}

TEST(VersionNegotiation, BrokerNewerThanUsIsCappedAtOurMax) {
  const auto kafka_4 = broker({{ApiKey::metadata, 0, 13}, {ApiKey::offset_fetch, 1, 10}});
  EXPECT_EQ(negotiate_version<MetadataResponse>(kafka_4), 12);
  EXPECT_EQ(negotiate_version<OffsetFetchRequest>(kafka_4), 9);
}

TEST(VersionNegotiation, NoOverlapOrUnknownApiGivesNothing) {
  const auto old_broker = broker({{ApiKey::metadata, 0, 8}});
  EXPECT_EQ(negotiate_version<MetadataRequest>(old_broker), std::nullopt);
  EXPECT_EQ(negotiate_version<ConsumerGroupDescribeRequest>(old_broker), std::nullopt);
  const auto raised_floor = broker({{ApiKey::list_offsets, 10, 12}});
  EXPECT_EQ(negotiate_version<ListOffsetsRequest>(raised_floor), std::nullopt);
  EXPECT_EQ(negotiate_version(raised_floor, ApiKey::list_offsets, 0, 11), 11);
}

}  // namespace
}  // namespace msgwatch::kafka::protocol
