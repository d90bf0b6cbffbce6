#pragma once
// What Redis itself records about slow commands and latency spikes, and the parsers of its
// replies: SLOWLOG GET 1 (the newest slow command) and LATENCY LATEST (the latest spike per
// event: command, fork, expire-cycle, eviction-cycle, ...). Pure functions of a decoded reply,
// tested on captured replies and fuzzed.

#include "probes/redis/redis_reply.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace msgwatch::redis {

struct SlowCommand {
  std::int64_t id = 0;  // grows by one per slow command since the server started
  double duration_seconds = 0;
};

struct LatencyEvent {
  std::string name;
  double last_unix_seconds = 0;  // when the latest spike happened
  double latest_seconds = 0;     // how long it lasted
  double max_seconds = 0;        // the longest since the server started or the monitor was reset
};

struct Diagnostics {
  std::optional<std::int64_t> slowlog_length;
  std::optional<SlowCommand> last_slow_command;
  std::vector<LatencyEvent> latency_events;
};

// SLOWLOG GET 1: nullopt for an empty slow log. Throws RespProtocolError on another shape.
std::optional<SlowCommand> parse_last_slow_command(const RedisReply& reply);

// LATENCY LATEST. Throws RespProtocolError on another shape.
std::vector<LatencyEvent> parse_latency_latest(const RedisReply& reply);

}  // namespace msgwatch::redis
