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

// DescribeConfigs (key 32), DescribeConfigsRequest.json / DescribeConfigsResponse.json,
// version 4 (the only flexible one; 3.9 serves 0-4, 4.x 1-4).
struct DescribeConfigsRequest {
  static constexpr ApiKey api_key = ApiKey::describe_configs;
  static constexpr std::int16_t min_version = 4;
  static constexpr std::int16_t max_version = 4;
  static constexpr std::int16_t first_flexible_version = 4;

  static constexpr std::int8_t resource_type_topic = 2;
  static constexpr std::int8_t resource_type_broker = 4;
  static constexpr std::int8_t resource_type_broker_logger = 8;

  struct Resource {
    std::int8_t resource_type = resource_type_topic;
    std::string resource_name;
    std::optional<std::vector<std::string>> configuration_keys;  // nullopt = all keys
    bool operator==(const Resource&) const = default;
  };

  std::vector<Resource> resources;
  bool include_synonyms = false;
  bool include_documentation = false;

  void encode(Writer& writer, std::int16_t version) const;
  static DescribeConfigsRequest decode(Reader& reader, std::int16_t version);
  bool operator==(const DescribeConfigsRequest&) const = default;
};

struct DescribeConfigsResponse {
  static constexpr ApiKey api_key = ApiKey::describe_configs;
  static constexpr std::int16_t min_version = 4;
  static constexpr std::int16_t max_version = 4;
  static constexpr std::int16_t first_flexible_version = 4;

  // Where a value comes from (ConfigSource in DescribeConfigsResponse.java).
  static constexpr std::int8_t source_unknown = 0;
  static constexpr std::int8_t source_dynamic_topic_config = 1;
  static constexpr std::int8_t source_dynamic_broker_config = 2;
  static constexpr std::int8_t source_dynamic_default_broker_config = 3;
  static constexpr std::int8_t source_static_broker_config = 4;
  static constexpr std::int8_t source_default_config = 5;
  static constexpr std::int8_t source_dynamic_broker_logger_config = 6;
  static constexpr std::int8_t source_client_metrics_config = 7;
  static constexpr std::int8_t source_group_config = 8;

  struct Synonym {
    std::string name;
    std::optional<std::string> value;
    std::int8_t source = source_unknown;
    bool operator==(const Synonym&) const = default;
  };
  struct Config {
    std::string name;
    std::optional<std::string> value;  // null for sensitive values
    bool read_only = false;
    std::int8_t config_source = -1;
    bool is_sensitive = false;
    std::vector<Synonym> synonyms;
    std::int8_t config_type = 0;
    std::optional<std::string> documentation;
    bool operator==(const Config&) const = default;
  };
  struct Result {
    ErrorCode error_code = ErrorCode::none;
    std::optional<std::string> error_message;
    std::int8_t resource_type = 0;
    std::string resource_name;
    std::vector<Config> configs;
    bool operator==(const Result&) const = default;
  };

  std::int32_t throttle_time_ms = 0;
  std::vector<Result> results;

  void encode(Writer& writer, std::int16_t version) const;
  static DescribeConfigsResponse decode(Reader& reader, std::int16_t version);
  bool operator==(const DescribeConfigsResponse&) const = default;
};

}  // namespace msgwatch::kafka::protocol
