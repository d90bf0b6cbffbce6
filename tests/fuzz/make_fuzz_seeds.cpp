// Writes a seed corpus for every fuzz target: the encoding of each sample response in each
// implemented version, prefixed by the version selector byte fuzz_response.cpp expects; for
// the record set target, sample record sets behind the offsets to look for; and for the
// transaction log target, keys and values of each version and state shape; for the CLUSTER
// NODES target, the texts captured from Redis in tests/redis/fixtures; for the SCRAM target,
// server messages.
// Usage: kafka_protocol_fuzz_seeds <corpus-root>; creates <corpus-root>/<target>/seed_v<N>
// (seed_<name> for the record set, transaction log, CLUSTER NODES and SCRAM targets).
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "probes/kafka/protocol/transaction_log.hpp"
#include "tests/kafka_protocol/record_batch_builder.hpp"
#include "tests/kafka_protocol/sample_messages.hpp"

namespace {

using namespace msgwatch::kafka::protocol;
namespace fs = std::filesystem;

std::string snake_case(std::string_view camel) {
  std::string out;
  for (const char c : camel) {
    if (std::isupper(static_cast<unsigned char>(c)) != 0) {
      if (!out.empty()) {
        out.push_back('_');
      }
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void write_file(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

template <class Response>
void write_seeds(const fs::path& root) {
  const fs::path dir = root / ("fuzz_" + snake_case(name(Response::api_key)) + "_response");
  fs::create_directories(dir);
  for (std::int16_t v = Response::min_version; v <= Response::max_version; ++v) {
    Writer writer;
    writer.int8(static_cast<std::int8_t>(v - Response::min_version));
    testing::sample<Response>(v).encode(writer, v);
    write_file(dir / ("seed_v" + std::to_string(v)), writer.data());
  }
}

void write_assignment_seeds(const fs::path& root) {
  const fs::path dir = root / "fuzz_consumer_protocol_assignment";
  fs::create_directories(dir);
  ConsumerProtocolAssignment assignment;
  assignment.assigned_partitions = {{"orders", {0, 1, 2}}, {"payments", {7}}};
  assignment.user_data = std::vector<std::uint8_t>{0x01, 0x02, 0x03};
  for (std::int16_t v = ConsumerProtocolAssignment::min_version; v <= ConsumerProtocolAssignment::max_version; ++v) {
    write_file(dir / ("seed_v" + std::to_string(v)), encode_consumer_protocol_assignment(assignment, v));
  }
}

// 8 bytes of offset (big-endian), then the record set, as fuzz_record_batch.cpp expects.
void write_record_batch_seed(const fs::path& path, std::int64_t offset, std::span<const std::uint8_t> record_set) {
  Writer writer;
  writer.int64(offset);
  writer.raw(record_set);
  write_file(path, writer.data());
}

void write_record_batch_seeds(const fs::path& root) {
  const fs::path dir = root / "fuzz_record_batch";
  fs::create_directories(dir);
  // The sample set spans offsets 1000-1015: before it, in each kind of batch, past it.
  const std::vector<std::uint8_t> set = testing::sample_record_set();
  for (const std::int64_t offset : {-1, 1000, 1002, 1004, 1005, 1007, 1012, 1016}) {
    write_record_batch_seed(dir / ("seed_at_" + std::to_string(offset)), offset, set);
  }
  // Cut off inside the last batch's records, as a broker's size limit leaves it.
  write_record_batch_seed(dir / "seed_cut_off", 1012, std::span(set).first(set.size() - 10));
  // A batch whose timestamps are relative to a delete horizon.
  testing::TestBatch horizon;
  horizon.base_offset = 5;
  horizon.attributes = testing::attributes_delete_horizon;
  horizon.base_timestamp = 1700086400000;
  horizon.max_timestamp = 1700000000020;
  horizon.records = {{0, -86400000, "k", std::nullopt, {}}, {2, -86399980, "k", "v", {{"h", "x"}}}};
  write_record_batch_seed(dir / "seed_delete_horizon", 6, testing::encode_batch(horizon));
  // Two old-format messages, the second a gzip wrapper.
  std::vector<std::uint8_t> legacy = testing::encode_magic_1_message(5, 0x00, 1700000000000);
  const auto wrapper = testing::encode_magic_1_message(9, 0x01, 1700000000000);
  legacy.insert(legacy.end(), wrapper.begin(), wrapper.end());
  write_record_batch_seed(dir / "seed_legacy", 7, legacy);
}

// Keys and values of `__transaction_state` as Kafka 3.9 (value version 0) and 4.x (version 1)
// write them, for fuzz_transaction_log.cpp, which decodes every input both ways.
void write_transaction_log_seeds(const fs::path& root) {
  const fs::path dir = root / "fuzz_transaction_log";
  fs::create_directories(dir);
  write_file(dir / "seed_key", encode_transaction_log_key({0, "orders-writer-1"}));
  write_file(dir / "seed_key_unknown_version", {0x00, 0x01, 0x00, 0x01, 0x78});

  TransactionLogValue empty;
  empty.producer_id = 4000;
  empty.producer_epoch = 0;
  empty.timeout_ms = 60000;
  empty.status = TransactionStatus::empty;
  empty.last_update_ms = 1700000000000;
  write_file(dir / "seed_value_v0_empty", encode_transaction_log_value(empty));

  TransactionLogValue ongoing = empty;
  ongoing.status = TransactionStatus::ongoing;
  ongoing.partitions = std::vector<TransactionLogValue::TopicPartitions>{{"orders", {0, 3}}, {"payments", {7}}};
  ongoing.start_ms = 1699999999500;
  write_file(dir / "seed_value_v0_ongoing", encode_transaction_log_value(ongoing));

  TransactionLogValue complete = ongoing;
  complete.status = TransactionStatus::complete_commit;
  complete.partitions.emplace();
  write_file(dir / "seed_value_v0_complete_commit", encode_transaction_log_value(complete));

  ongoing.version = 1;
  ongoing.previous_producer_id = 4000;
  write_file(dir / "seed_value_v1_ongoing", encode_transaction_log_value(ongoing));

  TransactionLogValue aborting = ongoing;
  aborting.status = TransactionStatus::prepare_abort;
  aborting.next_producer_id = 4001;
  aborting.next_producer_epoch = 0;
  aborting.client_transaction_version = 2;
  write_file(dir / "seed_value_v1_all_tags", encode_transaction_log_value(aborting));

  // Without known tagged fields the value ends in an empty tagged-field section (count 0);
  // turned into one field of a tag this decoder does not know (9, 2 bytes).
  TransactionLogValue untagged = aborting;
  untagged.previous_producer_id = -1;
  untagged.next_producer_id = -1;
  untagged.next_producer_epoch = -1;
  untagged.client_transaction_version = 0;
  std::vector<std::uint8_t> bytes = encode_transaction_log_value(untagged);
  bytes.back() = 0x01;
  bytes.insert(bytes.end(), {0x09, 0x02, 0xab, 0xcd});
  write_file(dir / "seed_value_v1_unknown_tag", bytes);
}

// Every cluster_nodes_*.txt fixture, as the parser's seeds.
void write_redis_cluster_nodes_seeds(const fs::path& root) {
  const fs::path dir = root / "fuzz_redis_cluster_nodes";
  fs::create_directories(dir);
  for (const auto& entry : fs::directory_iterator(MSGWATCH_REDIS_FIXTURES)) {
    const auto name = entry.path().filename().string();
    if (name.rfind("cluster_nodes_", 0) != 0 || entry.path().extension() != ".txt") continue;
    fs::copy_file(entry.path(), dir / ("seed_" + entry.path().stem().string()), fs::copy_options::overwrite_existing);
  }
}

// SCRAM server messages: RFC 7677's example, an error and one with an extension.
void write_scram_seeds(const fs::path& root) {
  const fs::path dir = root / "fuzz_scram";
  fs::create_directories(dir);
  const std::pair<const char*, std::string_view> seeds[] = {
      {"server_first", "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"},
      {"server_first_extension", "r=rOprNGfwEbeRWgbNEkqOsrv,s=c2FsdA==,i=8192,x=ext"},
      {"server_final", "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="},
      {"server_error", "e=invalid-proof"},
  };
  for (const auto& [name, text] : seeds) {
    write_file(dir / (std::string("seed_") + name), std::vector<std::uint8_t>(text.begin(), text.end()));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " <corpus-root>\n";
    return 2;
  }
  const fs::path root = argv[1];
  std::apply([&](auto... responses) { (write_seeds<decltype(responses)>(root), ...); }, testing::AllResponses{});
  write_assignment_seeds(root);
  write_record_batch_seeds(root);
  write_transaction_log_seeds(root);
  write_redis_cluster_nodes_seeds(root);
  write_scram_seeds(root);
  return 0;
}
