#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "probes/kafka/protocol/decode_error.hpp"
#include "probes/kafka/protocol/error_code.hpp"
#include "probes/kafka/protocol/uuid.hpp"

namespace msgwatch::kafka::protocol {

// Bounds-checked reader of Kafka's big-endian wire primitives over a borrowed byte span.
//
// Every read names the field it reads; on malformed or truncated input it throws DecodeError
// carrying that name and the byte offset, and never reads outside the span. No allocation is
// sized by a length before that length has been checked against the bytes that remain.
//
// Strings, bytes, arrays and tagged-field sections have two encodings (classic with fixed-size
// lengths, compact with varint lengths as introduced by KIP-482). Which one the unqualified
// functions use follows flexible(), which a message decoder sets for its version, so message
// code reads as the field list of the spec. Not thread-safe; the span must outlive the reader.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> data, bool flexible = false) noexcept
      : data_(data), flexible_(flexible) {}

  std::size_t offset() const noexcept { return offset_; }
  std::size_t remaining() const noexcept { return data_.size() - offset_; }
  bool flexible() const noexcept { return flexible_; }
  void set_flexible(bool flexible) noexcept { flexible_ = flexible; }

  std::int8_t int8(std::string_view field);
  std::int16_t int16(std::string_view field);
  std::int32_t int32(std::string_view field);
  std::int64_t int64(std::string_view field);
  std::uint16_t uint16(std::string_view field);
  std::uint32_t uint32(std::string_view field);
  double float64(std::string_view field);
  bool boolean(std::string_view field);
  ErrorCode error_code(std::string_view field = "error_code");
  Uuid uuid(std::string_view field);

  // At most 5 bytes, and the value must fit 32 bits.
  std::uint32_t unsigned_varint(std::string_view field);
  // Zig-zag encoded: at most 5 bytes for varint, 10 for varlong.
  std::int32_t varint(std::string_view field);
  std::int64_t varlong(std::string_view field);

  // Encoding chosen by flexible().
  std::string string(std::string_view field);
  std::optional<std::string> nullable_string(std::string_view field);
  std::vector<std::uint8_t> bytes(std::string_view field);
  std::optional<std::vector<std::uint8_t>> nullable_bytes(std::string_view field);

  // Fixed encodings, for the few places the spec pins one regardless of version (the request
  // header's client id is a classic string even in flexible headers).
  std::optional<std::string> classic_nullable_string(std::string_view field);
  std::string compact_string(std::string_view field);
  std::optional<std::string> compact_nullable_string(std::string_view field);

  // Element count of an array whose elements each take at least min_element_size bytes, checked
  // against the remaining input so a forged count can neither over-allocate nor loop long.
  std::size_t array_length(std::string_view field, std::size_t min_element_size = 1);
  std::optional<std::size_t> nullable_array_length(std::string_view field, std::size_t min_element_size = 1);

  // read_element(Reader&) returns one element.
  template <class F>
  auto array(std::string_view field, F&& read_element) {
    using T = std::decay_t<std::invoke_result_t<F&, Reader&>>;
    const std::size_t count = array_length(field);
    return read_elements<T>(count, read_element);
  }

  template <class F>
  auto nullable_array(std::string_view field, F&& read_element) {
    using T = std::decay_t<std::invoke_result_t<F&, Reader&>>;
    std::optional<std::vector<T>> result;
    if (const auto count = nullable_array_length(field)) {
      result = read_elements<T>(*count, read_element);
    }
    return result;
  }

  std::vector<std::int32_t> int32_array(std::string_view field);
  std::vector<std::int64_t> int64_array(std::string_view field);
  std::vector<std::string> string_array(std::string_view field);
  std::optional<std::vector<std::string>> nullable_string_array(std::string_view field);

  // The tagged-field section closing every structure of a flexible version; a no-op otherwise.
  // This overload skips all fields: they are optional by definition.
  void tagged_fields();

  // on_field(std::uint32_t tag, Reader& value) returns false for tags it does not know, which
  // are skipped; a known field must consume exactly its declared size.
  template <class F>
  void tagged_fields(F&& on_field) {
    if (!flexible_) {
      return;
    }
    // Each field takes at least two bytes: its tag and its size.
    const std::size_t count = checked_count(unsigned_varint("tagged_fields.count"), 2, "tagged_fields.count");
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint32_t tag = unsigned_varint("tagged_field.tag");
      const std::uint32_t size = unsigned_varint("tagged_field.size");
      Reader value(take(size, "tagged_field.value"), flexible_);
      value.base_offset_ = base_offset_ + offset_ - size;
      if (on_field(tag, value)) {
        value.expect_end("tagged field value");
      }
    }
  }

  // A reader over the next size bytes, which this reader then skips; errors inside it report
  // offsets relative to the outermost input.
  Reader sub_reader(std::size_t size, std::string_view field);
  std::span<const std::uint8_t> raw(std::size_t size, std::string_view field);

  // Rejects trailing bytes: a frame longer than its content means the two sides disagree on
  // the layout, and silently ignoring that would hide the real bug.
  void expect_end(std::string_view what) const;

  [[noreturn]] void fail(std::string_view field, std::string_view reason) const;

 private:
  template <class T, class F>
  std::vector<T> read_elements(std::size_t count, F& read_element) {
    std::vector<T> elements;
    // Not reserved: count is bounded by the input size, but elements may be far larger than
    // the one byte each is guaranteed to take on the wire.
    for (std::size_t i = 0; i < count; ++i) {
      elements.push_back(read_element(*this));
    }
    return elements;
  }

  std::span<const std::uint8_t> take(std::size_t size, std::string_view field);
  std::size_t checked_count(std::uint64_t count, std::size_t min_element_size, std::string_view field) const;
  std::uint64_t read_unsigned_varlong(std::string_view field, int max_bytes);
  std::string read_string_bytes(std::size_t size, std::string_view field);

  std::span<const std::uint8_t> data_;
  std::size_t offset_ = 0;
  std::size_t base_offset_ = 0;
  bool flexible_;
};

}  // namespace msgwatch::kafka::protocol
