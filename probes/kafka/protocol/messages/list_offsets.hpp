#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "probes/kafka/protocol/api_key.hpp"
#include "probes/kafka/protocol/error_code.hpp"
#include "probes/kafka/protocol/reader.hpp"
#include "probes/kafka/protocol/writer.hpp"

namespace msgwatch::kafka::protocol {

// ListOffsets (key 2), ListOffsetsRequest.json / ListOffsetsResponse.json, versions 6-9: the
// flexible versions both Kafka 3.9 (0-9) and 4.x (1-10) serve. 7-9 only add accepted special
// timestamps; the layout is that of v6 throughout (v10 adds a timeout).
struct ListOffsetsRequest {
  static constexpr ApiKey api_key = ApiKey::list_offsets;
  static constexpr std::int16_t min_version = 6;
  static constexpr std::int16_t max_version = 9;
  static constexpr std::int16_t first_flexible_version = 6;

  // Special timestamps: the offset after the last message, the first offset, the offset of the
  // largest timestamp (v7+), the first local offset under tiered storage (v8+), and the last
  // tiered offset (v9+).
  static constexpr std::int64_t latest_timestamp = -1;
  static constexpr std::int64_t earliest_timestamp = -2;
  static constexpr std::int64_t max_timestamp = -3;
  static constexpr std::int64_t earliest_local_timestamp = -4;
  static constexpr std::int64_t latest_tiered_timestamp = -5;

  static constexpr std::int8_t read_uncommitted = 0;
  static constexpr std::int8_t read_committed = 1;

  struct Partition {
    std::int32_t partition_index = 0;
    std::int32_t current_leader_epoch = -1;
    std::int64_t timestamp = latest_timestamp;
    bool operator==(const Partition&) const = default;
  };
  struct Topic {
    std::string name;
    std::vector<Partition> partitions;
    bool operator==(const Topic&) const = default;
  };

  // -1: a consumer, not a follower broker.
  std::int32_t replica_id = -1;
  std::int8_t isolation_level = read_uncommitted;
  std::vector<Topic> topics;

  void encode(Writer& writer, std::int16_t version) const;
  static ListOffsetsRequest decode(Reader& reader, std::int16_t version);
  bool operator==(const ListOffsetsRequest&) const = default;
};

struct ListOffsetsResponse {
  static constexpr ApiKey api_key = ApiKey::list_offsets;
  static constexpr std::int16_t min_version = 6;
  static constexpr std::int16_t max_version = 9;
  static constexpr std::int16_t first_flexible_version = 6;

  struct Partition {
    std::int32_t partition_index = 0;
    ErrorCode error_code = ErrorCode::none;
    std::int64_t timestamp = -1;
    std::int64_t offset = -1;
    std::int32_t leader_epoch = -1;
    bool operator==(const Partition&) const = default;
  };
  struct Topic {
    std::string name;
    std::vector<Partition> partitions;
    bool operator==(const Topic&) const = default;
  };

  std::int32_t throttle_time_ms = 0;
  std::vector<Topic> topics;

  void encode(Writer& writer, std::int16_t version) const;
  static ListOffsetsResponse decode(Reader& reader, std::int16_t version);
  bool operator==(const ListOffsetsResponse&) const = default;
};

}  // namespace msgwatch::kafka::protocol
