// The test-only Produce codec and record batch builder: the CRC-32C against its published
// check value, the batch's layout as DefaultRecordBatch defines it (read back by the project's
// own record batch decoder), and the request and response fields of the versions spoken.

#include "support/raw_produce.hpp"
#include "support/crc32c.hpp"

#include <gtest/gtest.h>

#include <string_view>

#include "probes/kafka/protocol/message_version.hpp"
#include "probes/kafka/protocol/record_batch.hpp"

namespace msgwatch::test {
namespace {

namespace proto = kafka::protocol;

std::span<const std::uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

std::int64_t read_int(const std::vector<std::uint8_t>& bytes, std::size_t at, int size) {
  std::uint64_t value = 0;
  for (int i = 0; i < size; ++i) value = (value << 8) | bytes.at(at + static_cast<std::size_t>(i));
  if (size < 8 && (value >> (size * 8 - 1)) != 0) value |= ~std::uint64_t{0} << (size * 8);  // sign
  return static_cast<std::int64_t>(value);
}

TEST(Crc32c, CheckValueAndEdgeCases) {
  EXPECT_EQ(crc32c(bytes_of("123456789")), 0xE3069283U);
  EXPECT_EQ(crc32c({}), 0U);
  // RFC 3720 (iSCSI), B.4: 32 bytes of zeros, and of 0xFF.
  const std::vector<std::uint8_t> zeros(32, 0x00);
  const std::vector<std::uint8_t> ones(32, 0xFF);
  EXPECT_EQ(crc32c(zeros), 0x8A9136AAU);
  EXPECT_EQ(crc32c(ones), 0x62A8AB43U);
}

TEST(RawProduce, TransactionalBatchLayout) {
  const auto batch = encode_record_batch({.producer_id = 999000,
                                          .producer_epoch = 3,
                                          .base_sequence = 0,
                                          .transactional = true,
                                          .timestamp_ms = 1700000000123,
                                          .records = {{"k0", "v0"}, {std::nullopt, "value-1"}}});
  EXPECT_EQ(read_int(batch, 0, 8), 0);                                             // baseOffset
  EXPECT_EQ(read_int(batch, 8, 4), static_cast<std::int64_t>(batch.size()) - 12);  // batchLength
  EXPECT_EQ(read_int(batch, 12, 4), -1);                                           // partitionLeaderEpoch
  EXPECT_EQ(read_int(batch, 16, 1), 2);                                            // magic
  EXPECT_EQ(static_cast<std::uint32_t>(read_int(batch, 17, 4)), crc32c(std::span(batch).subspan(21)));
  EXPECT_EQ(read_int(batch, 21, 2), 0x10);  // attributes: transactional, uncompressed, CreateTime
  EXPECT_EQ(read_int(batch, 23, 4), 1);     // lastOffsetDelta
  EXPECT_EQ(read_int(batch, 27, 8), 1700000000123);
  EXPECT_EQ(read_int(batch, 35, 8), 1700000000123);
  EXPECT_EQ(read_int(batch, 43, 8), 999000);
  EXPECT_EQ(read_int(batch, 51, 2), 3);
  EXPECT_EQ(read_int(batch, 53, 4), 0);
  EXPECT_EQ(read_int(batch, 57, 4), 2);
  // First record: length 10 (varints are zig-zag: 20), attributes, timestampDelta 0,
  // offsetDelta 0, key "k0", value "v0", no headers.
  const std::vector<std::uint8_t> first{20, 0, 0, 0, 4, 'k', '0', 4, 'v', '0', 0};
  EXPECT_EQ(std::vector<std::uint8_t>(batch.begin() + 61, batch.begin() + 61 + 11), first);
  EXPECT_EQ(batch[61 + 11], 13 * 2);  // second record: length 13
  EXPECT_EQ(batch[61 + 11 + 4], 1);   // null key: varint -1
  EXPECT_EQ(batch.size(), 61U + 11 + 14);

  // The project's own decoder finds both records where the broker will put them.
  const auto second = proto::find_record_timestamp(batch, 1);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->offset, 1);
  EXPECT_EQ(second->timestamp_ms, 1700000000123);
  EXPECT_TRUE(second->exact);

  EXPECT_THROW(encode_record_batch({}), std::invalid_argument);
}

TEST(RawProduce, RequestEncoding) {
  RawProduceRequest request;
  request.transactional_id = "tx";
  request.topics.push_back({"t", {{1, std::vector<std::uint8_t>{0xAB}}}});
  proto::Writer w;
  request.encode(w, 8);
  const std::vector<std::uint8_t> expected{0,    2,    't',  'x',                   // transactional_id
                                           0xFF, 0xFF,                              // acks -1
                                           0,    0,    0x27, 0x10,                  // timeout_ms 10000
                                           0,    0,    0,    1,    0,   1, 't',     // topics: one, "t"
                                           0,    0,    0,    1,    0,   0, 0,   1,  // partitions: one, index 1
                                           0,    0,    0,    1,    0xAB};           // records
  EXPECT_EQ(w.data(), expected);
  proto::Writer none;
  request.transactional_id.reset();
  request.encode(none, 3);
  EXPECT_EQ(none.data()[0], 0xFF);  // null string: length -1
  EXPECT_EQ(none.data()[1], 0xFF);
  proto::Writer refused;
  EXPECT_THROW(request.encode(refused, 9), std::invalid_argument);
}

std::vector<std::uint8_t> response_bytes(std::int16_t version) {
  proto::Writer w;
  w.int32(1);
  w.string("t");
  w.int32(1);
  w.int32(1);  // index
  w.int16(static_cast<std::int16_t>(proto::ErrorCode::invalid_txn_state));
  w.int64(42);                   // base_offset
  w.int64(-1);                   // log_append_time_ms
  if (version >= 5) w.int64(7);  // log_start_offset
  if (version >= 8) {
    w.int32(1);
    w.int32(0);
    w.nullable_string("bad record");
    w.nullable_string(std::nullopt);  // error_message
  }
  w.int32(5);  // throttle_time_ms
  return std::move(w).take();
}

TEST(RawProduce, ResponseDecoding) {
  for (const std::int16_t version : {3, 5, 8}) {
    const auto bytes = response_bytes(version);
    proto::Reader r(bytes);
    const auto response = RawProduceResponse::decode(r, version);
    EXPECT_EQ(r.remaining(), 0U) << "version " << version;
    ASSERT_EQ(response.responses.size(), 1U);
    ASSERT_EQ(response.responses[0].partitions.size(), 1U);
    const auto& p = response.responses[0].partitions[0];
    EXPECT_EQ(p.index, 1);
    EXPECT_EQ(p.error_code, proto::ErrorCode::invalid_txn_state);
    EXPECT_EQ(p.base_offset, 42);
    EXPECT_EQ(p.log_start_offset, version >= 5 ? 7 : -1);
    EXPECT_EQ(p.record_errors.size(), version >= 8 ? 1U : 0U);
    EXPECT_EQ(p.error_message, std::nullopt);
    EXPECT_EQ(response.throttle_time_ms, 5);
  }
  const auto v8 = response_bytes(8);
  const auto cut = std::span<const std::uint8_t>(v8).first(v8.size() - 1);
  proto::Reader short_read(cut);
  EXPECT_THROW(RawProduceResponse::decode(short_read, 8), proto::DecodeError);
}

}  // namespace
}  // namespace msgwatch::test
