#include "probes/kafka/protocol/writer.hpp"

#include <bit>
#include <limits>
#include <stdexcept>

namespace msgwatch::kafka::protocol {

namespace {

void check_length(std::size_t length, std::size_t max, const char* what) {
  if (length > max) {
    throw std::length_error(std::string("kafka protocol: ") + what + " of " + std::to_string(length) +
                            " exceeds the wire limit " + std::to_string(max));
  }
}

constexpr std::size_t max_classic_string = std::numeric_limits<std::int16_t>::max();
constexpr std::size_t max_classic_length = std::numeric_limits<std::int32_t>::max();
// Compact lengths are sent as length + 1 in an unsigned 32-bit varint.
constexpr std::size_t max_compact_length = std::numeric_limits<std::uint32_t>::max() - 1;

}  // namespace

void Writer::big_endian(std::uint64_t value, int size) {
  for (int shift = 8 * (size - 1); shift >= 0; shift -= 8) {
    buffer_.push_back(static_cast<std::uint8_t>(value >> shift));
  }
}

void Writer::int8(std::int8_t value) { big_endian(static_cast<std::uint8_t>(value), 1); }
void Writer::int16(std::int16_t value) { big_endian(static_cast<std::uint16_t>(value), 2); }
void Writer::int32(std::int32_t value) { big_endian(static_cast<std::uint32_t>(value), 4); }
void Writer::int64(std::int64_t value) { big_endian(static_cast<std::uint64_t>(value), 8); }
void Writer::uint16(std::uint16_t value) { big_endian(value, 2); }
void Writer::uint32(std::uint32_t value) { big_endian(value, 4); }
void Writer::float64(double value) { big_endian(std::bit_cast<std::uint64_t>(value), 8); }
void Writer::boolean(bool value) { int8(value ? 1 : 0); }
void Writer::error_code(ErrorCode code) { int16(to_int(code)); }
void Writer::uuid(const Uuid& value) { raw(value.bytes); }

void Writer::raw(std::span<const std::uint8_t> bytes) { buffer_.insert(buffer_.end(), bytes.begin(), bytes.end()); }

void Writer::unsigned_varint(std::uint32_t value) {
  while (value >= 0x80U) {
    buffer_.push_back(static_cast<std::uint8_t>(value | 0x80U));
    value >>= 7;
  }
  buffer_.push_back(static_cast<std::uint8_t>(value));
}

void Writer::varint(std::int32_t value) {
  const auto u = static_cast<std::uint32_t>(value);
  unsigned_varint((u << 1) ^ (value < 0 ? 0xffffffffU : 0U));
}

void Writer::varlong(std::int64_t value) {
  const auto u = static_cast<std::uint64_t>(value);
  std::uint64_t zigzag = (u << 1) ^ (value < 0 ? ~std::uint64_t{0} : std::uint64_t{0});
  while (zigzag >= 0x80U) {
    buffer_.push_back(static_cast<std::uint8_t>(zigzag | 0x80U));
    zigzag >>= 7;
  }
  buffer_.push_back(static_cast<std::uint8_t>(zigzag));
}

void Writer::classic_nullable_string(const std::optional<std::string>& value) {
  if (!value) {
    int16(-1);
    return;
  }
  classic_string(*value);
}

void Writer::classic_string(std::string_view value) {
  check_length(value.size(), max_classic_string, "string length");
  int16(static_cast<std::int16_t>(value.size()));
  raw(std::span(reinterpret_cast<const std::uint8_t*>(value.data()), value.size()));
}

void Writer::compact_string(std::string_view value) {
  check_length(value.size(), max_compact_length, "string length");
  unsigned_varint(static_cast<std::uint32_t>(value.size() + 1));
  raw(std::span(reinterpret_cast<const std::uint8_t*>(value.data()), value.size()));
}

void Writer::compact_nullable_string(const std::optional<std::string>& value) {
  if (!value) {
    unsigned_varint(0);
    return;
  }
  compact_string(*value);
}

void Writer::string(std::string_view value) {
  if (flexible_) {
    compact_string(value);
  } else {
    classic_string(value);
  }
}

void Writer::nullable_string(const std::optional<std::string>& value) {
  if (flexible_) {
    compact_nullable_string(value);
  } else {
    classic_nullable_string(value);
  }
}

void Writer::bytes(std::span<const std::uint8_t> value) {
  if (flexible_) {
    check_length(value.size(), max_compact_length, "bytes length");
    unsigned_varint(static_cast<std::uint32_t>(value.size() + 1));
  } else {
    check_length(value.size(), max_classic_length, "bytes length");
    int32(static_cast<std::int32_t>(value.size()));
  }
  raw(value);
}

void Writer::nullable_bytes(const std::optional<std::vector<std::uint8_t>>& value) {
  if (!value) {
    if (flexible_) {
      unsigned_varint(0);
    } else {
      int32(-1);
    }
    return;
  }
  bytes(*value);
}

void Writer::array_length(std::size_t count) {
  if (flexible_) {
    check_length(count, max_compact_length, "array length");
    unsigned_varint(static_cast<std::uint32_t>(count + 1));
  } else {
    check_length(count, max_classic_length, "array length");
    int32(static_cast<std::int32_t>(count));
  }
}

void Writer::null_array() {
  if (flexible_) {
    unsigned_varint(0);
  } else {
    int32(-1);
  }
}

void Writer::int32_array(const std::vector<std::int32_t>& values) {
  array(values, [](Writer& w, std::int32_t v) { w.int32(v); });
}

void Writer::int64_array(const std::vector<std::int64_t>& values) {
  array(values, [](Writer& w, std::int64_t v) { w.int64(v); });
}

void Writer::string_array(const std::vector<std::string>& values) {
  array(values, [](Writer& w, const std::string& v) { w.string(v); });
}

void Writer::nullable_string_array(const std::optional<std::vector<std::string>>& values) {
  nullable_array(values, [](Writer& w, const std::string& v) { w.string(v); });
}

void Writer::tagged_fields() {
  if (flexible_) {
    unsigned_varint(0);
  }
}

void Writer::tagged_fields(std::span<const TaggedField> fields) {
  if (!flexible_) {
    return;
  }
  unsigned_varint(static_cast<std::uint32_t>(fields.size()));
  for (const TaggedField& field : fields) {
    check_length(field.value.size(), std::numeric_limits<std::uint32_t>::max(), "tagged field size");
    unsigned_varint(field.tag);
    unsigned_varint(static_cast<std::uint32_t>(field.value.size()));
    raw(field.value);
  }
}

void Writer::patch_int32(std::size_t offset, std::int32_t value) {
  if (offset + 4 > buffer_.size()) {
    throw std::out_of_range("kafka protocol: patch_int32 beyond the written bytes");
  }
  const auto u = static_cast<std::uint32_t>(value);
  for (int i = 0; i < 4; ++i) {
    buffer_[offset + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(u >> (24 - 8 * i));
  }
}

}  // namespace msgwatch::kafka::protocol
