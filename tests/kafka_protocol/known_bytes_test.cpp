// Wire bytes written out by hand from the message specifications (the Apache Kafka message
// JSON files and the protocol guide), decoded to known values. These check the field order and
// encodings against the spec itself rather than against this library's own encoder.
#include <gtest/gtest.h>

#include <algorithm>
#include <span>
#include <stdexcept>
#include <utility>

#include "probes/kafka/protocol/protocol.hpp"
#include "tests/kafka_protocol/byte_helpers.hpp"
#include "tests/kafka_protocol/record_batch_builder.hpp"

namespace msgwatch::kafka::protocol {
namespace {

using testing::ascii;
using testing::Bytes;
using testing::operator+;

const Bytes no_tags{0x00};
const Bytes int32_zero{0x00, 0x00, 0x00, 0x00};
const Bytes int64_minus_one(8, 0xff);
const Bytes topic_id_bytes{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                           0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};

Uuid topic_id() {
  Uuid id;
  std::copy(topic_id_bytes.begin(), topic_id_bytes.end(), id.bytes.begin());
  return id;
}

template <class Response>
Response decode_exactly(const Bytes& body, std::int16_t version) {
  Reader r(body);
  Response response = Response::decode(r, version);
  r.expect_end("body");
  return response;
}

template <class Message>
Bytes encode_body(const Message& message, std::int16_t version) {
  Writer w;
  message.encode(w, version);
  return std::move(w).take();
}

TEST(KnownBytes, ApiVersionsV3ResponseWithHeaderV0AndTaggedFields) {
  const Bytes frame = Bytes{0x00, 0x00, 0x00, 0x2a}  // correlation id 42; header v0: no tagged fields
                      + Bytes{0x00, 0x00}            // error_code NONE
                      + Bytes{0x03}                  // api_keys: compact array of 2
                      + Bytes{0x00, 0x12, 0x00, 0x00, 0x00, 0x04} + no_tags  // ApiVersions 0-4
                      + Bytes{0x00, 0x03, 0x00, 0x00, 0x00, 0x0c} + no_tags  // Metadata 0-12
                      + Bytes{0x00, 0x00, 0x00, 0x00}                        // throttle_time_ms 0
                      + Bytes{0x04}                                          // four tagged fields
                      // tag 0 SupportedFeatures, 23 bytes: [{"metadata.version", 1, 21}]
                      + Bytes{0x00, 0x17, 0x02, 0x11} + ascii("metadata.version") + Bytes{0x00, 0x01, 0x00, 0x15} +
                      no_tags
                      // tag 1 FinalizedFeaturesEpoch, int64 5
                      + Bytes{0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05}
                      // tag 3 ZkMigrationReady true
                      + Bytes{0x03, 0x01, 0x01}  // tag 9: unknown to this version, skipped by its size
                      + Bytes{0x09, 0x02, 0xab, 0xcd};

  const auto response = decode_response<ApiVersionsResponse>(frame, 3, 42);
  EXPECT_EQ(response.error_code, ErrorCode::none);
  ASSERT_EQ(response.api_keys.size(), 2u);
  EXPECT_EQ(response.api_keys[0], (ApiVersionsResponse::ApiVersion{ApiKey::api_versions, 0, 4}));
  EXPECT_EQ(response.api_keys[1], (ApiVersionsResponse::ApiVersion{ApiKey::metadata, 0, 12}));
  EXPECT_EQ(response.throttle_time_ms, 0);
  ASSERT_EQ(response.supported_features.size(), 1u);
  EXPECT_EQ(response.supported_features[0], (ApiVersionsResponse::SupportedFeatureKey{"metadata.version", 1, 21}));
  EXPECT_EQ(response.finalized_features_epoch, 5);
  EXPECT_TRUE(response.finalized_features.empty());
  EXPECT_TRUE(response.zk_migration_ready);
}

TEST(KnownBytes, ApiVersionsUnsupportedVersionAnswerFallsBackToV0Body) {
  // What a broker sends when asked for an ApiVersions version it does not know: a v0 body.
  const Bytes frame = Bytes{0x00, 0x00, 0x00, 0x01}    // correlation id 1
                      + Bytes{0x00, 0x23}              // UNSUPPORTED_VERSION
                      + Bytes{0x00, 0x00, 0x00, 0x01}  // classic array of 1
                      + Bytes{0x00, 0x12, 0x00, 0x00, 0x00, 0x02};
  const auto response = decode_response<ApiVersionsResponse>(frame, 3, 1);
  EXPECT_EQ(response.error_code, ErrorCode::unsupported_version);
  ASSERT_EQ(response.api_keys.size(), 1u);
  EXPECT_EQ(response.api_keys[0], (ApiVersionsResponse::ApiVersion{ApiKey::api_versions, 0, 2}));
  EXPECT_THROW(decode_response<ApiVersionsResponse>(frame, 3, 2), DecodeError);
}

TEST(KnownBytes, ApiVersionsV3RequestFrameUsesRequestHeaderV2) {
  const Bytes expected = Bytes{0x00, 0x00, 0x00, 0x23}            // size 35
                         + Bytes{0x00, 0x12, 0x00, 0x03}          // ApiVersions v3
                         + Bytes{0x00, 0x00, 0x00, 0x01}          // correlation id
                         + Bytes{0x00, 0x08} + ascii("msgwatch")  // client id: classic string
                         + no_tags                                // header v2 tagged fields
                         + Bytes{0x09} + ascii("msgwatch") + Bytes{0x06} + ascii("0.1.0") + no_tags;
  ApiVersionsRequest request;
  request.client_software_name = "msgwatch";
  request.client_software_version = "0.1.0";
  EXPECT_EQ(encode_request_frame(request, 3, 1, "msgwatch"), expected);

  const Bytes v0 = Bytes{0x00, 0x00, 0x00, 0x0a, 0x00, 0x12, 0x00,
                         0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00};  // header v1, client id "", empty body
  EXPECT_EQ(encode_request_frame(ApiVersionsRequest{}, 0, 2, ""), v0);
}

TEST(KnownBytes, MetadataV12Response) {
  const Bytes frame = Bytes{0x00, 0x00, 0x00, 0x07} + no_tags  // correlation id 7, header v1
                      + int32_zero                             // throttle_time_ms
                      + Bytes{0x02}                            // brokers: 1
                      + Bytes{0x00, 0x00, 0x00, 0x01} + Bytes{0x0a} + ascii("localhost") +
                      Bytes{0x00, 0x00, 0x23, 0x84}              // port 9092
                      + Bytes{0x00}                              // rack null
                      + no_tags + Bytes{0x04} + ascii("abc")     // cluster_id
                      + Bytes{0x00, 0x00, 0x00, 0x01}            // controller_id
                      + Bytes{0x02}                              // topics: 1
                      + Bytes{0x00, 0x00}                        // error_code
                      + Bytes{0x03} + ascii("t1")                // name
                      + topic_id_bytes + Bytes{0x00}             // is_internal false
                      + Bytes{0x02}                              // partitions: 1
                      + Bytes{0x00, 0x00} + int32_zero           // error_code, partition_index 0
                      + Bytes{0x00, 0x00, 0x00, 0x01}            // leader_id
                      + Bytes{0x00, 0x00, 0x00, 0x05}            // leader_epoch
                      + Bytes{0x02, 0x00, 0x00, 0x00, 0x01}      // replica_nodes [1]
                      + Bytes{0x02, 0x00, 0x00, 0x00, 0x01}      // isr_nodes [1]
                      + Bytes{0x01}                              // offline_replicas []
                      + no_tags + Bytes{0x80, 0x00, 0x00, 0x00}  // topic_authorized_operations unknown
                      + no_tags + no_tags;

  const auto response = decode_response<MetadataResponse>(frame, 12, 7);
  ASSERT_EQ(response.brokers.size(), 1u);
  EXPECT_EQ(response.brokers[0], (MetadataResponse::Broker{1, "localhost", 9092, std::nullopt}));
  EXPECT_EQ(response.cluster_id, "abc");
  EXPECT_EQ(response.controller_id, 1);
  ASSERT_EQ(response.topics.size(), 1u);
  const auto& topic = response.topics[0];
  EXPECT_EQ(topic.name, "t1");
  EXPECT_EQ(topic.topic_id, topic_id());
  EXPECT_FALSE(topic.is_internal);
  EXPECT_EQ(topic.topic_authorized_operations, authorized_operations_unknown);
  ASSERT_EQ(topic.partitions.size(), 1u);
  EXPECT_EQ(topic.partitions[0], (MetadataResponse::Partition{ErrorCode::none, 0, 1, 5, {1}, {1}, {}}));
  // v12 has no cluster-level authorized operations: the same bytes read as v10 run short.
  EXPECT_THROW(decode_response<MetadataResponse>(frame, 10, 7), DecodeError);
}

TEST(KnownBytes, MetadataV12RequestForAllTopics) {
  const Bytes expected = Bytes{0x00, 0x00, 0x00, 0x11} + Bytes{0x00, 0x03, 0x00, 0x0c} + Bytes{0x00, 0x00, 0x00, 0x09} +
                         Bytes{0x00, 0x02} + ascii("mw") + no_tags + Bytes{0x00}  // topics null: all topics
                         + Bytes{0x00}                                            // allow_auto_topic_creation false
                         + Bytes{0x00} + no_tags;                                 // include_topic_authorized_operations
  EXPECT_EQ(encode_request_frame(MetadataRequest{}, 12, 9, "mw"), expected);
}

TEST(KnownBytes, ListOffsetsV7) {
  const Bytes request = Bytes{0xff, 0xff, 0xff, 0xff}  // replica_id -1
                        + Bytes{0x01}                  // READ_COMMITTED
                        + Bytes{0x02, 0x07} + ascii("orders") + Bytes{0x02} + int32_zero +
                        Bytes{0xff, 0xff, 0xff, 0xff}                            // current_leader_epoch -1
                        + Bytes{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}  // earliest
                        + no_tags + no_tags + no_tags;
  const auto decoded_request = decode_exactly<ListOffsetsRequest>(request, 7);
  EXPECT_EQ(decoded_request.replica_id, -1);
  EXPECT_EQ(decoded_request.isolation_level, ListOffsetsRequest::read_committed);
  ASSERT_EQ(decoded_request.topics.size(), 1u);
  EXPECT_EQ(decoded_request.topics[0].partitions,
            (std::vector<ListOffsetsRequest::Partition>{{0, -1, ListOffsetsRequest::earliest_timestamp}}));

  const Bytes response = int32_zero + Bytes{0x02, 0x07} + ascii("orders") + Bytes{0x02} + int32_zero +
                         Bytes{0x00, 0x00} + int64_minus_one +
                         Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8}  // offset 1000
                         + Bytes{0x00, 0x00, 0x00, 0x07} + no_tags + no_tags + no_tags;
  const auto decoded = decode_exactly<ListOffsetsResponse>(response, 7);
  ASSERT_EQ(decoded.topics.size(), 1u);
  EXPECT_EQ(decoded.topics[0].name, "orders");
  EXPECT_EQ(decoded.topics[0].partitions,
            (std::vector<ListOffsetsResponse::Partition>{{0, ErrorCode::none, -1, 1000, 7}}));
}

TEST(KnownBytes, FindCoordinatorV4Response) {
  const Bytes body = int32_zero + Bytes{0x02} + Bytes{0x03} + ascii("g1") + Bytes{0x00, 0x00, 0x00, 0x02} +
                     Bytes{0x0a} + ascii("localhost") + Bytes{0x00, 0x00, 0x23, 0x84} +
                     Bytes{0x00, 0x0f}  // COORDINATOR_NOT_AVAILABLE
                     + Bytes{0x00}      // error_message null
                     + no_tags + no_tags;
  const auto decoded = decode_exactly<FindCoordinatorResponse>(body, 4);
  ASSERT_EQ(decoded.coordinators.size(), 1u);
  EXPECT_EQ(decoded.coordinators[0],
            (FindCoordinatorResponse::Coordinator{"g1", 2, "localhost", 9092, ErrorCode::coordinator_not_available,
                                                  std::nullopt}));
}

TEST(KnownBytes, ListGroupsV5Response) {
  const Bytes body = int32_zero + Bytes{0x00, 0x00} + Bytes{0x02} + Bytes{0x03} + ascii("g1") + Bytes{0x09} +
                     ascii("consumer") + Bytes{0x07} + ascii("Stable") + Bytes{0x08} + ascii("classic") + no_tags +
                     no_tags;
  const auto decoded = decode_exactly<ListGroupsResponse>(body, 5);
  ASSERT_EQ(decoded.groups.size(), 1u);
  EXPECT_EQ(decoded.groups[0], (ListGroupsResponse::Group{"g1", "consumer", "Stable", "classic"}));
  // The same bytes are one string too long for v4, which has no group_type.
  EXPECT_THROW(decode_exactly<ListGroupsResponse>(body, 4), DecodeError);
}

TEST(KnownBytes, DescribeGroupsV5ResponseWithConsumerAssignment) {
  // ConsumerProtocolAssignment v0: version, [("t", [2])], user_data null. Classic encoding.
  const Bytes assignment = Bytes{0x00, 0x00} + Bytes{0x00, 0x00, 0x00, 0x01} + Bytes{0x00, 0x01} + ascii("t") +
                           Bytes{0x00, 0x00, 0x00, 0x01} + Bytes{0x00, 0x00, 0x00, 0x02} +
                           Bytes{0xff, 0xff, 0xff, 0xff};
  ASSERT_EQ(assignment.size(), 21u);
  const Bytes body =
      int32_zero + Bytes{0x02} + Bytes{0x00, 0x00} + Bytes{0x03} + ascii("g1") + Bytes{0x07} + ascii("Stable") +
      Bytes{0x09} + ascii("consumer") + Bytes{0x06} + ascii("range") + Bytes{0x02}   // members: 1
      + Bytes{0x03} + ascii("m1") + Bytes{0x00}                                      // group_instance_id null
      + Bytes{0x03} + ascii("c1") + Bytes{0x0b} + ascii("/127.0.0.1") + Bytes{0x01}  // member_metadata: empty
      + Bytes{0x16} + assignment                                                     // member_assignment: 21 bytes
      + no_tags + Bytes{0x80, 0x00, 0x00, 0x00} + no_tags + no_tags;
  const auto decoded = decode_exactly<DescribeGroupsResponse>(body, 5);
  ASSERT_EQ(decoded.groups.size(), 1u);
  const auto& group = decoded.groups[0];
  EXPECT_EQ(group.group_id, "g1");
  EXPECT_EQ(group.group_state, "Stable");
  EXPECT_EQ(group.protocol_type, "consumer");
  EXPECT_EQ(group.protocol_data, "range");
  EXPECT_EQ(group.error_message, std::nullopt);
  ASSERT_EQ(group.members.size(), 1u);
  const auto& member = group.members[0];
  EXPECT_EQ(member.member_id, "m1");
  EXPECT_EQ(member.group_instance_id, std::nullopt);
  EXPECT_EQ(member.client_host, "/127.0.0.1");
  EXPECT_TRUE(member.member_metadata.empty());
  const auto decoded_assignment = decode_consumer_protocol_assignment(member.member_assignment);
  EXPECT_EQ(decoded_assignment.assigned_partitions,
            (std::vector<ConsumerProtocolAssignment::TopicPartition>{{"t", {2}}}));
  EXPECT_EQ(decoded_assignment.user_data, std::nullopt);
}

TEST(KnownBytes, OffsetFetchV8Response) {
  const Bytes body = int32_zero + Bytes{0x02} + Bytes{0x03} + ascii("g1") + Bytes{0x02} + Bytes{0x02} + ascii("t") +
                     Bytes{0x02} + int32_zero + Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x90}  // committed 400
                     + Bytes{0xff, 0xff, 0xff, 0xff}                              // leader epoch -1
                     + Bytes{0x01}                                                // metadata ""
                     + Bytes{0x00, 0x00} + no_tags + no_tags + Bytes{0x00, 0x10}  // NOT_COORDINATOR
                     + no_tags + no_tags;
  const auto decoded = decode_exactly<OffsetFetchResponse>(body, 8);
  ASSERT_EQ(decoded.groups.size(), 1u);
  EXPECT_EQ(decoded.groups[0].group_id, "g1");
  EXPECT_EQ(decoded.groups[0].error_code, ErrorCode::not_coordinator);
  ASSERT_EQ(decoded.groups[0].topics.size(), 1u);
  EXPECT_EQ(decoded.groups[0].topics[0].partitions,
            (std::vector<OffsetFetchResponse::Partition>{{0, 400, -1, "", ErrorCode::none}}));
}

TEST(KnownBytes, OffsetFetchV9RequestWithMemberFields) {
  const Bytes body = Bytes{0x02} + Bytes{0x03} + ascii("g1") + Bytes{0x00}  // member_id null
                     + Bytes{0xff, 0xff, 0xff, 0xff}                        // member_epoch -1
                     + Bytes{0x00}                                          // topics null: all
                     + no_tags + Bytes{0x00} + no_tags;
  const auto decoded = decode_exactly<OffsetFetchRequest>(body, 9);
  ASSERT_EQ(decoded.groups.size(), 1u);
  EXPECT_EQ(decoded.groups[0], (OffsetFetchRequest::Group{"g1", std::nullopt, -1, std::nullopt}));
  EXPECT_FALSE(decoded.require_stable);
}

TEST(KnownBytes, ConsumerGroupDescribeV0Response) {
  const Bytes body = int32_zero + Bytes{0x02} + Bytes{0x00, 0x00} + Bytes{0x00} + Bytes{0x03} + ascii("g1") +
                     Bytes{0x07} + ascii("Stable") + Bytes{0x00, 0x00, 0x00, 0x03} + Bytes{0x00, 0x00, 0x00, 0x03} +
                     Bytes{0x08} + ascii("uniform") + Bytes{0x02}             // members: 1
                     + Bytes{0x03} + ascii("m1") + Bytes{0x00} + Bytes{0x00}  // instance_id, rack_id null
                     + Bytes{0x00, 0x00, 0x00, 0x03} + Bytes{0x03} + ascii("c1") + Bytes{0x0b} + ascii("/127.0.0.1") +
                     Bytes{0x02, 0x02} + ascii("t")  // subscribed_topic_names ["t"]
                     + Bytes{0x00}                   // subscribed_topic_regex null
                     + Bytes{0x02} + topic_id_bytes + Bytes{0x02} + ascii("t") + Bytes{0x02} + int32_zero + no_tags +
                     no_tags                  // assignment: [(id, "t", [0])]
                     + Bytes{0x01} + no_tags  // target_assignment: []
                     + no_tags + Bytes{0x80, 0x00, 0x00, 0x00} + no_tags + no_tags;
  const auto decoded = decode_exactly<ConsumerGroupDescribeResponse>(body, 0);
  ASSERT_EQ(decoded.groups.size(), 1u);
  const auto& group = decoded.groups[0];
  EXPECT_EQ(group.group_epoch, 3);
  EXPECT_EQ(group.assignor_name, "uniform");
  ASSERT_EQ(group.members.size(), 1u);
  const auto& member = group.members[0];
  EXPECT_EQ(member.subscribed_topic_names, std::vector<std::string>{"t"});
  EXPECT_EQ(member.member_type, ConsumerGroupDescribeResponse::member_type_unknown);
  ASSERT_EQ(member.assignment.topic_partitions.size(), 1u);
  EXPECT_EQ(member.assignment.topic_partitions[0],
            (ConsumerGroupDescribeResponse::TopicPartitions{topic_id(), "t", {0}}));
  EXPECT_TRUE(member.target_assignment.topic_partitions.empty());
}

TEST(KnownBytes, DescribeConfigsV4Response) {
  const Bytes body = int32_zero + Bytes{0x02} + Bytes{0x00, 0x00} + Bytes{0x00} + Bytes{0x02} + Bytes{0x02} +
                     ascii("t") + Bytes{0x02} + Bytes{0x0d} + ascii("retention.ms") + Bytes{0x0a} + ascii("604800000") +
                     Bytes{0x00}    // read_only
                     + Bytes{0x01}  // DYNAMIC_TOPIC_CONFIG
                     + Bytes{0x00}  // is_sensitive
                     + Bytes{0x01}  // synonyms []
                     + Bytes{0x05}  // config_type LONG
                     + Bytes{0x00}  // documentation null
                     + no_tags + no_tags + no_tags;
  const auto decoded = decode_exactly<DescribeConfigsResponse>(body, 4);
  ASSERT_EQ(decoded.results.size(), 1u);
  EXPECT_EQ(decoded.results[0].resource_type, DescribeConfigsRequest::resource_type_topic);
  ASSERT_EQ(decoded.results[0].configs.size(), 1u);
  const auto& config = decoded.results[0].configs[0];
  EXPECT_EQ(config.name, "retention.ms");
  EXPECT_EQ(config.value, "604800000");
  EXPECT_EQ(config.config_source, DescribeConfigsResponse::source_dynamic_topic_config);
  EXPECT_EQ(config.config_type, 5);
  EXPECT_EQ(config.documentation, std::nullopt);
}

TEST(KnownBytes, ListTransactionsV1) {
  const Bytes request = Bytes{0x02, 0x08} + ascii("Ongoing") + Bytes{0x01}       // producer ids []
                        + Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xea, 0x60}  // 60000 ms
                        + no_tags;
  const auto decoded_request = decode_exactly<ListTransactionsRequest>(request, 1);
  EXPECT_EQ(decoded_request.state_filters, std::vector<std::string>{"Ongoing"});
  EXPECT_EQ(decoded_request.duration_filter, 60000);

  const Bytes response = int32_zero + Bytes{0x00, 0x00} + Bytes{0x01} + Bytes{0x02} + Bytes{0x04} + ascii("txn") +
                         Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8} + Bytes{0x08} + ascii("Ongoing") +
                         no_tags + no_tags;
  const auto decoded = decode_exactly<ListTransactionsResponse>(response, 1);
  EXPECT_EQ(decoded.transaction_states,
            (std::vector<ListTransactionsResponse::TransactionState>{{"txn", 1000, "Ongoing"}}));
}

TEST(KnownBytes, DescribeTransactionsV0Response) {
  const Bytes body = int32_zero + Bytes{0x02} + Bytes{0x00, 0x00} + Bytes{0x04} + ascii("txn") + Bytes{0x08} +
                     ascii("Ongoing") + Bytes{0x00, 0x00, 0xea, 0x60} +
                     Bytes{0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00}  // 1700000000000
                     + Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8} + Bytes{0x00, 0x03} + Bytes{0x02} +
                     Bytes{0x02} + ascii("t") + Bytes{0x02} + int32_zero + no_tags + no_tags + no_tags;
  const auto decoded = decode_exactly<DescribeTransactionsResponse>(body, 0);
  ASSERT_EQ(decoded.transaction_states.size(), 1u);
  EXPECT_EQ(decoded.transaction_states[0],
            (DescribeTransactionsResponse::TransactionState{
                ErrorCode::none, "txn", "Ongoing", 60000, 1700000000000, 1000, 3, {{"t", {0}}}}));
}

TEST(KnownBytes, DescribeProducersV0Response) {
  const Bytes body = int32_zero + Bytes{0x02} + Bytes{0x02} + ascii("t") + Bytes{0x02} + int32_zero +
                     Bytes{0x00, 0x00} + Bytes{0x00} + Bytes{0x02} +
                     Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8} +
                     Bytes{0x00, 0x00, 0x00, 0x03}  // producer_epoch is an int32 here
                     + Bytes{0x00, 0x00, 0x00, 0x29} + int64_minus_one + Bytes{0xff, 0xff, 0xff, 0xff} +
                     Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x78} + no_tags + no_tags + no_tags + no_tags;
  const auto decoded = decode_exactly<DescribeProducersResponse>(body, 0);
  ASSERT_EQ(decoded.topics.size(), 1u);
  ASSERT_EQ(decoded.topics[0].partitions.size(), 1u);
  EXPECT_EQ(decoded.topics[0].partitions[0].active_producers,
            (std::vector<DescribeProducersResponse::ProducerState>{{1000, 3, 41, -1, -1, 120}}));
}

TEST(KnownBytes, DescribeQuorumRequestForClusterMetadata) {
  const Bytes body = Bytes{0x02}                                  // topics: 1
                     + Bytes{0x13} + ascii("__cluster_metadata")  // compact string, 18 bytes
                     + Bytes{0x02}                                // partitions: 1
                     + int32_zero                                 // partition_index 0
                     + no_tags + no_tags + no_tags;
  ASSERT_EQ(body.size(), 28u);
  const Bytes frame = Bytes{0x00, 0x00, 0x00, 0x29}    // size 41
                      + Bytes{0x00, 0x37, 0x00, 0x02}  // DescribeQuorum v2
                      + Bytes{0x00, 0x00, 0x00, 0x05}  // correlation id
                      + Bytes{0x00, 0x02} + ascii("mw") + no_tags + body;
  EXPECT_EQ(encode_request_frame(DescribeQuorumRequest::for_cluster_metadata(), 2, 5, "mw"), frame);
  // The request is the same in every version.
  for (const std::int16_t version : {0, 1, 2}) {
    const auto decoded = decode_exactly<DescribeQuorumRequest>(body, version);
    ASSERT_EQ(decoded.topics.size(), 1u);
    EXPECT_EQ(decoded.topics[0].topic_name, "__cluster_metadata");
    EXPECT_EQ(decoded.topics[0].partitions, std::vector<DescribeQuorumRequest::Partition>{{0}});
  }
}

TEST(KnownBytes, DescribeQuorumV0Response) {
  const Bytes body = Bytes{0x00, 0x00}                                          // error_code NONE
                     + Bytes{0x02} + Bytes{0x13} + ascii("__cluster_metadata")  // topics: 1
                     + Bytes{0x02} + int32_zero                                 // partitions: 1, index 0
                     + Bytes{0x00, 0x00}                                        // error_code NONE
                     + Bytes{0x00, 0x00, 0x00, 0x01}                            // leader_id 1
                     + Bytes{0x00, 0x00, 0x00, 0x04}                            // leader_epoch 4
                     + Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a}    // high_watermark 42
                     + Bytes{0x02}                                              // current_voters: 1
                     + Bytes{0x00, 0x00, 0x00, 0x01}                            // replica_id 1
                     + Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a}    // log_end_offset 42
                     + no_tags + Bytes{0x02}                                    // observers: 1
                     + Bytes{0x00, 0x00, 0x00, 0x02}                            // replica_id 2
                     + Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x29}    // log_end_offset 41
                     + no_tags + no_tags + no_tags + no_tags;
  const auto decoded = decode_exactly<DescribeQuorumResponse>(body, 0);
  EXPECT_EQ(decoded.error_code, ErrorCode::none);
  EXPECT_EQ(decoded.error_message, std::nullopt);
  EXPECT_TRUE(decoded.nodes.empty());
  ASSERT_EQ(decoded.topics.size(), 1u);
  ASSERT_EQ(decoded.topics[0].partitions.size(), 1u);
  const auto& partition = decoded.topics[0].partitions[0];
  EXPECT_EQ(partition.leader_id, 1);
  EXPECT_EQ(partition.leader_epoch, 4);
  EXPECT_EQ(partition.high_watermark, 42);
  // Fields v0 lacks keep their defaults: -1 timestamps, zero directory id.
  EXPECT_EQ(partition.current_voters, (std::vector<DescribeQuorumResponse::ReplicaState>{{1, Uuid{}, 42, -1, -1}}));
  EXPECT_EQ(partition.observers, (std::vector<DescribeQuorumResponse::ReplicaState>{{2, Uuid{}, 41, -1, -1}}));
  // v1 replica states carry two more int64s: the same bytes run short.
  EXPECT_THROW(decode_exactly<DescribeQuorumResponse>(body, 1), DecodeError);
}

TEST(KnownBytes, DescribeQuorumV2ResponseFrame) {
  const Bytes frame = Bytes{0x00, 0x00, 0x00, 0x07} + no_tags                    // correlation id 7, header v1
                      + Bytes{0x00, 0x00}                                        // error_code NONE
                      + Bytes{0x01}                                              // error_message ""
                      + Bytes{0x02} + Bytes{0x13} + ascii("__cluster_metadata")  // topics: 1
                      + Bytes{0x02} + int32_zero                                 // partitions: 1, index 0
                      + Bytes{0x00, 0x00}                                        // error_code NONE
                      + Bytes{0x00}                                              // error_message null
                      + Bytes{0x00, 0x00, 0x0b, 0xb9}                            // leader_id 3001
                      + Bytes{0x00, 0x00, 0x00, 0x05}                            // leader_epoch 5
                      + Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8}    // high_watermark 1000
                      + Bytes{0x02}                                              // current_voters: 1
                      + Bytes{0x00, 0x00, 0x0b, 0xb9}                            // replica_id 3001
                      + topic_id_bytes                                           // replica_directory_id
                      + Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8}    // log_end_offset 1000
                      + int64_minus_one                                          // last_fetch_timestamp -1
                      + Bytes{0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00}    // last_caught_up 1700000000000
                      + no_tags + Bytes{0x01}                                    // observers: []
                      + no_tags + no_tags                                        // partition, topic
                      + Bytes{0x02}                                              // nodes: 1
                      + Bytes{0x00, 0x00, 0x0b, 0xb9}                            // node_id 3001
                      + Bytes{0x03}                                              // listeners: 2
                      + Bytes{0x0b} + ascii("CONTROLLER") + Bytes{0x0a} + ascii("localhost") +
                      Bytes{0x23, 0x85}  // port 9093
                      + no_tags + Bytes{0x04} + ascii("SSL") + Bytes{0x0a} + ascii("localhost") +
                      Bytes{0xfd, 0xe8}  // port 65000: unsigned
                      + no_tags + no_tags + no_tags;

  const auto response = decode_response<DescribeQuorumResponse>(frame, 2, 7);
  EXPECT_EQ(response.error_code, ErrorCode::none);
  EXPECT_EQ(response.error_message, "");
  ASSERT_EQ(response.topics.size(), 1u);
  EXPECT_EQ(response.topics[0].topic_name, "__cluster_metadata");
  ASSERT_EQ(response.topics[0].partitions.size(), 1u);
  const auto& partition = response.topics[0].partitions[0];
  EXPECT_EQ(partition.partition_index, 0);
  EXPECT_EQ(partition.error_code, ErrorCode::none);
  EXPECT_EQ(partition.error_message, std::nullopt);
  EXPECT_EQ(partition.leader_id, 3001);
  EXPECT_EQ(partition.leader_epoch, 5);
  EXPECT_EQ(partition.high_watermark, 1000);
  EXPECT_EQ(partition.current_voters,
            (std::vector<DescribeQuorumResponse::ReplicaState>{{3001, topic_id(), 1000, -1, 1700000000000}}));
  EXPECT_TRUE(partition.observers.empty());
  ASSERT_EQ(response.nodes.size(), 1u);
  EXPECT_EQ(response.nodes[0],
            (DescribeQuorumResponse::Node{3001, {{"CONTROLLER", "localhost", 9093}, {"SSL", "localhost", 65000}}}));
}

TEST(KnownBytes, ElectLeadersV2RequestFrame) {
  const Bytes body = Bytes{0x01}                                    // election_type UNCLEAN
                     + Bytes{0x02}                                  // topic_partitions: compact array of 1
                     + Bytes{0x02} + ascii("t")                     // topic
                     + Bytes{0x02} + Bytes{0x00, 0x00, 0x00, 0x03}  // partitions [3]
                     + no_tags                                      // topic
                     + Bytes{0x00, 0x00, 0xea, 0x60}                // timeout_ms 60000
                     + no_tags;
  ASSERT_EQ(body.size(), 15u);
  ElectLeadersRequest request;
  request.election_type = ElectLeadersRequest::election_type_unclean;
  request.topic_partitions = std::vector<ElectLeadersRequest::TopicPartitions>{{"t", {3}}};
  EXPECT_EQ(decode_exactly<ElectLeadersRequest>(body, 2), request);
  EXPECT_EQ(encode_body(request, 2), body);

  // Flexible: request header v2, whose client id stays a classic string.
  const Bytes frame = Bytes{0x00, 0x00, 0x00, 0x1c}    // size 28
                      + Bytes{0x00, 0x2b, 0x00, 0x02}  // ElectLeaders v2
                      + Bytes{0x00, 0x00, 0x00, 0x05}  // correlation id
                      + Bytes{0x00, 0x02} + ascii("mw") + no_tags + body;
  EXPECT_EQ(encode_request_frame(request, 2, 5, "mw"), frame);
  const auto decoded = decode_request<ElectLeadersRequest>(std::span(frame).subspan(4));
  EXPECT_EQ(decoded.header, (RequestHeader{ApiKey::elect_leaders, 2, 5, "mw"}));
  EXPECT_EQ(decoded.body, request);
}

TEST(KnownBytes, ElectLeadersClassicRequests) {
  // v0: no election type (always preferred); null topic_partitions asks for every partition.
  const Bytes v0 = Bytes{0xff, 0xff, 0xff, 0xff}     // topic_partitions null
                   + Bytes{0x00, 0x00, 0xea, 0x60};  // timeout_ms 60000
  const auto all = decode_exactly<ElectLeadersRequest>(v0, 0);
  EXPECT_EQ(all, ElectLeadersRequest{});
  EXPECT_EQ(all.election_type, ElectLeadersRequest::election_type_preferred);
  EXPECT_EQ(all.topic_partitions, std::nullopt);
  EXPECT_EQ(encode_body(ElectLeadersRequest{}, 0), v0);

  const Bytes v1 = Bytes{0x00}                                                                   // PREFERRED
                   + Bytes{0x00, 0x00, 0x00, 0x01}                                               // topic_partitions: 1
                   + Bytes{0x00, 0x01} + ascii("t")                                              // classic string
                   + Bytes{0x00, 0x00, 0x00, 0x02} + int32_zero + Bytes{0x00, 0x00, 0x00, 0x01}  // [0, 1]
                   + Bytes{0x00, 0x00, 0x75, 0x30};                                              // timeout_ms 30000
  ElectLeadersRequest request;
  request.topic_partitions = std::vector<ElectLeadersRequest::TopicPartitions>{{"t", {0, 1}}};
  request.timeout_ms = 30000;
  EXPECT_EQ(decode_exactly<ElectLeadersRequest>(v1, 1), request);
  EXPECT_EQ(encode_body(request, 1), v1);
  // v0 lacks the election type byte: the same bytes read differently and do not fit.
  EXPECT_THROW(decode_exactly<ElectLeadersRequest>(v1, 0), DecodeError);
}

TEST(KnownBytes, ElectLeadersV1Response) {
  const Bytes results = Bytes{0x00, 0x00, 0x00, 0x01}     // replica_election_results: 1
                        + Bytes{0x00, 0x01} + ascii("t")  // topic
                        + Bytes{0x00, 0x00, 0x00, 0x02}   // partition_result: 2
                        + int32_zero                      // partition_id 0
                        + Bytes{0x00, 0x00}               // error_code NONE
                        + Bytes{0xff, 0xff}               // error_message null
                        + Bytes{0x00, 0x00, 0x00, 0x01}   // partition_id 1
                        + Bytes{0x00, 0x54}               // ELECTION_NOT_NEEDED (84)
                        + Bytes{0x00, 0x0a} + ascii("not needed");
  const Bytes v1 = Bytes{0x00, 0x00, 0x00, 0x0a}  // throttle_time_ms 10
                   + Bytes{0x00, 0x1f}            // error_code CLUSTER_AUTHORIZATION_FAILED (31)
                   + results;
  const auto decoded = decode_exactly<ElectLeadersResponse>(v1, 1);
  EXPECT_EQ(decoded.throttle_time_ms, 10);
  EXPECT_EQ(decoded.error_code, ErrorCode::cluster_authorization_failed);
  const std::vector<ElectLeadersResponse::ReplicaElectionResult> expected{
      {"t", {{0, ErrorCode::none, std::nullopt}, {1, ErrorCode::election_not_needed, "not needed"}}}};
  EXPECT_EQ(decoded.replica_election_results, expected);
  EXPECT_EQ(encode_body(decoded, 1), v1);

  // v0 has no top-level error code.
  const auto v0 = decode_exactly<ElectLeadersResponse>(Bytes{0x00, 0x00, 0x00, 0x0a} + results, 0);
  EXPECT_EQ(v0.error_code, ErrorCode::none);
  EXPECT_EQ(v0.replica_election_results, expected);
}

TEST(KnownBytes, AlterPartitionReassignmentsRequests) {
  const Bytes topics = Bytes{0x02}                 // topics: 1
                       + Bytes{0x02} + ascii("t")  // name
                       + Bytes{0x03}               // partitions: 2
                       + int32_zero                // partition_index 0
                       + Bytes{0x04} + Bytes{0x00, 0x00, 0x00, 0x01} + Bytes{0x00, 0x00, 0x00, 0x02} +
                       Bytes{0x00, 0x00, 0x00, 0x03}              // replicas [1, 2, 3]
                       + no_tags + Bytes{0x00, 0x00, 0x00, 0x01}  // partition_index 1
                       + Bytes{0x00}                              // replicas null: cancel
                       + no_tags + no_tags;                       // partition, topic
  const Bytes timeout = Bytes{0x00, 0x00, 0x75, 0x30};            // timeout_ms 30000
  const Bytes v0 = timeout + topics + no_tags;
  const Bytes v1 = timeout + Bytes{0x00}  // allow_replication_factor_change false
                   + topics + no_tags;

  AlterPartitionReassignmentsRequest request;
  request.timeout_ms = 30000;
  request.topics = {{"t", {{0, std::vector<std::int32_t>{1, 2, 3}}, {1, std::nullopt}}}};
  EXPECT_EQ(decode_exactly<AlterPartitionReassignmentsRequest>(v0, 0), request);
  EXPECT_EQ(encode_body(request, 0), v0);

  request.allow_replication_factor_change = false;
  EXPECT_EQ(decode_exactly<AlterPartitionReassignmentsRequest>(v1, 1), request);
  EXPECT_EQ(encode_body(request, 1), v1);
  // v0 cannot carry the guard: refusing to encode beats dropping it.
  Writer w;
  EXPECT_THROW(request.encode(w, 0), std::invalid_argument);
}

TEST(KnownBytes, AlterPartitionReassignmentsV1Response) {
  const Bytes responses = Bytes{0x02}                      // responses: 1
                          + Bytes{0x02} + ascii("t")       // name
                          + Bytes{0x02}                    // partitions: 1
                          + Bytes{0x00, 0x00, 0x00, 0x01}  // partition_index 1
                          + Bytes{0x00, 0x55}              // NO_REASSIGNMENT_IN_PROGRESS (85)
                          + Bytes{0x05} + ascii("none")    // error_message
                          + no_tags + no_tags + no_tags;
  const Bytes head = int32_zero         // throttle_time_ms
                     + Bytes{0x00};     // allow_replication_factor_change false
  const Bytes tail = Bytes{0x00, 0x00}  // error_code NONE
                     + Bytes{0x00}      // error_message null
                     + responses;
  const auto decoded = decode_exactly<AlterPartitionReassignmentsResponse>(head + tail, 1);
  EXPECT_FALSE(decoded.allow_replication_factor_change);
  EXPECT_EQ(decoded.error_code, ErrorCode::none);
  EXPECT_EQ(decoded.error_message, std::nullopt);
  const std::vector<AlterPartitionReassignmentsResponse::Topic> expected{
      {"t", {{1, ErrorCode::no_reassignment_in_progress, "none"}}}};
  EXPECT_EQ(decoded.responses, expected);
  EXPECT_EQ(encode_body(decoded, 1), head + tail);

  // v0 has no allow_replication_factor_change byte; the field keeps its default.
  const auto v0 = decode_exactly<AlterPartitionReassignmentsResponse>(int32_zero + tail, 0);
  EXPECT_TRUE(v0.allow_replication_factor_change);
  EXPECT_EQ(v0.responses, expected);
}

TEST(KnownBytes, ListPartitionReassignmentsV0Request) {
  const Bytes some = Bytes{0x00, 0x00, 0x75, 0x30}                               // timeout_ms 30000
                     + Bytes{0x02}                                               // topics: compact array of 1
                     + Bytes{0x02} + ascii("t")                                  // name
                     + Bytes{0x03} + int32_zero + Bytes{0x00, 0x00, 0x00, 0x02}  // partition_indexes [0, 2]
                     + no_tags + no_tags;
  ListPartitionReassignmentsRequest request;
  request.timeout_ms = 30000;
  request.topics = std::vector<ListPartitionReassignmentsRequest::Topic>{{"t", {0, 2}}};
  EXPECT_EQ(decode_exactly<ListPartitionReassignmentsRequest>(some, 0), request);
  EXPECT_EQ(encode_body(request, 0), some);

  // Every ongoing reassignment: null topics, as a whole frame (request header v2).
  const Bytes frame = Bytes{0x00, 0x00, 0x00, 0x13}                // size 19
                      + Bytes{0x00, 0x2e, 0x00, 0x00}              // ListPartitionReassignments v0
                      + Bytes{0x00, 0x00, 0x00, 0x05}              // correlation id
                      + Bytes{0x00, 0x02} + ascii("mw") + no_tags  // client id, header tagged fields
                      + Bytes{0x00, 0x00, 0xea, 0x60}              // timeout_ms 60000
                      + Bytes{0x00}                                // topics null
                      + no_tags;
  EXPECT_EQ(encode_request_frame(ListPartitionReassignmentsRequest{}, 0, 5, "mw"), frame);
  const auto decoded = decode_request<ListPartitionReassignmentsRequest>(std::span(frame).subspan(4));
  EXPECT_EQ(decoded.body.topics, std::nullopt);
  EXPECT_EQ(decoded.body.timeout_ms, 60000);
}

TEST(KnownBytes, ListPartitionReassignmentsV0Response) {
  // Partition 0 moving from [1, 2, 3] to [1, 2, 4]: the replica set is the union while it runs.
  const Bytes body = int32_zero                                // throttle_time_ms
                     + Bytes{0x00, 0x00}                       // error_code NONE
                     + Bytes{0x00}                             // error_message null
                     + Bytes{0x02} + Bytes{0x02} + ascii("t")  // topics: 1, name
                     + Bytes{0x02} + int32_zero                // partitions: 1, index 0
                     + Bytes{0x05} + Bytes{0x00, 0x00, 0x00, 0x01} + Bytes{0x00, 0x00, 0x00, 0x02} +
                     Bytes{0x00, 0x00, 0x00, 0x04} + Bytes{0x00, 0x00, 0x00, 0x03}  // replicas [1, 2, 4, 3]
                     + Bytes{0x02} + Bytes{0x00, 0x00, 0x00, 0x04}                  // adding_replicas [4]
                     + Bytes{0x02} + Bytes{0x00, 0x00, 0x00, 0x03}                  // removing_replicas [3]
                     + no_tags + no_tags + no_tags;
  const auto decoded = decode_exactly<ListPartitionReassignmentsResponse>(body, 0);
  EXPECT_EQ(decoded.error_code, ErrorCode::none);
  EXPECT_EQ(decoded.error_message, std::nullopt);
  ASSERT_EQ(decoded.topics.size(), 1u);
  EXPECT_EQ(decoded.topics[0].name, "t");
  EXPECT_EQ(decoded.topics[0].partitions,
            (std::vector<ListPartitionReassignmentsResponse::Partition>{{0, {1, 2, 4, 3}, {4}, {3}}}));
  EXPECT_EQ(encode_body(decoded, 0), body);
}

TEST(KnownBytes, FetchV11RequestSessionless) {
  const Bytes body = Bytes{0xff, 0xff, 0xff, 0xff}                            // replica_id -1: a consumer
                     + Bytes{0x00, 0x00, 0x01, 0xf4}                          // max_wait_ms 500
                     + Bytes{0x00, 0x00, 0x00, 0x01}                          // min_bytes 1
                     + Bytes{0x00, 0x10, 0x00, 0x00}                          // max_bytes 1 MiB
                     + Bytes{0x01}                                            // READ_COMMITTED
                     + int32_zero                                             // session_id 0
                     + Bytes{0xff, 0xff, 0xff, 0xff}                          // session_epoch -1: no session
                     + Bytes{0x00, 0x00, 0x00, 0x01}                          // topics: classic array of 1
                     + Bytes{0x00, 0x01} + ascii("t")                         // classic string
                     + Bytes{0x00, 0x00, 0x00, 0x01}                          // partitions: 1
                     + int32_zero                                             // partition 0
                     + Bytes{0xff, 0xff, 0xff, 0xff}                          // current_leader_epoch -1
                     + Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a}  // fetch_offset 42
                     + int64_minus_one                                        // log_start_offset -1
                     + Bytes{0x00, 0x01, 0x00, 0x00}                          // partition_max_bytes 64 KiB
                     + int32_zero                                             // forgotten_topics_data: []
                     + Bytes{0x00, 0x00};                                     // rack_id ""
  FetchRequest request;
  request.max_wait_ms = 500;
  request.min_bytes = 1;
  request.max_bytes = 1048576;
  request.isolation_level = FetchRequest::read_committed;
  request.topics = {{"t", {{0, -1, 42, -1, 65536}}}};
  const auto decoded = decode_exactly<FetchRequest>(body, 11);
  EXPECT_EQ(decoded, request);
  EXPECT_EQ(decoded.session_id, FetchRequest::no_session_id);
  EXPECT_EQ(decoded.session_epoch, FetchRequest::sessionless_epoch);

  // Not flexible: request header v1, without tagged fields.
  const Bytes frame = Bytes{0x00, 0x00, 0x00, 0x52}    // size 82
                      + Bytes{0x00, 0x01, 0x00, 0x0b}  // Fetch v11
                      + Bytes{0x00, 0x00, 0x00, 0x05}  // correlation id
                      + Bytes{0x00, 0x02} + ascii("mw") + body;
  EXPECT_EQ(encode_request_frame(request, 11, 5, "mw"), frame);
  // v10 has no rack id: the same bytes leave two trailing.
  EXPECT_THROW(decode_exactly<FetchRequest>(body, 10), DecodeError);
}

// Record 0 of the batch below: length 8, attributes, timestampDelta 0, offsetDelta 0, key null,
// value "hi", no headers (varints zig-zag encoded).
const Bytes record_at_42 = Bytes{0x10, 0x00, 0x00, 0x00, 0x01, 0x04} + ascii("hi") + Bytes{0x00};
// Record 1: length 12, attributes, timestampDelta 250, offsetDelta 1, key "k", value "v", one
// header "h" with a null value.
const Bytes record_at_43 = Bytes{0x18, 0x00, 0xf4, 0x03, 0x02, 0x02} + ascii("k") + Bytes{0x02} + ascii("v") +
                           Bytes{0x02, 0x02} + ascii("h") + Bytes{0x01};

// One magic 2 batch at offset 42 with those two records uncompressed, written out from the
// "Record Batch" section of the Kafka documentation.
const Bytes record_batch_at_42 = Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a}    // baseOffset 42
                                 + Bytes{0x00, 0x00, 0x00, 0x47}                          // batchLength 71
                                 + Bytes{0x00, 0x00, 0x00, 0x05}                          // partitionLeaderEpoch 5
                                 + Bytes{0x02}                                            // magic 2
                                 + Bytes{0x12, 0x34, 0x56, 0x78}                          // crc: not verified
                                 + Bytes{0x00, 0x00}                                      // uncompressed, CreateTime
                                 + Bytes{0x00, 0x00, 0x00, 0x01}                          // lastOffsetDelta 1
                                 + Bytes{0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00}  // baseTimestamp
                                 + Bytes{0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0xfa}  // maxTimestamp
                                 + int64_minus_one                                        // producerId -1
                                 + Bytes{0xff, 0xff}                                      // producerEpoch -1
                                 + Bytes{0xff, 0xff, 0xff, 0xff}                          // baseSequence -1
                                 + Bytes{0x00, 0x00, 0x00, 0x02}                          // recordCount 2
                                 + record_at_42 + record_at_43;

TEST(KnownBytes, FetchV11ResponseWithRecordSet) {
  ASSERT_EQ(record_batch_at_42.size(), 83u);
  const Bytes frame = Bytes{0x00, 0x00, 0x00, 0x09}  // correlation id 9; header v0: not flexible
                      + int32_zero                   // throttle_time_ms
                      + Bytes{0x00, 0x00}            // error_code NONE
                      + int32_zero                   // session_id 0
                      + Bytes{0x00, 0x00, 0x00, 0x01} + Bytes{0x00, 0x01} + ascii("t")  // responses: 1
                      + Bytes{0x00, 0x00, 0x00, 0x02}                                   // partitions: 2
                      + int32_zero                                                      // partition_index 0
                      + Bytes{0x00, 0x00}                                               // error_code NONE
                      + Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2c}           // high_watermark 44
                      + Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2c}           // last_stable_offset 44
                      + Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}           // log_start_offset 0
                      + Bytes{0xff, 0xff, 0xff, 0xff}                                   // aborted_transactions null
                      + Bytes{0xff, 0xff, 0xff, 0xff}                                   // preferred_read_replica -1
                      + Bytes{0x00, 0x00, 0x00, 0x53} + record_batch_at_42              // records: 83 bytes
                      + Bytes{0x00, 0x00, 0x00, 0x01}                                   // partition_index 1
                      + Bytes{0x00, 0x01}                                               // OFFSET_OUT_OF_RANGE
                      + int64_minus_one + int64_minus_one + int64_minus_one             // no offsets
                      + int32_zero                                                      // aborted_transactions: []
                      + Bytes{0xff, 0xff, 0xff, 0xff}                                   // preferred_read_replica -1
                      + Bytes{0xff, 0xff, 0xff, 0xff};                                  // records null

  const auto response = decode_response<FetchResponse>(frame, 11, 9);
  EXPECT_EQ(response.throttle_time_ms, 0);
  EXPECT_EQ(response.error_code, ErrorCode::none);
  EXPECT_EQ(response.session_id, 0);
  ASSERT_EQ(response.responses.size(), 1u);
  EXPECT_EQ(response.responses[0].topic, "t");
  ASSERT_EQ(response.responses[0].partitions.size(), 2u);
  const auto& data = response.responses[0].partitions[0];
  EXPECT_EQ(data.high_watermark, 44);
  EXPECT_EQ(data.last_stable_offset, 44);
  EXPECT_EQ(data.log_start_offset, 0);
  EXPECT_EQ(data.aborted_transactions, std::nullopt);
  EXPECT_EQ(data.preferred_read_replica, -1);
  EXPECT_EQ(data.records, record_batch_at_42);
  const auto& failed = response.responses[0].partitions[1];
  EXPECT_EQ(failed.error_code, ErrorCode::offset_out_of_range);
  EXPECT_EQ(failed.aborted_transactions, std::vector<FetchResponse::AbortedTransaction>{});
  EXPECT_EQ(failed.records, std::nullopt);

  EXPECT_EQ(find_record_timestamp(*data.records, 42),
            (RecordTimestamp{42, 1700000000000, TimestampType::create_time, true}));
  EXPECT_EQ(find_record_timestamp(*data.records, 43),
            (RecordTimestamp{43, 1700000000250, TimestampType::create_time, true}));
  EXPECT_EQ(find_record_timestamp(*data.records, 44), std::nullopt);

  // v10 has no preferred read replica: the same bytes are misread and run short or long.
  EXPECT_THROW(decode_response<FetchResponse>(frame, 10, 9), DecodeError);
}

// The batch builder the record batch tests rely on writes the same layout as the hand-written
// bytes.
TEST(KnownBytes, TestBatchBuilderMatchesTheRecordBatchLayout) {
  testing::TestBatch batch;
  batch.base_offset = 42;
  batch.partition_leader_epoch = 5;
  batch.base_timestamp = 1700000000000;
  batch.max_timestamp = 1700000000250;
  batch.records = {{0, 0, std::nullopt, "hi", {}}, {1, 250, "k", "v", {{"h", std::nullopt}}}};
  Bytes expected = record_batch_at_42;
  std::fill_n(expected.begin() + 17, 4, 0x00);  // the builder leaves the crc at 0
  EXPECT_EQ(testing::encode_batch(batch), expected);
}

}  // namespace
}  // namespace msgwatch::kafka::protocol
