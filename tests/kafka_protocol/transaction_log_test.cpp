// Transaction log records (`__transaction_state`): real records recorded from Kafka 4.3.1 and
// 3.9.2 (fixtures/transaction_log_<version>.txt, written by record_transaction_log.cpp), and
// wire bytes written out by hand from TransactionLogKey.json / TransactionLogValue.json.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "probes/kafka/protocol/decode_error.hpp"
#include "probes/kafka/protocol/transaction_log.hpp"
#include "tests/kafka_protocol/byte_helpers.hpp"

namespace msgwatch::kafka::protocol {
namespace {

using testing::ascii;
using testing::Bytes;
using testing::operator+;

using Status = TransactionStatus;

// ---- Recorded records ----

struct RecordedRecord {
  int line = 0;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  Bytes key;
  std::optional<Bytes> value;  // absent: tombstone
};

Bytes from_hex(const std::string& text) {
  if (text.size() % 2 != 0) {
    throw std::runtime_error("odd number of hex digits");
  }
  Bytes bytes;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    bytes.push_back(static_cast<std::uint8_t>(std::stoi(text.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

// Lines "<partition> <offset> <key hex> <value hex | null>"; '#' starts a comment line.
std::vector<RecordedRecord> read_fixture(const std::string& kafka_version) {
  const std::string path = std::string(MSGWATCH_KAFKA_PROTOCOL_FIXTURES) + "/transaction_log_" + kafka_version + ".txt";
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot read " + path);
  }
  std::vector<RecordedRecord> records;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') {
      continue;
    }
    std::istringstream fields(line);
    RecordedRecord r;
    std::string key;
    std::string value;
    std::string rest;
    if (!(fields >> r.partition >> r.offset >> key >> value) || (fields >> rest)) {
      throw std::runtime_error(path + ":" + std::to_string(number) + ": not a record line");
    }
    r.line = number;
    r.key = from_hex(key);
    if (value != "null") {
      r.value = from_hex(value);
    }
    records.push_back(std::move(r));
  }
  return records;
}

struct DecodedRecord {
  RecordedRecord recorded;
  std::string transactional_id;
  std::optional<TransactionLogValue> value;
};

std::vector<DecodedRecord> decode_fixture(const std::string& kafka_version) {
  std::vector<DecodedRecord> decoded;
  for (const RecordedRecord& r : read_fixture(kafka_version)) {
    SCOPED_TRACE("line " + std::to_string(r.line));
    const auto key = decode_transaction_log_key(r.key);
    EXPECT_TRUE(key.has_value());
    if (!key) {
      continue;
    }
    DecodedRecord d{r, key->transactional_id, std::nullopt};
    if (r.value) {
      d.value = decode_transaction_log_value(*r.value);
    }
    decoded.push_back(std::move(d));
  }
  return decoded;
}

const std::string commit_id = "msgwatch-txlog-commit";
const std::string abort_id = "msgwatch-txlog-abort";
const std::string open_id = "msgwatch-txlog-open";

std::vector<Status> statuses_of(const std::vector<DecodedRecord>& records, const std::string& id) {
  std::vector<Status> statuses;
  for (const auto& r : records) {
    if (r.transactional_id == id && r.value) {
      statuses.push_back(r.value->status);
    }
  }
  return statuses;
}

// The states a transaction goes through, in order (other records may come between).
bool contains_in_order(const std::vector<Status>& statuses, const std::vector<Status>& wanted) {
  std::size_t next = 0;
  for (const Status s : statuses) {
    if (next < wanted.size() && s == wanted[next]) {
      ++next;
    }
  }
  return next == wanted.size();
}

std::string names(const std::vector<Status>& statuses) {
  std::string out;
  for (const Status s : statuses) {
    out += (out.empty() ? "" : " ") + std::string(to_string(s));
  }
  return out;
}

void check_recording(const std::string& kafka_version, std::int16_t value_version) {
  SCOPED_TRACE("Kafka " + kafka_version);
  const std::vector<DecodedRecord> records = decode_fixture(kafka_version);
  ASSERT_FALSE(records.empty());

  std::set<std::string> ids;
  std::set<Status> statuses;
  std::set<std::int16_t> versions;
  std::map<std::string, int> tombstones;
  for (const auto& r : records) {
    SCOPED_TRACE("line " + std::to_string(r.recorded.line));
    ids.insert(r.transactional_id);
    // Kafka writes what this library writes: the encoder reproduces every record exactly.
    EXPECT_EQ(encode_transaction_log_key({0, r.transactional_id}), r.recorded.key);
    if (!r.value) {
      ++tombstones[r.transactional_id];
      continue;
    }
    const TransactionLogValue& v = *r.value;
    statuses.insert(v.status);
    versions.insert(v.version);
    EXPECT_EQ(encode_transaction_log_value(v), *r.recorded.value);
    EXPECT_GE(v.producer_id, 0);
    EXPECT_GE(v.producer_epoch, 0);
    EXPECT_GT(v.last_update_ms, 1600000000000);
    // librdkafka 2.0.2 uses the requests of transaction.version 0.
    EXPECT_EQ(v.client_transaction_version, 0);
    if (v.version >= 1) {
      // Kafka 4.x writes PreviousProducerId (tag 0) in every version 1 record.
      EXPECT_GE(v.previous_producer_id, 0);
    } else {
      EXPECT_EQ(v.previous_producer_id, -1);
    }
    // Null partitions in the Empty state only, where start_ms is -1 too.
    EXPECT_EQ(!v.partitions.has_value(), v.status == Status::empty);
    if (v.status == Status::empty) {
      EXPECT_EQ(v.start_ms, -1);
    }
    if (v.status == Status::ongoing || v.status == Status::prepare_commit || v.status == Status::prepare_abort) {
      ASSERT_TRUE(v.partitions.has_value());
      EXPECT_FALSE(v.partitions->empty());
      EXPECT_GE(v.start_ms, 1600000000000);
      EXPECT_LE(v.start_ms, v.last_update_ms);
    }
    if (v.status == Status::complete_commit || v.status == Status::complete_abort) {
      ASSERT_TRUE(v.partitions.has_value());
      EXPECT_TRUE(v.partitions->empty());
    }
  }

  EXPECT_EQ(ids, (std::set<std::string>{commit_id, abort_id, open_id}));
  for (const Status s : {Status::ongoing, Status::prepare_commit, Status::complete_commit, Status::prepare_abort,
                         Status::complete_abort}) {
    EXPECT_TRUE(statuses.contains(s)) << to_string(s);
  }
  EXPECT_EQ(versions, std::set<std::int16_t>{value_version});

  const auto committed = statuses_of(records, commit_id);
  EXPECT_TRUE(
      contains_in_order(committed, {Status::empty, Status::ongoing, Status::prepare_commit, Status::complete_commit}))
      << names(committed);
  const auto aborted = statuses_of(records, abort_id);
  EXPECT_TRUE(
      contains_in_order(aborted, {Status::empty, Status::ongoing, Status::prepare_abort, Status::complete_abort}))
      << names(aborted);
  EXPECT_FALSE(contains_in_order(aborted, {Status::prepare_commit})) << names(aborted);
  const auto open = statuses_of(records, open_id);
  ASSERT_FALSE(open.empty());
  EXPECT_EQ(open.back(), Status::ongoing) << names(open);

  // The recordings ran with a short transactional.id.expiration.ms: the completed ids were
  // removed by a tombstone, their last record; the open one was not.
  EXPECT_EQ(tombstones, (std::map<std::string, int>{{commit_id, 1}, {abort_id, 1}}));
  for (const std::string& id : {commit_id, abort_id}) {
    for (auto it = records.rbegin(); it != records.rend(); ++it) {
      if (it->transactional_id == id) {
        EXPECT_FALSE(it->value.has_value()) << id;
        break;
      }
    }
  }

  // The committed transaction's partitions, as the producer wrote them.
  bool found = false;
  for (const auto& r : records) {
    if (r.transactional_id == commit_id && r.value && r.value->status == Status::prepare_commit) {
      std::map<std::string, std::set<std::int32_t>> partitions;
      for (const auto& tp : *r.value->partitions) {
        partitions[tp.topic].insert(tp.partition_ids.begin(), tp.partition_ids.end());
      }
      EXPECT_EQ(partitions, (std::map<std::string, std::set<std::int32_t>>{{"txlog-a", {0, 1}}, {"txlog-b", {0}}}));
      EXPECT_EQ(r.value->timeout_ms, 60000);
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

// ---- Hand-written bytes ----

// Key version 0 (TransactionLogKey.json): int16 version, classic string TransactionalId.
const Bytes key_v0 = Bytes{0x00, 0x00} + Bytes{0x00, 0x05} + ascii("tx-id");

const Bytes int64_1000{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8};
const Bytes epoch_5{0x00, 0x05};
const Bytes timeout_60000{0x00, 0x00, 0xea, 0x60};
const Bytes t0_bytes{0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00};      // 1700000000000
const Bytes t0_minus_500{0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x66, 0x0c};  // 1699999999500
constexpr std::int64_t t0 = 1700000000000;

// Value version 0, Ongoing over orders/0, orders/3 and pay/7.
const Bytes value_v0 = Bytes{0x00, 0x00}                                     // version 0
                       + int64_1000 + epoch_5 + timeout_60000 + Bytes{0x01}  // Ongoing
                       + Bytes{0x00, 0x00, 0x00, 0x02}                       // 2 topics
                       + Bytes{0x00, 0x06} + ascii("orders") + Bytes{0x00, 0x00, 0x00, 0x02} +
                       Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03}  // [0, 3]
                       + Bytes{0x00, 0x03} + ascii("pay") + Bytes{0x00, 0x00, 0x00, 0x01} +
                       Bytes{0x00, 0x00, 0x00, 0x07}  // [7]
                       + t0_bytes + t0_minus_500;

// The same in version 1: compact lengths (n + 1), tagged-field sections, and the four tagged
// fields of Kafka 4.x plus an unknown tag 9 that must be skipped.
const Bytes value_v1_fields = Bytes{0x00, 0x01}                                     // version 1
                              + int64_1000 + epoch_5 + timeout_60000 + Bytes{0x01}  // Ongoing
                              + Bytes{0x03}                                         // 2 topics
                              + Bytes{0x07} + ascii("orders") + Bytes{0x03} +
                              Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03} + Bytes{0x00}  // [0, 3]
                              + Bytes{0x04} + ascii("pay") + Bytes{0x02} + Bytes{0x00, 0x00, 0x00, 0x07} +
                              Bytes{0x00}  // [7]
                              + t0_bytes + t0_minus_500;
const Bytes tags_v1 = Bytes{0x05}                                                                  // 5 tagged fields
                      + Bytes{0x00, 0x08} + Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe7}  // previous 999
                      + Bytes{0x01, 0x08} + Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe9}  // next 1001
                      + Bytes{0x02, 0x02, 0x00, 0x02}         // ClientTransactionVersion 2
                      + Bytes{0x03, 0x02, 0x00, 0x00}         // NextProducerEpoch 0
                      + Bytes{0x09, 0x03, 0xab, 0xcd, 0xef};  // unknown tag 9
const Bytes value_v1 = value_v1_fields + tags_v1;

TransactionLogValue expected_value(std::int16_t version) {
  TransactionLogValue v;
  v.version = version;
  v.producer_id = 1000;
  v.producer_epoch = 5;
  v.timeout_ms = 60000;
  v.status = Status::ongoing;
  v.partitions = std::vector<TransactionLogValue::TopicPartitions>{{"orders", {0, 3}}, {"pay", {7}}};
  v.last_update_ms = t0;
  v.start_ms = t0 - 500;
  return v;
}

template <class Decode>
void expect_every_strict_prefix_rejected(const Bytes& bytes, Decode decode) {
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    EXPECT_THROW(decode(std::span(bytes).first(length)), DecodeError) << "prefix of " << length << " bytes";
  }
}

Bytes with_status(Bytes value, std::uint8_t status) {
  value.at(16) = status;  // after version (2), producer id (8), epoch (2), timeout (4)
  return value;
}

// ---- Tests ----

TEST(TransactionLog, RecordedFromKafka431) { check_recording("4.3.1", 1); }

TEST(TransactionLog, RecordedFromKafka392) { check_recording("3.9.2", 0); }

TEST(TransactionLog, StatusNamesAreKafkas) {
  EXPECT_EQ(to_string(Status::empty), "Empty");
  EXPECT_EQ(to_string(Status::ongoing), "Ongoing");
  EXPECT_EQ(to_string(Status::prepare_commit), "PrepareCommit");
  EXPECT_EQ(to_string(Status::prepare_abort), "PrepareAbort");
  EXPECT_EQ(to_string(Status::complete_commit), "CompleteCommit");
  EXPECT_EQ(to_string(Status::complete_abort), "CompleteAbort");
  EXPECT_EQ(to_string(Status::dead), "Dead");
  EXPECT_EQ(to_string(Status::prepare_epoch_fence), "PrepareEpochFence");
  EXPECT_EQ(to_string(static_cast<Status>(8)), "Unknown");
  EXPECT_EQ(to_string(static_cast<Status>(-1)), "Unknown");
}

TEST(TransactionLog, KeyVersion0) {
  EXPECT_EQ(decode_transaction_log_key(key_v0), (TransactionLogKey{0, "tx-id"}));
  EXPECT_EQ(encode_transaction_log_key({0, "tx-id"}), key_v0);
}

// Kafka's loaders skip records whose key version they do not know, whatever follows.
TEST(TransactionLog, UnknownKeyVersionIsSkippedNotAnError) {
  for (const Bytes& key : {Bytes{0x00, 0x01} + Bytes{0x00, 0x05} + ascii("tx-id"), Bytes{0x00, 0x01},
                           Bytes{0x7f, 0xff, 0xde, 0xad}, Bytes{0xff, 0xff} + Bytes{0x00, 0x05} + ascii("tx-id")}) {
    EXPECT_EQ(decode_transaction_log_key(key), std::nullopt);
  }
  EXPECT_THROW(encode_transaction_log_key({1, "tx-id"}), std::invalid_argument);
}

TEST(TransactionLog, MalformedKeysAreRejected) {
  expect_every_strict_prefix_rejected(key_v0, decode_transaction_log_key);
  EXPECT_THROW(decode_transaction_log_key(key_v0 + Bytes{0x00}), DecodeError);  // trailing byte
  // A null string (length -1) is no transactional id; nor is a length past the end.
  EXPECT_THROW(decode_transaction_log_key(Bytes{0x00, 0x00, 0xff, 0xff}), DecodeError);
  EXPECT_THROW(decode_transaction_log_key(Bytes{0x00, 0x00, 0x7f, 0xff} + ascii("tx-id")), DecodeError);
}

// A tombstone is a record whose value is null: its key is an ordinary key, and the value
// decoder is not asked. An empty (non-null) value is malformed, not a tombstone.
TEST(TransactionLog, TombstoneKeyIsAnOrdinaryKey) {
  EXPECT_EQ(decode_transaction_log_key(key_v0), (TransactionLogKey{0, "tx-id"}));
  EXPECT_THROW(decode_transaction_log_value(Bytes{}), DecodeError);
}

TEST(TransactionLog, ValueVersion0) {
  EXPECT_EQ(decode_transaction_log_value(value_v0), expected_value(0));
  EXPECT_EQ(encode_transaction_log_value(expected_value(0)), value_v0);
}

TEST(TransactionLog, ValueVersion0EmptyStateHasNullPartitions) {
  const Bytes bytes = Bytes{0x00, 0x00} + int64_1000 + Bytes{0x00, 0x00} + timeout_60000 + Bytes{0x00}  // Empty
                      + Bytes{0xff, 0xff, 0xff, 0xff}  // null partitions
                      + t0_bytes + Bytes(8, 0xff);     // start -1
  const TransactionLogValue v = decode_transaction_log_value(bytes);
  EXPECT_EQ(v.status, Status::empty);
  EXPECT_EQ(v.producer_epoch, 0);
  EXPECT_EQ(v.partitions, std::nullopt);
  EXPECT_EQ(v.start_ms, -1);
  EXPECT_EQ(encode_transaction_log_value(v), bytes);
}

TEST(TransactionLog, ValueVersion1TaggedFieldsDecodedUnknownOnesSkipped) {
  TransactionLogValue expected = expected_value(1);
  expected.previous_producer_id = 999;
  expected.next_producer_id = 1001;
  expected.client_transaction_version = 2;
  expected.next_producer_epoch = 0;
  EXPECT_EQ(decode_transaction_log_value(value_v1), expected);
  // The encoder writes the known fields only, in tag order.
  const Bytes known_tags(tags_v1.begin() + 1, tags_v1.end() - 5);
  EXPECT_EQ(encode_transaction_log_value(expected), value_v1_fields + Bytes{0x04} + known_tags);
}

TEST(TransactionLog, ValueVersion1WithoutTaggedFieldsHasTheDefaults) {
  EXPECT_EQ(decode_transaction_log_value(value_v1_fields + Bytes{0x00}), expected_value(1));
  EXPECT_EQ(encode_transaction_log_value(expected_value(1)), value_v1_fields + Bytes{0x00});
  // An unknown tag alone, and unknown tags inside the partition entries, are skipped too.
  EXPECT_EQ(decode_transaction_log_value(value_v1_fields + Bytes{0x01, 0x1f, 0x00}), expected_value(1));
  Bytes entry_tag = value_v1_fields;
  const std::size_t first_entry_tags = 2 + 8 + 2 + 4 + 1 + 1 + 7 + 1 + 8;
  ASSERT_EQ(entry_tag.at(first_entry_tags), 0x00);
  entry_tag[first_entry_tags] = 0x01;
  entry_tag.insert(entry_tag.begin() + first_entry_tags + 1, {0x05, 0x01, 0x42});
  EXPECT_EQ(decode_transaction_log_value(entry_tag + Bytes{0x00}), expected_value(1));
}

TEST(TransactionLog, KnownTaggedFieldOfTheWrongSizeIsRejected) {
  // PreviousProducerId is an int64: 4 or 9 declared bytes mean the writer disagrees with the spec.
  EXPECT_THROW(decode_transaction_log_value(value_v1_fields + Bytes{0x01, 0x00, 0x04, 0x00, 0x00, 0x03, 0xe7}),
               DecodeError);
  EXPECT_THROW(decode_transaction_log_value(value_v1_fields + Bytes{0x01, 0x00, 0x09} + int64_1000 + Bytes{0x00}),
               DecodeError);
  // A tagged field running past the end.
  EXPECT_THROW(decode_transaction_log_value(value_v1_fields + Bytes{0x01, 0x09, 0x05, 0x00}), DecodeError);
}

TEST(TransactionLog, UnknownValueVersionsAreRejected) {
  for (const std::uint8_t low : {0x02, 0xff}) {
    Bytes bytes = value_v1;
    bytes[1] = low;
    if (low == 0xff) {
      bytes[0] = 0xff;  // -1
    }
    EXPECT_THROW(decode_transaction_log_value(bytes), DecodeError) << int{low};
  }
  TransactionLogValue v = expected_value(2);
  EXPECT_THROW(encode_transaction_log_value(v), std::invalid_argument);
}

TEST(TransactionLog, UnknownStatusIsRejected) {
  for (const std::uint8_t status : {0x08, 0x7f, 0x80, 0xff}) {
    EXPECT_THROW(decode_transaction_log_value(with_status(value_v0, status)), DecodeError) << int{status};
    EXPECT_THROW(decode_transaction_log_value(with_status(value_v1, status)), DecodeError) << int{status};
  }
  for (std::uint8_t status = 0; status <= 7; ++status) {
    EXPECT_EQ(decode_transaction_log_value(with_status(value_v0, status)).status, static_cast<Status>(status));
  }
  TransactionLogValue v = expected_value(0);
  v.status = static_cast<Status>(8);
  EXPECT_THROW(encode_transaction_log_value(v), std::invalid_argument);
}

TEST(TransactionLog, TruncatedValuesAreRejected) {
  expect_every_strict_prefix_rejected(value_v0, decode_transaction_log_value);
  expect_every_strict_prefix_rejected(value_v1, decode_transaction_log_value);
  EXPECT_THROW(decode_transaction_log_value(value_v0 + Bytes{0x00}), DecodeError);
  EXPECT_THROW(decode_transaction_log_value(value_v1 + Bytes{0x00}), DecodeError);
}

TEST(TransactionLog, ForgedLengthsAreRejectedWithoutAllocating) {
  const Bytes head = Bytes{0x00, 0x00} + int64_1000 + epoch_5 + timeout_60000 + Bytes{0x01};
  // 2^31 - 1 topics; a topic name of 32767 bytes; 2^31 - 1 partition ids.
  EXPECT_THROW(decode_transaction_log_value(head + Bytes{0x7f, 0xff, 0xff, 0xff} + t0_bytes + t0_bytes), DecodeError);
  EXPECT_THROW(decode_transaction_log_value(head + Bytes{0x00, 0x00, 0x00, 0x01, 0x7f, 0xff} + t0_bytes), DecodeError);
  EXPECT_THROW(decode_transaction_log_value(head + Bytes{0x00, 0x00, 0x00, 0x01, 0x00, 0x01} + ascii("a") +
                                            Bytes{0x7f, 0xff, 0xff, 0xff} + t0_bytes),
               DecodeError);
  // Negative lengths other than null.
  EXPECT_THROW(decode_transaction_log_value(head + Bytes{0xff, 0xff, 0xff, 0xfe} + t0_bytes + t0_bytes), DecodeError);
  // Version 1: a compact array count of 2^32 - 2 in a five-byte varint; a varint of six bytes.
  const Bytes head_v1 = Bytes{0x00, 0x01} + int64_1000 + epoch_5 + timeout_60000 + Bytes{0x01};
  EXPECT_THROW(decode_transaction_log_value(head_v1 + Bytes{0xff, 0xff, 0xff, 0xff, 0x0f} + t0_bytes), DecodeError);
  EXPECT_THROW(decode_transaction_log_value(head_v1 + Bytes{0x81, 0x80, 0x80, 0x80, 0x80, 0x00} + t0_bytes),
               DecodeError);
}

TEST(TransactionLog, Version0CannotCarryTaggedFields) {
  for (auto set : {+[](TransactionLogValue& v) { v.previous_producer_id = 1; },
                   +[](TransactionLogValue& v) { v.next_producer_id = 1; },
                   +[](TransactionLogValue& v) { v.next_producer_epoch = 0; },
                   +[](TransactionLogValue& v) { v.client_transaction_version = 1; }}) {
    TransactionLogValue v = expected_value(0);
    set(v);
    EXPECT_THROW(encode_transaction_log_value(v), std::invalid_argument);
    v.version = 1;
    EXPECT_EQ(decode_transaction_log_value(encode_transaction_log_value(v)), v);
  }
}

}  // namespace
}  // namespace msgwatch::kafka::protocol
