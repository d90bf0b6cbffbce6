#pragma once
// A command that managed services rename or forbid (CONFIG, SLOWLOG, LATENCY): once refused,
// it is logged once and not asked again on that connection, so that the server's own error
// counters do not grow every cycle. A new connection asks again.

#include "probes/redis/redis_connection.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <vector>

namespace msgwatch::redis {

class OptionalCommand {
 public:
  // `consequence`: what the log line says is missing, e.g. "redis_config_* are not exported".
  explicit OptionalCommand(std::string consequence) : consequence_(std::move(consequence)) {}

  // The reply; nullopt when the server refuses the command (now or earlier on this connection).
  boost::asio::awaitable<std::optional<RedisReply>> ask(RedisConnection& connection, std::vector<std::string> args,
                                                        const std::string& target);
  // A new connection: ask again.
  void reset() { refused_ = false; }

 private:
  std::string consequence_;
  bool refused_ = false;
  bool logged_ = false;
};

}  // namespace msgwatch::redis
