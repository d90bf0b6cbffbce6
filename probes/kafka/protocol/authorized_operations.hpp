#pragma once

#include <cstdint>
#include <limits>

namespace msgwatch::kafka::protocol {

// Value of the authorized-operations bit fields (Metadata, DescribeGroups, ...) when they were
// not requested or the broker did not fill them.
inline constexpr std::int32_t authorized_operations_unknown = std::numeric_limits<std::int32_t>::min();

}  // namespace msgwatch::kafka::protocol
