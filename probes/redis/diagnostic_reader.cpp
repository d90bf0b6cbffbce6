#include "probes/redis/diagnostic_reader.hpp"

namespace msgwatch::redis {
namespace asio = boost::asio;

namespace {

constexpr auto kSlowlogLength = gauge_family("redis_slowlog_length", "Entries in the slow log (SLOWLOG LEN).");
constexpr auto kSlowlogLastId =
    gauge_family("redis_slowlog_last_id", "Id of the newest slow log entry: it grows by one per slow command.");
constexpr auto kLastSlowDuration =
    gauge_family("redis_last_slow_execution_duration_seconds", "How long the newest slow log entry's command ran.");
constexpr auto kSpikeLast = gauge_family(
    "redis_latency_spike_last", "Unix time of the latest latency spike of the event (LATENCY LATEST).", {"event_name"});
constexpr auto kSpikeDuration = gauge_family("redis_latency_spike_duration_seconds",
                                             "How long the latest latency spike of the event lasted.", {"event_name"});
constexpr auto kSpikeMax =
    gauge_family("redis_latency_spike_max_seconds",
                 "The longest latency spike of the event since the monitor was reset.", {"event_name"});

}  // namespace

asio::awaitable<Diagnostics> read_diagnostics(RedisConnection& connection, OptionalCommand& slowlog,
                                              OptionalCommand& latency, const std::string& target) {
  Diagnostics diagnostics;
  std::vector<std::string> slowlog_len{"SLOWLOG", "LEN"};
  if (const auto reply = co_await slowlog.ask(connection, std::move(slowlog_len), target)) {
    if (reply->type != RedisReply::Type::integer) throw RespProtocolError("SLOWLOG LEN: not an integer");
    diagnostics.slowlog_length = reply->integer;
    std::vector<std::string> slowlog_get{"SLOWLOG", "GET", "1"};
    if (const auto newest = co_await slowlog.ask(connection, std::move(slowlog_get), target)) {
      diagnostics.last_slow_command = parse_last_slow_command(*newest);
    }
  }
  std::vector<std::string> latency_latest{"LATENCY", "LATEST"};
  if (const auto reply = co_await latency.ask(connection, std::move(latency_latest), target)) {
    diagnostics.latency_events = parse_latency_latest(*reply);
  }
  co_return diagnostics;
}

void write_diagnostic_metrics(const Diagnostics& diagnostics, SeriesSet& out) {
  if (diagnostics.slowlog_length) out.add(kSlowlogLength, {}, static_cast<double>(*diagnostics.slowlog_length));
  if (diagnostics.last_slow_command) {
    out.add(kSlowlogLastId, {}, static_cast<double>(diagnostics.last_slow_command->id));
    out.add(kLastSlowDuration, {}, diagnostics.last_slow_command->duration_seconds);
  }
  for (const auto& event : diagnostics.latency_events) {
    out.add(kSpikeLast, {event.name}, event.last_unix_seconds);
    out.add(kSpikeDuration, {event.name}, event.latest_seconds);
    out.add(kSpikeMax, {event.name}, event.max_seconds);
  }
}

}  // namespace msgwatch::redis
