#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "probes/kafka/protocol/reader.hpp"
#include "probes/kafka/protocol/writer.hpp"

namespace msgwatch::kafka::protocol {

// The "consumer" protocol's assignment (ConsumerProtocolAssignment.json): the opaque
// member_assignment bytes of a classic consumer group member in DescribeGroups. On the wire it
// is an int16 version followed by the body; versions 0-3 share one non-flexible layout.
struct ConsumerProtocolAssignment {
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 3;

  struct TopicPartition {
    std::string topic;
    std::vector<std::int32_t> partitions;
    bool operator==(const TopicPartition&) const = default;
  };

  std::vector<TopicPartition> assigned_partitions;
  std::optional<std::vector<std::uint8_t>> user_data;

  bool operator==(const ConsumerProtocolAssignment&) const = default;
};

// Version prefix plus body.
std::vector<std::uint8_t> encode_consumer_protocol_assignment(const ConsumerProtocolAssignment& assignment,
                                                              std::int16_t version);

// Empty bytes (a member of a group that is not Stable) give an empty assignment. Versions above
// 3 are read with the v3 layout and any bytes after it ignored, as Kafka's consumer does: the
// spec only allows newer versions to append fields.
ConsumerProtocolAssignment decode_consumer_protocol_assignment(std::span<const std::uint8_t> bytes);

}  // namespace msgwatch::kafka::protocol
