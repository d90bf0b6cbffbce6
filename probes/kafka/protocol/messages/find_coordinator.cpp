#include "probes/kafka/protocol/messages/find_coordinator.hpp"

#include "probes/kafka/protocol/message_version.hpp"

namespace msgwatch::kafka::protocol {

void FindCoordinatorRequest::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<FindCoordinatorRequest>(w, version);
  w.int8(key_type);
  w.string_array(coordinator_keys);
  w.tagged_fields();
}

FindCoordinatorRequest FindCoordinatorRequest::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<FindCoordinatorRequest>(r, version);
  FindCoordinatorRequest request;
  request.key_type = r.int8("key_type");
  request.coordinator_keys = r.string_array("coordinator_keys");
  r.tagged_fields();
  return request;
}

void FindCoordinatorResponse::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<FindCoordinatorResponse>(w, version);
  w.int32(throttle_time_ms);
  w.array(coordinators, [](Writer& w, const Coordinator& c) {
    w.string(c.key);
    w.int32(c.node_id);
    w.string(c.host);
    w.int32(c.port);
    w.error_code(c.error_code);
    w.nullable_string(c.error_message);
    w.tagged_fields();
  });
  w.tagged_fields();
}

FindCoordinatorResponse FindCoordinatorResponse::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<FindCoordinatorResponse>(r, version);
  FindCoordinatorResponse response;
  response.throttle_time_ms = r.int32("throttle_time_ms");
  response.coordinators = r.array("coordinators", [](Reader& r) {
    Coordinator c;
    c.key = r.string("coordinators.key");
    c.node_id = r.int32("coordinators.node_id");
    c.host = r.string("coordinators.host");
    c.port = r.int32("coordinators.port");
    c.error_code = r.error_code("coordinators.error_code");
    c.error_message = r.nullable_string("coordinators.error_message");
    r.tagged_fields();
    return c;
  });
  r.tagged_fields();
  return response;
}

}  // namespace msgwatch::kafka::protocol
