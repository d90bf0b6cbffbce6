#pragma once

#include <cstdint>
#include <tuple>

#include "probes/kafka/protocol/protocol.hpp"

namespace msgwatch::kafka::protocol::testing {

// A message of type M with every field that exists in `version` set to a non-default value
// (fields absent from that version keep their defaults, so decode(encode(x)) == x holds).
// Shared by the round-trip tests and the fuzz corpus generator.
template <class M>
M sample(std::int16_t version);

using AllRequests =
    std::tuple<ApiVersionsRequest, MetadataRequest, ListOffsetsRequest, FindCoordinatorRequest, ListGroupsRequest,
               DescribeGroupsRequest, OffsetFetchRequest, ConsumerGroupDescribeRequest, DescribeConfigsRequest,
               ListTransactionsRequest, DescribeTransactionsRequest, DescribeProducersRequest, DescribeQuorumRequest,
               SaslHandshakeRequest, SaslAuthenticateRequest, FetchRequest, ShareGroupDescribeRequest,
               DescribeShareGroupOffsetsRequest, ElectLeadersRequest, AlterPartitionReassignmentsRequest,
               ListPartitionReassignmentsRequest>;

using AllResponses =
    std::tuple<ApiVersionsResponse, MetadataResponse, ListOffsetsResponse, FindCoordinatorResponse, ListGroupsResponse,
               DescribeGroupsResponse, OffsetFetchResponse, ConsumerGroupDescribeResponse, DescribeConfigsResponse,
               ListTransactionsResponse, DescribeTransactionsResponse, DescribeProducersResponse,
               DescribeQuorumResponse, SaslHandshakeResponse, SaslAuthenticateResponse, FetchResponse,
               ShareGroupDescribeResponse, DescribeShareGroupOffsetsResponse, ElectLeadersResponse,
               AlterPartitionReassignmentsResponse, ListPartitionReassignmentsResponse>;

Uuid sample_uuid(std::uint8_t seed);

}  // namespace msgwatch::kafka::protocol::testing
