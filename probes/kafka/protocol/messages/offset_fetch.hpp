#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "probes/kafka/protocol/api_key.hpp"
#include "probes/kafka/protocol/error_code.hpp"
#include "probes/kafka/protocol/reader.hpp"
#include "probes/kafka/protocol/writer.hpp"

namespace msgwatch::kafka::protocol {

// OffsetFetch (key 9), OffsetFetchRequest.json / OffsetFetchResponse.json, versions 8-9: the
// multi-group form, served by Kafka 3.9 (0-9) and 4.x (1-10). v9 adds the KIP-848 member id and
// epoch, which an observer leaves at null / -1. v10 (topic ids) is not implemented.
struct OffsetFetchRequest {
  static constexpr ApiKey api_key = ApiKey::offset_fetch;
  static constexpr std::int16_t min_version = 8;
  static constexpr std::int16_t max_version = 9;
  static constexpr std::int16_t first_flexible_version = 6;

  struct Topic {
    std::string name;
    std::vector<std::int32_t> partition_indexes;
    bool operator==(const Topic&) const = default;
  };
  struct Group {
    std::string group_id;
    std::optional<std::string> member_id;      // v9+
    std::int32_t member_epoch = -1;            // v9+
    std::optional<std::vector<Topic>> topics;  // nullopt = every topic with a committed offset
    bool operator==(const Group&) const = default;
  };

  std::vector<Group> groups;
  bool require_stable = false;

  void encode(Writer& writer, std::int16_t version) const;
  static OffsetFetchRequest decode(Reader& reader, std::int16_t version);
  bool operator==(const OffsetFetchRequest&) const = default;
};

struct OffsetFetchResponse {
  static constexpr ApiKey api_key = ApiKey::offset_fetch;
  static constexpr std::int16_t min_version = 8;
  static constexpr std::int16_t max_version = 9;
  static constexpr std::int16_t first_flexible_version = 6;

  struct Partition {
    std::int32_t partition_index = 0;
    std::int64_t committed_offset = -1;
    std::int32_t committed_leader_epoch = -1;
    std::optional<std::string> metadata;
    ErrorCode error_code = ErrorCode::none;
    bool operator==(const Partition&) const = default;
  };
  struct Topic {
    std::string name;
    std::vector<Partition> partitions;
    bool operator==(const Topic&) const = default;
  };
  struct Group {
    std::string group_id;
    std::vector<Topic> topics;
    ErrorCode error_code = ErrorCode::none;
    bool operator==(const Group&) const = default;
  };

  std::int32_t throttle_time_ms = 0;
  std::vector<Group> groups;

  void encode(Writer& writer, std::int16_t version) const;
  static OffsetFetchResponse decode(Reader& reader, std::int16_t version);
  bool operator==(const OffsetFetchResponse&) const = default;
};

}  // namespace msgwatch::kafka::protocol
