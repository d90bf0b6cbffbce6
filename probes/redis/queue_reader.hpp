#pragma once
// The queues named in a Redis target's `queues:`, read exactly every cycle: per key its type
// and length (LLEN, ZCARD, XLEN), for streams every consumer group (XINFO GROUPS) and the idle
// time of each group's oldest pending entry (XPENDING). A handful of commands per key, none
// of which walks the data; a key that changes type between two commands is left out of
// that cycle.

#include "exporter/sdk/series_set.hpp"
#include "probes/redis/queue_replies.hpp"
#include "probes/redis/redis_connection.hpp"

#include <boost/asio/awaitable.hpp>

#include <string>
#include <vector>

namespace msgwatch::redis {

// XPENDING is asked for at most this many groups of one stream per cycle.
inline constexpr std::size_t kMaxPendingReadsPerStream = 100;

boost::asio::awaitable<std::vector<QueueState>> read_queues(RedisConnection& connection,
                                                            const std::vector<std::string>& keys);

// `unread`: configured queues no server that answered serves this cycle (their server did
// not answer), named by msgwatch_redis_queue_unread so that alerts on them are held.
void write_queue_metrics(const std::vector<QueueState>& queues, const std::vector<std::string>& unread, SeriesSet& out);

}  // namespace msgwatch::redis
