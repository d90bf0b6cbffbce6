#include "probes/kafka/protocol/reader.hpp"

#include <algorithm>
#include <bit>
#include <limits>

namespace msgwatch::kafka::protocol {

namespace {

template <class T>
T load_big_endian(std::span<const std::uint8_t> bytes) {
  using U = std::make_unsigned_t<T>;
  U value = 0;
  for (const std::uint8_t b : bytes) {
    value = static_cast<U>((value << 8) | b);
  }
  return static_cast<T>(value);
}

}  // namespace

void Reader::fail(std::string_view field, std::string_view reason) const {
  std::string message = "kafka protocol: cannot decode ";
  message.append(field);
  message.append(" at offset ");
  message.append(std::to_string(base_offset_ + offset_));
  message.append(": ");
  message.append(reason);
  throw DecodeError(message);
}

std::span<const std::uint8_t> Reader::take(std::size_t size, std::string_view field) {
  if (size > remaining()) {
    fail(field, "needs " + std::to_string(size) + " bytes, " + std::to_string(remaining()) + " remain");
  }
  const auto bytes = data_.subspan(offset_, size);
  offset_ += size;
  return bytes;
}

std::size_t Reader::checked_count(std::uint64_t count, std::size_t min_element_size, std::string_view field) const {
  if (count > remaining() / min_element_size) {
    fail(field,
         "count " + std::to_string(count) + " cannot fit in the " + std::to_string(remaining()) + " remaining bytes");
  }
  return static_cast<std::size_t>(count);
}

std::int8_t Reader::int8(std::string_view field) { return load_big_endian<std::int8_t>(take(1, field)); }
std::int16_t Reader::int16(std::string_view field) { return load_big_endian<std::int16_t>(take(2, field)); }
std::int32_t Reader::int32(std::string_view field) { return load_big_endian<std::int32_t>(take(4, field)); }
std::int64_t Reader::int64(std::string_view field) { return load_big_endian<std::int64_t>(take(8, field)); }
std::uint16_t Reader::uint16(std::string_view field) { return load_big_endian<std::uint16_t>(take(2, field)); }
std::uint32_t Reader::uint32(std::string_view field) { return load_big_endian<std::uint32_t>(take(4, field)); }

double Reader::float64(std::string_view field) {
  return std::bit_cast<double>(load_big_endian<std::uint64_t>(take(8, field)));
}

// Kafka's own decoder treats any non-zero byte as true; doing the same keeps us from
// rejecting a frame the broker's clients accept.
bool Reader::boolean(std::string_view field) { return int8(field) != 0; }

ErrorCode Reader::error_code(std::string_view field) { return static_cast<ErrorCode>(int16(field)); }

Uuid Reader::uuid(std::string_view field) {
  const auto bytes = take(16, field);
  Uuid id;
  std::copy(bytes.begin(), bytes.end(), id.bytes.begin());
  return id;
}

std::uint64_t Reader::read_unsigned_varlong(std::string_view field, int max_bytes) {
  const int value_bits = max_bytes == 5 ? 32 : 64;
  std::uint64_t value = 0;
  for (int i = 0; i < max_bytes; ++i) {
    const std::uint8_t b = take(1, field)[0];
    const int shift = 7 * i;
    const std::uint64_t payload = b & 0x7fU;
    if (value_bits - shift < 7 && (payload >> (value_bits - shift)) != 0) {
      fail(field, "varint overflows " + std::to_string(value_bits) + " bits");
    }
    value |= payload << shift;
    if ((b & 0x80U) == 0) {
      return value;
    }
  }
  fail(field, "varint longer than " + std::to_string(max_bytes) + " bytes");
}

std::uint32_t Reader::unsigned_varint(std::string_view field) {
  return static_cast<std::uint32_t>(read_unsigned_varlong(field, 5));
}

std::int32_t Reader::varint(std::string_view field) {
  const auto zigzag = static_cast<std::uint32_t>(read_unsigned_varlong(field, 5));
  return static_cast<std::int32_t>((zigzag >> 1) ^ (~(zigzag & 1U) + 1U));
}

std::int64_t Reader::varlong(std::string_view field) {
  const std::uint64_t zigzag = read_unsigned_varlong(field, 10);
  return static_cast<std::int64_t>((zigzag >> 1) ^ (~(zigzag & 1U) + 1U));
}

std::string Reader::read_string_bytes(std::size_t size, std::string_view field) {
  const auto bytes = take(size, field);
  return std::string(bytes.begin(), bytes.end());
}

std::optional<std::string> Reader::classic_nullable_string(std::string_view field) {
  const std::int16_t length = int16(field);
  if (length == -1) {
    return std::nullopt;
  }
  if (length < 0) {
    fail(field, "negative string length " + std::to_string(length));
  }
  return read_string_bytes(static_cast<std::size_t>(length), field);
}

std::optional<std::string> Reader::compact_nullable_string(std::string_view field) {
  const std::uint32_t length_plus_one = unsigned_varint(field);
  if (length_plus_one == 0) {
    return std::nullopt;
  }
  return read_string_bytes(length_plus_one - 1, field);
}

std::string Reader::compact_string(std::string_view field) {
  auto value = compact_nullable_string(field);
  if (!value) {
    fail(field, "null where the field is not nullable");
  }
  return std::move(*value);
}

std::optional<std::string> Reader::nullable_string(std::string_view field) {
  return flexible_ ? compact_nullable_string(field) : classic_nullable_string(field);
}

std::string Reader::string(std::string_view field) {
  auto value = nullable_string(field);
  if (!value) {
    fail(field, "null where the field is not nullable");
  }
  return std::move(*value);
}

std::optional<std::vector<std::uint8_t>> Reader::nullable_bytes(std::string_view field) {
  std::size_t length = 0;
  if (flexible_) {
    const std::uint32_t length_plus_one = unsigned_varint(field);
    if (length_plus_one == 0) {
      return std::nullopt;
    }
    length = length_plus_one - 1;
  } else {
    const std::int32_t classic_length = int32(field);
    if (classic_length == -1) {
      return std::nullopt;
    }
    if (classic_length < 0) {
      fail(field, "negative bytes length " + std::to_string(classic_length));
    }
    length = static_cast<std::size_t>(classic_length);
  }
  const auto bytes = take(length, field);
  return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
}

std::vector<std::uint8_t> Reader::bytes(std::string_view field) {
  auto value = nullable_bytes(field);
  if (!value) {
    fail(field, "null where the field is not nullable");
  }
  return std::move(*value);
}

std::optional<std::size_t> Reader::nullable_array_length(std::string_view field, std::size_t min_element_size) {
  std::uint64_t count = 0;
  if (flexible_) {
    const std::uint32_t count_plus_one = unsigned_varint(field);
    if (count_plus_one == 0) {
      return std::nullopt;
    }
    count = count_plus_one - 1;
  } else {
    const std::int32_t classic_count = int32(field);
    if (classic_count == -1) {
      return std::nullopt;
    }
    if (classic_count < 0) {
      fail(field, "negative array length " + std::to_string(classic_count));
    }
    count = static_cast<std::uint64_t>(classic_count);
  }
  return checked_count(count, min_element_size, field);
}

std::size_t Reader::array_length(std::string_view field, std::size_t min_element_size) {
  const auto count = nullable_array_length(field, min_element_size);
  if (!count) {
    fail(field, "null array where the field is not nullable");
  }
  return *count;
}

std::vector<std::int32_t> Reader::int32_array(std::string_view field) {
  const std::size_t count = array_length(field, sizeof(std::int32_t));
  std::vector<std::int32_t> values;
  values.reserve(count);  // exact: count * 4 bytes were checked to remain
  for (std::size_t i = 0; i < count; ++i) {
    values.push_back(int32(field));
  }
  return values;
}

std::vector<std::int64_t> Reader::int64_array(std::string_view field) {
  const std::size_t count = array_length(field, sizeof(std::int64_t));
  std::vector<std::int64_t> values;
  values.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    values.push_back(int64(field));
  }
  return values;
}

std::vector<std::string> Reader::string_array(std::string_view field) {
  return array(field, [field](Reader& r) { return r.string(field); });
}

std::optional<std::vector<std::string>> Reader::nullable_string_array(std::string_view field) {
  return nullable_array(field, [field](Reader& r) { return r.string(field); });
}

void Reader::tagged_fields() {
  tagged_fields([](std::uint32_t, Reader&) { return false; });
}

Reader Reader::sub_reader(std::size_t size, std::string_view field) {
  const std::size_t start = base_offset_ + offset_;
  Reader sub(take(size, field), flexible_);
  sub.base_offset_ = start;
  return sub;
}

std::span<const std::uint8_t> Reader::raw(std::size_t size, std::string_view field) { return take(size, field); }

void Reader::expect_end(std::string_view what) const {
  if (remaining() != 0) {
    fail(what, std::to_string(remaining()) + " unexpected trailing bytes");
  }
}

}  // namespace msgwatch::kafka::protocol
