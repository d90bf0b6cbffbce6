// The stream replies' parsers on replies captured from redis-server 7.0 (tests/redis/fixtures,
// raw RESP as the server sent it) and on hand-made ones of the wrong shape.

#include "probes/redis/queue_replies.hpp"
#include "tests/redis/test_support.hpp"

#include <gtest/gtest.h>

namespace msgwatch::redis {
namespace {

using test::array_reply;
using test::decode_reply;
using test::integer_reply;
using test::text_reply;

// Two groups: "idle" created at the end (nothing read, lag 0, entries-read nil) and "workers",
// which read 4 of 10 entries and acknowledged none.
TEST(QueueReplies, StreamGroupsAsRedisSevenWritesThem) {
  const auto groups = parse_stream_groups(decode_reply(test::read_fixture("xinfo_groups_redis7.resp")));
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
  EXPECT_EQ(parse_oldest_pending_idle(decode_reply(test::read_fixture("xpending_oldest_redis7.resp"))), 0.443);
  EXPECT_EQ(parse_oldest_pending_idle(decode_reply(test::read_fixture("xpending_none_redis7.resp"))), std::nullopt);
}

// Redis before 7.0 has no lag field; Redis 7 answers nil where it cannot tell. Fields it
// adds later are skipped.
TEST(QueueReplies, LagAbsentOrNilAndUnknownFields) {
  const RedisReply nil;
  const auto groups = parse_stream_groups(array_reply({
      array_reply({text_reply("name"), text_reply("old"), text_reply("consumers"), integer_reply(2),
                   text_reply("pending"), integer_reply(0), text_reply("last-delivered-id"), text_reply("0-0")}),
      array_reply({text_reply("name"), text_reply("trimmed"), text_reply("lag"), nil, text_reply("some-future-field"),
                   array_reply({})}),
  }));
  ASSERT_EQ(groups.size(), 2U);
  EXPECT_EQ(groups[0].consumers, 2);
  EXPECT_FALSE(groups[0].lag.has_value());
  EXPECT_FALSE(groups[1].lag.has_value());
}

TEST(QueueReplies, OtherShapesAreProtocolErrors) {
  EXPECT_THROW(parse_stream_groups(text_reply("OK")), RespProtocolError);
  EXPECT_THROW(parse_stream_groups(array_reply({text_reply("name")})), RespProtocolError);
  EXPECT_THROW(
      parse_stream_groups(array_reply({array_reply({text_reply("name"), text_reply("g"), text_reply("pending")})})),
      RespProtocolError);
  EXPECT_THROW(parse_stream_groups(array_reply({array_reply({text_reply("pending"), text_reply("many")})})),
               RespProtocolError);
  EXPECT_THROW(parse_stream_groups(array_reply({array_reply({text_reply("consumers"), integer_reply(1)})})),
               RespProtocolError)
      << "a group without a name";
  EXPECT_THROW(parse_oldest_pending_idle(integer_reply(3)), RespProtocolError);
  EXPECT_THROW(parse_oldest_pending_idle(array_reply(
                   {array_reply({text_reply("1-0"), text_reply("w"), text_reply("soon"), integer_reply(1)})})),
               RespProtocolError);
  EXPECT_THROW(parse_oldest_pending_idle(array_reply(
                   {array_reply({text_reply("1-0"), text_reply("w"), integer_reply(-5), integer_reply(1)})})),
               RespProtocolError);
}

}  // namespace
}  // namespace msgwatch::redis
