#include "probes/kafka/transactions/hanging_transactions.hpp"

#include <map>

namespace msgwatch::kafka {

std::vector<HangingTransaction> find_hanging_transactions(const TransactionSnapshot& snapshot) {
  std::map<std::string, const TransactionState*> described;
  for (const auto& transaction : snapshot.transactions) described.emplace(transaction.transactional_id, &transaction);
  const bool every_coordinator_read = snapshot.unread_coordinators() == 0;

  std::vector<HangingTransaction> hanging;
  for (const auto& producer : snapshot.open_producers) {
    // Written to within the longest timeout a transaction may have: it may still end.
    if (snapshot.now_ms - producer.last_timestamp_ms <= snapshot.max_timeout_ms) continue;
    const auto id = snapshot.transactional_ids.find(producer.producer_id);
    if (id == snapshot.transactional_ids.end()) {
      if (every_coordinator_read) hanging.push_back({producer, {}});
      continue;
    }
    const auto description = described.find(id->second);
    if (description == described.end()) {
      if (every_coordinator_read) hanging.push_back({producer, id->second});
      continue;
    }
    if (!description->second->partitions.contains(producer.partition)) hanging.push_back({producer, id->second});
  }
  return hanging;
}

}  // namespace msgwatch::kafka
