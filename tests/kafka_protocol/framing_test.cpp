#include <gtest/gtest.h>

#include <array>

#include "probes/kafka/protocol/protocol.hpp"
#include "tests/kafka_protocol/byte_helpers.hpp"

namespace msgwatch::kafka::protocol {
namespace {

using testing::ascii;
using testing::Bytes;
using testing::operator+;

TEST(FrameSize, AcceptsSizesUpToTheLimit) {
  const std::array<std::uint8_t, 4> prefix{0x00, 0x00, 0x01, 0x00};
  EXPECT_EQ(decode_frame_size(prefix), 256u);
  EXPECT_EQ(decode_frame_size(prefix, 256), 256u);
  EXPECT_THROW(decode_frame_size(prefix, 255), DecodeError);
}

TEST(FrameSize, RejectsFramesWithoutRoomForAHeader) {
  EXPECT_THROW(decode_frame_size(std::array<std::uint8_t, 4>{0, 0, 0, 0}), DecodeError);
  EXPECT_THROW(decode_frame_size(std::array<std::uint8_t, 4>{0, 0, 0, 3}), DecodeError);
  EXPECT_EQ(decode_frame_size(std::array<std::uint8_t, 4>{0, 0, 0, 4}), 4u);
}

TEST(FrameSize, RejectsNegativeAndHugeSizes) {
  EXPECT_THROW(decode_frame_size(std::array<std::uint8_t, 4>{0xff, 0xff, 0xff, 0xff}), DecodeError);
  EXPECT_THROW(decode_frame_size(std::array<std::uint8_t, 4>{0x7f, 0xff, 0xff, 0xff}), DecodeError);
}

TEST(ResponseHeader, FlexibleResponsesCarryTaggedFieldsExceptApiVersions) {
  EXPECT_TRUE(uses_flexible_response_header(ApiKey::metadata, true));
  EXPECT_FALSE(uses_flexible_response_header(ApiKey::metadata, false));
  EXPECT_FALSE(uses_flexible_response_header(ApiKey::api_versions, true));
  const auto frame = encode_response_frame(ApiVersionsResponse{}, 3, 9);
  // size, correlation id, then directly the body's error code: no header tagged fields.
  EXPECT_EQ(frame,
            (Bytes{0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00}));
  const auto metadata = encode_response_frame(MetadataResponse{}, 9, 9);
  EXPECT_EQ(metadata[8], 0x00);  // header v1 tagged-field section
}

TEST(ResponseHeader, UnknownHeaderTaggedFieldsAreSkipped) {
  const Bytes frame = Bytes{0x00, 0x00, 0x00, 0x05} + Bytes{0x01, 0x07, 0x01, 0xee}  // tag 7
                      + Bytes{0x00, 0x00, 0x00, 0x00} + Bytes{0x01} + Bytes{0x00};
  const auto response = decode_response<FindCoordinatorResponse>(frame, 4, 5);
  EXPECT_TRUE(response.coordinators.empty());
}

TEST(DecodeResponse, RejectsMismatchedCorrelationIdAndTrailingBytes) {
  const auto frame = encode_response_frame(ListGroupsResponse{}, 4, 100);
  const auto content = std::span(frame).subspan(4);
  EXPECT_NO_THROW(decode_response<ListGroupsResponse>(content, 4, 100));
  try {
    decode_response<ListGroupsResponse>(content, 4, 101);
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_NE(std::string(e.what()).find("correlation"), std::string::npos) << e.what();
  }
  Bytes longer(content.begin(), content.end());
  longer.push_back(0x00);
  EXPECT_THROW(decode_response<ListGroupsResponse>(longer, 4, 100), DecodeError);
  EXPECT_THROW(decode_response<ListGroupsResponse>(content, 9, 100), DecodeError);
}

TEST(DecodeRequest, HeaderAndBodyWithNullClientId) {
  const Bytes frame = Bytes{0x00, 0x10, 0x00, 0x04}                        // ListGroups v4
                      + Bytes{0x00, 0x00, 0x00, 0x03} + Bytes{0xff, 0xff}  // client id null
                      + Bytes{0x00}                                        // header tags
                      + Bytes{0x02, 0x07} + ascii("Stable") + Bytes{0x00};
  EXPECT_EQ(peek_request_header(frame), (RequestHeader{ApiKey::list_groups, 4, 3, std::nullopt}));
  const auto decoded = decode_request<ListGroupsRequest>(frame);
  EXPECT_EQ(decoded.header, (RequestHeader{ApiKey::list_groups, 4, 3, std::nullopt}));
  EXPECT_EQ(decoded.body.states_filter, std::vector<std::string>{"Stable"});
}

TEST(DecodeRequest, RejectsOtherApisUnimplementedVersionsAndTrailingBytes) {
  const auto frame = encode_request_frame(ListGroupsRequest{}, 4, 1, "c");
  const auto content = std::span(frame).subspan(4);
  EXPECT_THROW(decode_request<DescribeGroupsRequest>(content), DecodeError);
  const auto old = encode_request_frame(ApiVersionsRequest{}, 0, 1, "c");
  Bytes patched(old.begin() + 4, old.end());
  patched[3] = 0x09;  // ApiVersions v9
  EXPECT_THROW(decode_request<ApiVersionsRequest>(patched), DecodeError);
  Bytes longer(content.begin(), content.end());
  longer.push_back(0x00);
  EXPECT_THROW(decode_request<ListGroupsRequest>(longer), DecodeError);
  EXPECT_THROW(peek_request_header(Bytes{0x00, 0x12, 0x00}), DecodeError);
}

TEST(EncodeRequestFrame, RejectsUnimplementedVersions) {
  EXPECT_THROW(encode_request_frame(MetadataRequest{}, 8, 1, "c"), std::invalid_argument);
  MetadataRequest by_id_only;
  by_id_only.topics = std::vector<MetadataRequest::Topic>{{}};
  EXPECT_THROW(encode_request_frame(by_id_only, 9, 1, "c"), std::invalid_argument);
  EXPECT_NO_THROW(encode_request_frame(by_id_only, 10, 1, "c"));
}

}  // namespace
}  // namespace msgwatch::kafka::protocol
