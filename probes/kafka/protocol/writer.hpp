#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "probes/kafka/protocol/error_code.hpp"
#include "probes/kafka/protocol/uuid.hpp"

namespace msgwatch::kafka::protocol {

// A tagged field ready to be written: its tag and its already encoded value.
struct TaggedField {
  std::uint32_t tag = 0;
  std::vector<std::uint8_t> value;
};

// Appends Kafka's big-endian wire primitives to an owned buffer; the mirror of Reader, with the
// same flexible() switch between classic and compact encodings.
//
// Values the wire cannot carry (a classic string over 32767 bytes, an array over INT32_MAX
// elements) are caller bugs and throw std::length_error. Not thread-safe.
class Writer {
 public:
  explicit Writer(bool flexible = false) noexcept : flexible_(flexible) {}

  bool flexible() const noexcept { return flexible_; }
  void set_flexible(bool flexible) noexcept { flexible_ = flexible; }

  std::size_t size() const noexcept { return buffer_.size(); }
  const std::vector<std::uint8_t>& data() const noexcept { return buffer_; }
  std::vector<std::uint8_t> take() && noexcept { return std::move(buffer_); }

  void int8(std::int8_t value);
  void int16(std::int16_t value);
  void int32(std::int32_t value);
  void int64(std::int64_t value);
  void uint16(std::uint16_t value);
  void uint32(std::uint32_t value);
  void float64(double value);
  void boolean(bool value);
  void error_code(ErrorCode code);
  void uuid(const Uuid& value);
  void unsigned_varint(std::uint32_t value);
  void varint(std::int32_t value);
  void varlong(std::int64_t value);
  void raw(std::span<const std::uint8_t> bytes);

  // Encoding chosen by flexible().
  void string(std::string_view value);
  void nullable_string(const std::optional<std::string>& value);
  void bytes(std::span<const std::uint8_t> value);
  void nullable_bytes(const std::optional<std::vector<std::uint8_t>>& value);

  // Fixed encodings, see Reader.
  void classic_nullable_string(const std::optional<std::string>& value);
  void compact_string(std::string_view value);
  void compact_nullable_string(const std::optional<std::string>& value);

  void array_length(std::size_t count);
  void null_array();

  // write_element(Writer&, const T&) writes one element.
  template <class T, class F>
  void array(const std::vector<T>& elements, F&& write_element) {
    array_length(elements.size());
    for (const T& element : elements) {
      write_element(*this, element);
    }
  }

  template <class T, class F>
  void nullable_array(const std::optional<std::vector<T>>& elements, F&& write_element) {
    if (!elements) {
      null_array();
      return;
    }
    array(*elements, write_element);
  }

  void int32_array(const std::vector<std::int32_t>& values);
  void int64_array(const std::vector<std::int64_t>& values);
  void string_array(const std::vector<std::string>& values);
  void nullable_string_array(const std::optional<std::vector<std::string>>& values);

  // An empty tagged-field section if flexible(); nothing otherwise.
  void tagged_fields();
  // Fields must be sorted by ascending tag, as the spec requires.
  void tagged_fields(std::span<const TaggedField> fields);

  // Overwrites 4 bytes already written (a size prefix reserved before its content).
  void patch_int32(std::size_t offset, std::int32_t value);

 private:
  void big_endian(std::uint64_t value, int size);
  void classic_string(std::string_view value);

  std::vector<std::uint8_t> buffer_;
  bool flexible_;
};

// Encodes one tagged field's value with write_value(Writer&); tagged fields only exist in
// flexible versions, so the value is written with flexible encodings.
template <class F>
TaggedField make_tagged_field(std::uint32_t tag, F&& write_value) {
  Writer value(true);
  write_value(value);
  return TaggedField{tag, std::move(value).take()};
}

}  // namespace msgwatch::kafka::protocol
