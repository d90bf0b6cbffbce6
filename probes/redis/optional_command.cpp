#include "probes/redis/optional_command.hpp"

#include <spdlog/spdlog.h>

namespace msgwatch::redis {

boost::asio::awaitable<std::optional<RedisReply>> OptionalCommand::ask(RedisConnection& connection,
                                                                       std::vector<std::string> args,
                                                                       const std::string& target) {
  if (refused_) co_return std::nullopt;
  std::optional<RedisReply> reply;
  std::string refusal;
  try {
    reply = co_await connection.command(std::move(args));
  } catch (const RedisCommandError& e) {
    refusal = e.what();
  }
  if (!reply) {
    refused_ = true;
    if (!logged_) {
      spdlog::info("redis {}: {}; {}", target, refusal, consequence_);
      logged_ = true;
    }
  }
  co_return reply;
}

}  // namespace msgwatch::redis
