#pragma once
// A decoded RESP2 reply as a plain C++ value, and the errors of the Redis client. hiredis' own
// redisReply never leaves the decoder: it is copied into RedisReply and freed right away.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace msgwatch::redis {

struct RedisReply {
  enum class Type { string, array, integer, nil, status, error };

  Type type = Type::nil;
  std::string str;  // string, status and error replies
  std::int64_t integer = 0;
  std::vector<RedisReply> elements;  // array replies

  [[nodiscard]] bool is_error() const { return type == Type::error; }
};

// Base of every failure of the Redis client; the message never contains a secret.
class RedisError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The byte stream from the server is not valid RESP or breaks a limit: the connection is no
// longer usable and must be closed.
class RespProtocolError : public RedisError {
 public:
  using RedisError::RedisError;
};

// Resolving, connecting, reading or writing failed, or the server closed the connection.
class RedisIoError : public RedisError {
 public:
  using RedisError::RedisError;
};

// The server answered a command with an error reply (`-ERR ...`, `-NOAUTH ...`). The message
// names the command, never its arguments: AUTH's arguments are credentials.
class RedisCommandError : public RedisError {
 public:
  RedisCommandError(std::string command, const std::string& server_message)
      : RedisError(command + ": " + server_message), command_(std::move(command)), server_message_(server_message) {}
  [[nodiscard]] const std::string& command() const { return command_; }
  [[nodiscard]] const std::string& server_message() const { return server_message_; }

 private:
  std::string command_;
  std::string server_message_;
};

}  // namespace msgwatch::redis
