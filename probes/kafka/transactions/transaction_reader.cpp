#include "probes/kafka/transactions/transaction_reader.hpp"

#include "exporter/sdk/log_event.hpp"
#include "probes/kafka/client/gather.hpp"
#include "probes/kafka/protocol/messages/describe_producers.hpp"
#include "probes/kafka/protocol/messages/describe_transactions.hpp"
#include "probes/kafka/protocol/messages/list_transactions.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace msgwatch::kafka {
namespace asio = boost::asio;
namespace proto = protocol;

namespace {

// Transactional ids per DescribeTransactions and partitions per DescribeProducers: one
// request per broker up to this many (a few hundred KB), well below any broker limit.
constexpr std::size_t chunk_size = 10'000;

template <class Item>
std::vector<std::vector<Item>> chunks_of(const std::vector<Item>& items) {
  std::vector<std::vector<Item>> chunks;
  for (std::size_t i = 0; i < items.size(); i += chunk_size) {
    chunks.emplace_back(items.begin() + static_cast<std::ptrdiff_t>(i),
                        items.begin() + static_cast<std::ptrdiff_t>(std::min(items.size(), i + chunk_size)));
  }
  return chunks;
}

void log_failure(const char* request, std::int32_t broker, const std::string& error) {
  log_event(spdlog::level::debug, "transaction state not read",
            {{"request", request}, {"broker", std::to_string(broker)}, {"error", error}});
}

class TransactionReader {
 public:
  TransactionReader(ClusterClient& client, const ClusterSnapshot& cluster) : client_(client), cluster_(cluster) {}

  asio::awaitable<TransactionSnapshot> read() {
    out_.now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    const auto ids = co_await list_transactions();
    co_await describe_transactions(ids);
    co_await describe_producers();
    if (cluster_.transaction_max_timeout_ms) out_.max_timeout_ms = *cluster_.transaction_max_timeout_ms;
    co_return std::move(out_);
  }

 private:
  using IdsByCoordinator = std::map<std::int32_t, std::vector<std::string>>;

  asio::awaitable<IdsByCoordinator> list_transactions() {
    std::vector<asio::awaitable<proto::ListTransactionsResponse>> tasks;
    for (const auto& broker : cluster_.brokers) {
      tasks.push_back(ask<proto::ListTransactionsRequest, proto::ListTransactionsResponse>(client_, broker.id, {}));
    }
    const auto outcomes = co_await gather(std::move(tasks));
    IdsByCoordinator ids;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      const auto broker = cluster_.brokers[i].id;
      out_.coordinator_read[broker] = false;
      if (!outcomes[i].value) {
        log_failure("ListTransactions", broker, describe_error(outcomes[i].error));
        continue;
      }
      const auto& response = *outcomes[i].value;
      if (response.error_code != proto::ErrorCode::none) {
        log_failure("ListTransactions", broker, proto::to_string(response.error_code));
        continue;
      }
      out_.coordinator_read[broker] = true;
      auto& listed = ids[broker];
      for (const auto& state : response.transaction_states) {
        out_.transactional_ids[state.producer_id] = state.transactional_id;
        listed.push_back(state.transactional_id);
      }
    }
    co_return ids;
  }

  asio::awaitable<void> describe_transactions(const IdsByCoordinator& ids) {
    std::vector<asio::awaitable<proto::DescribeTransactionsResponse>> tasks;
    std::vector<std::int32_t> asked;
    for (const auto& [broker, listed] : ids) {
      for (auto& chunk : chunks_of(listed)) {
        proto::DescribeTransactionsRequest request;
        request.transactional_ids = std::move(chunk);
        tasks.push_back(
            ask<proto::DescribeTransactionsRequest, proto::DescribeTransactionsResponse>(client_, broker, request));
        asked.push_back(broker);
      }
    }
    const auto outcomes = co_await gather(std::move(tasks));
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      if (!outcomes[i].value) {
        out_.coordinator_read[asked[i]] = false;
        log_failure("DescribeTransactions", asked[i], describe_error(outcomes[i].error));
        continue;
      }
      for (const auto& described : outcomes[i].value->transaction_states) {
        // An id that expired since ListTransactions is simply not described (as Kafka's tool
        // treats it); any other error leaves the coordinator's picture incomplete.
        if (described.error_code == proto::ErrorCode::transactional_id_not_found) continue;
        if (described.error_code != proto::ErrorCode::none) {
          if (proto::is_authorization_failure(described.error_code)) out_.not_permitted.insert("DescribeTransactions");
          out_.coordinator_read[asked[i]] = false;
          log_failure("DescribeTransactions", asked[i], proto::to_string(described.error_code));
          continue;
        }
        TransactionState state{described.transactional_id,
                               asked[i],
                               described.transaction_state,
                               described.producer_id,
                               described.producer_epoch,
                               described.transaction_timeout_ms,
                               described.transaction_start_time_ms,
                               {}};
        for (const auto& topic : described.topics) {
          for (const auto partition : topic.partitions) state.partitions.emplace(topic.topic, partition);
        }
        out_.transactions.push_back(std::move(state));
      }
    }
  }

  asio::awaitable<void> describe_producers() {
    std::map<std::int32_t, std::vector<TopicPartition>> by_leader;
    for (const auto& [topic, state] : cluster_.topics) {
      for (const auto& [index, partition] : state.partitions) {
        if (partition.leader >= 0) by_leader[partition.leader].emplace_back(topic, index);
      }
    }
    std::vector<asio::awaitable<proto::DescribeProducersResponse>> tasks;
    std::vector<std::pair<std::int32_t, std::size_t>> asked;  // leader, partitions
    for (const auto& [leader, partitions] : by_leader) {
      for (const auto& chunk : chunks_of(partitions)) {
        proto::DescribeProducersRequest request;
        for (const auto& [topic, index] : chunk) {
          if (request.topics.empty() || request.topics.back().name != topic) request.topics.push_back({topic, {}});
          request.topics.back().partition_indexes.push_back(index);
        }
        tasks.push_back(
            ask<proto::DescribeProducersRequest, proto::DescribeProducersResponse>(client_, leader, request));
        asked.emplace_back(leader, chunk.size());
      }
    }
    const auto outcomes = co_await gather(std::move(tasks));
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      if (!outcomes[i].value) {
        out_.unread_partitions += asked[i].second;
        log_failure("DescribeProducers", asked[i].first, describe_error(outcomes[i].error));
        continue;
      }
      for (const auto& topic : outcomes[i].value->topics) {
        for (const auto& partition : topic.partitions) {
          if (partition.error_code != proto::ErrorCode::none) {
            if (proto::is_authorization_failure(partition.error_code)) out_.not_permitted.insert("DescribeProducers");
            ++out_.unread_partitions;
            spdlog::debug("DescribeProducers {}-{}: {}", topic.name, partition.partition_index,
                          proto::to_string(partition.error_code));
            continue;
          }
          for (const auto& producer : partition.active_producers) {
            if (producer.current_txn_start_offset < 0) continue;  // no open transaction
            out_.open_producers.push_back({{topic.name, partition.partition_index},
                                           producer.producer_id,
                                           producer.producer_epoch,
                                           producer.coordinator_epoch,
                                           producer.last_timestamp,
                                           producer.current_txn_start_offset});
          }
        }
      }
    }
  }

  ClusterClient& client_;
  const ClusterSnapshot& cluster_;
  TransactionSnapshot out_;
};

}  // namespace

asio::awaitable<TransactionSnapshot> read_transactions(ClusterClient& client, const ClusterSnapshot& cluster) {
  TransactionReader reader(client, cluster);
  co_return co_await reader.read();
}

}  // namespace msgwatch::kafka
