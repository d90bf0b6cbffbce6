#include "probes/redis/resp_codec.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <limits>

namespace msgwatch::redis {

namespace {

struct CommandDeleter {
  void operator()(char* command) const noexcept { redisFreeCommand(command); }
};

struct ReplyDeleter {
  void operator()(void* reply) const noexcept { freeReplyObject(reply); }
};

// The longest legal length line: "-9223372036854775808".
constexpr std::size_t kMaxLengthLine = 20;

std::optional<std::int64_t> parse_length_line(std::string_view text) {
  if (text.empty() || text.front() == '+') return std::nullopt;
  if (text.size() > 1 && (text.front() == '0' || (text.front() == '-' && text[1] == '0'))) return std::nullopt;
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::string printable(char c) {
  if (c >= 0x20 && c < 0x7f) return std::string("'") + c + "'";
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned>(static_cast<unsigned char>(c)));
  return hex;
}

std::string printable(std::string_view text) {
  std::string out;
  for (const char c : text) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  return out;
}

RedisReply convert(const redisReply& reply) {
  RedisReply out;
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::string;
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::status;
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::error;
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::array;
      break;
    default:
      out.type = RedisReply::Type::nil;
      break;
  }
  if (out.type == RedisReply::Type::string || out.type == RedisReply::Type::status ||
      out.type == RedisReply::Type::error) {
    if (reply.str != nullptr) out.str.assign(reply.str, reply.len);
  } else if (out.type == RedisReply::Type::integer) {
    out.integer = reply.integer;
  } else if (out.type == RedisReply::Type::array) {
    out.elements.reserve(reply.elements);
    for (std::size_t i = 0; i < reply.elements; ++i) {
      if (reply.element[i] == nullptr) {
        out.elements.emplace_back();
      } else {
        out.elements.push_back(convert(*reply.element[i]));
      }
    }
  }
  return out;
}

}  // namespace

std::string encode_command(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> argvlen;
  argv.reserve(args.size());
  argvlen.reserve(args.size());
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    argvlen.push_back(arg.size());
  }
  char* raw = nullptr;
  const int length = redisFormatCommandArgv(&raw, static_cast<int>(args.size()), argv.data(), argvlen.data());
  std::unique_ptr<char, CommandDeleter> command(raw);
  if (length < 0 || command == nullptr) throw RedisError("cannot encode command: out of memory");
  return {command.get(), static_cast<std::size_t>(length)};
}

// ---- RespFrameChecker ----

RespFrameChecker::RespFrameChecker(RespLimits limits) : limits_(limits) {}

void RespFrameChecker::fail(const std::string& what) const { throw RespProtocolError("protocol error: " + what); }

void RespFrameChecker::count_bytes(std::size_t n) {
  reply_bytes_ += n;
  if (reply_bytes_ > limits_.max_reply_bytes) {
    fail("reply larger than the limit of " + std::to_string(limits_.max_reply_bytes) + " bytes");
  }
}

void RespFrameChecker::start_value(char type) {
  switch (type) {
    case '+':
    case '-':
    case ':':
    case '$':
    case '*':
      break;
    default:
      fail("unexpected byte " + printable(type) + " where a reply type was expected");
  }
  if (++reply_elements_ > limits_.max_reply_elements) {
    fail("reply has more than " + std::to_string(limits_.max_reply_elements) + " elements");
  }
  type_ = type;
  line_.clear();
  line_cr_ = false;
  state_ = State::line;
}

void RespFrameChecker::finish_line() {
  if (type_ == '+' || type_ == '-') {
    finish_value();
    return;
  }
  const auto value = parse_length_line(line_);
  if (!value) fail("malformed length line " + printable(type_) + " \"" + printable(std::string_view(line_)) + "\"");
  if (type_ == ':') {
    finish_value();
    return;
  }
  const char* what = type_ == '$' ? "bulk string length " : "array length ";
  if (*value == -1) {  // nil
    finish_value();
    return;
  }
  if (*value < 0) fail(std::string(what) + std::to_string(*value));
  const auto length = static_cast<std::uint64_t>(*value);
  if (type_ == '$') {
    if (length > limits_.max_reply_bytes - reply_bytes_ || length + 2 > limits_.max_reply_bytes - reply_bytes_) {
      fail(std::string(what) + std::to_string(length) + " exceeds the reply limit of " +
           std::to_string(limits_.max_reply_bytes) + " bytes");
    }
    bulk_left_ = static_cast<std::size_t>(length);
    state_ = bulk_left_ == 0 ? State::bulk_cr : State::bulk;
    return;
  }
  if (length > limits_.max_reply_elements - reply_elements_) {
    fail(std::string(what) + std::to_string(length) + " exceeds the reply limit of " +
         std::to_string(limits_.max_reply_elements) + " elements");
  }
  if (length == 0) {
    finish_value();
    return;
  }
  if (open_arrays_.size() >= limits_.max_nesting) {
    fail("arrays nested deeper than " + std::to_string(limits_.max_nesting) + " levels");
  }
  open_arrays_.push_back(static_cast<std::int64_t>(length));
  state_ = State::type;
}

void RespFrameChecker::finish_value() {
  state_ = State::type;
  while (!open_arrays_.empty()) {
    if (--open_arrays_.back() > 0) return;
    open_arrays_.pop_back();
  }
  ++completed_;
  reply_bytes_ = 0;
  reply_elements_ = 0;
}

std::size_t RespFrameChecker::consume(std::string_view bytes) {
  completed_ = 0;
  std::size_t i = 0;
  while (i < bytes.size()) {
    switch (state_) {
      case State::type:
        count_bytes(1);
        start_value(bytes[i++]);
        break;
      case State::line: {
        const char c = bytes[i++];
        count_bytes(1);
        if (line_cr_ && c == '\n') {
          if (!line_.empty()) line_.pop_back();  // length lines keep their '\r' until here
          finish_line();
          break;
        }
        line_cr_ = c == '\r';
        if (type_ != '+' && type_ != '-') {
          if (line_.size() > kMaxLengthLine) {
            fail("length line longer than " + std::to_string(kMaxLengthLine) + " bytes");
          }
          line_.push_back(c);
        }
        break;
      }
      case State::bulk: {
        const std::size_t take = std::min(bulk_left_, bytes.size() - i);
        count_bytes(take);
        i += take;
        bulk_left_ -= take;
        if (bulk_left_ == 0) state_ = State::bulk_cr;
        break;
      }
      case State::bulk_cr:
        count_bytes(1);
        if (bytes[i++] != '\r') fail("bulk string not followed by CRLF");
        state_ = State::bulk_lf;
        break;
      case State::bulk_lf:
        count_bytes(1);
        if (bytes[i++] != '\n') fail("bulk string not followed by CRLF");
        finish_value();
        break;
    }
  }
  return completed_;
}

// ---- RespDecoder ----

void RespDecoder::ReaderDeleter::operator()(redisReader* reader) const noexcept { redisReaderFree(reader); }

RespDecoder::RespDecoder(RespLimits limits) : checker_(limits), reader_(redisReaderCreate()) {
  if (reader_ == nullptr) throw RedisError("cannot create RESP reader: out of memory");
}

RespDecoder::~RespDecoder() = default;

void RespDecoder::feed(std::string_view bytes) {
  if (failed_) throw RespProtocolError("protocol error: decoder failed earlier");
  if (bytes.empty()) return;
  try {
    ready_ += checker_.consume(bytes);
  } catch (...) {
    failed_ = true;
    throw;
  }
  if (redisReaderFeed(reader_.get(), bytes.data(), bytes.size()) != REDIS_OK) {
    failed_ = true;
    throw RespProtocolError(std::string("protocol error: ") + reader_->errstr);
  }
}

std::optional<RedisReply> RespDecoder::next() {
  if (failed_) throw RespProtocolError("protocol error: decoder failed earlier");
  if (ready_ == 0) return std::nullopt;
  void* raw = nullptr;
  const int status = redisReaderGetReply(reader_.get(), &raw);
  std::unique_ptr<void, ReplyDeleter> reply(raw);
  if (status != REDIS_OK) {
    failed_ = true;
    throw RespProtocolError(std::string("protocol error: ") + reader_->errstr);
  }
  if (reply == nullptr) {
    // The framing said a reply was complete; the reader disagrees. Never expected.
    failed_ = true;
    throw RespProtocolError("protocol error: reply incomplete although its framing ended");
  }
  --ready_;
  return convert(*static_cast<const redisReply*>(reply.get()));
}

}  // namespace msgwatch::redis
