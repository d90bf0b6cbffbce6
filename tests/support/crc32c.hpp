#pragma once
// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of Kafka's record
// batches (magic 2): it covers the bytes from the batch's attributes to its end, and a
// broker refuses a batch whose checksum does not match (CORRUPT_MESSAGE).

#include <cstdint>
#include <span>

namespace msgwatch::test {

// crc32c("123456789") == 0xE3069283.
std::uint32_t crc32c(std::span<const std::uint8_t> bytes);

}  // namespace msgwatch::test
