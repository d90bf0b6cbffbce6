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

// DescribeProducers (key 61), DescribeProducersRequest.json / DescribeProducersResponse.json,
// version 0 (KIP-664; the only version in 3.9 and 4.x). Sent to each partition's leader; a
// producer with current_txn_start_offset >= 0 holds an open transaction there, which is what
// pins the last stable offset.
struct DescribeProducersRequest {
  static constexpr ApiKey api_key = ApiKey::describe_producers;
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 0;
  static constexpr std::int16_t first_flexible_version = 0;

  struct Topic {
    std::string name;
    std::vector<std::int32_t> partition_indexes;
    bool operator==(const Topic&) const = default;
  };

  std::vector<Topic> topics;

  void encode(Writer& writer, std::int16_t version) const;
  static DescribeProducersRequest decode(Reader& reader, std::int16_t version);
  bool operator==(const DescribeProducersRequest&) const = default;
};

struct DescribeProducersResponse {
  static constexpr ApiKey api_key = ApiKey::describe_producers;
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 0;
  static constexpr std::int16_t first_flexible_version = 0;

  struct ProducerState {
    std::int64_t producer_id = -1;
    std::int32_t producer_epoch = -1;  // int32 on this API's wire, unlike elsewhere
    std::int32_t last_sequence = -1;
    std::int64_t last_timestamp = -1;
    std::int32_t coordinator_epoch = -1;
    std::int64_t current_txn_start_offset = -1;
    bool operator==(const ProducerState&) const = default;
  };
  struct Partition {
    std::int32_t partition_index = 0;
    ErrorCode error_code = ErrorCode::none;
    std::optional<std::string> error_message;
    std::vector<ProducerState> active_producers;
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
  static DescribeProducersResponse decode(Reader& reader, std::int16_t version);
  bool operator==(const DescribeProducersResponse&) const = default;
};

}  // namespace msgwatch::kafka::protocol
