#pragma once
// Queues kept in Redis, as plain data, and the parsers of the replies that describe them:
// XINFO GROUPS (a stream's consumer groups) and the extended form of XPENDING (a group's
// oldest pending entry). Pure functions of a decoded reply, so they are tested on captured
// replies and fuzzed without a server.

#include "probes/redis/redis_reply.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace msgwatch::redis {

struct StreamGroup {
  std::string name;
  std::int64_t consumers = 0;
  std::int64_t pending = 0;  // delivered to a consumer and not acknowledged (XACK) yet
  // Entries not yet delivered to the group (Redis 7.0 on); absent where Redis cannot tell
  // (after deletions or trimming across the group's position, or before Redis 7.0).
  std::optional<std::int64_t> lag;
  // How long ago the oldest pending entry was last delivered; absent when nothing is pending.
  std::optional<double> oldest_pending_idle_seconds;
};

struct QueueState {
  std::string key;
  std::string type;  // "list", "zset", "stream", or "none" for a key that does not exist
  std::int64_t length = 0;
  std::vector<StreamGroup> groups;  // streams only
};

// XINFO GROUPS: one group per element, each a flat array of field names and values. Fields
// it does not know are skipped. Throws RespProtocolError when the reply has another shape.
std::vector<StreamGroup> parse_stream_groups(const RedisReply& reply);

// XPENDING key group - + 1: the oldest pending entry's idle time in seconds, nullopt when the
// group has none pending. Throws RespProtocolError when the reply has another shape.
std::optional<double> parse_oldest_pending_idle(const RedisReply& reply);

}  // namespace msgwatch::redis
