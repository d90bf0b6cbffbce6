#pragma once
// The transaction coordinators' state, in requests that grow with brokers, not with
// transactional ids or partitions: ListTransactions to every broker (each lists the ids it
// coordinates), DescribeTransactions to each coordinator for all of its ids, DescribeProducers
// to each partition leader for all the partitions it leads (each in chunks of 10,000). The
// brokers' transaction.max.timeout.ms comes from the cluster snapshot's DescribeConfigs.

#include "probes/kafka/client/cluster_client.hpp"
#include "probes/kafka/lag/cluster_snapshot.hpp"
#include "probes/kafka/transactions/transaction_snapshot.hpp"

#include <boost/asio/awaitable.hpp>

namespace msgwatch::kafka {

// Never throws for a broker's failure: what it could not read is marked in the snapshot
// (coordinator_read, unread_partitions). Partitions come from `cluster` (every topic, also
// those the lag filters leave out: a hanging transaction on any of them matters).
boost::asio::awaitable<TransactionSnapshot> read_transactions(ClusterClient& client, const ClusterSnapshot& cluster);

}  // namespace msgwatch::kafka
