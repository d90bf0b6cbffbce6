#include "probes/redis/diagnostic_replies.hpp"

namespace msgwatch::redis {
namespace {

const RedisReply& integer_at(const RedisReply& entry, std::size_t i, const char* what) {
  if (i >= entry.elements.size() || entry.elements[i].type != RedisReply::Type::integer ||
      entry.elements[i].integer < 0) {
    throw RespProtocolError(std::string(what) + ": field " + std::to_string(i) + " is not a non-negative integer");
  }
  return entry.elements[i];
}

}  // namespace

std::optional<SlowCommand> parse_last_slow_command(const RedisReply& reply) {
  if (reply.type != RedisReply::Type::array) throw RespProtocolError("SLOWLOG GET: reply is not an array");
  if (reply.elements.empty()) return std::nullopt;
  // [id, unix time, microseconds, [arguments], client address, client name] (4 fields before 4.0)
  const auto& entry = reply.elements.front();
  if (entry.type != RedisReply::Type::array || entry.elements.size() < 4) {
    throw RespProtocolError("SLOWLOG GET: an entry is not [id, time, duration, arguments, ...]");
  }
  return SlowCommand{integer_at(entry, 0, "SLOWLOG GET").integer,
                     static_cast<double>(integer_at(entry, 2, "SLOWLOG GET").integer) / 1e6};
}

std::vector<LatencyEvent> parse_latency_latest(const RedisReply& reply) {
  if (reply.type != RedisReply::Type::array) throw RespProtocolError("LATENCY LATEST: reply is not an array");
  std::vector<LatencyEvent> events;
  for (const auto& entry : reply.elements) {
    // [event, unix time, latest milliseconds, max milliseconds]
    if (entry.type != RedisReply::Type::array || entry.elements.size() != 4 ||
        entry.elements[0].type != RedisReply::Type::string) {
      throw RespProtocolError("LATENCY LATEST: an entry is not [event, time, latest, max]");
    }
    events.push_back({entry.elements[0].str, static_cast<double>(integer_at(entry, 1, "LATENCY LATEST").integer),
                      static_cast<double>(integer_at(entry, 2, "LATENCY LATEST").integer) / 1e3,
                      static_cast<double>(integer_at(entry, 3, "LATENCY LATEST").integer) / 1e3});
  }
  return events;
}

}  // namespace msgwatch::redis
