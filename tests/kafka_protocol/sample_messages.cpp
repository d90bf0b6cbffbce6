#include "tests/kafka_protocol/sample_messages.hpp"

#include "tests/kafka_protocol/record_batch_builder.hpp"

namespace msgwatch::kafka::protocol::testing {

Uuid sample_uuid(std::uint8_t seed) {
  Uuid id;
  for (std::size_t i = 0; i < id.bytes.size(); ++i) {
    id.bytes[i] = static_cast<std::uint8_t>(seed + i * 17);
  }
  return id;
}

template <>
ApiVersionsRequest sample(std::int16_t version) {
  ApiVersionsRequest m;
  if (version >= 3) {
    m.client_software_name = "msgwatch";
    m.client_software_version = "0.1.0";
  }
  return m;
}

template <>
ApiVersionsResponse sample(std::int16_t version) {
  ApiVersionsResponse m;
  m.error_code = ErrorCode::none;
  m.api_keys = {{ApiKey::metadata, 0, 12}, {ApiKey::api_versions, 0, 4}, {ApiKey::list_offsets, 1, 9}};
  if (version >= 1) {
    m.throttle_time_ms = 17;
  }
  if (version >= 3) {
    m.supported_features = {{"metadata.version", 1, 21}, {"transaction.version", 0, 2}};
    m.finalized_features_epoch = 1234;
    m.finalized_features = {{"metadata.version", 21, 21}};
    m.zk_migration_ready = true;
  }
  return m;
}

template <>
MetadataRequest sample(std::int16_t version) {
  MetadataRequest m;
  MetadataRequest::Topic by_name;
  by_name.name = "orders";
  MetadataRequest::Topic second;
  second.name = "payments";
  if (version >= 10) {
    second.topic_id = sample_uuid(3);
    MetadataRequest::Topic by_id;
    by_id.topic_id = sample_uuid(9);
    m.topics = std::vector<MetadataRequest::Topic>{by_name, second, by_id};
  } else {
    m.topics = std::vector<MetadataRequest::Topic>{by_name, second};
  }
  m.allow_auto_topic_creation = false;
  if (version <= 10) {
    m.include_cluster_authorized_operations = true;
  }
  m.include_topic_authorized_operations = true;
  return m;
}

template <>
MetadataResponse sample(std::int16_t version) {
  MetadataResponse m;
  m.throttle_time_ms = 5;
  m.brokers = {{1, "kafka-1.example", 9092, "rack-a"}, {2, "kafka-2.example", 9093, std::nullopt}};
  m.cluster_id = "MkU3OEVBNTcwNTJENDM2Qk";
  m.controller_id = 2;
  MetadataResponse::Topic orders;
  orders.name = "orders";
  orders.is_internal = false;
  orders.topic_authorized_operations = 0x0ff8;
  orders.partitions = {
      {ErrorCode::none, 0, 1, 7, {1, 2}, {1, 2}, {}},
      {ErrorCode::leader_not_available, 1, -1, 3, {2, 1}, {2}, {1}},
  };
  MetadataResponse::Topic missing;
  missing.error_code = ErrorCode::unknown_topic_or_partition;
  missing.name = "missing";
  if (version >= 10) {
    orders.topic_id = sample_uuid(1);
  }
  m.topics = {orders, missing};
  if (version >= 12) {
    MetadataResponse::Topic unknown_id;
    unknown_id.error_code = ErrorCode::unknown_topic_id;
    unknown_id.topic_id = sample_uuid(5);
    m.topics.push_back(unknown_id);
  }
  if (version <= 10) {
    m.cluster_authorized_operations = 0x1234;
  }
  return m;
}

template <>
ListOffsetsRequest sample(std::int16_t) {
  ListOffsetsRequest m;
  m.isolation_level = ListOffsetsRequest::read_committed;
  m.topics = {
      {"orders", {{0, 7, ListOffsetsRequest::latest_timestamp}, {1, -1, ListOffsetsRequest::earliest_timestamp}}},
      {"payments", {{3, 2, 1700000000000}}}};
  return m;
}

template <>
ListOffsetsResponse sample(std::int16_t) {
  ListOffsetsResponse m;
  m.throttle_time_ms = 1;
  m.topics = {{"orders", {{0, ErrorCode::none, -1, 1000, 7}, {1, ErrorCode::not_leader_or_follower, -1, -1, -1}}},
              {"payments", {{3, ErrorCode::none, 1700000000123, 42, 2}}}};
  return m;
}

template <>
FindCoordinatorRequest sample(std::int16_t) {
  FindCoordinatorRequest m;
  m.key_type = FindCoordinatorRequest::key_type_transaction;
  m.coordinator_keys = {"txn-a", "txn-b"};
  return m;
}

template <>
FindCoordinatorResponse sample(std::int16_t) {
  FindCoordinatorResponse m;
  m.throttle_time_ms = 3;
  m.coordinators = {{"txn-a", 1, "kafka-1.example", 9092, ErrorCode::none, std::nullopt},
                    {"txn-b", -1, "", -1, ErrorCode::coordinator_not_available, "The coordinator is not available."}};
  return m;
}

template <>
ListGroupsRequest sample(std::int16_t version) {
  ListGroupsRequest m;
  if (version >= 4) {
    m.states_filter = {"Stable", "Empty"};
  }
  if (version >= 5) {
    m.types_filter = {"classic", "consumer"};
  }
  return m;
}

template <>
ListGroupsResponse sample(std::int16_t version) {
  ListGroupsResponse m;
  m.throttle_time_ms = 2;
  m.groups = {{"billing", "consumer", "", ""}, {"connect-sink", "connect", "", ""}};
  for (auto& g : m.groups) {
    if (version >= 4) {
      g.group_state = "Stable";
    }
    if (version >= 5) {
      g.group_type = "classic";
    }
  }
  return m;
}

template <>
DescribeGroupsRequest sample(std::int16_t) {
  DescribeGroupsRequest m;
  m.groups = {"billing", "shipping"};
  m.include_authorized_operations = true;
  return m;
}

template <>
DescribeGroupsResponse sample(std::int16_t version) {
  DescribeGroupsResponse m;
  m.throttle_time_ms = 4;
  ConsumerProtocolAssignment assignment;
  assignment.assigned_partitions = {{"orders", {0, 2}}};
  DescribeGroupsResponse::Group billing;
  billing.group_id = "billing";
  billing.group_state = "Stable";
  billing.protocol_type = "consumer";
  billing.protocol_data = "range";
  billing.members = {{"consumer-1-abc",
                      "instance-1",
                      "consumer-1",
                      "/10.0.0.7",
                      {0x00, 0x03, 0x00, 0x00, 0x00, 0x00},
                      encode_consumer_protocol_assignment(assignment, 3)}};
  billing.authorized_operations = 0x0ff0;
  DescribeGroupsResponse::Group missing;
  missing.error_code = ErrorCode::group_id_not_found;
  missing.group_id = "missing";
  missing.group_state = "Dead";
  if (version >= 6) {
    missing.error_message = "Group missing not found.";
  }
  m.groups = {billing, missing};
  return m;
}

template <>
OffsetFetchRequest sample(std::int16_t version) {
  OffsetFetchRequest m;
  OffsetFetchRequest::Group all_topics;
  all_topics.group_id = "billing";
  OffsetFetchRequest::Group some_topics;
  some_topics.group_id = "shipping";
  some_topics.topics = std::vector<OffsetFetchRequest::Topic>{{"orders", {0, 1, 2}}};
  if (version >= 9) {
    some_topics.member_id = "member-1";
    some_topics.member_epoch = 12;
  }
  m.groups = {all_topics, some_topics};
  m.require_stable = true;
  return m;
}

template <>
OffsetFetchResponse sample(std::int16_t) {
  OffsetFetchResponse m;
  m.throttle_time_ms = 6;
  m.groups = {
      {"billing",
       {{"orders", {{0, 400, 7, "", ErrorCode::none}, {1, -1, -1, std::nullopt, ErrorCode::unstable_offset_commit}}}},
       ErrorCode::none},
      {"shipping", {}, ErrorCode::not_coordinator}};
  return m;
}

template <>
ConsumerGroupDescribeRequest sample(std::int16_t) {
  ConsumerGroupDescribeRequest m;
  m.group_ids = {"billing-v2"};
  m.include_authorized_operations = true;
  return m;
}

template <>
ConsumerGroupDescribeResponse sample(std::int16_t version) {
  ConsumerGroupDescribeResponse m;
  m.throttle_time_ms = 8;
  ConsumerGroupDescribeResponse::Member member;
  member.member_id = "Xq2v0Qk6RzS9m3YbT1n4cA";
  member.instance_id = "instance-7";
  member.rack_id = "rack-b";
  member.member_epoch = 21;
  member.client_id = "billing-client";
  member.client_host = "/10.0.0.9";
  member.subscribed_topic_names = {"orders", "payments"};
  member.subscribed_topic_regex = std::nullopt;
  member.assignment.topic_partitions = {{sample_uuid(1), "orders", {0, 1}}};
  member.target_assignment.topic_partitions = {{sample_uuid(1), "orders", {0, 1, 2}}, {sample_uuid(2), "payments", {}}};
  if (version >= 1) {
    member.member_type = ConsumerGroupDescribeResponse::member_type_consumer;
  }
  ConsumerGroupDescribeResponse::Group group;
  group.group_id = "billing-v2";
  group.group_state = "Reconciling";
  group.group_epoch = 22;
  group.assignment_epoch = 21;
  group.assignor_name = "uniform";
  group.members = {member};
  group.authorized_operations = 0x0ff0;
  ConsumerGroupDescribeResponse::Group missing;
  missing.error_code = ErrorCode::group_id_not_found;
  missing.error_message = "Group missing is not a consumer group.";
  missing.group_id = "missing";
  missing.group_state = "Dead";
  m.groups = {group, missing};
  return m;
}

template <>
ShareGroupDescribeRequest sample(std::int16_t) {
  ShareGroupDescribeRequest m;
  m.group_ids = {"jobs", "mail"};
  m.include_authorized_operations = true;
  return m;
}

template <>
ShareGroupDescribeResponse sample(std::int16_t) {
  ShareGroupDescribeResponse m;
  m.throttle_time_ms = 3;
  ShareGroupDescribeResponse::Member member;
  member.member_id = "p3Vt0Qk6RzS9m3YbT1n4cB";
  member.rack_id = "rack-a";
  member.member_epoch = 5;
  member.client_id = "worker-1";
  member.client_host = "/10.0.0.12";
  member.subscribed_topic_names = {"jobs"};
  member.assignment = {{sample_uuid(3), "jobs", {0, 2}}, {sample_uuid(4), "retries", {}}};
  ShareGroupDescribeResponse::Group group;
  group.group_id = "jobs";
  group.group_state = "Stable";
  group.group_epoch = 6;
  group.assignment_epoch = 5;
  group.assignor_name = "simple";
  group.members = {member};
  group.authorized_operations = 0x0af8;
  ShareGroupDescribeResponse::Group missing;
  missing.error_code = ErrorCode::group_id_not_found;
  missing.error_message = "Group mail not found.";
  missing.group_id = "mail";
  missing.group_state = "Dead";
  m.groups = {group, missing};
  return m;
}

template <>
DescribeShareGroupOffsetsRequest sample(std::int16_t) {
  DescribeShareGroupOffsetsRequest m;
  m.groups = {{"jobs", std::nullopt}, {"mail", std::vector<DescribeShareGroupOffsetsRequest::Topic>{{"mail", {0, 1}}}}};
  return m;
}

template <>
DescribeShareGroupOffsetsResponse sample(std::int16_t version) {
  DescribeShareGroupOffsetsResponse m;
  m.throttle_time_ms = 2;
  DescribeShareGroupOffsetsResponse::Partition started;
  started.partition_index = 0;
  started.start_offset = 1200;
  started.leader_epoch = 4;
  if (version >= 1) started.lag = 37;
  DescribeShareGroupOffsetsResponse::Partition failed;
  failed.partition_index = 1;
  failed.error_code = ErrorCode::not_coordinator;
  failed.error_message = "not the coordinator";
  DescribeShareGroupOffsetsResponse::Group group;
  group.group_id = "jobs";
  group.topics = {{"jobs", sample_uuid(3), {started, failed}}};
  DescribeShareGroupOffsetsResponse::Group missing;
  missing.group_id = "mail";
  missing.error_code = ErrorCode::group_id_not_found;
  missing.error_message = "Group mail not found.";
  m.groups = {group, missing};
  return m;
}

template <>
DescribeConfigsRequest sample(std::int16_t) {
  DescribeConfigsRequest m;
  m.resources = {{DescribeConfigsRequest::resource_type_topic, "orders",
                  std::vector<std::string>{"retention.ms", "min.insync.replicas"}},
                 {DescribeConfigsRequest::resource_type_broker, "1", std::nullopt}};
  m.include_synonyms = true;
  m.include_documentation = true;
  return m;
}

template <>
DescribeConfigsResponse sample(std::int16_t) {
  DescribeConfigsResponse m;
  m.throttle_time_ms = 9;
  DescribeConfigsResponse::Config retention;
  retention.name = "retention.ms";
  retention.value = "604800000";
  retention.config_source = DescribeConfigsResponse::source_dynamic_topic_config;
  retention.synonyms = {{"retention.ms", "604800000", DescribeConfigsResponse::source_dynamic_topic_config},
                        {"log.retention.hours", "168", DescribeConfigsResponse::source_default_config}};
  retention.config_type = 5;
  retention.documentation = "How long to keep a log segment.";
  DescribeConfigsResponse::Config secret;
  secret.name = "ssl.truststore.password";
  secret.value = std::nullopt;
  secret.read_only = true;
  secret.config_source = DescribeConfigsResponse::source_static_broker_config;
  secret.is_sensitive = true;
  m.results = {
      {ErrorCode::none, std::nullopt, DescribeConfigsRequest::resource_type_topic, "orders", {retention, secret}},
      {ErrorCode::unknown_topic_or_partition,
       "Topic gone does not exist",
       DescribeConfigsRequest::resource_type_topic,
       "gone",
       {}}};
  return m;
}

template <>
ListTransactionsRequest sample(std::int16_t version) {
  ListTransactionsRequest m;
  m.state_filters = {"Ongoing", "PrepareCommit"};
  m.producer_id_filters = {1000, 4611686018427387904};
  if (version >= 1) {
    m.duration_filter = 60000;
  }
  return m;
}

template <>
ListTransactionsResponse sample(std::int16_t) {
  ListTransactionsResponse m;
  m.throttle_time_ms = 10;
  m.unknown_state_filters = {"Bogus"};
  m.transaction_states = {{"txn-a", 1000, "Ongoing"}, {"txn-b", 1001, "CompleteCommit"}};
  return m;
}

template <>
DescribeTransactionsRequest sample(std::int16_t) {
  DescribeTransactionsRequest m;
  m.transactional_ids = {"txn-a", "txn-b"};
  return m;
}

template <>
DescribeTransactionsResponse sample(std::int16_t) {
  DescribeTransactionsResponse m;
  m.throttle_time_ms = 11;
  m.transaction_states = {{ErrorCode::none, "txn-a", "Ongoing", 60000, 1700000000000, 1000, 3, {{"orders", {0, 1}}}},
                          {ErrorCode::transactional_id_not_found, "txn-b", "", 0, -1, -1, -1, {}}};
  return m;
}

template <>
DescribeProducersRequest sample(std::int16_t) {
  DescribeProducersRequest m;
  m.topics = {{"orders", {0, 1}}, {"payments", {2}}};
  return m;
}

template <>
DescribeProducersResponse sample(std::int16_t) {
  DescribeProducersResponse m;
  m.throttle_time_ms = 12;
  m.topics = {{"orders",
               {{0, ErrorCode::none, std::nullopt, {{1000, 3, 41, 1700000000000, 5, 120}}},
                {1, ErrorCode::not_leader_or_follower, "not the leader", {}}}}};
  return m;
}

template <>
DescribeQuorumRequest sample(std::int16_t) {
  DescribeQuorumRequest m = DescribeQuorumRequest::for_cluster_metadata();
  m.topics.push_back({"orders", {{1}, {2}}});
  return m;
}

template <>
DescribeQuorumResponse sample(std::int16_t version) {
  DescribeQuorumResponse m;
  m.error_code = ErrorCode::none;
  DescribeQuorumResponse::ReplicaState leader{3000, {}, 120, -1, -1};
  DescribeQuorumResponse::ReplicaState voter{3001, {}, 118, -1, -1};
  DescribeQuorumResponse::ReplicaState lost_voter{3002, {}, -1, -1, -1};
  DescribeQuorumResponse::ReplicaState observer{1, {}, 119, -1, -1};
  if (version >= 1) {
    leader.last_caught_up_timestamp = 1700000000500;
    voter.last_fetch_timestamp = 1700000000400;
    voter.last_caught_up_timestamp = 1700000000300;
    observer.last_fetch_timestamp = 1700000000450;
    observer.last_caught_up_timestamp = 1700000000450;
  }
  if (version >= 2) {
    leader.replica_directory_id = sample_uuid(11);
    voter.replica_directory_id = sample_uuid(12);
    observer.replica_directory_id = sample_uuid(13);
  }
  DescribeQuorumResponse::Partition metadata;
  metadata.partition_index = 0;
  metadata.leader_id = 3000;
  metadata.leader_epoch = 7;
  metadata.high_watermark = 119;
  metadata.current_voters = {leader, voter, lost_voter};
  metadata.observers = {observer};
  DescribeQuorumResponse::Partition unknown;
  unknown.partition_index = 1;
  unknown.error_code = ErrorCode::unknown_topic_or_partition;
  if (version >= 2) {
    m.error_message = "";  // what a broker sends when there is no error
    metadata.error_message = "";
    unknown.error_message = "This server does not host this topic-partition.";
    m.nodes = {{3000, {{"CONTROLLER", "controller-1.example", 9093}, {"SSL", "controller-1.example", 65535}}},
               {3001, {{"CONTROLLER", "controller-2.example", 9093}}},
               {3002, {}}};
  }
  m.topics = {{std::string(DescribeQuorumRequest::cluster_metadata_topic), {metadata, unknown}}};
  return m;
}

template <>
ElectLeadersRequest sample(std::int16_t version) {
  ElectLeadersRequest m;
  if (version >= 1) {
    m.election_type = ElectLeadersRequest::election_type_unclean;
  }
  m.topic_partitions = std::vector<ElectLeadersRequest::TopicPartitions>{{"orders", {0, 1}}, {"payments", {}}};
  m.timeout_ms = 30000;
  return m;
}

template <>
ElectLeadersResponse sample(std::int16_t version) {
  ElectLeadersResponse m;
  m.throttle_time_ms = 14;
  if (version >= 1) {
    m.error_code = ErrorCode::not_controller;
  }
  m.replica_election_results = {
      {"orders",
       {{0, ErrorCode::none, std::nullopt},
        {1, ErrorCode::election_not_needed, "Leader election not needed for topic partition."}}},
      {"payments", {{3, ErrorCode::eligible_leaders_not_available, "No eligible replica is live."}}},
      {"audit", {}}};
  return m;
}

template <>
AlterPartitionReassignmentsRequest sample(std::int16_t version) {
  AlterPartitionReassignmentsRequest m;
  m.timeout_ms = 30000;
  if (version >= 1) {
    m.allow_replication_factor_change = false;
  }
  m.topics = {{"orders", {{0, std::vector<std::int32_t>{1, 2, 3}}, {1, std::nullopt}}},
              {"payments", {{2, std::vector<std::int32_t>{}}}},
              {"audit", {}}};
  return m;
}

template <>
AlterPartitionReassignmentsResponse sample(std::int16_t version) {
  AlterPartitionReassignmentsResponse m;
  m.throttle_time_ms = 15;
  if (version >= 1) {
    m.allow_replication_factor_change = false;
  }
  m.error_code = ErrorCode::request_timed_out;
  m.error_message = "Timed out waiting for the controller.";
  m.responses = {{"orders",
                  {{0, ErrorCode::none, std::nullopt},
                   {1, ErrorCode::no_reassignment_in_progress, "No reassignment is in progress for orders-1."}}},
                 {"payments", {{2, ErrorCode::invalid_replica_assignment, "The replica set is empty."}}}};
  return m;
}

template <>
ListPartitionReassignmentsRequest sample(std::int16_t) {
  ListPartitionReassignmentsRequest m;
  m.timeout_ms = 30000;
  m.topics = std::vector<ListPartitionReassignmentsRequest::Topic>{{"orders", {0, 1}}, {"payments", {}}};
  return m;
}

template <>
ListPartitionReassignmentsResponse sample(std::int16_t) {
  ListPartitionReassignmentsResponse m;
  m.throttle_time_ms = 16;
  m.error_code = ErrorCode::not_controller;
  m.error_message = "This is not the correct controller for this cluster.";
  m.topics = {{"orders", {{0, {1, 2, 3, 4}, {4}, {1}}, {1, {2, 3}, {}, {}}}}, {"payments", {}}};
  return m;
}

template <>
SaslHandshakeRequest sample(std::int16_t) {
  return {"PLAIN"};
}

template <>
SaslHandshakeResponse sample(std::int16_t) {
  return {ErrorCode::unsupported_sasl_mechanism, {"SCRAM-SHA-256", "PLAIN"}};
}

template <>
SaslAuthenticateRequest sample(std::int16_t) {
  return {{0, 'u', 0, 'p'}};
}

template <>
SaslAuthenticateResponse sample(std::int16_t version) {
  SaslAuthenticateResponse m{ErrorCode::sasl_authentication_failed, "bad password", {1, 2}, 0};
  if (version >= 1) m.session_lifetime_ms = 3600000;
  return m;
}

template <>
FetchRequest sample(std::int16_t version) {
  FetchRequest m;
  m.max_wait_ms = 500;
  m.min_bytes = 1;
  m.max_bytes = 1048576;
  m.isolation_level = FetchRequest::read_committed;
  FetchRequest::Partition first{0, -1, 1000, -1, 65536};
  FetchRequest::Partition second{3, -1, 0, -1, 1};
  if (version >= 5) {
    second.log_start_offset = 0;
  }
  if (version >= 9) {
    first.current_leader_epoch = 7;
  }
  m.topics = {{"orders", {first, second}}, {"payments", {{1, -1, 42, -1, 1024}}}};
  if (version >= 7) {
    m.session_id = 12345;
    m.session_epoch = 3;
    m.forgotten_topics_data = {{"audit", {0, 4}}, {"refunds", {}}};
  }
  if (version >= 11) {
    m.rack_id = "rack-a";
  }
  return m;
}

template <>
FetchResponse sample(std::int16_t version) {
  FetchResponse m;
  m.throttle_time_ms = 13;
  FetchResponse::Partition with_records;
  with_records.partition_index = 0;
  with_records.high_watermark = 1016;
  with_records.last_stable_offset = 1004;
  with_records.aborted_transactions = std::vector<FetchResponse::AbortedTransaction>{{7, 990}, {9, 1001}};
  with_records.records = sample_record_set();
  FetchResponse::Partition empty;
  empty.partition_index = 1;
  empty.high_watermark = 50;
  empty.last_stable_offset = 50;
  empty.aborted_transactions = std::vector<FetchResponse::AbortedTransaction>{};
  empty.records = std::vector<std::uint8_t>{};
  FetchResponse::Partition failed;
  failed.partition_index = 2;
  failed.error_code = ErrorCode::offset_out_of_range;
  failed.high_watermark = -1;
  if (version >= 5) {
    with_records.log_start_offset = 900;
    empty.log_start_offset = 50;
  }
  if (version >= 11) {
    with_records.preferred_read_replica = 2;
  }
  if (version >= 7) {
    m.error_code = ErrorCode::invalid_fetch_session_epoch;
    m.session_id = 98765;
  }
  m.responses = {{"orders", {with_records, empty, failed}}, {"payments", {}}};
  return m;
}

}  // namespace msgwatch::kafka::protocol::testing
