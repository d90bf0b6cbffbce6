#pragma once
// RESP2 encoding and decoding, independent of any transport. hiredis 0.14 supplies the codec
// (redisFormatCommandArgv, redisReader); this layer owns its handles and adds what hiredis 0.14
// lacks: limits on reply size, element count and nesting, and strict length lines, checked
// before a byte reaches the reader, so that a hostile or broken server gets a clear error
// instead of a huge allocation or a silently misread reply.
//
// Not thread-safe; one decoder per connection.

#include "probes/redis/redis_reply.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct redisReader;

namespace msgwatch::redis {

struct RespLimits {
  std::size_t max_reply_bytes = 64 * 1024 * 1024;  // one top-level reply, framing included
  std::size_t max_reply_elements = 1'000'000;      // values in one reply, nested ones included
  std::size_t max_nesting = 7;                     // arrays inside arrays; hiredis 0.14 supports no more
};

// The command as RESP bytes (an array of bulk strings). Throws RedisError when out of memory.
std::string encode_command(const std::vector<std::string>& args);

// Walks the framing of the byte stream without building values: which byte starts a value,
// where length lines end, how many bytes a bulk string spans, where a top-level reply ends.
class RespFrameChecker {
 public:
  explicit RespFrameChecker(RespLimits limits);

  // Checks the next bytes of the stream. Returns how many top-level replies they complete.
  // Throws RespProtocolError on malformed framing or a broken limit.
  std::size_t consume(std::string_view bytes);

 private:
  enum class State { type, line, bulk, bulk_cr, bulk_lf };

  void start_value(char type);
  void finish_line();
  void finish_value();
  void count_bytes(std::size_t n);
  [[noreturn]] void fail(const std::string& what) const;

  RespLimits limits_;
  State state_ = State::type;
  char type_ = 0;
  std::string line_;  // length lines only; status and error text is not kept
  bool line_cr_ = false;
  std::size_t bulk_left_ = 0;
  std::vector<std::int64_t> open_arrays_;  // elements still expected, innermost last
  std::size_t reply_bytes_ = 0;
  std::size_t reply_elements_ = 0;
  std::size_t completed_ = 0;
};

class RespDecoder {
 public:
  explicit RespDecoder(RespLimits limits = {});
  ~RespDecoder();
  RespDecoder(const RespDecoder&) = delete;
  RespDecoder& operator=(const RespDecoder&) = delete;

  // Appends bytes received from the server. Throws RespProtocolError when they are not RESP2
  // or break a limit; the decoder is then failed for good and the connection must be closed.
  void feed(std::string_view bytes);

  // The next complete reply, or nullopt until more bytes arrive. Error replies are returned as
  // values (type error): whether they are failures is the caller's business.
  std::optional<RedisReply> next();

  [[nodiscard]] bool failed() const { return failed_; }

 private:
  struct ReaderDeleter {
    void operator()(redisReader* reader) const noexcept;
  };

  RespFrameChecker checker_;
  std::unique_ptr<redisReader, ReaderDeleter> reader_;
  std::size_t ready_ = 0;  // complete replies fed to the reader and not yet taken
  bool failed_ = false;
};

}  // namespace msgwatch::redis
