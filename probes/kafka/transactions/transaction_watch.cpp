#include "probes/kafka/transactions/transaction_watch.hpp"

#include "exporter/sdk/log_event.hpp"
#include "probes/kafka/protocol/decode_error.hpp"
#include "probes/kafka/protocol/transaction_log.hpp"
#include "probes/kafka/transactions/transaction_metrics.hpp"
#include "probes/kafka/transactions/transaction_reader.hpp"

#include <spdlog/spdlog.h>

namespace msgwatch::kafka {

TransactionWatch::TransactionWatch(const KafkaCluster& cluster, const ProbeContext& context)
    : cluster_(cluster), log_(cluster), outcomes_(*context.registry, cluster.name) {}

boost::asio::awaitable<void> TransactionWatch::collect(ClusterClient& client, const ClusterSnapshot& snapshot,
                                                       SeriesSet& out) {
  read_log(snapshot, out);
  const auto transactions = co_await read_transactions(client, snapshot);
  const auto hanging = find_hanging_transactions(transactions);
  log_new_hanging(hanging, transactions.complete());
  permissions_.update(kTransactionApis, transactions.not_permitted);
  write_transaction_metrics(transactions, hanging,
                            {cluster_.long_running_after, static_cast<std::size_t>(cluster_.max_long_running)}, out);
}

void TransactionWatch::read_log(const ClusterSnapshot& snapshot, SeriesSet& out) {
  const auto topic = snapshot.topics.find("__transaction_state");
  log_.follow(topic == snapshot.topics.end() ? 0 : static_cast<std::int32_t>(topic->second.partitions.size()));
  std::size_t malformed = 0;
  std::string first_error;
  log_.drain([&](std::span<const std::uint8_t> key, std::optional<std::span<const std::uint8_t>> value) {
    try {
      const auto decoded_key = protocol::decode_transaction_log_key(key);
      if (!decoded_key) return;  // a record kind this version does not know
      if (!value) {
        outcomes_.forget(decoded_key->transactional_id);  // the id expired
        return;
      }
      outcomes_.observe(*decoded_key, protocol::decode_transaction_log_value(*value));
    } catch (const protocol::DecodeError& e) {
      if (malformed++ == 0) first_error = e.what();
    }
  });
  if (malformed > 0) {
    log_event(spdlog::level::warn, "unreadable records in the transaction log, skipped",
              {{"cluster", cluster_.name}, {"records", std::to_string(malformed)}, {"first", first_error}});
  }
  static constexpr auto kReadable =
      gauge_family("msgwatch_kafka_transaction_log_readable",
                   "1 if the daemon can read the coordinators' log (__transaction_state), which the commit, abort "
                   "and duration metrics come from; 0 if the broker refused it (see the log).");
  out.add(kReadable, {}, log_.readable() ? 1 : 0);
}

void TransactionWatch::log_new_hanging(const std::vector<HangingTransaction>& hanging, bool complete) {
  // A cycle that could not see everything forgets nothing: what it missed is not new again.
  auto now = complete ? decltype(logged_hanging_){} : logged_hanging_;
  for (const auto& h : hanging) {
    const auto& p = h.producer;
    const auto key = std::tuple{p.partition.first, p.partition.second, p.producer_id, p.start_offset};
    now.insert(key);
    if (logged_hanging_.contains(key)) continue;
    log_event(spdlog::level::warn, "hanging transaction: read_committed consumers are stuck at its start offset",
              {{"cluster", cluster_.name},
               {"topic", p.partition.first},
               {"partition", std::to_string(p.partition.second)},
               {"producer_id", std::to_string(p.producer_id)},
               {"producer_epoch", std::to_string(p.producer_epoch)},
               {"coordinator_epoch", std::to_string(p.coordinator_epoch)},
               {"start_offset", std::to_string(p.start_offset)},
               {"transactional_id", h.transactional_id}});
  }
  logged_hanging_ = std::move(now);
}

}  // namespace msgwatch::kafka
