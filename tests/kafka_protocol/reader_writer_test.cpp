#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "probes/kafka/protocol/reader.hpp"
#include "probes/kafka/protocol/writer.hpp"
#include "tests/kafka_protocol/byte_helpers.hpp"

namespace msgwatch::kafka::protocol {
namespace {

using testing::ascii;
using testing::Bytes;
using testing::operator+;

Bytes written(void (*write)(Writer&), bool flexible = false) {
  Writer w(flexible);
  write(w);
  return std::move(w).take();
}

TEST(Writer, FixedWidthIntegersAreBigEndian) {
  Writer w;
  w.int8(-2);
  w.int16(0x1234);
  w.int32(-2);
  w.int64(0x0102030405060708);
  w.uint16(0xfffe);
  w.uint32(0xdeadbeef);
  EXPECT_EQ(w.data(), (Bytes{0xfe, 0x12, 0x34, 0xff, 0xff, 0xff, 0xfe, 0x01, 0x02, 0x03, 0x04,
                             0x05, 0x06, 0x07, 0x08, 0xff, 0xfe, 0xde, 0xad, 0xbe, 0xef}));
}

TEST(Reader, FixedWidthIntegersBoundaryValues) {
  Writer w;
  w.int8(std::numeric_limits<std::int8_t>::min());
  w.int8(std::numeric_limits<std::int8_t>::max());
  w.int16(std::numeric_limits<std::int16_t>::min());
  w.int16(std::numeric_limits<std::int16_t>::max());
  w.int32(std::numeric_limits<std::int32_t>::min());
  w.int32(std::numeric_limits<std::int32_t>::max());
  w.int64(std::numeric_limits<std::int64_t>::min());
  w.int64(std::numeric_limits<std::int64_t>::max());
  w.uint16(std::numeric_limits<std::uint16_t>::max());
  w.uint32(std::numeric_limits<std::uint32_t>::max());
  Reader r(w.data());
  EXPECT_EQ(r.int8("a"), std::numeric_limits<std::int8_t>::min());
  EXPECT_EQ(r.int8("a"), std::numeric_limits<std::int8_t>::max());
  EXPECT_EQ(r.int16("a"), std::numeric_limits<std::int16_t>::min());
  EXPECT_EQ(r.int16("a"), std::numeric_limits<std::int16_t>::max());
  EXPECT_EQ(r.int32("a"), std::numeric_limits<std::int32_t>::min());
  EXPECT_EQ(r.int32("a"), std::numeric_limits<std::int32_t>::max());
  EXPECT_EQ(r.int64("a"), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(r.int64("a"), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(r.uint16("a"), std::numeric_limits<std::uint16_t>::max());
  EXPECT_EQ(r.uint32("a"), std::numeric_limits<std::uint32_t>::max());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(Reader, TruncatedFixedWidthThrowsWithFieldAndOffset) {
  const Bytes bytes{0x00, 0x01, 0x02};
  Reader r(bytes);
  r.int8("first");
  try {
    r.int32("leader_id");
    FAIL() << "expected DecodeError";
  } catch (const DecodeError& e) {
    EXPECT_NE(std::string(e.what()).find("leader_id"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("offset 1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Reader(Bytes{}).int8("x"), DecodeError);
  EXPECT_THROW(Reader(Bytes{0}).int16("x"), DecodeError);
  EXPECT_THROW(Reader(Bytes{0, 0, 0, 0, 0, 0, 0}).int64("x"), DecodeError);
}

TEST(Float64, RoundTripsSpecialValues) {
  for (const double v :
       {0.0, -0.0, 1.5, -1e300, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::denorm_min()}) {
    Writer w;
    w.float64(v);
    Reader r(w.data());
    const double back = r.float64("f");
    EXPECT_EQ(std::signbit(back), std::signbit(v));
    EXPECT_EQ(back, v);
  }
  Writer w;
  w.float64(1.0);
  EXPECT_EQ(w.data(), (Bytes{0x3f, 0xf0, 0, 0, 0, 0, 0, 0}));
  Writer nan;
  nan.float64(std::numeric_limits<double>::quiet_NaN());
  EXPECT_TRUE(std::isnan(Reader(nan.data()).float64("f")));
}

TEST(Boolean, EncodesZeroOneAndAcceptsAnyNonZero) {
  Writer w;
  w.boolean(true);
  w.boolean(false);
  EXPECT_EQ(w.data(), (Bytes{1, 0}));
  const Bytes bytes{0, 1, 0x80};
  Reader r(bytes);
  EXPECT_FALSE(r.boolean("b"));
  EXPECT_TRUE(r.boolean("b"));
  EXPECT_TRUE(r.boolean("b"));
}

TEST(Uuid, SixteenRawBytesAndBase64) {
  Uuid id;
  for (std::size_t i = 0; i < 16; ++i) {
    id.bytes[i] = static_cast<std::uint8_t>(i);
  }
  Writer w;
  w.uuid(id);
  EXPECT_EQ(w.data(), (Bytes{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}));
  Reader r(w.data());
  EXPECT_EQ(r.uuid("id"), id);
  EXPECT_EQ(id.to_base64(), "AAECAwQFBgcICQoLDA0ODw");
  EXPECT_TRUE(Uuid{}.is_zero());
  EXPECT_FALSE(id.is_zero());
  EXPECT_THROW(Reader(Bytes(15, 0)).uuid("id"), DecodeError);
}

struct VarintCase {
  std::uint32_t value;
  Bytes encoded;
};

TEST(UnsignedVarint, KnownEncodings) {
  const VarintCase cases[] = {
      {0, {0x00}},
      {1, {0x01}},
      {127, {0x7f}},
      {128, {0x80, 0x01}},
      {300, {0xac, 0x02}},
      {16383, {0xff, 0x7f}},
      {16384, {0x80, 0x80, 0x01}},
      {0x0fffffff, {0xff, 0xff, 0xff, 0x7f}},
      {0x10000000, {0x80, 0x80, 0x80, 0x80, 0x01}},
      {0xffffffff, {0xff, 0xff, 0xff, 0xff, 0x0f}},
  };
  for (const auto& c : cases) {
    Writer w;
    w.unsigned_varint(c.value);
    EXPECT_EQ(w.data(), c.encoded) << c.value;
    Reader r(c.encoded);
    EXPECT_EQ(r.unsigned_varint("v"), c.value);
    EXPECT_EQ(r.remaining(), 0u);
  }
}

TEST(UnsignedVarint, RejectsOverlongAndOverflowingAndTruncated) {
  // Six bytes: longer than any 32-bit value needs.
  EXPECT_THROW(Reader(Bytes{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}).unsigned_varint("v"), DecodeError);
  // Five bytes whose last one carries bits beyond 32.
  EXPECT_THROW(Reader(Bytes{0xff, 0xff, 0xff, 0xff, 0x1f}).unsigned_varint("v"), DecodeError);
  EXPECT_THROW(Reader(Bytes{0xff, 0xff, 0xff, 0xff, 0x7f}).unsigned_varint("v"), DecodeError);
  // Continuation bit set on the last available byte.
  EXPECT_THROW(Reader(Bytes{0x80}).unsigned_varint("v"), DecodeError);
  EXPECT_THROW(Reader(Bytes{}).unsigned_varint("v"), DecodeError);
}

TEST(Varint, ZigZagKnownEncodings) {
  const std::pair<std::int32_t, Bytes> cases[] = {
      {0, {0x00}},
      {-1, {0x01}},
      {1, {0x02}},
      {-2, {0x03}},
      {63, {0x7e}},
      {-64, {0x7f}},
      {64, {0x80, 0x01}},
      {std::numeric_limits<std::int32_t>::max(), {0xfe, 0xff, 0xff, 0xff, 0x0f}},
      {std::numeric_limits<std::int32_t>::min(), {0xff, 0xff, 0xff, 0xff, 0x0f}},
  };
  for (const auto& [value, encoded] : cases) {
    Writer w;
    w.varint(value);
    EXPECT_EQ(w.data(), encoded) << value;
    EXPECT_EQ(Reader(encoded).varint("v"), value);
  }
}

TEST(Varlong, ZigZagBoundariesAndLimits) {
  for (const std::int64_t value :
       {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1} << 40, -(std::int64_t{1} << 40),
        std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()}) {
    Writer w;
    w.varlong(value);
    EXPECT_LE(w.size(), 10u);
    Reader r(w.data());
    EXPECT_EQ(r.varlong("v"), value);
    EXPECT_EQ(r.remaining(), 0u);
  }
  Writer max;
  max.varlong(std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(max.data(), (Bytes{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
  EXPECT_THROW(Reader(Bytes(10, 0x80) + Bytes{0x00}).varlong("v"), DecodeError);
  EXPECT_THROW(Reader(Bytes(9, 0xff) + Bytes{0x02}).varlong("v"), DecodeError);
}

TEST(ClassicString, EncodingAndNull) {
  Writer w;
  w.string("abc");
  w.nullable_string(std::nullopt);
  w.nullable_string(std::string());
  EXPECT_EQ(w.data(), (Bytes{0x00, 0x03} + ascii("abc") + Bytes{0xff, 0xff, 0x00, 0x00}));
  Reader r(w.data());
  EXPECT_EQ(r.string("s"), "abc");
  EXPECT_EQ(r.nullable_string("s"), std::nullopt);
  EXPECT_EQ(r.nullable_string("s"), std::optional<std::string>(""));
}

TEST(ClassicString, RejectsNullNegativeAndOversizedLengths) {
  EXPECT_THROW(Reader(Bytes{0xff, 0xff}).string("s"), DecodeError);           // null, not nullable
  EXPECT_THROW(Reader(Bytes{0xff, 0xfe}).nullable_string("s"), DecodeError);  // -2
  EXPECT_THROW(Reader(Bytes{0x80, 0x00}).nullable_string("s"), DecodeError);  // -32768
  EXPECT_THROW(Reader(Bytes{0x00, 0x04} + ascii("abc")).string("s"), DecodeError);
  EXPECT_THROW(Reader(Bytes{0x7f, 0xff}).string("s"), DecodeError);
}

TEST(ClassicString, WriterRejectsStringsTheWireCannotCarry) {
  Writer w;
  EXPECT_THROW(w.string(std::string(40000, 'x')), std::length_error);
  w.string(std::string(32767, 'x'));
  EXPECT_EQ(w.size(), 32769u);
}

TEST(CompactString, EncodingAndNull) {
  Writer w(true);
  w.string("abc");
  w.nullable_string(std::nullopt);
  w.string("");
  w.string(std::string(200, 'z'));
  EXPECT_EQ(Bytes(w.data().begin(), w.data().begin() + 6), (Bytes{0x04} + ascii("abc") + Bytes{0x00, 0x01}));
  EXPECT_EQ(w.data()[6], 0xc9);  // 201 = 0b1_1001001
  EXPECT_EQ(w.data()[7], 0x01);
  Reader r(w.data(), true);
  EXPECT_EQ(r.string("s"), "abc");
  EXPECT_EQ(r.nullable_string("s"), std::nullopt);
  EXPECT_EQ(r.string("s"), "");
  EXPECT_EQ(r.string("s"), std::string(200, 'z'));
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(CompactString, RejectsNullAndOversizedLengths) {
  EXPECT_THROW(Reader(Bytes{0x00}, true).string("s"), DecodeError);
  EXPECT_THROW(Reader(Bytes{0x05} + ascii("abc"), true).string("s"), DecodeError);
  // Length 2^32 - 2 declared in 5 varint bytes, with nothing behind it.
  EXPECT_THROW(Reader(Bytes{0xff, 0xff, 0xff, 0xff, 0x0f}, true).string("s"), DecodeError);
}

TEST(Bytes, ClassicAndCompactEncodings) {
  const Bytes payload{0xde, 0xad};
  Writer classic;
  classic.bytes(payload);
  classic.nullable_bytes(std::nullopt);
  EXPECT_EQ(classic.data(), (Bytes{0, 0, 0, 2, 0xde, 0xad, 0xff, 0xff, 0xff, 0xff}));
  Reader cr(classic.data());
  EXPECT_EQ(cr.bytes("b"), payload);
  EXPECT_EQ(cr.nullable_bytes("b"), std::nullopt);

  Writer compact(true);
  compact.bytes(payload);
  compact.nullable_bytes(std::nullopt);
  EXPECT_EQ(compact.data(), (Bytes{0x03, 0xde, 0xad, 0x00}));
  Reader fr(compact.data(), true);
  EXPECT_EQ(fr.bytes("b"), payload);
  EXPECT_EQ(fr.nullable_bytes("b"), std::nullopt);
}

TEST(Bytes, RejectsNegativeNullAndOversizedLengths) {
  EXPECT_THROW(Reader(Bytes{0xff, 0xff, 0xff, 0xff}).bytes("b"), DecodeError);
  EXPECT_THROW(Reader(Bytes{0xff, 0xff, 0xff, 0xfe}).nullable_bytes("b"), DecodeError);
  EXPECT_THROW(Reader(Bytes{0x80, 0x00, 0x00, 0x00}).nullable_bytes("b"), DecodeError);
  EXPECT_THROW(Reader(Bytes{0x7f, 0xff, 0xff, 0xff, 0x00}).bytes("b"), DecodeError);
  EXPECT_THROW(Reader(Bytes{0x00}, true).bytes("b"), DecodeError);
  EXPECT_THROW(Reader(Bytes{0x03, 0x01}, true).bytes("b"), DecodeError);
}

TEST(Array, ClassicAndCompactLengths) {
  const std::vector<std::int32_t> values{1, -1};
  Writer classic;
  classic.int32_array(values);
  classic.null_array();
  EXPECT_EQ(classic.data(), (Bytes{0, 0, 0, 2, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  Reader cr(classic.data());
  EXPECT_EQ(cr.int32_array("a"), values);
  EXPECT_EQ(cr.nullable_array_length("a"), std::nullopt);

  Writer compact(true);
  compact.int32_array(values);
  compact.null_array();
  compact.string_array({"x"});
  EXPECT_EQ(compact.data(), (Bytes{0x03, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0x00, 0x02, 0x02, 'x'}));
  Reader fr(compact.data(), true);
  EXPECT_EQ(fr.int32_array("a"), values);
  EXPECT_EQ(fr.nullable_string_array("a"), std::nullopt);
  EXPECT_EQ(fr.string_array("a"), std::vector<std::string>{"x"});
}

TEST(Array, RejectsNegativeNullAndImpossibleCounts) {
  EXPECT_THROW(Reader(Bytes{0xff, 0xff, 0xff, 0xff}).array_length("a"), DecodeError);  // null
  EXPECT_THROW(Reader(Bytes{0xff, 0xff, 0xff, 0xfe}).nullable_array_length("a"), DecodeError);
  EXPECT_THROW(Reader(Bytes{0x80, 0x00, 0x00, 0x00}).nullable_array_length("a"), DecodeError);
  // A billion elements announced, three bytes follow.
  EXPECT_THROW(Reader(Bytes{0x3b, 0x9a, 0xca, 0x00, 1, 2, 3}).array_length("a"), DecodeError);
  // Two int32 elements need 8 bytes, 7 remain: rejected before reading any element.
  EXPECT_THROW(Reader(Bytes{0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0}).int32_array("a"), DecodeError);
  EXPECT_THROW(Reader(Bytes{0x00}, true).array_length("a"), DecodeError);
  EXPECT_THROW(Reader(Bytes{0xff, 0xff, 0xff, 0xff, 0x0f}, true).array_length("a"), DecodeError);
  // The count check is exact: as many one-byte elements as bytes remain is fine.
  const Bytes three{0, 0, 0, 3, 1, 1, 1};
  Reader ok(three);
  EXPECT_EQ(ok.array_length("a"), 3u);
}

TEST(Array, GenericStructElementsRoundTrip) {
  struct Pair {
    std::string name;
    std::int16_t value;
    bool operator==(const Pair&) const = default;
  };
  const std::vector<Pair> pairs{{"a", 1}, {"bb", -2}};
  for (const bool flexible : {false, true}) {
    Writer w(flexible);
    w.array(pairs, [](Writer& w, const Pair& p) {
      w.string(p.name);
      w.int16(p.value);
      w.tagged_fields();
    });
    Reader r(w.data(), flexible);
    const auto back = r.array("pairs", [](Reader& r) {
      Pair p{r.string("name"), r.int16("value")};
      r.tagged_fields();
      return p;
    });
    EXPECT_EQ(back, pairs);
    EXPECT_EQ(r.remaining(), 0u);
  }
}

TEST(TaggedFields, EmptySectionOnlyWhenFlexible) {
  EXPECT_EQ(written([](Writer& w) { w.tagged_fields(); }, false), Bytes{});
  EXPECT_EQ(written([](Writer& w) { w.tagged_fields(); }, true), Bytes{0x00});
}

TEST(TaggedFields, UnknownFieldsAreSkippedAndKnownOnesRead) {
  // Two fields: tag 0 (int16 7, known) and tag 5 (three unknown bytes), then a trailing int8.
  const Bytes bytes{0x02, 0x00, 0x02, 0x00, 0x07, 0x05, 0x03, 0xaa, 0xbb, 0xcc, 0x2a};
  Reader r(bytes, true);
  std::int16_t known = 0;
  r.tagged_fields([&](std::uint32_t tag, Reader& value) {
    if (tag != 0) {
      return false;
    }
    known = value.int16("known");
    return true;
  });
  EXPECT_EQ(known, 7);
  EXPECT_EQ(r.int8("after"), 42);

  Reader skipping(bytes, true);
  skipping.tagged_fields();
  EXPECT_EQ(skipping.int8("after"), 42);
}

TEST(TaggedFields, RejectsBadSizesAndCounts) {
  // Declared size 9 with 2 bytes left.
  EXPECT_THROW(Reader(Bytes{0x01, 0x00, 0x09, 0x00, 0x07}, true).tagged_fields(), DecodeError);
  // Known field that does not consume its declared size (int16 in 3 bytes).
  const Bytes loose{0x01, 0x00, 0x03, 0x00, 0x07, 0x00};
  Reader r(loose, true);
  EXPECT_THROW(r.tagged_fields([](std::uint32_t, Reader& v) {
    v.int16("known");
    return true;
  }),
               DecodeError);
  // Known field reading past its declared size.
  const Bytes tight{0x01, 0x00, 0x01, 0x00, 0x07};
  Reader past(tight, true);
  EXPECT_THROW(past.tagged_fields([](std::uint32_t, Reader& v) {
    v.int16("known");
    return true;
  }),
               DecodeError);
  // More fields announced than could fit (each needs >= 2 bytes).
  EXPECT_THROW(Reader(Bytes{0x03, 0x00, 0x00, 0x01, 0x00}, true).tagged_fields(), DecodeError);
  // Over-long varint for the size.
  EXPECT_THROW(Reader(Bytes{0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, true).tagged_fields(), DecodeError);
}

TEST(TaggedFields, WriterEncodesGivenFields) {
  Writer w(true);
  const std::vector<TaggedField> fields{make_tagged_field(1, [](Writer& v) { v.int64(-1); }), TaggedField{300, {0xab}}};
  w.tagged_fields(fields);
  EXPECT_EQ(w.data(),
            (Bytes{0x02, 0x01, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xac, 0x02, 0x01, 0xab}));
}

TEST(Reader, ExpectEndAndSubReaderOffsets) {
  const Bytes bytes{0, 1, 2, 3, 4};
  Reader r(bytes);
  r.int8("a");
  EXPECT_THROW(r.expect_end("frame"), DecodeError);
  Reader sub = r.sub_reader(2, "sub");
  EXPECT_EQ(r.offset(), 3u);
  sub.int16("inner");
  try {
    sub.int8("beyond");
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_NE(std::string(e.what()).find("offset 3"), std::string::npos) << e.what();
  }
  EXPECT_THROW(r.sub_reader(3, "sub"), DecodeError);
}

TEST(Writer, PatchInt32) {
  Writer w;
  w.int32(0);
  w.int8(1);
  w.patch_int32(0, 0x01020304);
  EXPECT_EQ(w.data(), (Bytes{1, 2, 3, 4, 1}));
  EXPECT_THROW(w.patch_int32(2, 0), std::out_of_range);
}

}  // namespace
}  // namespace msgwatch::kafka::protocol
