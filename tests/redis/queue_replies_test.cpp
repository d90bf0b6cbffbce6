// The stream replies' parsers on replies captured from redis-server 7.0 (tests/redis/fixtures,
// raw RESP as the server sent it) and on hand-made ones of the wrong shape.

#include "probes/redis/queue_replies.hpp"
#include "probes/redis/resp_codec.hpp"
#include "tests/redis/test_support.hpp"

#include <gtest/gtest.h>

namespace msgwatch::redis {
namespace {

RedisReply decode(const std::string& bytes) {
  RespDecoder decoder;
  decoder.feed(bytes);
  auto reply = decoder.next();
  if (!reply) throw std::runtime_error("fixture holds no whole reply");
  return std::move(*reply);
}

RedisReply text(const std::string& s) { return {RedisReply::Type::string, s, 0, {}}; }
RedisReply number(std::int64_t n) { return {RedisReply::Type::integer, "", n, {}}; }
RedisReply array(std::vector<RedisReply> elements) { return {RedisReply::Type::array, "", 0, std::move(elements)}; }

// Two groups: "idle" created at the end (nothing read, lag 0, entries-read nil) and "workers",
// which read 4 of 10 entries and acknowledged none.
TEST(QueueReplies, StreamGroupsAsRedisSevenWritesThem) {
  const auto groups = parse_stream_groups(decode(test::read_fixture("xinfo_groups_redis7.resp")));
  ASSERT_EQ(groups.size(), 2U);
  EXPECT_EQ(groups[0].name, "idle");
  EXPECT_EQ(groups[0].consumers, 0);
  EXPECT_EQ(groups[0].pending, 0);
  EXPECT_EQ(groups[0].lag, 0);
  EXPECT_EQ(groups[1].name, "workers");
  EXPECT_EQ(groups[1].consumers, 1);
  EXPECT_EQ(groups[1].pending, 4);
  EXPECT_EQ(groups[1].lag, 6);
  EXPECT_FALSE(groups[1].oldest_pending_idle_seconds.has_value()) << "XPENDING's, not XINFO's";
}

TEST(QueueReplies, OldestPendingEntryIdleTime) {
  EXPECT_EQ(parse_oldest_pending_idle(decode(test::read_fixture("xpending_oldest_redis7.resp"))), 0.443);
  EXPECT_EQ(parse_oldest_pending_idle(decode(test::read_fixture("xpending_none_redis7.resp"))), std::nullopt);
}

// Redis before 7.0 has no lag field; Redis 7 answers nil where it cannot tell. Fields it
// adds later are skipped.
TEST(QueueReplies, LagAbsentOrNilAndUnknownFields) {
  const RedisReply nil;
  const auto groups = parse_stream_groups(array({
      array({text("name"), text("old"), text("consumers"), number(2), text("pending"), number(0),
             text("last-delivered-id"), text("0-0")}),
      array({text("name"), text("trimmed"), text("lag"), nil, text("some-future-field"), array({})}),
  }));
  ASSERT_EQ(groups.size(), 2U);
  EXPECT_EQ(groups[0].consumers, 2);
  EXPECT_FALSE(groups[0].lag.has_value());
  EXPECT_FALSE(groups[1].lag.has_value());
}

TEST(QueueReplies, OtherShapesAreProtocolErrors) {
  EXPECT_THROW(parse_stream_groups(text("OK")), RespProtocolError);
  EXPECT_THROW(parse_stream_groups(array({text("name")})), RespProtocolError);
  EXPECT_THROW(parse_stream_groups(array({array({text("name"), text("g"), text("pending")})})), RespProtocolError);
  EXPECT_THROW(parse_stream_groups(array({array({text("pending"), text("many")})})), RespProtocolError);
  EXPECT_THROW(parse_stream_groups(array({array({text("consumers"), number(1)})})), RespProtocolError)
      << "a group without a name";
  EXPECT_THROW(parse_oldest_pending_idle(number(3)), RespProtocolError);
  EXPECT_THROW(parse_oldest_pending_idle(array({array({text("1-0"), text("w"), text("soon"), number(1)})})),
               RespProtocolError);
  EXPECT_THROW(parse_oldest_pending_idle(array({array({text("1-0"), text("w"), number(-5), number(1)})})),
               RespProtocolError);
}

}  // namespace
}  // namespace msgwatch::redis
