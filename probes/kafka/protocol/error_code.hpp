#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

namespace msgwatch::kafka::protocol {

// One row per error code of Kafka's Errors.java (as of 4.x): enumerator, wire value, the
// name Kafka prints, and whether Kafka's exception for it is retriable. A single table keeps
// the enum, the names and the retry policy from drifting apart.
#define MSGWATCH_KAFKA_ERROR_CODES(X)                                                          \
  X(unknown_server_error, -1, "UNKNOWN_SERVER_ERROR", false)                                   \
  X(none, 0, "NONE", false)                                                                    \
  X(offset_out_of_range, 1, "OFFSET_OUT_OF_RANGE", false)                                      \
  X(corrupt_message, 2, "CORRUPT_MESSAGE", true)                                               \
  X(unknown_topic_or_partition, 3, "UNKNOWN_TOPIC_OR_PARTITION", true)                         \
  X(invalid_fetch_size, 4, "INVALID_FETCH_SIZE", false)                                        \
  X(leader_not_available, 5, "LEADER_NOT_AVAILABLE", true)                                     \
  X(not_leader_or_follower, 6, "NOT_LEADER_OR_FOLLOWER", true)                                 \
  X(request_timed_out, 7, "REQUEST_TIMED_OUT", true)                                           \
  X(broker_not_available, 8, "BROKER_NOT_AVAILABLE", false)                                    \
  X(replica_not_available, 9, "REPLICA_NOT_AVAILABLE", true)                                   \
  X(message_too_large, 10, "MESSAGE_TOO_LARGE", false)                                         \
  X(stale_controller_epoch, 11, "STALE_CONTROLLER_EPOCH", false)                               \
  X(offset_metadata_too_large, 12, "OFFSET_METADATA_TOO_LARGE", false)                         \
  X(network_exception, 13, "NETWORK_EXCEPTION", true)                                          \
  X(coordinator_load_in_progress, 14, "COORDINATOR_LOAD_IN_PROGRESS", true)                    \
  X(coordinator_not_available, 15, "COORDINATOR_NOT_AVAILABLE", true)                          \
  X(not_coordinator, 16, "NOT_COORDINATOR", true)                                              \
  X(invalid_topic_exception, 17, "INVALID_TOPIC_EXCEPTION", false)                             \
  X(record_list_too_large, 18, "RECORD_LIST_TOO_LARGE", false)                                 \
  X(not_enough_replicas, 19, "NOT_ENOUGH_REPLICAS", true)                                      \
  X(not_enough_replicas_after_append, 20, "NOT_ENOUGH_REPLICAS_AFTER_APPEND", true)            \
  X(invalid_required_acks, 21, "INVALID_REQUIRED_ACKS", false)                                 \
  X(illegal_generation, 22, "ILLEGAL_GENERATION", false)                                       \
  X(inconsistent_group_protocol, 23, "INCONSISTENT_GROUP_PROTOCOL", false)                     \
  X(invalid_group_id, 24, "INVALID_GROUP_ID", false)                                           \
  X(unknown_member_id, 25, "UNKNOWN_MEMBER_ID", false)                                         \
  X(invalid_session_timeout, 26, "INVALID_SESSION_TIMEOUT", false)                             \
  X(rebalance_in_progress, 27, "REBALANCE_IN_PROGRESS", false)                                 \
  X(invalid_commit_offset_size, 28, "INVALID_COMMIT_OFFSET_SIZE", false)                       \
  X(topic_authorization_failed, 29, "TOPIC_AUTHORIZATION_FAILED", false)                       \
  X(group_authorization_failed, 30, "GROUP_AUTHORIZATION_FAILED", false)                       \
  X(cluster_authorization_failed, 31, "CLUSTER_AUTHORIZATION_FAILED", false)                   \
  X(invalid_timestamp, 32, "INVALID_TIMESTAMP", false)                                         \
  X(unsupported_sasl_mechanism, 33, "UNSUPPORTED_SASL_MECHANISM", false)                       \
  X(illegal_sasl_state, 34, "ILLEGAL_SASL_STATE", false)                                       \
  X(unsupported_version, 35, "UNSUPPORTED_VERSION", false)                                     \
  X(topic_already_exists, 36, "TOPIC_ALREADY_EXISTS", false)                                   \
  X(invalid_partitions, 37, "INVALID_PARTITIONS", false)                                       \
  X(invalid_replication_factor, 38, "INVALID_REPLICATION_FACTOR", false)                       \
  X(invalid_replica_assignment, 39, "INVALID_REPLICA_ASSIGNMENT", false)                       \
  X(invalid_config, 40, "INVALID_CONFIG", false)                                               \
  X(not_controller, 41, "NOT_CONTROLLER", true)                                                \
  X(invalid_request, 42, "INVALID_REQUEST", false)                                             \
  X(unsupported_for_message_format, 43, "UNSUPPORTED_FOR_MESSAGE_FORMAT", false)               \
  X(policy_violation, 44, "POLICY_VIOLATION", false)                                           \
  X(out_of_order_sequence_number, 45, "OUT_OF_ORDER_SEQUENCE_NUMBER", false)                   \
  X(duplicate_sequence_number, 46, "DUPLICATE_SEQUENCE_NUMBER", false)                         \
  X(invalid_producer_epoch, 47, "INVALID_PRODUCER_EPOCH", false)                               \
  X(invalid_txn_state, 48, "INVALID_TXN_STATE", false)                                         \
  X(invalid_producer_id_mapping, 49, "INVALID_PRODUCER_ID_MAPPING", false)                     \
  X(invalid_transaction_timeout, 50, "INVALID_TRANSACTION_TIMEOUT", false)                     \
  X(concurrent_transactions, 51, "CONCURRENT_TRANSACTIONS", true)                              \
  X(transaction_coordinator_fenced, 52, "TRANSACTION_COORDINATOR_FENCED", false)               \
  X(transactional_id_authorization_failed, 53, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED", false) \
  X(security_disabled, 54, "SECURITY_DISABLED", false)                                         \
  X(operation_not_attempted, 55, "OPERATION_NOT_ATTEMPTED", false)                             \
  X(kafka_storage_error, 56, "KAFKA_STORAGE_ERROR", true)                                      \
  X(log_dir_not_found, 57, "LOG_DIR_NOT_FOUND", false)                                         \
  X(sasl_authentication_failed, 58, "SASL_AUTHENTICATION_FAILED", false)                       \
  X(unknown_producer_id, 59, "UNKNOWN_PRODUCER_ID", false)                                     \
  X(reassignment_in_progress, 60, "REASSIGNMENT_IN_PROGRESS", false)                           \
  X(delegation_token_auth_disabled, 61, "DELEGATION_TOKEN_AUTH_DISABLED", false)               \
  X(delegation_token_not_found, 62, "DELEGATION_TOKEN_NOT_FOUND", false)                       \
  X(delegation_token_owner_mismatch, 63, "DELEGATION_TOKEN_OWNER_MISMATCH", false)             \
  X(delegation_token_request_not_allowed, 64, "DELEGATION_TOKEN_REQUEST_NOT_ALLOWED", false)   \
  X(delegation_token_authorization_failed, 65, "DELEGATION_TOKEN_AUTHORIZATION_FAILED", false) \
  X(delegation_token_expired, 66, "DELEGATION_TOKEN_EXPIRED", false)                           \
  X(invalid_principal_type, 67, "INVALID_PRINCIPAL_TYPE", false)                               \
  X(non_empty_group, 68, "NON_EMPTY_GROUP", false)                                             \
  X(group_id_not_found, 69, "GROUP_ID_NOT_FOUND", false)                                       \
  X(fetch_session_id_not_found, 70, "FETCH_SESSION_ID_NOT_FOUND", true)                        \
  X(invalid_fetch_session_epoch, 71, "INVALID_FETCH_SESSION_EPOCH", true)                      \
  X(listener_not_found, 72, "LISTENER_NOT_FOUND", true)                                        \
  X(topic_deletion_disabled, 73, "TOPIC_DELETION_DISABLED", false)                             \
  X(fenced_leader_epoch, 74, "FENCED_LEADER_EPOCH", true)                                      \
  X(unknown_leader_epoch, 75, "UNKNOWN_LEADER_EPOCH", true)                                    \
  X(unsupported_compression_type, 76, "UNSUPPORTED_COMPRESSION_TYPE", false)                   \
  X(stale_broker_epoch, 77, "STALE_BROKER_EPOCH", false)                                       \
  X(offset_not_available, 78, "OFFSET_NOT_AVAILABLE", true)                                    \
  X(member_id_required, 79, "MEMBER_ID_REQUIRED", false)                                       \
  X(preferred_leader_not_available, 80, "PREFERRED_LEADER_NOT_AVAILABLE", true)                \
  X(group_max_size_reached, 81, "GROUP_MAX_SIZE_REACHED", false)                               \
  X(fenced_instance_id, 82, "FENCED_INSTANCE_ID", false)                                       \
  X(eligible_leaders_not_available, 83, "ELIGIBLE_LEADERS_NOT_AVAILABLE", true)                \
  X(election_not_needed, 84, "ELECTION_NOT_NEEDED", false)                                     \
  X(no_reassignment_in_progress, 85, "NO_REASSIGNMENT_IN_PROGRESS", false)                     \
  X(group_subscribed_to_topic, 86, "GROUP_SUBSCRIBED_TO_TOPIC", false)                         \
  X(invalid_record, 87, "INVALID_RECORD", false)                                               \
  X(unstable_offset_commit, 88, "UNSTABLE_OFFSET_COMMIT", true)                                \
  X(throttling_quota_exceeded, 89, "THROTTLING_QUOTA_EXCEEDED", true)                          \
  X(producer_fenced, 90, "PRODUCER_FENCED", false)                                             \
  X(resource_not_found, 91, "RESOURCE_NOT_FOUND", false)                                       \
  X(duplicate_resource, 92, "DUPLICATE_RESOURCE", false)                                       \
  X(unacceptable_credential, 93, "UNACCEPTABLE_CREDENTIAL", false)                             \
  X(inconsistent_voter_set, 94, "INCONSISTENT_VOTER_SET", false)                               \
  X(invalid_update_version, 95, "INVALID_UPDATE_VERSION", false)                               \
  X(feature_update_failed, 96, "FEATURE_UPDATE_FAILED", false)                                 \
  X(principal_deserialization_failure, 97, "PRINCIPAL_DESERIALIZATION_FAILURE", false)         \
  X(snapshot_not_found, 98, "SNAPSHOT_NOT_FOUND", false)                                       \
  X(position_out_of_range, 99, "POSITION_OUT_OF_RANGE", false)                                 \
  X(unknown_topic_id, 100, "UNKNOWN_TOPIC_ID", true)                                           \
  X(duplicate_broker_registration, 101, "DUPLICATE_BROKER_REGISTRATION", false)                \
  X(broker_id_not_registered, 102, "BROKER_ID_NOT_REGISTERED", false)                          \
  X(inconsistent_topic_id, 103, "INCONSISTENT_TOPIC_ID", true)                                 \
  X(inconsistent_cluster_id, 104, "INCONSISTENT_CLUSTER_ID", false)                            \
  X(transactional_id_not_found, 105, "TRANSACTIONAL_ID_NOT_FOUND", false)                      \
  X(fetch_session_topic_id_error, 106, "FETCH_SESSION_TOPIC_ID_ERROR", true)                   \
  X(ineligible_replica, 107, "INELIGIBLE_REPLICA", false)                                      \
  X(new_leader_elected, 108, "NEW_LEADER_ELECTED", false)                                      \
  X(offset_moved_to_tiered_storage, 109, "OFFSET_MOVED_TO_TIERED_STORAGE", false)              \
  X(fenced_member_epoch, 110, "FENCED_MEMBER_EPOCH", false)                                    \
  X(unreleased_instance_id, 111, "UNRELEASED_INSTANCE_ID", false)                              \
  X(unsupported_assignor, 112, "UNSUPPORTED_ASSIGNOR", false)                                  \
  X(stale_member_epoch, 113, "STALE_MEMBER_EPOCH", false)                                      \
  X(mismatched_endpoint_type, 114, "MISMATCHED_ENDPOINT_TYPE", false)                          \
  X(unsupported_endpoint_type, 115, "UNSUPPORTED_ENDPOINT_TYPE", false)                        \
  X(unknown_controller_id, 116, "UNKNOWN_CONTROLLER_ID", false)                                \
  X(unknown_subscription_id, 117, "UNKNOWN_SUBSCRIPTION_ID", false)                            \
  X(telemetry_too_large, 118, "TELEMETRY_TOO_LARGE", false)                                    \
  X(invalid_registration, 119, "INVALID_REGISTRATION", false)                                  \
  X(transaction_abortable, 120, "TRANSACTION_ABORTABLE", false)                                \
  X(invalid_record_state, 121, "INVALID_RECORD_STATE", false)                                  \
  X(share_session_not_found, 122, "SHARE_SESSION_NOT_FOUND", true)                             \
  X(invalid_share_session_epoch, 123, "INVALID_SHARE_SESSION_EPOCH", true)                     \
  X(fenced_state_epoch, 124, "FENCED_STATE_EPOCH", false)                                      \
  X(invalid_voter_key, 125, "INVALID_VOTER_KEY", false)                                        \
  X(duplicate_voter, 126, "DUPLICATE_VOTER", false)                                            \
  X(voter_not_found, 127, "VOTER_NOT_FOUND", false)                                            \
  X(invalid_regular_expression, 128, "INVALID_REGULAR_EXPRESSION", false)                      \
  X(rebootstrap_required, 129, "REBOOTSTRAP_REQUIRED", false)                                  \
  X(streams_invalid_topology, 130, "STREAMS_INVALID_TOPOLOGY", false)                          \
  X(streams_invalid_topology_epoch, 131, "STREAMS_INVALID_TOPOLOGY_EPOCH", false)              \
  X(streams_topology_fenced, 132, "STREAMS_TOPOLOGY_FENCED", false)                            \
  X(share_session_limit_reached, 133, "SHARE_SESSION_LIMIT_REACHED", false)

// Error codes travel as int16 on the wire. Values this table does not know (a newer broker)
// are still representable: static_cast any int16 to ErrorCode.
enum class ErrorCode : std::int16_t {
#define MSGWATCH_KAFKA_ERROR_ENUMERATOR(id, value, text, retriable) id = (value),
  MSGWATCH_KAFKA_ERROR_CODES(MSGWATCH_KAFKA_ERROR_ENUMERATOR)
#undef MSGWATCH_KAFKA_ERROR_ENUMERATOR
};

constexpr std::int16_t to_int(ErrorCode code) noexcept { return static_cast<std::int16_t>(code); }

// Kafka's name for the code ("NOT_LEADER_OR_FOLLOWER"); empty for codes this table lacks.
std::string_view name(ErrorCode code) noexcept;
// The name, or "UNKNOWN(<value>)" for codes this table lacks, so logs and metric labels never
// lose the raw value.
std::string to_string(ErrorCode code);
bool is_known(ErrorCode code) noexcept;
// Whether repeating the same request later may succeed without any other change; mirrors
// which of Kafka's exceptions derive from RetriableException. Unknown codes are not retriable.
bool is_retriable(ErrorCode code) noexcept;
// Whether the broker refused for lack of permission: the principal lacks an ACL (topic,
// group, cluster or transactional id authorization failed).
bool is_authorization_failure(ErrorCode code) noexcept;

std::ostream& operator<<(std::ostream& out, ErrorCode code);

}  // namespace msgwatch::kafka::protocol
