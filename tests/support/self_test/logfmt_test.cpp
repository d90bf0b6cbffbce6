#include "support/logfmt.hpp"

#include <gtest/gtest.h>

namespace msgwatch::test {
namespace {

TEST(Logfmt, BareAndQuotedValues) {
  const auto fields = parse_logfmt_line(
      R"(ts=2026-12-01T10:00:00.000Z level=warning msg="hanging transaction: stuck" topic=t partition=1 )"
      R"(transactional_id="" error="say \"no\"\\\n\t\u0001")");
  EXPECT_EQ(fields.at("ts"), "2026-12-01T10:00:00.000Z");
  EXPECT_EQ(fields.at("level"), "warning");
  EXPECT_EQ(fields.at("msg"), "hanging transaction: stuck");
  EXPECT_EQ(fields.at("topic"), "t");
  EXPECT_EQ(fields.at("partition"), "1");
  EXPECT_EQ(fields.at("transactional_id"), "");
  EXPECT_EQ(fields.at("error"), "say \"no\"\\\n\t\x01");
  EXPECT_EQ(fields.size(), 7U);
}

TEST(Logfmt, RejectsMalformedLines) {
  EXPECT_THROW(parse_logfmt_line("msg=\"open"), std::runtime_error);
  EXPECT_THROW(parse_logfmt_line("word"), std::runtime_error);
  EXPECT_THROW(parse_logfmt_line("=x"), std::runtime_error);
  EXPECT_THROW(parse_logfmt_line("a=1 a=2"), std::runtime_error);
  EXPECT_THROW(parse_logfmt_line(R"(a="x\q")"), std::runtime_error);
  EXPECT_THROW(parse_logfmt_line(R"(a="x"b=1)"), std::runtime_error);
  EXPECT_TRUE(parse_logfmt_line("").empty());
}

TEST(Logfmt, EventsByMessage) {
  const std::string log =
      "ts=1 level=info msg=\"listening on 127.0.0.1:9\"\n"
      "ts=2 level=warning msg=\"hanging transaction: x\" producer_id=7\n"
      "not a logfmt line at all\n"
      "ts=3 level=warning msg=\"hanging transaction: x\" producer_id=8\n";
  const auto events = log_events(log, "hanging transaction");
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].at("producer_id"), "7");
  EXPECT_EQ(events[1].at("ts"), "3");
  EXPECT_TRUE(log_events(log, "probe failed").empty());
}

}  // namespace
}  // namespace msgwatch::test
