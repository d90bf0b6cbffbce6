#include "probes/redis/queue_reader.hpp"

#include <spdlog/spdlog.h>

#include <optional>

namespace msgwatch::redis {
namespace asio = boost::asio;

namespace {

constexpr auto kKeySize = gauge_family("redis_key_size",
                                       "Length of a queue key named in the configuration: LLEN of a list, ZCARD "
                                       "of a sorted set, XLEN of a stream; 0 (type none) when it does not exist.",
                                       {"key", "type"});
constexpr auto kConsumers =
    gauge_family("redis_stream_group_consumers", "Consumers of the stream's consumer group.", {"stream", "group"});
constexpr auto kPending =
    gauge_family("redis_stream_group_messages_pending",
                 "Entries delivered to the group's consumers and not acknowledged yet.", {"stream", "group"});
constexpr auto kLag = gauge_family("redis_stream_group_lag",
                                   "Entries of the stream not yet delivered to the group (absent where Redis "
                                   "cannot tell).",
                                   {"stream", "group"});
constexpr auto kOldestPendingIdle =
    gauge_family("redis_stream_group_oldest_pending_idle_seconds",
                 "Seconds since the group's oldest pending entry was last delivered (absent when none is pending).",
                 {"stream", "group"});
constexpr auto kQueueUnread =
    gauge_family("msgwatch_redis_queue_unread",
                 "1 for each configured queue the last cycle could not read because the server that holds it did "
                 "not answer: its series are left out, and alerts on them are held while this is 1.",
                 {"key"});

asio::awaitable<std::optional<QueueState>> read_queue(RedisConnection& connection, const std::string& key) {
  QueueState queue;
  queue.key = key;
  // Arguments are named, not braced into the call: GCC 12 destroys co_await temporaries twice.
  std::vector<std::string> type_command{"TYPE", key};
  const auto type = co_await connection.command(std::move(type_command));
  if (type.type != RedisReply::Type::status && type.type != RedisReply::Type::string) {
    throw RespProtocolError("TYPE: reply is not a status");
  }
  queue.type = type.str;
  const char* length_command = queue.type == "list"     ? "LLEN"
                               : queue.type == "zset"   ? "ZCARD"
                               : queue.type == "stream" ? "XLEN"
                                                        : nullptr;
  if (queue.type == "none") co_return queue;
  if (length_command == nullptr) {
    spdlog::debug("redis queue {}: a {}, not a list, sorted set or stream", key, queue.type);
    co_return std::nullopt;
  }
  std::vector<std::string> length_args{length_command, key};
  const auto length = co_await connection.command(std::move(length_args));
  if (length.type != RedisReply::Type::integer)
    throw RespProtocolError(std::string(length_command) + ": not an integer");
  queue.length = length.integer;
  if (queue.type != "stream") co_return queue;
  std::vector<std::string> groups_command{"XINFO", "GROUPS", key};
  queue.groups = parse_stream_groups(co_await connection.command(std::move(groups_command)));
  std::size_t asked = 0;
  for (auto& group : queue.groups) {
    if (group.pending <= 0 || asked++ >= kMaxPendingReadsPerStream) continue;
    std::vector<std::string> pending_command{"XPENDING", key, group.name, "-", "+", "1"};
    group.oldest_pending_idle_seconds =
        parse_oldest_pending_idle(co_await connection.command(std::move(pending_command)));
  }
  co_return queue;
}

}  // namespace

asio::awaitable<std::vector<QueueState>> read_queues(RedisConnection& connection,
                                                     const std::vector<std::string>& keys) {
  std::vector<QueueState> queues;
  for (const auto& key : keys) {
    std::optional<QueueState> queue;
    try {
      queue = co_await read_queue(connection, key);
    } catch (const RedisCommandError& e) {
      // WRONGTYPE: the key was replaced between two commands; read again next cycle.
      spdlog::debug("redis queue {}: {}", key, e.what());
    }
    if (queue) queues.push_back(std::move(*queue));
  }
  co_return queues;
}

void write_queue_metrics(const std::vector<QueueState>& queues, const std::vector<std::string>& unread,
                         SeriesSet& out) {
  for (const auto& key : unread) out.add(kQueueUnread, {key}, 1);
  for (const auto& queue : queues) {
    out.add(kKeySize, {queue.key, queue.type}, static_cast<double>(queue.length));
    for (const auto& group : queue.groups) {
      out.add(kConsumers, {queue.key, group.name}, static_cast<double>(group.consumers));
      out.add(kPending, {queue.key, group.name}, static_cast<double>(group.pending));
      if (group.lag) out.add(kLag, {queue.key, group.name}, static_cast<double>(*group.lag));
      if (group.oldest_pending_idle_seconds) {
        out.add(kOldestPendingIdle, {queue.key, group.name}, *group.oldest_pending_idle_seconds);
      }
    }
  }
}

}  // namespace msgwatch::redis
