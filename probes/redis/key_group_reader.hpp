#pragma once
// Key groups (key_groups.hpp) read from Redis a bounded piece per cycle: SCAN with a COUNT
// hint, at most `scans_per_cycle` calls and `max_time` per cycle and one finished pass, and
// PTTL and MEMORY USAGE for up to `details_per_cycle` keys (shared among the groups). It
// never walks the data of a key and never blocks Redis for longer than one SCAN step.

#include "exporter/sdk/series_set.hpp"
#include "probes/redis/key_groups.hpp"
#include "probes/redis/optional_command.hpp"
#include "probes/redis/redis_connection.hpp"

#include <boost/asio/awaitable.hpp>

#include <string>

namespace msgwatch::redis {

boost::asio::awaitable<void> sample_key_groups(RedisConnection& connection, KeyGroupSampler& sampler,
                                               const KeySamplingSettings& settings, OptionalCommand& memory_usage,
                                               const std::string& target);

// `total_keys`: the database's keys now (INFO keyspace).
void write_key_group_metrics(const KeyGroupSampler& sampler, double total_keys, SeriesSet& out);

}  // namespace msgwatch::redis
