#include "probes/redis/queue_replies.hpp"

namespace msgwatch::redis {
namespace {

std::int64_t integer_of(const RedisReply& value, const std::string& field) {
  if (value.type != RedisReply::Type::integer) throw RespProtocolError("XINFO GROUPS: " + field + " is not an integer");
  return value.integer;
}

}  // namespace

std::vector<StreamGroup> parse_stream_groups(const RedisReply& reply) {
  if (reply.type != RedisReply::Type::array) throw RespProtocolError("XINFO GROUPS: reply is not an array");
  std::vector<StreamGroup> groups;
  for (const auto& entry : reply.elements) {
    if (entry.type != RedisReply::Type::array || entry.elements.size() % 2 != 0) {
      throw RespProtocolError("XINFO GROUPS: a group is not a list of fields and values");
    }
    StreamGroup group;
    bool named = false;
    for (std::size_t i = 0; i < entry.elements.size(); i += 2) {
      const auto& key = entry.elements[i];
      const auto& value = entry.elements[i + 1];
      if (key.type != RedisReply::Type::string && key.type != RedisReply::Type::status) {
        throw RespProtocolError("XINFO GROUPS: a field name is not a string");
      }
      if (key.str == "name") {
        if (value.type != RedisReply::Type::string) throw RespProtocolError("XINFO GROUPS: name is not a string");
        group.name = value.str;
        named = true;
      } else if (key.str == "consumers") {
        group.consumers = integer_of(value, key.str);
      } else if (key.str == "pending") {
        group.pending = integer_of(value, key.str);
      } else if (key.str == "lag") {
        if (value.type != RedisReply::Type::nil) group.lag = integer_of(value, key.str);
      }
    }
    if (!named) throw RespProtocolError("XINFO GROUPS: a group has no name");
    groups.push_back(std::move(group));
  }
  return groups;
}

std::optional<double> parse_oldest_pending_idle(const RedisReply& reply) {
  if (reply.type != RedisReply::Type::array) throw RespProtocolError("XPENDING: reply is not an array");
  if (reply.elements.empty()) return std::nullopt;
  const auto& entry = reply.elements.front();
  // [id, consumer, milliseconds since last delivered, times delivered]
  if (entry.type != RedisReply::Type::array || entry.elements.size() != 4 ||
      entry.elements[2].type != RedisReply::Type::integer || entry.elements[2].integer < 0) {
    throw RespProtocolError("XPENDING: an entry is not [id, consumer, idle, deliveries]");
  }
  return static_cast<double>(entry.elements[2].integer) / 1000.0;
}

}  // namespace msgwatch::redis
