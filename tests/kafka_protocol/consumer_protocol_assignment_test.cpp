#include <gtest/gtest.h>

#include "probes/kafka/protocol/messages/consumer_protocol_assignment.hpp"
#include "tests/kafka_protocol/byte_helpers.hpp"

namespace msgwatch::kafka::protocol {
namespace {

using testing::ascii;
using testing::Bytes;
using testing::operator+;

ConsumerProtocolAssignment sample_assignment() {
  ConsumerProtocolAssignment a;
  a.assigned_partitions = {{"orders", {0, 3}}, {"payments", {}}};
  a.user_data = Bytes{0x01, 0x02};
  return a;
}

TEST(ConsumerProtocolAssignment, RoundTripsEveryVersion) {
  for (std::int16_t v = 0; v <= 3; ++v) {
    const auto bytes = encode_consumer_protocol_assignment(sample_assignment(), v);
    EXPECT_EQ(bytes[0], 0x00);
    EXPECT_EQ(bytes[1], v);
    EXPECT_EQ(decode_consumer_protocol_assignment(bytes), sample_assignment());
    for (std::size_t length = 1; length < bytes.size(); ++length) {
      EXPECT_THROW(decode_consumer_protocol_assignment(std::span(bytes).first(length)), DecodeError) << length;
    }
  }
  EXPECT_THROW(encode_consumer_protocol_assignment(sample_assignment(), 4), std::invalid_argument);
}

TEST(ConsumerProtocolAssignment, EmptyBytesMeanNoAssignment) {
  EXPECT_EQ(decode_consumer_protocol_assignment({}), ConsumerProtocolAssignment{});
}

TEST(ConsumerProtocolAssignment, NewerVersionsReadWithTheKnownLayoutIgnoringAppendedFields) {
  const Bytes v7 = Bytes{0x00, 0x07, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01} + ascii("t") +
                   Bytes{0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05} +
                   Bytes{0x00, 0x00, 0x00, 0x00}  // user_data: empty, not null
                   + Bytes{0xaa, 0xbb};           // a field a future version appended
  const auto decoded = decode_consumer_protocol_assignment(v7);
  EXPECT_EQ(decoded.assigned_partitions, (std::vector<ConsumerProtocolAssignment::TopicPartition>{{"t", {5}}}));
  EXPECT_EQ(decoded.user_data, Bytes{});
}

TEST(ConsumerProtocolAssignment, RejectsNegativeVersionAndTrailingBytesInKnownVersions) {
  EXPECT_THROW(decode_consumer_protocol_assignment(Bytes{0xff, 0xff, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}), DecodeError);
  auto bytes = encode_consumer_protocol_assignment(sample_assignment(), 1);
  bytes.push_back(0);
  EXPECT_THROW(decode_consumer_protocol_assignment(bytes), DecodeError);
}

}  // namespace
}  // namespace msgwatch::kafka::protocol
