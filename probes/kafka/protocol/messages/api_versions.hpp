#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "probes/kafka/protocol/api_key.hpp"
#include "probes/kafka/protocol/error_code.hpp"
#include "probes/kafka/protocol/reader.hpp"
#include "probes/kafka/protocol/writer.hpp"

namespace msgwatch::kafka::protocol {

// ApiVersions (key 18), ApiVersionsRequest.json / ApiVersionsResponse.json. Versions 0-3 are
// implemented; v4 only relaxes a feature-range rule and is left to a later need. A broker that
// does not support the requested version answers with a v0 body and UNSUPPORTED_VERSION, which
// decode_response() handles; its response header is always v0, even for flexible versions.
struct ApiVersionsRequest {
  static constexpr ApiKey api_key = ApiKey::api_versions;
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 3;
  static constexpr std::int16_t first_flexible_version = 3;

  std::string client_software_name;     // v3+
  std::string client_software_version;  // v3+

  void encode(Writer& writer, std::int16_t version) const;
  static ApiVersionsRequest decode(Reader& reader, std::int16_t version);
  bool operator==(const ApiVersionsRequest&) const = default;
};

struct ApiVersionsResponse {
  static constexpr ApiKey api_key = ApiKey::api_versions;
  static constexpr std::int16_t min_version = 0;
  static constexpr std::int16_t max_version = 3;
  static constexpr std::int16_t first_flexible_version = 3;

  struct ApiVersion {
    ApiKey api_key{};
    std::int16_t min_version = 0;
    std::int16_t max_version = 0;
    bool operator==(const ApiVersion&) const = default;
  };
  struct SupportedFeatureKey {
    std::string name;
    std::int16_t min_version = 0;
    std::int16_t max_version = 0;
    bool operator==(const SupportedFeatureKey&) const = default;
  };
  struct FinalizedFeatureKey {
    std::string name;
    std::int16_t max_version_level = 0;
    std::int16_t min_version_level = 0;
    bool operator==(const FinalizedFeatureKey&) const = default;
  };

  ErrorCode error_code = ErrorCode::none;
  std::vector<ApiVersion> api_keys;
  std::int32_t throttle_time_ms = 0;                    // v1+
  std::vector<SupportedFeatureKey> supported_features;  // v3+, tag 0
  std::int64_t finalized_features_epoch = -1;           // v3+, tag 1
  std::vector<FinalizedFeatureKey> finalized_features;  // v3+, tag 2
  bool zk_migration_ready = false;                      // v3+, tag 3

  void encode(Writer& writer, std::int16_t version) const;
  static ApiVersionsResponse decode(Reader& reader, std::int16_t version);
  bool operator==(const ApiVersionsResponse&) const = default;
};

}  // namespace msgwatch::kafka::protocol
