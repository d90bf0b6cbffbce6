#include <gtest/gtest.h>

#include <span>
#include <stdexcept>

#include "probes/kafka/protocol/protocol.hpp"
#include "tests/kafka_protocol/sample_messages.hpp"

namespace msgwatch::kafka::protocol {
namespace {

using testing::sample;

template <class M>
std::vector<std::uint8_t> encode_body(const M& message, std::int16_t version) {
  Writer w;
  message.encode(w, version);
  return std::move(w).take();
}

template <class M>
M decode_body(std::span<const std::uint8_t> bytes, std::int16_t version) {
  Reader r(bytes);
  M message = M::decode(r, version);
  r.expect_end("body");
  return message;
}

template <class M>
void expect_round_trip_in_every_version() {
  for (std::int16_t v = M::min_version; v <= M::max_version; ++v) {
    SCOPED_TRACE("version " + std::to_string(v));
    const M original = sample<M>(v);
    const auto bytes = encode_body(original, v);
    const M decoded = decode_body<M>(bytes, v);
    EXPECT_EQ(decoded, original);
    EXPECT_EQ(encode_body(decoded, v), bytes);
    EXPECT_EQ(decode_body<M>(encode_body(M{}, v), v), M{});
  }
}

// Every strict prefix of a valid encoding must be rejected: truncation anywhere (inside a
// length, a string, an array, a tagged-field section) must be noticed, never read past.
template <class M>
void expect_every_strict_prefix_rejected() {
  for (std::int16_t v = M::min_version; v <= M::max_version; ++v) {
    const auto bytes = encode_body(sample<M>(v), v);
    for (std::size_t length = 0; length < bytes.size(); ++length) {
      EXPECT_THROW(decode_body<M>(std::span(bytes).first(length), v), DecodeError)
          << "version " << v << ", prefix of " << length << " of " << bytes.size() << " bytes";
    }
  }
}

template <class M>
void expect_unimplemented_versions_rejected() {
  const auto bytes = encode_body(sample<M>(M::max_version), M::max_version);
  for (const std::int16_t v :
       {static_cast<std::int16_t>(M::min_version - 1), static_cast<std::int16_t>(M::max_version + 1)}) {
    EXPECT_THROW(decode_body<M>(bytes, v), DecodeError) << v;
    Writer w;
    EXPECT_THROW(sample<M>(M::max_version).encode(w, v), std::invalid_argument) << v;
  }
}

template <class M>
class RequestCodec : public ::testing::Test {};
template <class M>
class ResponseCodec : public ::testing::Test {};

using RequestTypes =
    ::testing::Types<ApiVersionsRequest, MetadataRequest, ListOffsetsRequest, FindCoordinatorRequest, ListGroupsRequest,
                     DescribeGroupsRequest, OffsetFetchRequest, ConsumerGroupDescribeRequest, DescribeConfigsRequest,
                     ListTransactionsRequest, DescribeTransactionsRequest, DescribeProducersRequest,
                     DescribeQuorumRequest, SaslHandshakeRequest, SaslAuthenticateRequest, FetchRequest,
                     ShareGroupDescribeRequest, DescribeShareGroupOffsetsRequest, ElectLeadersRequest,
                     AlterPartitionReassignmentsRequest, ListPartitionReassignmentsRequest>;
using ResponseTypes =
    ::testing::Types<ApiVersionsResponse, MetadataResponse, ListOffsetsResponse, FindCoordinatorResponse,
                     ListGroupsResponse, DescribeGroupsResponse, OffsetFetchResponse, ConsumerGroupDescribeResponse,
                     DescribeConfigsResponse, ListTransactionsResponse, DescribeTransactionsResponse,
                     DescribeProducersResponse, DescribeQuorumResponse, SaslHandshakeResponse, SaslAuthenticateResponse,
                     FetchResponse, ShareGroupDescribeResponse, DescribeShareGroupOffsetsResponse, ElectLeadersResponse,
                     AlterPartitionReassignmentsResponse, ListPartitionReassignmentsResponse>;

class TypeNames {
 public:
  template <class T>
  static std::string GetName(int) {
    return to_string(T::api_key);
  }
};

TYPED_TEST_SUITE(RequestCodec, RequestTypes, TypeNames);
TYPED_TEST_SUITE(ResponseCodec, ResponseTypes, TypeNames);

TYPED_TEST(RequestCodec, RoundTripsEveryVersion) { expect_round_trip_in_every_version<TypeParam>(); }
TYPED_TEST(ResponseCodec, RoundTripsEveryVersion) { expect_round_trip_in_every_version<TypeParam>(); }

TYPED_TEST(RequestCodec, RejectsEveryStrictPrefix) { expect_every_strict_prefix_rejected<TypeParam>(); }
TYPED_TEST(ResponseCodec, RejectsEveryStrictPrefix) { expect_every_strict_prefix_rejected<TypeParam>(); }

TYPED_TEST(RequestCodec, RejectsUnimplementedVersions) { expect_unimplemented_versions_rejected<TypeParam>(); }
TYPED_TEST(ResponseCodec, RejectsUnimplementedVersions) { expect_unimplemented_versions_rejected<TypeParam>(); }

TYPED_TEST(RequestCodec, FramesRoundTripThroughTheBrokerSide) {
  using Request = TypeParam;
  for (std::int16_t v = Request::min_version; v <= Request::max_version; ++v) {
    SCOPED_TRACE("version " + std::to_string(v));
    const Request original = sample<Request>(v);
    const auto frame = encode_request_frame(original, v, 7001, "msgwatch");
    ASSERT_GE(frame.size(), 4u);
    EXPECT_EQ(decode_frame_size(std::span(frame).template first<4>()), frame.size() - 4);
    const auto decoded = decode_request<Request>(std::span(frame).subspan(4));
    EXPECT_EQ(decoded.header, (RequestHeader{Request::api_key, v, 7001, "msgwatch"}));
    EXPECT_EQ(decoded.body, original);
  }
}

TYPED_TEST(ResponseCodec, FramesRoundTripThroughTheClientSide) {
  using Response = TypeParam;
  for (std::int16_t v = Response::min_version; v <= Response::max_version; ++v) {
    SCOPED_TRACE("version " + std::to_string(v));
    const Response original = sample<Response>(v);
    auto frame = encode_response_frame(original, v, -5);
    EXPECT_EQ(decode_frame_size(std::span(frame).template first<4>()), frame.size() - 4);
    const auto content = std::span(frame).subspan(4);
    EXPECT_EQ(decode_response<Response>(content, v, -5), original);
    EXPECT_THROW(decode_response<Response>(content, v, -6), DecodeError);
    frame.push_back(0);
    EXPECT_THROW(decode_response<Response>(std::span(frame).subspan(4), v, -5), DecodeError);
  }
}

}  // namespace
}  // namespace msgwatch::kafka::protocol
