// libFuzzer target for find_record_timestamp, which reads the record sets of Fetch responses.
// Input: 8 bytes (big-endian) giving the offset to look for, then the record set. Properties
// checked:
//  - searching never crashes, leaks or throws anything but DecodeError;
//  - a record found is never before the offset asked for;
//  - `searched_to` never goes down;
//  - an exact CreateTime result found in a prefix of the bytes is the result for the whole set
//    too: cutting a record set off can lose precision, not change the record found. (Not so for
//    LogAppendTime: past the end of a cut-off batch its time is known but not the offset.)
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "probes/kafka/protocol/decode_error.hpp"
#include "probes/kafka/protocol/record_batch.hpp"

namespace {

using namespace msgwatch::kafka::protocol;

std::optional<RecordTimestamp> search(std::span<const std::uint8_t> record_set, std::int64_t offset) {
  try {
    std::int64_t searched_to = offset;
    const auto found = find_record_timestamp(record_set, offset, &searched_to);
    if ((found && found->offset < offset) || searched_to < offset) {
      __builtin_trap();
    }
    return found;
  } catch (const DecodeError&) {
    return std::nullopt;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 8) {
    return 0;
  }
  std::uint64_t offset_bits = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    offset_bits = (offset_bits << 8) | data[i];
  }
  const auto offset = static_cast<std::int64_t>(offset_bits);
  const std::span<const std::uint8_t> record_set(data + 8, size - 8);
  const auto whole = search(record_set, offset);
  // The same bytes cut in half, as a broker's size limit might cut them.
  const auto prefix = search(record_set.first(record_set.size() / 2), offset);
  if (prefix && prefix->exact && prefix->type == TimestampType::create_time && whole && !(*prefix == *whole)) {
    __builtin_trap();
  }
  return 0;
}
