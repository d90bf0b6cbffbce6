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

// FindCoordinator (key 10), FindCoordinatorRequest.json / FindCoordinatorResponse.json,
// versions 4-6: the batched form (KIP-699). 5 and 6 keep v4's layout; they only announce that
// the client understands TRANSACTION_ABORTABLE (v5) and the share key type (v6).
struct FindCoordinatorRequest {
  static constexpr ApiKey api_key = ApiKey::find_coordinator;
  static constexpr std::int16_t min_version = 4;
  static constexpr std::int16_t max_version = 6;
  static constexpr std::int16_t first_flexible_version = 3;

  static constexpr std::int8_t key_type_group = 0;
  static constexpr std::int8_t key_type_transaction = 1;
  static constexpr std::int8_t key_type_share = 2;  // v6+

  std::int8_t key_type = key_type_group;
  std::vector<std::string> coordinator_keys;

  void encode(Writer& writer, std::int16_t version) const;
  static FindCoordinatorRequest decode(Reader& reader, std::int16_t version);
  bool operator==(const FindCoordinatorRequest&) const = default;
};

struct FindCoordinatorResponse {
  static constexpr ApiKey api_key = ApiKey::find_coordinator;
  static constexpr std::int16_t min_version = 4;
  static constexpr std::int16_t max_version = 6;
  static constexpr std::int16_t first_flexible_version = 3;

  struct Coordinator {
    std::string key;
    std::int32_t node_id = -1;
    std::string host;
    std::int32_t port = -1;
    ErrorCode error_code = ErrorCode::none;
    std::optional<std::string> error_message;
    bool operator==(const Coordinator&) const = default;
  };

  std::int32_t throttle_time_ms = 0;
  std::vector<Coordinator> coordinators;

  void encode(Writer& writer, std::int16_t version) const;
  static FindCoordinatorResponse decode(Reader& reader, std::int16_t version);
  bool operator==(const FindCoordinatorResponse&) const = default;
};

}  // namespace msgwatch::kafka::protocol
