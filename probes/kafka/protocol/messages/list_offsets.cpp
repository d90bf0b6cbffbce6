#include "probes/kafka/protocol/messages/list_offsets.hpp"

#include "probes/kafka/protocol/message_version.hpp"

namespace msgwatch::kafka::protocol {

void ListOffsetsRequest::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<ListOffsetsRequest>(w, version);
  w.int32(replica_id);
  w.int8(isolation_level);
  w.array(topics, [](Writer& w, const Topic& t) {
    w.string(t.name);
    w.array(t.partitions, [](Writer& w, const Partition& p) {
      w.int32(p.partition_index);
      w.int32(p.current_leader_epoch);
      w.int64(p.timestamp);
      w.tagged_fields();
    });
    w.tagged_fields();
  });
  w.tagged_fields();
}

ListOffsetsRequest ListOffsetsRequest::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<ListOffsetsRequest>(r, version);
  ListOffsetsRequest request;
  request.replica_id = r.int32("replica_id");
  request.isolation_level = r.int8("isolation_level");
  request.topics = r.array("topics", [](Reader& r) {
    Topic t;
    t.name = r.string("topics.name");
    t.partitions = r.array("topics.partitions", [](Reader& r) {
      Partition p;
      p.partition_index = r.int32("partitions.partition_index");
      p.current_leader_epoch = r.int32("partitions.current_leader_epoch");
      p.timestamp = r.int64("partitions.timestamp");
      r.tagged_fields();
      return p;
    });
    r.tagged_fields();
    return t;
  });
  r.tagged_fields();
  return request;
}

void ListOffsetsResponse::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<ListOffsetsResponse>(w, version);
  w.int32(throttle_time_ms);
  w.array(topics, [](Writer& w, const Topic& t) {
    w.string(t.name);
    w.array(t.partitions, [](Writer& w, const Partition& p) {
      w.int32(p.partition_index);
      w.error_code(p.error_code);
      w.int64(p.timestamp);
      w.int64(p.offset);
      w.int32(p.leader_epoch);
      w.tagged_fields();
    });
    w.tagged_fields();
  });
  w.tagged_fields();
}

ListOffsetsResponse ListOffsetsResponse::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<ListOffsetsResponse>(r, version);
  ListOffsetsResponse response;
  response.throttle_time_ms = r.int32("throttle_time_ms");
  response.topics = r.array("topics", [](Reader& r) {
    Topic t;
    t.name = r.string("topics.name");
    t.partitions = r.array("topics.partitions", [](Reader& r) {
      Partition p;
      p.partition_index = r.int32("partitions.partition_index");
      p.error_code = r.error_code("partitions.error_code");
      p.timestamp = r.int64("partitions.timestamp");
      p.offset = r.int64("partitions.offset");
      p.leader_epoch = r.int32("partitions.leader_epoch");
      r.tagged_fields();
      return p;
    });
    r.tagged_fields();
    return t;
  });
  r.tagged_fields();
  return response;
}

}  // namespace msgwatch::kafka::protocol
