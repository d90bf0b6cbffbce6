#pragma once
// The slow log and the latency monitor, read each cycle with three commands (SLOWLOG LEN,
// SLOWLOG GET 1, LATENCY LATEST), each of which a managed service may refuse, and written as
// redis_exporter's families (plus the longest spike per event).

#include "exporter/sdk/series_set.hpp"
#include "probes/redis/diagnostic_replies.hpp"
#include "probes/redis/optional_command.hpp"
#include "probes/redis/redis_connection.hpp"

#include <boost/asio/awaitable.hpp>

#include <string>

namespace msgwatch::redis {

boost::asio::awaitable<Diagnostics> read_diagnostics(RedisConnection& connection, OptionalCommand& slowlog,
                                                     OptionalCommand& latency, const std::string& target);

void write_diagnostic_metrics(const Diagnostics& diagnostics, SeriesSet& out);

}  // namespace msgwatch::redis
