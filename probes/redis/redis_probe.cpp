#include "probes/redis/redis_probe.hpp"

#include "probes/redis/diagnostic_reader.hpp"
#include "probes/redis/info_metrics.hpp"
#include "probes/redis/info_parser.hpp"
#include "probes/redis/key_group_reader.hpp"
#include "probes/redis/optional_command.hpp"
#include "probes/redis/queue_reader.hpp"
#include "probes/redis/redis_connection.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/this_coro.hpp>

#include <chrono>
#include <map>
#include <stdexcept>
#include <utility>

namespace msgwatch::redis {

namespace asio = boost::asio;

namespace {

constexpr auto kUp = gauge_family("redis_up", "1 when the last collection from Redis succeeded.");

// Keys in `db` as INFO keyspace says; a database it does not list is empty.
double database_keys(const Info& info, std::string_view db) {
  for (const auto& entry : info.keyspace) {
    if (entry.db == db) return entry.keys;
  }
  return 0;
}

// Owned by the scheduler and run on its io_context thread only: collect() and abort() never
// run concurrently. The connection outlives cycles; any failure closes it and the next cycle
// opens a new one, re-reading the password so that a rotated secret is picked up.
class RedisProbe final : public Probe {
 public:
  explicit RedisProbe(RedisTarget target)
      : target_(std::move(target)), address_(parse_host_port(target_.address)), key_groups_(target_.key_groups) {}

  [[nodiscard]] std::string kind() const override { return "redis"; }
  [[nodiscard]] std::string target() const override { return target_.name; }
  [[nodiscard]] ProbeSchedule schedule() const override { return target_.schedule; }

  asio::awaitable<SeriesSet> collect() override;
  void failure_series(SeriesSet& out) const override { out.add(kUp, {}, 0); }

  void abort() override {
    aborted_ = true;
    if (connection_) connection_->close();
  }

 private:
  [[nodiscard]] std::runtime_error failure(const std::string& what) const {
    return std::runtime_error("redis " + target_.name + " " + target_.address + ": " + what);
  }

  asio::awaitable<void> open_connection();
  asio::awaitable<SeriesSet> cycle();
  asio::awaitable<std::string> read_info();
  asio::awaitable<std::map<std::string, std::string>> read_config();

  RedisTarget target_;
  std::optional<HostPort> address_;
  std::unique_ptr<RedisConnection> connection_;
  bool aborted_ = false;
  bool info_all_refused_ = false;  // per connection
  OptionalCommand config_{"redis_config_* are not exported"};
  OptionalCommand slowlog_{"redis_slowlog_* are not exported"};
  OptionalCommand latency_{"redis_latency_spike_* are not exported"};
  OptionalCommand memory_usage_{"redis_key_group_memory_bytes is not exported"};
  KeyGroupSampler key_groups_;  // its SCAN goes on across cycles and connections
};

asio::awaitable<SeriesSet> RedisProbe::collect() {
  aborted_ = false;
  if (!address_) throw failure("address is not host:port");

  // A connection kept open since the last cycle may have died meanwhile (server restart, idle
  // timeout, failover): an I/O error on it earns one retry on a fresh connection.
  if (connection_ && connection_->is_open()) {
    std::string stale;
    try {
      co_return co_await cycle();
    } catch (const RedisIoError& e) {
      stale = e.what();
    } catch (const std::exception& e) {
      if (connection_) connection_->close();
      throw failure(e.what());
    }
    if (aborted_) throw failure(stale);
    spdlog::debug("redis {}: reconnecting after: {}", target_.name, stale);
  }

  try {
    co_await open_connection();
    co_return co_await cycle();
  } catch (const std::exception& e) {
    if (connection_) connection_->close();
    throw failure(e.what());
  }
}

asio::awaitable<void> RedisProbe::open_connection() {
  std::string password;
  try {
    password = target_.password.resolve();
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("password: ") + e.what());
  }
  connection_ = std::make_unique<RedisConnection>(co_await asio::this_coro::executor);
  info_all_refused_ = false;
  config_.reset();
  slowlog_.reset();
  latency_.reset();
  memory_usage_.reset();
  co_await connection_->connect(*address_);
  if (!password.empty()) co_await connection_->authenticate(target_.username, password);

  // Names the connection in CLIENT LIST; proxies that lack CLIENT refuse it, which is harmless.
  bool named = true;
  std::vector<std::string> setname{"CLIENT", "SETNAME", "msgwatch"};
  try {
    co_await connection_->command(std::move(setname));
  } catch (const RedisCommandError&) {
    named = false;
  }
  if (!named) spdlog::debug("redis {}: CLIENT SETNAME refused", target_.name);
}

asio::awaitable<std::string> RedisProbe::read_info() {
  if (!info_all_refused_) {
    // INFO ALL adds Commandstats, Errorstats and Latencystats to the default sections.
    std::optional<RedisReply> reply;
    std::vector<std::string> info_all{"INFO", "ALL"};
    try {
      reply = co_await connection_->command(std::move(info_all));
    } catch (const RedisCommandError&) {
      info_all_refused_ = true;
    }
    if (reply && reply->type == RedisReply::Type::string && !reply->str.empty()) co_return std::move(reply->str);
    info_all_refused_ = true;
  }
  std::vector<std::string> info{"INFO"};
  auto reply = co_await connection_->command(std::move(info));
  if (reply.type != RedisReply::Type::string) throw RespProtocolError("INFO: reply is not a bulk string");
  co_return std::move(reply.str);
}

// Two CONFIG GETs: one pattern each, as every Redis version takes it (several arguments only
// from 7.0 on).
asio::awaitable<std::map<std::string, std::string>> RedisProbe::read_config() {
  std::map<std::string, std::string> config;
  for (const char* pattern : {"max*", "io-threads"}) {
    std::vector<std::string> config_get{"CONFIG", "GET", pattern};
    const auto reply = co_await config_.ask(*connection_, std::move(config_get), target_.name);
    if (!reply || reply->type != RedisReply::Type::array) continue;
    for (std::size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
      config.emplace(reply->elements[i].str, reply->elements[i + 1].str);
    }
  }
  co_return config;
}

asio::awaitable<SeriesSet> RedisProbe::cycle() {
  const std::string text = co_await read_info();
  auto config = co_await read_config();
  const Info info = parse_info(text);
  if (info.index.empty()) throw RespProtocolError("INFO: reply has no fields");

  const auto diagnostics = co_await read_diagnostics(*connection_, slowlog_, latency_, target_.name);
  const auto queues = co_await read_queues(*connection_, target_.queues);
  if (!target_.key_groups.empty()) {
    co_await sample_key_groups(*connection_, key_groups_, target_.key_sampling, memory_usage_, target_.name);
  }

  SeriesSet out;
  out.add(kUp, {}, 1);
  write_info_metrics(info, config, std::chrono::system_clock::now(), out);
  write_diagnostic_metrics(diagnostics, out);
  write_queue_metrics(queues, out);
  write_key_group_metrics(key_groups_, database_keys(info, "db0"), out);
  co_return out;
}

}  // namespace

std::unique_ptr<Probe> make_redis_probe(const RedisTarget& target, const ProbeContext& /*context*/) {
  return std::make_unique<RedisProbe>(target);
}

}  // namespace msgwatch::redis
