#include "exporter/sdk/log_event.hpp"

#include <gtest/gtest.h>

namespace msgwatch {
namespace {

TEST(LogEvent, FieldsAreKeysOfTheirOwnInLogfmt) {
  const auto payload = encode_log_payload("probe failed", {{"probe", "kafka_lag"},
                                                           {"cluster", "orders"},
                                                           {"error", "broker 1: connect: \"refused\"\nnext=line"},
                                                           {"duration", "0.25s"},
                                                           {"empty", ""}});
  EXPECT_EQ(
      render_log_payload(payload, false),
      "msg=\"probe failed\" probe=kafka_lag cluster=orders error=\"broker 1: connect: \\\"refused\\\"\\nnext=line\" "
      "duration=0.25s empty=\"\"");
}

TEST(LogEvent, FieldsAreKeysOfTheirOwnInJson) {
  const auto payload = encode_log_payload("probe failed", {{"probe", "kafka_lag"}, {"error", "a \"b\"\n"}});
  EXPECT_EQ(render_log_payload(payload, true),
            "\"msg\":\"probe failed\",\"probe\":\"kafka_lag\",\"error\":\"a \\\"b\\\"\\n\"");
}

TEST(LogEvent, APlainMessageIsJustMsg) {
  EXPECT_EQ(render_log_payload("stopped", false), "msg=\"stopped\"");
  EXPECT_EQ(render_log_payload("tab\there", true), "\"msg\":\"tab\\there\"");
}

TEST(LogEvent, SeparatorsInsideValuesCannotForgeFields) {
  const auto payload = encode_log_payload(
      "m\x1e"
      "x\x1f"
      "y",
      {{"k",
        "v\x1e"
        "forged\x1f"
        "1"}});
  EXPECT_EQ(render_log_payload(payload, false), "msg=\"m x y\" k=\"v forged 1\"");
}

}  // namespace
}  // namespace msgwatch
