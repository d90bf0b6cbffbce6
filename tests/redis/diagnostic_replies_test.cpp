// The slow log's and the latency monitor's parsers on replies captured from redis-server 7.0
// (tests/redis/fixtures, raw RESP) and on hand-made ones of the wrong shape.

#include "probes/redis/diagnostic_replies.hpp"
#include "tests/redis/test_support.hpp"

#include <gtest/gtest.h>

namespace msgwatch::redis {
namespace {

using test::array_reply;
using test::decode_reply;
using test::integer_reply;
using test::text_reply;

// Entry 2: CONFIG SET latency-monitor-threshold 1, 8 µs, as Redis 7.0 logs it (six fields).
TEST(DiagnosticReplies, NewestSlowCommand) {
  const auto newest = parse_last_slow_command(decode_reply(test::read_fixture("slowlog_get_1_redis7.resp")));
  ASSERT_TRUE(newest.has_value());
  EXPECT_EQ(newest->id, 2);
  EXPECT_EQ(newest->duration_seconds, 8e-6);
  EXPECT_EQ(parse_last_slow_command(array_reply({})), std::nullopt) << "an empty slow log";
  // Before Redis 4.0 an entry has four fields.
  const auto old = parse_last_slow_command(
      array_reply({array_reply({integer_reply(7), integer_reply(1700000000), integer_reply(1500), array_reply({})})}));
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->duration_seconds, 0.0015);
}

// A Lua busy loop of 70 ms with latency-monitor-threshold 1: the "command" event.
TEST(DiagnosticReplies, LatestLatencySpikes) {
  const auto events = parse_latency_latest(decode_reply(test::read_fixture("latency_latest_redis7.resp")));
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].name, "command");
  EXPECT_EQ(events[0].last_unix_seconds, 1796211593);
  EXPECT_EQ(events[0].latest_seconds, 0.07);
  EXPECT_EQ(events[0].max_seconds, 0.07);
  EXPECT_TRUE(parse_latency_latest(array_reply({})).empty()) << "the monitor is off, or nothing crossed its threshold";
}

TEST(DiagnosticReplies, OtherShapesAreProtocolErrors) {
  EXPECT_THROW(parse_last_slow_command(text_reply("OK")), RespProtocolError);
  EXPECT_THROW(parse_last_slow_command(array_reply({array_reply({integer_reply(1), integer_reply(2)})})),
               RespProtocolError);
  EXPECT_THROW(parse_last_slow_command(array_reply(
                   {array_reply({integer_reply(1), integer_reply(2), text_reply("slow"), array_reply({})})})),
               RespProtocolError);
  EXPECT_THROW(parse_last_slow_command(array_reply(
                   {array_reply({integer_reply(1), integer_reply(2), integer_reply(-3), array_reply({})})})),
               RespProtocolError);
  EXPECT_THROW(parse_latency_latest(integer_reply(1)), RespProtocolError);
  EXPECT_THROW(
      parse_latency_latest(array_reply({array_reply({text_reply("fork"), integer_reply(1), integer_reply(2)})})),
      RespProtocolError);
  EXPECT_THROW(parse_latency_latest(array_reply(
                   {array_reply({integer_reply(1), integer_reply(1), integer_reply(2), integer_reply(3)})})),
               RespProtocolError);
}

}  // namespace
}  // namespace msgwatch::redis
