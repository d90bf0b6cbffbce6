#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

namespace msgwatch::kafka::protocol {

// Request types by their wire number, with Kafka's names (ApiKeys.java). Listed in full so an
// ApiVersions answer can be logged readably even for APIs this library does not speak.
#define MSGWATCH_KAFKA_API_KEYS(X)                                       \
  X(produce, 0, "Produce")                                               \
  X(fetch, 1, "Fetch")                                                   \
  X(list_offsets, 2, "ListOffsets")                                      \
  X(metadata, 3, "Metadata")                                             \
  X(leader_and_isr, 4, "LeaderAndIsr")                                   \
  X(stop_replica, 5, "StopReplica")                                      \
  X(update_metadata, 6, "UpdateMetadata")                                \
  X(controlled_shutdown, 7, "ControlledShutdown")                        \
  X(offset_commit, 8, "OffsetCommit")                                    \
  X(offset_fetch, 9, "OffsetFetch")                                      \
  X(find_coordinator, 10, "FindCoordinator")                             \
  X(join_group, 11, "JoinGroup")                                         \
  X(heartbeat, 12, "Heartbeat")                                          \
  X(leave_group, 13, "LeaveGroup")                                       \
  X(sync_group, 14, "SyncGroup")                                         \
  X(describe_groups, 15, "DescribeGroups")                               \
  X(list_groups, 16, "ListGroups")                                       \
  X(sasl_handshake, 17, "SaslHandshake")                                 \
  X(api_versions, 18, "ApiVersions")                                     \
  X(create_topics, 19, "CreateTopics")                                   \
  X(delete_topics, 20, "DeleteTopics")                                   \
  X(delete_records, 21, "DeleteRecords")                                 \
  X(init_producer_id, 22, "InitProducerId")                              \
  X(offset_for_leader_epoch, 23, "OffsetForLeaderEpoch")                 \
  X(add_partitions_to_txn, 24, "AddPartitionsToTxn")                     \
  X(add_offsets_to_txn, 25, "AddOffsetsToTxn")                           \
  X(end_txn, 26, "EndTxn")                                               \
  X(write_txn_markers, 27, "WriteTxnMarkers")                            \
  X(txn_offset_commit, 28, "TxnOffsetCommit")                            \
  X(describe_acls, 29, "DescribeAcls")                                   \
  X(create_acls, 30, "CreateAcls")                                       \
  X(delete_acls, 31, "DeleteAcls")                                       \
  X(describe_configs, 32, "DescribeConfigs")                             \
  X(alter_configs, 33, "AlterConfigs")                                   \
  X(alter_replica_log_dirs, 34, "AlterReplicaLogDirs")                   \
  X(describe_log_dirs, 35, "DescribeLogDirs")                            \
  X(sasl_authenticate, 36, "SaslAuthenticate")                           \
  X(create_partitions, 37, "CreatePartitions")                           \
  X(create_delegation_token, 38, "CreateDelegationToken")                \
  X(renew_delegation_token, 39, "RenewDelegationToken")                  \
  X(expire_delegation_token, 40, "ExpireDelegationToken")                \
  X(describe_delegation_token, 41, "DescribeDelegationToken")            \
  X(delete_groups, 42, "DeleteGroups")                                   \
  X(elect_leaders, 43, "ElectLeaders")                                   \
  X(incremental_alter_configs, 44, "IncrementalAlterConfigs")            \
  X(alter_partition_reassignments, 45, "AlterPartitionReassignments")    \
  X(list_partition_reassignments, 46, "ListPartitionReassignments")      \
  X(offset_delete, 47, "OffsetDelete")                                   \
  X(describe_client_quotas, 48, "DescribeClientQuotas")                  \
  X(alter_client_quotas, 49, "AlterClientQuotas")                        \
  X(describe_user_scram_credentials, 50, "DescribeUserScramCredentials") \
  X(alter_user_scram_credentials, 51, "AlterUserScramCredentials")       \
  X(vote, 52, "Vote")                                                    \
  X(begin_quorum_epoch, 53, "BeginQuorumEpoch")                          \
  X(end_quorum_epoch, 54, "EndQuorumEpoch")                              \
  X(describe_quorum, 55, "DescribeQuorum")                               \
  X(alter_partition, 56, "AlterPartition")                               \
  X(update_features, 57, "UpdateFeatures")                               \
  X(envelope, 58, "Envelope")                                            \
  X(fetch_snapshot, 59, "FetchSnapshot")                                 \
  X(describe_cluster, 60, "DescribeCluster")                             \
  X(describe_producers, 61, "DescribeProducers")                         \
  X(broker_registration, 62, "BrokerRegistration")                       \
  X(broker_heartbeat, 63, "BrokerHeartbeat")                             \
  X(unregister_broker, 64, "UnregisterBroker")                           \
  X(describe_transactions, 65, "DescribeTransactions")                   \
  X(list_transactions, 66, "ListTransactions")                           \
  X(allocate_producer_ids, 67, "AllocateProducerIds")                    \
  X(consumer_group_heartbeat, 68, "ConsumerGroupHeartbeat")              \
  X(consumer_group_describe, 69, "ConsumerGroupDescribe")                \
  X(controller_registration, 70, "ControllerRegistration")               \
  X(get_telemetry_subscriptions, 71, "GetTelemetrySubscriptions")        \
  X(push_telemetry, 72, "PushTelemetry")                                 \
  X(assign_replicas_to_dirs, 73, "AssignReplicasToDirs")                 \
  X(list_config_resources, 74, "ListConfigResources")                    \
  X(describe_topic_partitions, 75, "DescribeTopicPartitions")            \
  X(share_group_heartbeat, 76, "ShareGroupHeartbeat")                    \
  X(share_group_describe, 77, "ShareGroupDescribe")                      \
  X(share_fetch, 78, "ShareFetch")                                       \
  X(share_acknowledge, 79, "ShareAcknowledge")                           \
  X(add_raft_voter, 80, "AddRaftVoter")                                  \
  X(remove_raft_voter, 81, "RemoveRaftVoter")                            \
  X(update_raft_voter, 82, "UpdateRaftVoter")                            \
  X(initialize_share_group_state, 83, "InitializeShareGroupState")       \
  X(read_share_group_state, 84, "ReadShareGroupState")                   \
  X(write_share_group_state, 85, "WriteShareGroupState")                 \
  X(delete_share_group_state, 86, "DeleteShareGroupState")               \
  X(read_share_group_state_summary, 87, "ReadShareGroupStateSummary")    \
  X(streams_group_heartbeat, 88, "StreamsGroupHeartbeat")                \
  X(streams_group_describe, 89, "StreamsGroupDescribe")                  \
  X(describe_share_group_offsets, 90, "DescribeShareGroupOffsets")       \
  X(alter_share_group_offsets, 91, "AlterShareGroupOffsets")             \
  X(delete_share_group_offsets, 92, "DeleteShareGroupOffsets")

enum class ApiKey : std::int16_t {
#define MSGWATCH_KAFKA_API_KEY_ENUMERATOR(id, value, text) id = (value),
  MSGWATCH_KAFKA_API_KEYS(MSGWATCH_KAFKA_API_KEY_ENUMERATOR)
#undef MSGWATCH_KAFKA_API_KEY_ENUMERATOR
};

constexpr std::int16_t to_int(ApiKey key) noexcept { return static_cast<std::int16_t>(key); }

// Kafka's name ("ApiVersions"); empty for keys this table lacks.
std::string_view name(ApiKey key) noexcept;
// The name, or "UNKNOWN_API(<value>)" for keys this table lacks.
std::string to_string(ApiKey key);

std::ostream& operator<<(std::ostream& out, ApiKey key);

}  // namespace msgwatch::kafka::protocol
