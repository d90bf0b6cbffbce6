#include "probes/kafka/protocol/messages/api_versions.hpp"

#include "probes/kafka/protocol/message_version.hpp"

namespace msgwatch::kafka::protocol {

namespace {

using Response = ApiVersionsResponse;

enum ResponseTag : std::uint32_t {
  supported_features_tag = 0,
  finalized_features_epoch_tag = 1,
  finalized_features_tag = 2,
  zk_migration_ready_tag = 3,
};

Response::ApiVersion decode_api_version(Reader& r) {
  Response::ApiVersion v;
  v.api_key = static_cast<ApiKey>(r.int16("api_keys.api_key"));
  v.min_version = r.int16("api_keys.min_version");
  v.max_version = r.int16("api_keys.max_version");
  r.tagged_fields();
  return v;
}

void encode_api_version(Writer& w, const Response::ApiVersion& v) {
  w.int16(to_int(v.api_key));
  w.int16(v.min_version);
  w.int16(v.max_version);
  w.tagged_fields();
}

Response::SupportedFeatureKey decode_supported_feature(Reader& r) {
  Response::SupportedFeatureKey f;
  f.name = r.string("supported_features.name");
  f.min_version = r.int16("supported_features.min_version");
  f.max_version = r.int16("supported_features.max_version");
  r.tagged_fields();
  return f;
}

void encode_supported_feature(Writer& w, const Response::SupportedFeatureKey& f) {
  w.string(f.name);
  w.int16(f.min_version);
  w.int16(f.max_version);
  w.tagged_fields();
}

Response::FinalizedFeatureKey decode_finalized_feature(Reader& r) {
  Response::FinalizedFeatureKey f;
  f.name = r.string("finalized_features.name");
  f.max_version_level = r.int16("finalized_features.max_version_level");
  f.min_version_level = r.int16("finalized_features.min_version_level");
  r.tagged_fields();
  return f;
}

void encode_finalized_feature(Writer& w, const Response::FinalizedFeatureKey& f) {
  w.string(f.name);
  w.int16(f.max_version_level);
  w.int16(f.min_version_level);
  w.tagged_fields();
}

}  // namespace

void ApiVersionsRequest::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<ApiVersionsRequest>(w, version);
  if (version >= 3) {
    w.string(client_software_name);
    w.string(client_software_version);
  }
  w.tagged_fields();
}

ApiVersionsRequest ApiVersionsRequest::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<ApiVersionsRequest>(r, version);
  ApiVersionsRequest request;
  if (version >= 3) {
    request.client_software_name = r.string("client_software_name");
    request.client_software_version = r.string("client_software_version");
  }
  r.tagged_fields();
  return request;
}

void ApiVersionsResponse::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<ApiVersionsResponse>(w, version);
  w.error_code(error_code);
  w.array(api_keys, encode_api_version);
  if (version >= 1) {
    w.int32(throttle_time_ms);
  }
  if (!w.flexible()) {
    return;
  }
  // Like Kafka, tagged fields holding their default value are left out.
  std::vector<TaggedField> tagged;
  if (!supported_features.empty()) {
    tagged.push_back(make_tagged_field(supported_features_tag,
                                       [&](Writer& v) { v.array(supported_features, encode_supported_feature); }));
  }
  if (finalized_features_epoch != -1) {
    tagged.push_back(
        make_tagged_field(finalized_features_epoch_tag, [&](Writer& v) { v.int64(finalized_features_epoch); }));
  }
  if (!finalized_features.empty()) {
    tagged.push_back(make_tagged_field(finalized_features_tag,
                                       [&](Writer& v) { v.array(finalized_features, encode_finalized_feature); }));
  }
  if (zk_migration_ready) {
    tagged.push_back(make_tagged_field(zk_migration_ready_tag, [&](Writer& v) { v.boolean(zk_migration_ready); }));
  }
  w.tagged_fields(tagged);
}

ApiVersionsResponse ApiVersionsResponse::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<ApiVersionsResponse>(r, version);
  ApiVersionsResponse response;
  response.error_code = r.error_code();
  response.api_keys = r.array("api_keys", decode_api_version);
  if (version >= 1) {
    response.throttle_time_ms = r.int32("throttle_time_ms");
  }
  r.tagged_fields([&](std::uint32_t tag, Reader& value) {
    switch (tag) {
      case supported_features_tag:
        response.supported_features = value.array("supported_features", decode_supported_feature);
        return true;
      case finalized_features_epoch_tag:
        response.finalized_features_epoch = value.int64("finalized_features_epoch");
        return true;
      case finalized_features_tag:
        response.finalized_features = value.array("finalized_features", decode_finalized_feature);
        return true;
      case zk_migration_ready_tag:
        response.zk_migration_ready = value.boolean("zk_migration_ready");
        return true;
      default:
        return false;
    }
  });
  return response;
}

}  // namespace msgwatch::kafka::protocol
