#include "probes/kafka/protocol/messages/describe_configs.hpp"

#include "probes/kafka/protocol/message_version.hpp"

namespace msgwatch::kafka::protocol {

namespace {

using Response = DescribeConfigsResponse;

Response::Synonym decode_synonym(Reader& r) {
  Response::Synonym s;
  s.name = r.string("synonyms.name");
  s.value = r.nullable_string("synonyms.value");
  s.source = r.int8("synonyms.source");
  r.tagged_fields();
  return s;
}

void encode_synonym(Writer& w, const Response::Synonym& s) {
  w.string(s.name);
  w.nullable_string(s.value);
  w.int8(s.source);
  w.tagged_fields();
}

Response::Config decode_config(Reader& r) {
  Response::Config c;
  c.name = r.string("configs.name");
  c.value = r.nullable_string("configs.value");
  c.read_only = r.boolean("configs.read_only");
  c.config_source = r.int8("configs.config_source");
  c.is_sensitive = r.boolean("configs.is_sensitive");
  c.synonyms = r.array("configs.synonyms", decode_synonym);
  c.config_type = r.int8("configs.config_type");
  c.documentation = r.nullable_string("configs.documentation");
  r.tagged_fields();
  return c;
}

void encode_config(Writer& w, const Response::Config& c) {
  w.string(c.name);
  w.nullable_string(c.value);
  w.boolean(c.read_only);
  w.int8(c.config_source);
  w.boolean(c.is_sensitive);
  w.array(c.synonyms, encode_synonym);
  w.int8(c.config_type);
  w.nullable_string(c.documentation);
  w.tagged_fields();
}

}  // namespace

void DescribeConfigsRequest::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<DescribeConfigsRequest>(w, version);
  w.array(resources, [](Writer& w, const Resource& res) {
    w.int8(res.resource_type);
    w.string(res.resource_name);
    w.nullable_string_array(res.configuration_keys);
    w.tagged_fields();
  });
  w.boolean(include_synonyms);
  w.boolean(include_documentation);
  w.tagged_fields();
}

DescribeConfigsRequest DescribeConfigsRequest::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<DescribeConfigsRequest>(r, version);
  DescribeConfigsRequest request;
  request.resources = r.array("resources", [](Reader& r) {
    Resource res;
    res.resource_type = r.int8("resources.resource_type");
    res.resource_name = r.string("resources.resource_name");
    res.configuration_keys = r.nullable_string_array("resources.configuration_keys");
    r.tagged_fields();
    return res;
  });
  request.include_synonyms = r.boolean("include_synonyms");
  request.include_documentation = r.boolean("include_documentation");
  r.tagged_fields();
  return request;
}

void DescribeConfigsResponse::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<DescribeConfigsResponse>(w, version);
  w.int32(throttle_time_ms);
  w.array(results, [](Writer& w, const Result& res) {
    w.error_code(res.error_code);
    w.nullable_string(res.error_message);
    w.int8(res.resource_type);
    w.string(res.resource_name);
    w.array(res.configs, encode_config);
    w.tagged_fields();
  });
  w.tagged_fields();
}

DescribeConfigsResponse DescribeConfigsResponse::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<DescribeConfigsResponse>(r, version);
  DescribeConfigsResponse response;
  response.throttle_time_ms = r.int32("throttle_time_ms");
  response.results = r.array("results", [](Reader& r) {
    Result res;
    res.error_code = r.error_code("results.error_code");
    res.error_message = r.nullable_string("results.error_message");
    res.resource_type = r.int8("results.resource_type");
    res.resource_name = r.string("results.resource_name");
    res.configs = r.array("results.configs", decode_config);
    r.tagged_fields();
    return res;
  });
  r.tagged_fields();
  return response;
}

}  // namespace msgwatch::kafka::protocol
