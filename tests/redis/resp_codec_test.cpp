// The RESP codec on its own: encoding, decoding split anywhere, and refusal of garbage,
// oversized and truncated input with a clear error and no crash.

#include "probes/redis/resp_codec.hpp"

#include <gtest/gtest.h>

#include <random>

namespace msgwatch::redis {
namespace {

using Type = RedisReply::Type;

std::vector<RedisReply> decode_all(std::string_view bytes, RespLimits limits = {}) {
  RespDecoder decoder(limits);
  decoder.feed(bytes);
  std::vector<RedisReply> replies;
  while (auto reply = decoder.next()) replies.push_back(std::move(*reply));
  return replies;
}

// The error message of decoding `bytes`, or "" when they decode.
std::string decode_error(std::string_view bytes, RespLimits limits = {}) {
  try {
    decode_all(bytes, limits);
  } catch (const RespProtocolError& e) {
    return e.what();
  }
  return "";
}

TEST(RespEncode, CommandIsArrayOfBulkStrings) {
  EXPECT_EQ(encode_command({"AUTH", "user", "p w"}), "*3\r\n$4\r\nAUTH\r\n$4\r\nuser\r\n$3\r\np w\r\n");
  EXPECT_EQ(encode_command({"INFO"}), "*1\r\n$4\r\nINFO\r\n");
}

TEST(RespEncode, BinaryArgumentsRoundTrip) {
  const std::vector<std::string> args{"SET", std::string("k\0\r\n", 4), "", std::string(70000, 'x')};
  const auto replies = decode_all(encode_command(args));
  ASSERT_EQ(replies.size(), 1U);
  ASSERT_EQ(replies[0].type, Type::array);
  ASSERT_EQ(replies[0].elements.size(), args.size());
  for (std::size_t i = 0; i < args.size(); ++i) EXPECT_EQ(replies[0].elements[i].str, args[i]) << i;
}

TEST(RespDecode, EveryReplyType) {
  const auto replies = decode_all(
      "+OK\r\n-ERR unknown command 'X'\r\n:-42\r\n$5\r\nhello\r\n$0\r\n\r\n$-1\r\n*-1\r\n"
      "*2\r\n:1\r\n*1\r\n+x\r\n*0\r\n");
  ASSERT_EQ(replies.size(), 9U);
  EXPECT_EQ(replies[0].type, Type::status);
  EXPECT_EQ(replies[0].str, "OK");
  EXPECT_EQ(replies[1].type, Type::error);
  EXPECT_EQ(replies[1].str, "ERR unknown command 'X'");
  EXPECT_EQ(replies[2].type, Type::integer);
  EXPECT_EQ(replies[2].integer, -42);
  EXPECT_EQ(replies[3].type, Type::string);
  EXPECT_EQ(replies[3].str, "hello");
  EXPECT_EQ(replies[4].type, Type::string);
  EXPECT_EQ(replies[4].str, "");
  EXPECT_EQ(replies[5].type, Type::nil);
  EXPECT_EQ(replies[6].type, Type::nil);
  ASSERT_EQ(replies[7].type, Type::array);
  ASSERT_EQ(replies[7].elements.size(), 2U);
  EXPECT_EQ(replies[7].elements[0].integer, 1);
  ASSERT_EQ(replies[7].elements[1].elements.size(), 1U);
  EXPECT_EQ(replies[7].elements[1].elements[0].str, "x");
  EXPECT_EQ(replies[8].type, Type::array);
  EXPECT_TRUE(replies[8].elements.empty());
}

TEST(RespDecode, SameRepliesWhateverTheSplit) {
  const std::string stream = "+OK\r\n$12\r\nhello\r\nworld\r\n*3\r\n:7\r\n$-1\r\n-ERR a\rb\r\n";
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    RespDecoder decoder;
    std::vector<RedisReply> replies;
    decoder.feed(std::string_view(stream).substr(0, cut));
    while (auto reply = decoder.next()) replies.push_back(std::move(*reply));
    decoder.feed(std::string_view(stream).substr(cut));
    while (auto reply = decoder.next()) replies.push_back(std::move(*reply));
    ASSERT_EQ(replies.size(), 3U) << "cut at " << cut;
    EXPECT_EQ(replies[1].str, "hello\r\nworld");
    ASSERT_EQ(replies[2].elements.size(), 3U);
    EXPECT_EQ(replies[2].elements[2].str, "ERR a\rb");
  }
  // One byte at a time.
  RespDecoder decoder;
  std::size_t count = 0;
  for (const char c : stream) {
    decoder.feed(std::string_view(&c, 1));
    while (decoder.next()) ++count;
  }
  EXPECT_EQ(count, 3U);
}

TEST(RespDecode, TruncatedInputWaitsForMore) {
  for (const std::string partial :
       {"+OK", "+OK\r", "$5\r\nhel", "$5\r\nhello", "$5\r\nhello\r", "*2\r\n:1\r\n", ":12"}) {
    RespDecoder decoder;
    decoder.feed(partial);
    EXPECT_FALSE(decoder.next().has_value()) << partial;
    EXPECT_FALSE(decoder.failed()) << partial;
  }
}

TEST(RespDecode, GarbageIsAProtocolError) {
  EXPECT_EQ(decode_error("hello\r\n"), "protocol error: unexpected byte 'h' where a reply type was expected");
  EXPECT_EQ(decode_error(std::string("\0", 1)), "protocol error: unexpected byte 0x00 where a reply type was expected");
  EXPECT_EQ(decode_error("HTTP/1.1 400 Bad Request\r\n"),
            "protocol error: unexpected byte 'H' where a reply type was expected");
  EXPECT_EQ(decode_error("$abc\r\n"), "protocol error: malformed length line '$' \"abc\"");
  EXPECT_EQ(decode_error(":12x\r\n"), "protocol error: malformed length line ':' \"12x\"");
  EXPECT_EQ(decode_error("*+1\r\n"), "protocol error: malformed length line '*' \"+1\"");
  EXPECT_EQ(decode_error("$\r\n"), "protocol error: malformed length line '$' \"\"");
  EXPECT_EQ(decode_error("$007\r\n"), "protocol error: malformed length line '$' \"007\"");
  EXPECT_EQ(decode_error(":99999999999999999999\r\n"),
            "protocol error: malformed length line ':' \"99999999999999999999\"");
  EXPECT_EQ(decode_error("$-2\r\n"), "protocol error: bulk string length -2");
  EXPECT_EQ(decode_error("*-5\r\n"), "protocol error: array length -5");
  EXPECT_EQ(decode_error("$3\r\nabcXY"), "protocol error: bulk string not followed by CRLF");
  EXPECT_EQ(decode_error("$3\r\nabc\rX"), "protocol error: bulk string not followed by CRLF");
  EXPECT_EQ(decode_error("*1\r\n!\r\n"), "protocol error: unexpected byte '!' where a reply type was expected");
  EXPECT_EQ(decode_error(":" + std::string(40, '1')), "protocol error: length line longer than 20 bytes");
}

TEST(RespDecode, FailedDecoderStaysFailed) {
  RespDecoder decoder;
  EXPECT_THROW(decoder.feed("?"), RespProtocolError);
  EXPECT_TRUE(decoder.failed());
  EXPECT_THROW(decoder.feed("+OK\r\n"), RespProtocolError);
  EXPECT_THROW(static_cast<void>(decoder.next()), RespProtocolError);
}

TEST(RespDecode, OversizedBulkIsRefusedFromItsLengthLine) {
  // Refused as soon as the length is read: nothing of the 100 MB is awaited or allocated.
  EXPECT_EQ(decode_error("$100000000\r\n"),
            "protocol error: bulk string length 100000000 exceeds the reply limit of 67108864 bytes");
  EXPECT_EQ(decode_error("$9223372036854775807\r\n"),
            "protocol error: bulk string length 9223372036854775807 exceeds the reply limit of 67108864 bytes");
}

TEST(RespDecode, ReplySizeLimitCountsFraming) {
  RespLimits limits;
  limits.max_reply_bytes = 16;
  EXPECT_EQ(decode_all("+" + std::string(13, 'a') + "\r\n", limits).size(), 1U);  // 16 bytes
  EXPECT_EQ(decode_error("+" + std::string(14, 'a') + "\r\n", limits),
            "protocol error: reply larger than the limit of 16 bytes");
  // A bulk string's length line is checked with its payload and final CRLF: 5 + 10 + 2 = 17.
  EXPECT_EQ(decode_error("$10\r\n0123456789\r\n", limits),
            "protocol error: bulk string length 10 exceeds the reply limit of 16 bytes");
  limits.max_reply_bytes = 17;
  EXPECT_EQ(decode_all("$10\r\n0123456789\r\n", limits).size(), 1U);
}

TEST(RespDecode, ReplyLargerThanTheLimitIsRefused) {
  RespLimits limits;
  limits.max_reply_bytes = 16;
  EXPECT_EQ(decode_error("$11\r\n01234567890\r\n", limits),
            "protocol error: bulk string length 11 exceeds the reply limit of 16 bytes");
  EXPECT_EQ(decode_error("+" + std::string(30, 'a') + "\r\n", limits),
            "protocol error: reply larger than the limit of 16 bytes");
  EXPECT_EQ(decode_error("*4\r\n:1\r\n:2\r\n:3\r\n:4\r\n", limits),
            "protocol error: reply larger than the limit of 16 bytes");
  // The limit is per reply: many small replies in a row are fine.
  std::string many;
  for (int i = 0; i < 100; ++i) many += "$6\r\nabcdef\r\n";
  EXPECT_EQ(decode_all(many, limits).size(), 100U);
}

TEST(RespDecode, HugeElementCountIsRefusedFromItsLengthLine) {
  EXPECT_EQ(decode_error("*2147483647\r\n"),
            "protocol error: array length 2147483647 exceeds the reply limit of 1000000 elements");
  // hiredis 0.14 passes the count to createArray as an int: 2^32+1 would become 1.
  EXPECT_EQ(decode_error("*4294967297\r\n:1\r\n"),
            "protocol error: array length 4294967297 exceeds the reply limit of 1000000 elements");
  RespLimits limits;
  limits.max_reply_elements = 3;
  EXPECT_EQ(decode_all("*2\r\n:1\r\n:2\r\n", limits).size(), 1U);
  EXPECT_EQ(decode_error("*1\r\n*1\r\n*1\r\n:1\r\n", limits),
            "protocol error: array length 1 exceeds the reply limit of 3 elements");
  limits.max_reply_elements = 4;
  EXPECT_EQ(decode_error("*2\r\n*2\r\n:1\r\n:1\r\n:1\r\n", limits), "protocol error: reply has more than 4 elements");
}

TEST(RespDecode, NestingBeyondSevenLevelsIsRefused) {
  std::string seven;
  for (int i = 0; i < 7; ++i) seven += "*1\r\n";
  seven += ":5\r\n";
  const auto replies = decode_all(seven);
  ASSERT_EQ(replies.size(), 1U);
  const RedisReply* innermost = &replies[0];
  for (int i = 0; i < 7; ++i) innermost = &innermost->elements.at(0);
  EXPECT_EQ(innermost->integer, 5);
  EXPECT_EQ(decode_error("*1\r\n" + seven), "protocol error: arrays nested deeper than 7 levels");
}

// Random bytes and mutated valid streams: whatever comes, either replies or RespProtocolError,
// never another exception or a crash (run under MSGWATCH_SANITIZE for memory errors).
TEST(RespDecode, RandomInputNeverCrashes) {
  std::mt19937 random(20240611);
  const std::string valid = "*3\r\n$4\r\nINFO\r\n:12\r\n*2\r\n+OK\r\n$-1\r\n$5\r\nhello\r\n-ERR x\r\n";
  const std::string alphabet = "*$+-:\r\n0123456789-abc";
  for (int round = 0; round < 20000; ++round) {
    std::string bytes = valid;
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = random() % bytes.size();
      switch (random() % 3) {
        case 0:
          bytes[at] = alphabet[random() % alphabet.size()];
          break;
        case 1:
          bytes.insert(at, 1, static_cast<char>(random() % 256));
          break;
        default:
          bytes.erase(at, 1);
          break;
      }
    }
    RespLimits limits;
    limits.max_reply_bytes = 4096;
    RespDecoder decoder(limits);
    try {
      std::size_t at = 0;
      while (at < bytes.size()) {
        const std::size_t n = 1 + random() % 7;
        decoder.feed(std::string_view(bytes).substr(at, n));
        at += n;
        while (decoder.next()) {
        }
      }
    } catch (const RespProtocolError&) {
      EXPECT_TRUE(decoder.failed());
    }
  }
}

}  // namespace
}  // namespace msgwatch::redis
