#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "probes/kafka/protocol/decode_error.hpp"

namespace msgwatch::kafka::protocol {

// Records of the transaction coordinators' log, the internal topic `__transaction_state`
// (TransactionLogKey.json / TransactionLogValue.json; in Kafka 3.9 under core/, in 4.x under
// transaction-coordinator/). Every change of a transactional id's state is one record: the
// key names the transactional id, the value holds its whole state after the change, and a
// null value (a tombstone) says the transactional id expired and was removed. Reading the
// log as it is written shows every commit and abort as it happens.
//
// Key: an int16 version (4.x calls it the coordinator record type, of the same value 0), then
// a non-flexible struct of one string, TransactionalId. Only version 0 exists; Kafka's loaders
// (3.9 and 4.x) skip records with any other key version.
//
// Value: an int16 version, then the struct in that version: 0 is non-flexible, 1 flexible
// (compact strings and arrays, tagged fields). Which one a coordinator writes follows the
// cluster's `transaction.version` feature: 0 below level 1, 1 from level 1 (the default of a
// new 4.x cluster is 2; 3.9 does not enable it by default). Kafka 3.9's spec has no tagged
// fields; 4.x adds PreviousProducerId (tag 0), NextProducerId (1), ClientTransactionVersion
// (2) and NextProducerEpoch (3), written only where they differ from their defaults.

struct TransactionLogKey {
  static constexpr std::int16_t max_version = 0;

  std::int16_t version = 0;
  std::string transactional_id;
  bool operator==(const TransactionLogKey&) const = default;
};

// TransactionState ids, the same in Kafka 3.9 (TransactionState.scala) and 4.x
// (TransactionState.java). Kafka does not write Dead to the log: it removes an expired
// transactional id with a tombstone instead.
enum class TransactionStatus : std::int8_t {
  empty = 0,
  ongoing = 1,
  prepare_commit = 2,
  prepare_abort = 3,
  complete_commit = 4,
  complete_abort = 5,
  dead = 6,
  prepare_epoch_fence = 7,
};

// Kafka's names: "Empty", "Ongoing", "PrepareCommit", "PrepareAbort", "CompleteCommit",
// "CompleteAbort", "Dead", "PrepareEpochFence"; "Unknown" for any other value.
std::string_view to_string(TransactionStatus status);

struct TransactionLogValue {
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 1;
  static constexpr std::int16_t first_flexible_version = 1;

  // One entry of TransactionPartitions: a topic and its partitions in the transaction.
  struct TopicPartitions {
    std::string topic;
    std::vector<std::int32_t> partition_ids;
    bool operator==(const TopicPartitions&) const = default;
  };

  std::int16_t version = 0;
  std::int64_t producer_id = -1;
  // Tagged fields of version 1 (Kafka 4.x); their defaults where absent or in version 0.
  std::int64_t previous_producer_id = -1;  // tag 0: producer id of the last committed transaction
  std::int64_t next_producer_id = -1;      // tag 1: producer id last handed to the producer
  std::int16_t producer_epoch = -1;
  std::int16_t next_producer_epoch = -1;  // tag 3: epoch that goes with next_producer_id
  std::int32_t timeout_ms = 0;
  TransactionStatus status = TransactionStatus::empty;
  // Null on the wire: Kafka writes null in the Empty state and a (possibly empty) array in all
  // others (empty once a transaction has completed).
  std::optional<std::vector<TopicPartitions>> partitions;
  std::int64_t last_update_ms = -1;
  std::int64_t start_ms = -1;  // -1 when no transaction is open
  // Tag 2: the transaction.version level the producer's requests use (0-2), as the
  // coordinator saw it.
  std::int16_t client_transaction_version = 0;

  bool operator==(const TransactionLogValue&) const = default;
};

// std::nullopt: a key version other than 0, a record Kafka itself skips (and so should the
// caller, whatever its value). Throws DecodeError on truncated or malformed bytes (a
// non-string transactional id, bytes after it).
std::optional<TransactionLogKey> decode_transaction_log_key(std::span<const std::uint8_t> bytes);

// The value of a record whose value is not null; a null value (tombstone) is the caller's to
// recognise, before calling this. Throws DecodeError on truncated or malformed bytes, bytes
// after the struct, a value version outside 0-1 (Kafka 4.x skips such records, 3.9 fails to
// load the partition), or a status byte that is no TransactionState id (which Kafka refuses
// too). Unknown tagged fields are skipped; known ones must fill their declared size exactly.
TransactionLogValue decode_transaction_log_value(std::span<const std::uint8_t> bytes);

// Version prefix plus struct, as a coordinator writes them (tagged fields only where they
// differ from their defaults, in tag order). Throw std::invalid_argument for what the version
// cannot carry: a key version other than 0, a value version outside 0-1, tagged fields with
// other than their defaults in version 0, a status that is no TransactionState id.
std::vector<std::uint8_t> encode_transaction_log_key(const TransactionLogKey& key);
std::vector<std::uint8_t> encode_transaction_log_value(const TransactionLogValue& value);

}  // namespace msgwatch::kafka::protocol
