#include "probes/kafka/protocol/messages/consumer_protocol_assignment.hpp"

#include <stdexcept>

namespace msgwatch::kafka::protocol {

std::vector<std::uint8_t> encode_consumer_protocol_assignment(const ConsumerProtocolAssignment& assignment,
                                                              std::int16_t version) {
  if (version < ConsumerProtocolAssignment::min_version || version > ConsumerProtocolAssignment::max_version) {
    throw std::invalid_argument("kafka protocol: cannot encode consumer protocol assignment version " +
                                std::to_string(version));
  }
  Writer w(false);
  w.int16(version);
  w.array(assignment.assigned_partitions, [](Writer& w, const ConsumerProtocolAssignment::TopicPartition& tp) {
    w.string(tp.topic);
    w.int32_array(tp.partitions);
  });
  w.nullable_bytes(assignment.user_data);
  return std::move(w).take();
}

ConsumerProtocolAssignment decode_consumer_protocol_assignment(std::span<const std::uint8_t> bytes) {
  ConsumerProtocolAssignment assignment;
  if (bytes.empty()) {
    return assignment;
  }
  Reader r(bytes, false);
  const std::int16_t version = r.int16("assignment.version");
  if (version < ConsumerProtocolAssignment::min_version) {
    r.fail("assignment.version", "negative version " + std::to_string(version));
  }
  assignment.assigned_partitions = r.array("assigned_partitions", [](Reader& r) {
    ConsumerProtocolAssignment::TopicPartition tp;
    tp.topic = r.string("assigned_partitions.topic");
    tp.partitions = r.int32_array("assigned_partitions.partitions");
    return tp;
  });
  assignment.user_data = r.nullable_bytes("user_data");
  if (version <= ConsumerProtocolAssignment::max_version) {
    r.expect_end("consumer protocol assignment");
  }
  return assignment;
}

}  // namespace msgwatch::kafka::protocol
