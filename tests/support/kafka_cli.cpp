#include "support/kafka_cli.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "support/test_environment.hpp"

namespace msgwatch::test {
namespace {

std::vector<std::string> split_ws(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string token; in >> token;) out.push_back(token);
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

template <typename Int>
Int parse_int(const std::string& token, const std::string& column, const std::string& line) {
  Int value = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec != std::errc() || end != token.data() + token.size()) {
    throw std::runtime_error("column " + column + ": '" + token + "' is not a number in line: " + line);
  }
  return value;
}

// Maps each column name of a header line to its index, so a column added by a newer tool
// version does not shift the ones we read.
std::map<std::string, std::size_t> columns_of(const std::vector<std::string>& header,
                                              const std::vector<std::string>& required, const std::string& line) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < header.size(); ++i) index[header[i]] = i;
  for (const auto& name : required) {
    if (index.count(name) == 0) {
      throw std::runtime_error("no column " + name + " in header: " + line);
    }
  }
  return index;
}

// One field of a table row, by column name.
using RowField = std::function<const std::string&(const char* column)>;

// The rows of a table whose header is the first line starting with `first_column` (lines
// before it are prose); every later non-blank line is a row of the header's width. Throws
// if there is no header or a row has another width.
void for_each_row(const std::string& output, const std::string& first_column, const std::vector<std::string>& required,
                  const std::function<void(const RowField& field, const std::string& line)>& handle_row) {
  std::vector<std::string> header;
  std::map<std::string, std::size_t> col;
  for (const std::string& line : lines_of(output)) {
    const std::vector<std::string> tokens = split_ws(line);
    if (tokens.empty()) continue;
    if (header.empty()) {
      if (tokens[0] != first_column) continue;
      header = tokens;
      col = columns_of(header, required, line);
      continue;
    }
    if (tokens.size() != header.size()) {
      throw std::runtime_error("row has " + std::to_string(tokens.size()) + " fields, header " +
                               std::to_string(header.size()) + ": " + line);
    }
    handle_row([&](const char* column) -> const std::string& { return tokens[col.at(column)]; }, line);
  }
  if (header.empty()) throw std::runtime_error("no table header (" + first_column + " ...) found");
}

}  // namespace

ProcessResult run_kafka_tool(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  std::vector<std::string> argv{"bash", (repo_root() / "scripts" / "kafka.sh").string(), "tool", "--version",
                                kafka_version()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, timeout);
}

std::string kafka_tool_output(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  ProcessResult r = run_kafka_tool(args, timeout);
  // Some tools (kafka-consumer-groups) print "Error: ..." and still exit 0.
  const bool error_text = r.out.find("Error:") != std::string::npos || r.err.find("Error:") != std::string::npos;
  if (!r.status.success() || error_text) throw std::runtime_error("Kafka tool failed: " + r.describe());
  return r.out;
}

std::vector<GroupLagRow> describe_group_lag(const std::string& bootstrap, const std::string& group) {
  const std::string out =
      kafka_tool_output({"consumer-groups", "--bootstrap-server", bootstrap, "--describe", "--group", group});
  try {
    return parse_group_lag_table(out);
  } catch (const std::exception& e) {
    throw std::runtime_error("kafka-consumer-groups --describe --group " + group + ": " + e.what() +
                             "\n--- output ---\n" + out);
  }
}

std::vector<GroupLagRow> parse_group_lag_table(const std::string& output) {
  static const std::vector<std::string> kRequired{"TOPIC",          "PARTITION", "CURRENT-OFFSET",
                                                  "LOG-END-OFFSET", "LAG",       "CONSUMER-ID"};
  std::vector<GroupLagRow> rows;
  std::vector<std::string> header;
  std::map<std::string, std::size_t> col;
  bool seen_header = false;
  for (const std::string& line : lines_of(output)) {
    const std::vector<std::string> tokens = split_ws(line);
    if (tokens.empty()) {
      header.clear();  // a blank line ends a table
      continue;
    }
    if (tokens[0] == "GROUP" && std::find(tokens.begin(), tokens.end(), "TOPIC") != tokens.end()) {
      header = tokens;
      col = columns_of(header, kRequired, line);
      seen_header = true;
      continue;
    }
    if (header.empty()) continue;  // prose such as "Consumer group 'g' has no active members."
    if (tokens.size() != header.size()) {
      throw std::runtime_error("row has " + std::to_string(tokens.size()) + " fields, header " +
                               std::to_string(header.size()) + ": " + line);
    }
    auto field = [&](const char* name) -> const std::string& { return tokens[col.at(name)]; };
    auto optional = [&](const char* name) -> std::optional<std::int64_t> {
      if (field(name) == "-") return std::nullopt;
      return parse_int<std::int64_t>(field(name), name, line);
    };
    GroupLagRow row;
    row.topic = field("TOPIC");
    row.partition = parse_int<std::int32_t>(field("PARTITION"), "PARTITION", line);
    row.current_offset = optional("CURRENT-OFFSET");
    row.log_end_offset = parse_int<std::int64_t>(field("LOG-END-OFFSET"), "LOG-END-OFFSET", line);
    row.lag = optional("LAG");
    row.consumer_id = field("CONSUMER-ID");
    rows.push_back(std::move(row));
  }
  if (!seen_header) throw std::runtime_error("no table header (GROUP TOPIC PARTITION ...) found");
  std::sort(rows.begin(), rows.end(), [](const GroupLagRow& a, const GroupLagRow& b) {
    return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
  });
  return rows;
}

std::vector<ShareGroupLagRow> describe_share_group_lag(const std::string& bootstrap, const std::string& group) {
  const std::string out =
      kafka_tool_output({"share-groups", "--bootstrap-server", bootstrap, "--describe", "--group", group});
  try {
    return parse_share_group_lag_table(out);
  } catch (const std::exception& e) {
    throw std::runtime_error("kafka-share-groups --describe --group " + group + ": " + e.what() + "\n--- output ---\n" +
                             out);
  }
}

std::vector<ShareGroupLagRow> parse_share_group_lag_table(const std::string& output) {
  std::vector<ShareGroupLagRow> rows;
  for_each_row(output, "GROUP", {"TOPIC", "PARTITION", "START-OFFSET", "LAG"},
               [&](const RowField& field, const std::string& line) {
                 auto optional = [&](const char* name) -> std::optional<std::int64_t> {
                   if (field(name) == "-") return std::nullopt;
                   return parse_int<std::int64_t>(field(name), name, line);
                 };
                 rows.push_back({field("TOPIC"), parse_int<std::int32_t>(field("PARTITION"), "PARTITION", line),
                                 optional("START-OFFSET"), optional("LAG")});
               });
  std::sort(rows.begin(), rows.end(), [](const ShareGroupLagRow& a, const ShareGroupLagRow& b) {
    return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
  });
  return rows;
}

std::vector<TransactionRow> list_transactions(const std::string& bootstrap) {
  const std::string out = kafka_tool_output({"transactions", "--bootstrap-server", bootstrap, "list"});
  try {
    return parse_transactions_table(out);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("kafka-transactions list: ") + e.what() + "\n--- output ---\n" + out);
  }
}

std::vector<TransactionRow> parse_transactions_table(const std::string& output) {
  std::vector<TransactionRow> rows;
  for_each_row(output, "TransactionalId", {"TransactionalId", "Coordinator", "ProducerId", "TransactionState"},
               [&](const RowField& field, const std::string& line) {
                 TransactionRow row;
                 row.transactional_id = field("TransactionalId");
                 row.coordinator = parse_int<std::int32_t>(field("Coordinator"), "Coordinator", line);
                 row.producer_id = parse_int<std::int64_t>(field("ProducerId"), "ProducerId", line);
                 row.state = field("TransactionState");
                 rows.push_back(std::move(row));
               });
  return rows;
}

std::vector<TopicPartitionRow> describe_topic_partitions(const std::string& bootstrap, const std::string& topic) {
  const std::string out =
      kafka_tool_output({"topics", "--bootstrap-server", bootstrap, "--describe", "--topic", topic});
  try {
    return parse_topic_partitions(out);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("kafka-topics describe: ") + e.what() + "\n--- output ---\n" + out);
  }
}

std::vector<TopicPartitionRow> parse_topic_partitions(const std::string& output) {
  // Each partition line holds tab-separated "Key: value" pairs; the topic's own line has no
  // Partition key.
  const auto brokers = [](const std::string& list, const std::string& line) {
    std::vector<std::int32_t> out;
    std::istringstream in(list);
    for (std::string id; std::getline(in, id, ',');) out.push_back(parse_int<std::int32_t>(id, "broker", line));
    return out;
  };
  std::vector<TopicPartitionRow> rows;
  for (const auto& line : lines_of(output)) {
    std::map<std::string, std::string> fields;
    std::istringstream in(line);
    for (std::string pair; std::getline(in, pair, '\t');) {
      const auto colon = pair.find(": ");
      if (colon == std::string::npos) continue;
      const auto key = pair.substr(pair.find_first_not_of(' '), colon - pair.find_first_not_of(' '));
      fields[key] = pair.substr(colon + 2);
    }
    if (!fields.contains("Partition")) continue;
    for (const char* key : {"Leader", "Replicas", "Isr"}) {
      if (!fields.contains(key)) throw std::runtime_error(std::string("no ") + key + " in: " + line);
    }
    TopicPartitionRow row;
    row.partition = parse_int<std::int32_t>(fields["Partition"], "Partition", line);
    row.leader = fields["Leader"] == "none" ? -1 : parse_int<std::int32_t>(fields["Leader"], "Leader", line);
    row.replicas = brokers(fields["Replicas"], line);
    row.isr = brokers(fields["Isr"], line);
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.partition < b.partition; });
  return rows;
}

TransactionDescription describe_transaction(const std::string& bootstrap, const std::string& transactional_id) {
  const std::string out = kafka_tool_output(
      {"transactions", "--bootstrap-server", bootstrap, "describe", "--transactional-id", transactional_id});
  try {
    return parse_transaction_description(out);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("kafka-transactions describe: ") + e.what() + "\n--- output ---\n" + out);
  }
}

TransactionDescription parse_transaction_description(const std::string& output) {
  // Columns end with a tab and are padded with blanks; TopicPartitions is empty when the id
  // has no open transaction, so the line is split at tabs, not at blanks.
  const auto columns = [](const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    for (std::string field; std::getline(in, field, '\t');) {
      const auto first = field.find_first_not_of(' ');
      out.push_back(first == std::string::npos ? "" : field.substr(first, field.find_last_not_of(' ') - first + 1));
    }
    return out;
  };
  const auto lines = lines_of(output);
  const auto header_at = std::find_if(lines.begin(), lines.end(),
                                      [](const std::string& line) { return line.rfind("CoordinatorId\t", 0) == 0; });
  if (header_at == lines.end() || std::next(header_at) == lines.end()) {
    throw std::runtime_error("no header (CoordinatorId ...) with a row under it");
  }
  const auto header = columns(*header_at);
  const auto& line = *std::next(header_at);
  const auto row = columns(line);
  if (row.size() != header.size()) {
    throw std::runtime_error("row has " + std::to_string(row.size()) + " columns, header " +
                             std::to_string(header.size()) + ": " + line);
  }
  const auto col = columns_of(header,
                              {"CoordinatorId", "TransactionalId", "ProducerId", "ProducerEpoch", "TransactionState",
                               "TransactionTimeoutMs", "CurrentTransactionStartTimeMs", "TopicPartitions"},
                              *header_at);
  const auto field = [&](const char* name) -> const std::string& { return row[col.at(name)]; };
  TransactionDescription d;
  d.coordinator = parse_int<std::int32_t>(field("CoordinatorId"), "CoordinatorId", line);
  d.transactional_id = field("TransactionalId");
  d.producer_id = parse_int<std::int64_t>(field("ProducerId"), "ProducerId", line);
  d.producer_epoch = parse_int<std::int32_t>(field("ProducerEpoch"), "ProducerEpoch", line);
  d.state = field("TransactionState");
  d.timeout_ms = parse_int<std::int64_t>(field("TransactionTimeoutMs"), "TransactionTimeoutMs", line);
  if (field("CurrentTransactionStartTimeMs") != "None") {
    d.start_time_ms =
        parse_int<std::int64_t>(field("CurrentTransactionStartTimeMs"), "CurrentTransactionStartTimeMs", line);
  }
  std::istringstream partitions(field("TopicPartitions"));
  for (std::string p; std::getline(partitions, p, ',');) {
    if (!p.empty()) d.topic_partitions.push_back(p);
  }
  return d;
}

std::vector<HangingTransactionRow> find_hanging_transactions(const std::string& bootstrap,
                                                             const HangingTransactionSearch& search) {
  std::vector<std::string> args{"transactions", "--bootstrap-server", bootstrap, "find-hanging"};
  if (search.broker_id) args.insert(args.end(), {"--broker-id", std::to_string(*search.broker_id)});
  if (search.topic) args.insert(args.end(), {"--topic", *search.topic});
  if (search.partition) args.insert(args.end(), {"--partition", std::to_string(*search.partition)});
  args.insert(args.end(), {"--max-transaction-timeout", std::to_string(search.max_transaction_timeout_minutes)});
  const std::string out = kafka_tool_output(args);
  try {
    return parse_hanging_transactions_table(out);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("kafka-transactions find-hanging: ") + e.what() + "\n--- output ---\n" + out);
  }
}

// Tab-separated columns padded with blanks, as for list; Duration(min) is rounded down.
std::vector<HangingTransactionRow> parse_hanging_transactions_table(const std::string& output) {
  std::vector<HangingTransactionRow> rows;
  for_each_row(output, "Topic",
               {"Topic", "Partition", "ProducerId", "ProducerEpoch", "CoordinatorEpoch", "StartOffset", "LastTimestamp",
                "Duration(min)"},
               [&](const RowField& field, const std::string& line) {
                 HangingTransactionRow row;
                 row.topic = field("Topic");
                 row.partition = parse_int<std::int32_t>(field("Partition"), "Partition", line);
                 row.producer_id = parse_int<std::int64_t>(field("ProducerId"), "ProducerId", line);
                 row.producer_epoch = parse_int<std::int32_t>(field("ProducerEpoch"), "ProducerEpoch", line);
                 row.coordinator_epoch = parse_int<std::int32_t>(field("CoordinatorEpoch"), "CoordinatorEpoch", line);
                 row.start_offset = parse_int<std::int64_t>(field("StartOffset"), "StartOffset", line);
                 row.last_timestamp_ms = parse_int<std::int64_t>(field("LastTimestamp"), "LastTimestamp", line);
                 row.duration_minutes = parse_int<std::int64_t>(field("Duration(min)"), "Duration(min)", line);
                 rows.push_back(std::move(row));
               });
  std::sort(rows.begin(), rows.end(), [](const HangingTransactionRow& a, const HangingTransactionRow& b) {
    return std::tie(a.topic, a.partition, a.producer_id) < std::tie(b.topic, b.partition, b.producer_id);
  });
  return rows;
}

void abort_transaction(const std::string& bootstrap, const std::string& topic, std::int32_t partition,
                       std::int64_t start_offset) {
  kafka_tool_output({"transactions", "--bootstrap-server", bootstrap, "abort", "--topic", topic, "--partition",
                     std::to_string(partition), "--start-offset", std::to_string(start_offset)});
}

QuorumStatus describe_quorum_status(const std::string& bootstrap) {
  const std::string out =
      kafka_tool_output({"metadata-quorum", "--bootstrap-server", bootstrap, "describe", "--status"});
  try {
    return parse_quorum_status(out);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("kafka-metadata-quorum describe --status: ") + e.what() +
                             "\n--- output ---\n" + out);
  }
}

// "LeaderId: 1" lines; CurrentVoters is "[0,1,2]" (before KIP-853) or a JSON-like list of
// {"id": 0, "directoryId": ..., "endpoints": [...]} objects (3.9 and 4.x).
QuorumStatus parse_quorum_status(const std::string& output) {
  QuorumStatus status;
  bool leader_seen = false;
  bool voters_seen = false;
  for (const std::string& line : lines_of(output)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const auto key = line.substr(0, colon);
    const auto value = line.substr(colon + 1);
    const auto tokens = split_ws(value);
    if (key == "LeaderId" && !tokens.empty()) {
      status.leader_id = parse_int<std::int32_t>(tokens[0], "LeaderId", line);
      leader_seen = true;
    } else if (key == "LeaderEpoch" && !tokens.empty()) {
      status.leader_epoch = parse_int<std::int32_t>(tokens[0], "LeaderEpoch", line);
    } else if (key == "CurrentVoters") {
      voters_seen = true;
      if (value.find("\"id\"") != std::string::npos) {
        for (auto at = value.find("\"id\""); at != std::string::npos; at = value.find("\"id\"", at + 4)) {
          const auto digits = value.find_first_of("0123456789", at);
          const auto end = value.find_first_not_of("0123456789", digits);
          status.voters.push_back(parse_int<std::int32_t>(value.substr(digits, end - digits), "CurrentVoters", line));
        }
      } else {
        std::string number;
        for (const char c : value + ",") {
          if (c >= '0' && c <= '9') {
            number += c;
          } else if (!number.empty()) {
            status.voters.push_back(parse_int<std::int32_t>(number, "CurrentVoters", line));
            number.clear();
          }
        }
      }
    }
  }
  if (!leader_seen || !voters_seen) throw std::runtime_error("no LeaderId or CurrentVoters line");
  std::sort(status.voters.begin(), status.voters.end());
  return status;
}

}  // namespace msgwatch::test
