#include "probes/kafka/protocol/messages/fetch.hpp"

#include "probes/kafka/protocol/message_version.hpp"

namespace msgwatch::kafka::protocol {

void FetchRequest::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<FetchRequest>(w, version);
  w.int32(replica_id);
  w.int32(max_wait_ms);
  w.int32(min_bytes);
  w.int32(max_bytes);
  w.int8(isolation_level);
  if (version >= 7) {
    w.int32(session_id);
    w.int32(session_epoch);
  }
  w.array(topics, [version](Writer& w, const Topic& t) {
    w.string(t.topic);
    w.array(t.partitions, [version](Writer& w, const Partition& p) {
      w.int32(p.partition);
      if (version >= 9) {
        w.int32(p.current_leader_epoch);
      }
      w.int64(p.fetch_offset);
      if (version >= 5) {
        w.int64(p.log_start_offset);
      }
      w.int32(p.partition_max_bytes);
    });
  });
  if (version >= 7) {
    w.array(forgotten_topics_data, [](Writer& w, const ForgottenTopic& t) {
      w.string(t.topic);
      w.int32_array(t.partitions);
    });
  }
  if (version >= 11) {
    w.string(rack_id);
  }
}

FetchRequest FetchRequest::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<FetchRequest>(r, version);
  FetchRequest request;
  request.replica_id = r.int32("replica_id");
  request.max_wait_ms = r.int32("max_wait_ms");
  request.min_bytes = r.int32("min_bytes");
  request.max_bytes = r.int32("max_bytes");
  request.isolation_level = r.int8("isolation_level");
  if (version >= 7) {
    request.session_id = r.int32("session_id");
    request.session_epoch = r.int32("session_epoch");
  }
  request.topics = r.array("topics", [version](Reader& r) {
    Topic t;
    t.topic = r.string("topics.topic");
    t.partitions = r.array("topics.partitions", [version](Reader& r) {
      Partition p;
      p.partition = r.int32("partitions.partition");
      if (version >= 9) {
        p.current_leader_epoch = r.int32("partitions.current_leader_epoch");
      }
      p.fetch_offset = r.int64("partitions.fetch_offset");
      if (version >= 5) {
        p.log_start_offset = r.int64("partitions.log_start_offset");
      }
      p.partition_max_bytes = r.int32("partitions.partition_max_bytes");
      return p;
    });
    return t;
  });
  if (version >= 7) {
    request.forgotten_topics_data = r.array("forgotten_topics_data", [](Reader& r) {
      ForgottenTopic t;
      t.topic = r.string("forgotten_topics_data.topic");
      t.partitions = r.int32_array("forgotten_topics_data.partitions");
      return t;
    });
  }
  if (version >= 11) {
    request.rack_id = r.string("rack_id");
  }
  return request;
}

void FetchResponse::encode(Writer& w, std::int16_t version) const {
  const auto scope = begin_encode<FetchResponse>(w, version);
  w.int32(throttle_time_ms);
  if (version >= 7) {
    w.error_code(error_code);
    w.int32(session_id);
  }
  w.array(responses, [version](Writer& w, const Topic& t) {
    w.string(t.topic);
    w.array(t.partitions, [version](Writer& w, const Partition& p) {
      w.int32(p.partition_index);
      w.error_code(p.error_code);
      w.int64(p.high_watermark);
      w.int64(p.last_stable_offset);
      if (version >= 5) {
        w.int64(p.log_start_offset);
      }
      w.nullable_array(p.aborted_transactions, [](Writer& w, const AbortedTransaction& a) {
        w.int64(a.producer_id);
        w.int64(a.first_offset);
      });
      if (version >= 11) {
        w.int32(p.preferred_read_replica);
      }
      w.nullable_bytes(p.records);
    });
  });
}

FetchResponse FetchResponse::decode(Reader& r, std::int16_t version) {
  const auto scope = begin_decode<FetchResponse>(r, version);
  FetchResponse response;
  response.throttle_time_ms = r.int32("throttle_time_ms");
  if (version >= 7) {
    response.error_code = r.error_code();
    response.session_id = r.int32("session_id");
  }
  response.responses = r.array("responses", [version](Reader& r) {
    Topic t;
    t.topic = r.string("responses.topic");
    t.partitions = r.array("responses.partitions", [version](Reader& r) {
      Partition p;
      p.partition_index = r.int32("partitions.partition_index");
      p.error_code = r.error_code("partitions.error_code");
      p.high_watermark = r.int64("partitions.high_watermark");
      p.last_stable_offset = r.int64("partitions.last_stable_offset");
      if (version >= 5) {
        p.log_start_offset = r.int64("partitions.log_start_offset");
      }
      p.aborted_transactions = r.nullable_array("partitions.aborted_transactions", [](Reader& r) {
        AbortedTransaction a;
        a.producer_id = r.int64("aborted_transactions.producer_id");
        a.first_offset = r.int64("aborted_transactions.first_offset");
        return a;
      });
      if (version >= 11) {
        p.preferred_read_replica = r.int32("partitions.preferred_read_replica");
      }
      p.records = r.nullable_bytes("partitions.records");
      return p;
    });
    return t;
  });
  return response;
}

}  // namespace msgwatch::kafka::protocol
