// Records real `__transaction_state` records from a running broker as a fixture for
// transaction_log_test.cpp. Not part of the tests (the target is EXCLUDE_FROM_ALL): run it by
// hand against a fresh single-node cluster of each Kafka version the fixtures cover, e.g. with
// the short transactional id expiration that brings the tombstones of --tombstones:
//
//   bash scripts/kafka.sh start --name txlog43 --version 4.3.1 --port 29792
//       --set transactional.id.expiration.ms=10000
//       --set transaction.remove.expired.transaction.cleanup.interval.ms=2000
//   cmake --build build --target record_transaction_log
//   build/tests/kafka_protocol/record_transaction_log --bootstrap 127.0.0.1:29792
//       --kafka-version 4.3.1 --tombstones --broker-settings "transactional.id.expiration.ms=10000,
//       transaction.remove.expired.transaction.cleanup.interval.ms=2000"
//       --output tests/kafka_protocol/fixtures/transaction_log_4.3.1.txt
//   bash scripts/kafka.sh stop --name txlog43
//
// With librdkafka transactional producers it commits one transaction, aborts one and leaves one
// open (destroying its producer), then reads every partition of `__transaction_state` from the
// beginning, without joining a consumer group, until the records of all three have arrived (with
// --tombstones also the expiry tombstones of the committed and aborted ids, which the short
// expiration settings above bring within seconds). Each record is written as one line:
// partition, offset, key in hex, value in hex or "null" for a tombstone.
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "probes/kafka/protocol/decode_error.hpp"
#include "probes/kafka/protocol/transaction_log.hpp"
#include "support/kafka_admin.hpp"
#include "support/kafka_handles.hpp"
#include "support/kafka_producer.hpp"

namespace {

using namespace std::chrono_literals;
using namespace msgwatch;
using namespace msgwatch::test::kafka_detail;
using kafka::protocol::TransactionStatus;

const std::string transaction_topic = "__transaction_state";
const std::string commit_id = "msgwatch-txlog-commit";
const std::string abort_id = "msgwatch-txlog-abort";
const std::string open_id = "msgwatch-txlog-open";
const std::string topic_a = "txlog-a";
const std::string topic_b = "txlog-b";

struct Options {
  std::string bootstrap;
  std::string kafka_version;
  std::string broker_settings;
  std::string output;
  bool tombstones = false;
};

struct Record {
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::vector<std::uint8_t> key;
  std::optional<std::vector<std::uint8_t>> value;  // absent: tombstone
};

// What the records read so far show of each transactional id.
struct Seen {
  std::map<std::string, std::set<TransactionStatus>> statuses;
  std::set<std::string> tombstones;
  std::set<std::int16_t> value_versions;
  std::set<std::int16_t> client_transaction_versions;

  bool has(const std::string& id, TransactionStatus status) const {
    const auto it = statuses.find(id);
    return it != statuses.end() && it->second.contains(status);
  }
};

[[noreturn]] void usage(const char* argv0) {
  std::cerr << "usage: " << argv0
            << " --bootstrap HOST:PORT --kafka-version V --output FILE"
               " [--broker-settings TEXT] [--tombstones]\n";
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage(argv[0]);
      return argv[++i];
    };
    if (arg == "--bootstrap") {
      o.bootstrap = next();
    } else if (arg == "--kafka-version") {
      o.kafka_version = next();
    } else if (arg == "--broker-settings") {
      o.broker_settings = next();
    } else if (arg == "--output") {
      o.output = next();
    } else if (arg == "--tombstones") {
      o.tombstones = true;
    } else {
      usage(argv[0]);
    }
  }
  if (o.bootstrap.empty() || o.kafka_version.empty() || o.output.empty()) usage(argv[0]);
  return o;
}

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const std::uint8_t b : bytes) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0x0f]);
  }
  return out;
}

void run_transactions(const std::string& bootstrap) {
  test::KafkaAdmin admin(bootstrap);
  admin.create_topic(topic_a, 2);
  admin.create_topic(topic_b, 1);
  {
    test::KafkaProducer producer(bootstrap, {.transactional_id = commit_id, .settings = {}});
    producer.begin_transaction();
    producer.produce(topic_a, 0, 2);
    producer.produce(topic_a, 1, 1);
    producer.produce(topic_b, 0, 1);
    producer.commit_transaction();
    std::cerr << "committed a transaction of " << commit_id << "\n";
  }
  {
    test::KafkaProducer producer(bootstrap, {.transactional_id = abort_id, .settings = {}});
    producer.begin_transaction();
    producer.produce(topic_a, 0, 1);
    producer.abort_transaction();
    std::cerr << "aborted a transaction of " << abort_id << "\n";
  }
  {
    // Ten minutes: the transaction must still be open when the log is read.
    test::KafkaProducer producer(bootstrap,
                                 {.transactional_id = open_id, .settings = {{"transaction.timeout.ms", "600000"}}});
    producer.begin_transaction();
    producer.produce(topic_b, 0, 1);
    std::cerr << "left a transaction of " << open_id << " open\n";
  }
}

void note(Seen& seen, const Record& record) {
  const auto key = kafka::protocol::decode_transaction_log_key(record.key);
  if (!key) {
    std::cerr << "partition " << record.partition << " offset " << record.offset << ": unknown key version\n";
    return;
  }
  if (!record.value) {
    seen.tombstones.insert(key->transactional_id);
    return;
  }
  const auto value = kafka::protocol::decode_transaction_log_value(*record.value);
  seen.statuses[key->transactional_id].insert(value.status);
  seen.value_versions.insert(value.version);
  seen.client_transaction_versions.insert(value.client_transaction_version);
}

bool complete(const Seen& seen, bool tombstones) {
  const bool records = seen.has(commit_id, TransactionStatus::complete_commit) &&
                       seen.has(abort_id, TransactionStatus::complete_abort) &&
                       seen.has(open_id, TransactionStatus::ongoing);
  return records && (!tombstones || (seen.tombstones.contains(commit_id) && seen.tombstones.contains(abort_id)));
}

// Reads every partition of the transaction log from its start until the records wanted have
// arrived and every partition has been read to its end since.
std::vector<Record> read_log(const std::string& bootstrap, bool tombstones, Seen& seen) {
  const int partitions = test::KafkaAdmin(bootstrap).partition_count(transaction_topic);
  if (partitions <= 0) throw std::runtime_error(transaction_topic + " does not exist");
  // librdkafka's consumer poll wants a group id, but a consumer that only assigns partitions and
  // never commits does not join the group: no group appears on the broker.
  auto rk = make_client(RD_KAFKA_CONSUMER, make_conf(bootstrap, {{"group.id", "msgwatch-txlog-recorder"},
                                                                 {"enable.partition.eof", "true"},
                                                                 {"enable.auto.commit", "false"},
                                                                 {"client.id", "msgwatch-txlog-recorder"}}));
  check(rd_kafka_poll_set_consumer(rk.get()), "poll_set_consumer");
  auto list = partition_list();
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list.get(), transaction_topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  check(rd_kafka_assign(rk.get(), list.get()), "assign " + transaction_topic);

  std::map<std::pair<std::int32_t, std::int64_t>, Record> records;  // by partition and offset
  std::set<std::int32_t> at_end;
  const auto deadline = std::chrono::steady_clock::now() + 180s;
  while (!(complete(seen, tombstones) && static_cast<int>(at_end.size()) == partitions)) {
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error(
          "timed out waiting for the transaction records (tombstones: " + std::to_string(seen.tombstones.size()) + ")");
    }
    Ptr<rd_kafka_message_t> msg(rd_kafka_consumer_poll(rk.get(), 500));
    if (!msg) continue;
    if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_end.insert(msg->partition);
      continue;
    }
    check(msg->err, "consume " + transaction_topic);
    at_end.erase(msg->partition);
    Record record{msg->partition, msg->offset, {}, std::nullopt};
    const auto* key = static_cast<const std::uint8_t*>(msg->key);
    record.key.assign(key, key + msg->key_len);
    if (msg->payload != nullptr) {
      const auto* value = static_cast<const std::uint8_t*>(msg->payload);
      record.value.emplace(value, value + msg->len);
    }
    note(seen, record);
    records.insert_or_assign({record.partition, record.offset}, std::move(record));
  }
  rd_kafka_consumer_close(rk.get());
  std::vector<Record> sorted;
  for (auto& [where, record] : records) sorted.push_back(std::move(record));
  return sorted;
}

template <class Set>
std::string join(const Set& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + std::to_string(v);
  return out;
}

void write_fixture(const Options& o, const std::vector<Record>& records, const Seen& seen) {
  std::ofstream out(o.output);
  if (!out) throw std::runtime_error("cannot write " + o.output);
  char date[16];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&now));
  out << "# Records of the transaction coordinator log (__transaction_state) of Apache Kafka " << o.kafka_version
      << ",\n"
      << "# recorded on " << date << " from a fresh single-node KRaft cluster (scripts/kafka.sh start)"
      << (o.broker_settings.empty() ? "" : " with\n#   " + o.broker_settings) << "\n"
      << "# by tests/kafka_protocol/record_transaction_log.cpp, with librdkafka " << rd_kafka_version_str()
      << " transactional producers:\n"
      << "#   " << commit_id << ": one transaction over " << topic_a << "/0, " << topic_a << "/1 and " << topic_b
      << "/0, committed;\n"
      << "#   " << abort_id << ": one transaction over " << topic_a << "/0, aborted;\n"
      << "#   " << open_id << ": one transaction over " << topic_b
      << "/0, left open (producer destroyed, transaction.timeout.ms 600000).\n";
  if (o.tombstones) {
    out << "# The short transactional id expiration then removed the committed and aborted ids (tombstones).\n";
  }
  out << "# Value versions seen: " << join(seen.value_versions)
      << "; ClientTransactionVersion seen: " << join(seen.client_transaction_versions) << ".\n"
      << "# One record per line, by partition and offset:\n"
      << "#   <partition> <offset> <key in hex> <value in hex, or null for a tombstone>\n";
  for (const Record& r : records) {
    out << r.partition << ' ' << r.offset << ' ' << hex(r.key) << ' ' << (r.value ? hex(*r.value) : "null") << '\n';
  }
  if (!out.flush()) throw std::runtime_error("cannot write " + o.output);
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  try {
    run_transactions(options.bootstrap);
    Seen seen;
    const auto records = read_log(options.bootstrap, options.tombstones, seen);
    write_fixture(options, records, seen);
    std::cerr << records.size() << " records written to " << options.output << "\n";
  } catch (const std::exception& e) {
    std::cerr << "record_transaction_log: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
