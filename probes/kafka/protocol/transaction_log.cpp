#include "probes/kafka/protocol/transaction_log.hpp"

#include <array>
#include <stdexcept>
#include <string>
#include <utility>

#include "probes/kafka/protocol/reader.hpp"
#include "probes/kafka/protocol/writer.hpp"

namespace msgwatch::kafka::protocol {

namespace {

using Value = TransactionLogValue;

constexpr std::int16_t no_producer_epoch = -1;
constexpr std::int64_t no_producer_id = -1;

// Value version 1 tags (TransactionLogValue.json, Kafka 4.x).
constexpr std::uint32_t tag_previous_producer_id = 0;
constexpr std::uint32_t tag_next_producer_id = 1;
constexpr std::uint32_t tag_client_transaction_version = 2;
constexpr std::uint32_t tag_next_producer_epoch = 3;

constexpr std::array<std::string_view, 8> status_names{
    "Empty", "Ongoing", "PrepareCommit", "PrepareAbort", "CompleteCommit", "CompleteAbort", "Dead", "PrepareEpochFence",
};

bool is_known_status(std::int8_t id) { return id >= 0 && static_cast<std::size_t>(id) < status_names.size(); }

bool has_default_tagged_fields(const Value& value) {
  return value.previous_producer_id == no_producer_id && value.next_producer_id == no_producer_id &&
         value.next_producer_epoch == no_producer_epoch && value.client_transaction_version == 0;
}

}  // namespace

std::string_view to_string(TransactionStatus status) {
  const auto id = static_cast<std::int8_t>(status);
  return is_known_status(id) ? status_names[static_cast<std::size_t>(id)] : std::string_view("Unknown");
}

std::optional<TransactionLogKey> decode_transaction_log_key(std::span<const std::uint8_t> bytes) {
  Reader r(bytes, false);
  TransactionLogKey key;
  key.version = r.int16("transaction_log_key.version");
  if (key.version != TransactionLogKey::max_version) {
    return std::nullopt;
  }
  key.transactional_id = r.string("transaction_log_key.transactional_id");
  r.expect_end("transaction log key");
  return key;
}

TransactionLogValue decode_transaction_log_value(std::span<const std::uint8_t> bytes) {
  Reader r(bytes, false);
  Value value;
  value.version = r.int16("transaction_log_value.version");
  if (value.version < Value::min_version || value.version > Value::max_version) {
    r.fail("transaction_log_value.version", "version " + std::to_string(value.version) + " is not implemented");
  }
  r.set_flexible(value.version >= Value::first_flexible_version);
  value.producer_id = r.int64("producer_id");
  value.producer_epoch = r.int16("producer_epoch");
  value.timeout_ms = r.int32("transaction_timeout_ms");
  const std::int8_t status = r.int8("transaction_status");
  if (!is_known_status(status)) {
    r.fail("transaction_status", "unknown transaction state id " + std::to_string(status));
  }
  value.status = static_cast<TransactionStatus>(status);
  value.partitions = r.nullable_array("transaction_partitions", [](Reader& r) {
    Value::TopicPartitions tp;
    tp.topic = r.string("transaction_partitions.topic");
    tp.partition_ids = r.int32_array("transaction_partitions.partition_ids");
    r.tagged_fields();
    return tp;
  });
  value.last_update_ms = r.int64("transaction_last_update_timestamp_ms");
  value.start_ms = r.int64("transaction_start_timestamp_ms");
  r.tagged_fields([&value](std::uint32_t tag, Reader& field) {
    switch (tag) {
      case tag_previous_producer_id:
        value.previous_producer_id = field.int64("previous_producer_id");
        return true;
      case tag_next_producer_id:
        value.next_producer_id = field.int64("next_producer_id");
        return true;
      case tag_client_transaction_version:
        value.client_transaction_version = field.int16("client_transaction_version");
        return true;
      case tag_next_producer_epoch:
        value.next_producer_epoch = field.int16("next_producer_epoch");
        return true;
      default:
        return false;
    }
  });
  r.expect_end("transaction log value");
  return value;
}

std::vector<std::uint8_t> encode_transaction_log_key(const TransactionLogKey& key) {
  if (key.version != TransactionLogKey::max_version) {
    throw std::invalid_argument("kafka protocol: cannot encode transaction log key version " +
                                std::to_string(key.version));
  }
  Writer w(false);
  w.int16(key.version);
  w.string(key.transactional_id);
  return std::move(w).take();
}

std::vector<std::uint8_t> encode_transaction_log_value(const TransactionLogValue& value) {
  if (value.version < Value::min_version || value.version > Value::max_version) {
    throw std::invalid_argument("kafka protocol: cannot encode transaction log value version " +
                                std::to_string(value.version));
  }
  const bool flexible = value.version >= Value::first_flexible_version;
  if (!flexible && !has_default_tagged_fields(value)) {
    throw std::invalid_argument("kafka protocol: transaction log value version " + std::to_string(value.version) +
                                " has no tagged fields");
  }
  if (!is_known_status(static_cast<std::int8_t>(value.status))) {
    throw std::invalid_argument("kafka protocol: unknown transaction state id " +
                                std::to_string(static_cast<int>(value.status)));
  }
  Writer w(false);
  w.int16(value.version);
  w.set_flexible(flexible);
  w.int64(value.producer_id);
  w.int16(value.producer_epoch);
  w.int32(value.timeout_ms);
  w.int8(static_cast<std::int8_t>(value.status));
  w.nullable_array(value.partitions, [](Writer& w, const Value::TopicPartitions& tp) {
    w.string(tp.topic);
    w.int32_array(tp.partition_ids);
    w.tagged_fields();
  });
  w.int64(value.last_update_ms);
  w.int64(value.start_ms);
  if (flexible) {
    std::vector<TaggedField> tagged;
    if (value.previous_producer_id != no_producer_id) {
      tagged.push_back(
          make_tagged_field(tag_previous_producer_id, [&](Writer& f) { f.int64(value.previous_producer_id); }));
    }
    if (value.next_producer_id != no_producer_id) {
      tagged.push_back(make_tagged_field(tag_next_producer_id, [&](Writer& f) { f.int64(value.next_producer_id); }));
    }
    if (value.client_transaction_version != 0) {
      tagged.push_back(make_tagged_field(tag_client_transaction_version,
                                         [&](Writer& f) { f.int16(value.client_transaction_version); }));
    }
    if (value.next_producer_epoch != no_producer_epoch) {
      tagged.push_back(
          make_tagged_field(tag_next_producer_epoch, [&](Writer& f) { f.int16(value.next_producer_epoch); }));
    }
    w.tagged_fields(tagged);
  }
  return std::move(w).take();
}

}  // namespace msgwatch::kafka::protocol
