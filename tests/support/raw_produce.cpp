#include "support/raw_produce.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "probes/kafka/client/cluster_client.hpp"
#include "probes/kafka/protocol/message_version.hpp"
#include "probes/kafka/protocol/messages/metadata.hpp"
#include "support/crc32c.hpp"

namespace msgwatch::test {
namespace {

namespace asio = boost::asio;
namespace proto = kafka::protocol;

// DefaultRecordBatch: where batchLength and crc sit, and where the checksummed part begins.
constexpr std::size_t kBatchLengthAt = 8;  // after baseOffset
constexpr std::size_t kCrcAt = 17;         // after batchLength, partitionLeaderEpoch, magic
constexpr std::size_t kAttributesAt = 21;  // after crc
constexpr std::size_t kLogOverhead = 12;   // baseOffset and batchLength: not counted in batchLength
constexpr std::int16_t kTransactionalBit = 0x10;

void write_varint_bytes(proto::Writer& w, const std::optional<std::string>& text) {
  if (!text) {
    w.varint(-1);
    return;
  }
  w.varint(static_cast<std::int32_t>(text->size()));
  w.raw({reinterpret_cast<const std::uint8_t*>(text->data()), text->size()});
}

std::vector<std::string> split_bootstrap(const std::string& bootstrap) {
  std::vector<std::string> servers;
  std::istringstream in(bootstrap);
  for (std::string server; std::getline(in, server, ',');) {
    if (!server.empty()) servers.push_back(server);
  }
  return servers;
}

asio::awaitable<void> produce(kafka::ClusterClient& client, RawProduceRequest request, ProduceResult& result) {
  const auto& topic = request.topics.at(0).name;
  const auto partition = request.topics.at(0).partitions.at(0).index;
  proto::MetadataRequest metadata_request;
  metadata_request.topics = std::vector<proto::MetadataRequest::Topic>{{{}, topic}};
  const auto metadata = co_await client.metadata(metadata_request);
  for (const auto& t : metadata.topics) {
    if (t.name != topic) continue;
    if (t.error_code != proto::ErrorCode::none) {
      throw std::runtime_error("Metadata for " + topic + ": " + proto::to_string(t.error_code));
    }
    for (const auto& p : t.partitions) {
      if (p.partition_index == partition) result.leader = p.leader_id;
    }
  }
  if (result.leader < 0) {
    throw std::runtime_error("Metadata names no leader for " + topic + "-" + std::to_string(partition));
  }
  const auto connection = co_await client.broker(result.leader);
  result.version = connection->version_of<RawProduceRequest>().value_or(-1);
  const auto response = co_await connection->send<RawProduceRequest, RawProduceResponse>(request);
  for (const auto& t : response.responses) {
    if (t.name != topic) continue;
    for (const auto& p : t.partitions) {
      if (p.index != partition) continue;
      result.error_code = p.error_code;
      result.base_offset = p.base_offset;
      result.log_start_offset = p.log_start_offset;
      result.error_message = p.error_message;
      result.record_errors = p.record_errors;
      co_return;
    }
  }
  throw std::runtime_error("the Produce response does not name " + topic + "-" + std::to_string(partition));
}

}  // namespace

void RawProduceRequest::encode(proto::Writer& w, std::int16_t version) const {
  const auto scope = proto::begin_encode<RawProduceRequest>(w, version);
  w.nullable_string(transactional_id);
  w.int16(acks);
  w.int32(timeout_ms);
  w.array(topics, [](proto::Writer& w, const Topic& topic) {
    w.string(topic.name);
    w.array(topic.partitions, [](proto::Writer& w, const Partition& partition) {
      w.int32(partition.index);
      w.nullable_bytes(partition.records);
    });
  });
}

RawProduceResponse RawProduceResponse::decode(proto::Reader& r, std::int16_t version) {
  const auto scope = proto::begin_decode<RawProduceResponse>(r, version);
  RawProduceResponse response;
  response.responses = r.array("responses", [version](proto::Reader& r) {
    Topic topic;
    topic.name = r.string("responses.name");
    topic.partitions = r.array("responses.partitions", [version](proto::Reader& r) {
      Partition partition;
      partition.index = r.int32("partitions.index");
      partition.error_code = r.error_code("partitions.error_code");
      partition.base_offset = r.int64("partitions.base_offset");
      partition.log_append_time_ms = r.int64("partitions.log_append_time_ms");  // v2+
      if (version >= 5) partition.log_start_offset = r.int64("partitions.log_start_offset");
      if (version >= 8) {
        partition.record_errors = r.array("partitions.record_errors", [](proto::Reader& r) {
          RecordError error;
          error.batch_index = r.int32("record_errors.batch_index");
          error.message = r.nullable_string("record_errors.batch_index_error_message");
          return error;
        });
        partition.error_message = r.nullable_string("partitions.error_message");
      }
      return partition;
    });
    return topic;
  });
  response.throttle_time_ms = r.int32("throttle_time_ms");  // v1+
  return response;
}

std::vector<std::uint8_t> encode_record_batch(const RecordBatchSpec& spec) {
  if (spec.records.empty()) throw std::invalid_argument("a record batch needs at least one record");
  proto::Writer w;
  w.int64(0);                                                   // baseOffset
  w.int32(0);                                                   // batchLength, filled in below
  w.int32(-1);                                                  // partitionLeaderEpoch: set by the broker
  w.int8(2);                                                    // magic
  w.uint32(0);                                                  // crc, filled in below
  w.int16(spec.transactional ? kTransactionalBit : 0);          // attributes: uncompressed, CreateTime
  w.int32(static_cast<std::int32_t>(spec.records.size() - 1));  // lastOffsetDelta
  w.int64(spec.timestamp_ms);                                   // baseTimestamp
  w.int64(spec.timestamp_ms);                                   // maxTimestamp
  w.int64(spec.producer_id);
  w.int16(spec.producer_epoch);
  w.int32(spec.base_sequence);
  w.int32(static_cast<std::int32_t>(spec.records.size()));
  for (std::size_t i = 0; i < spec.records.size(); ++i) {
    proto::Writer record;
    record.int8(0);                               // attributes (unused)
    record.varlong(0);                            // timestampDelta
    record.varint(static_cast<std::int32_t>(i));  // offsetDelta
    write_varint_bytes(record, spec.records[i].key);
    write_varint_bytes(record, spec.records[i].value);
    record.varint(0);  // headers
    w.varint(static_cast<std::int32_t>(record.size()));
    w.raw(record.data());
  }
  w.patch_int32(kBatchLengthAt, static_cast<std::int32_t>(w.size() - kLogOverhead));
  const auto& bytes = w.data();
  const auto crc = crc32c(std::span(bytes).subspan(kAttributesAt));
  w.patch_int32(kCrcAt, static_cast<std::int32_t>(crc));
  return std::move(w).take();
}

ProduceResult produce_record_batch(const std::string& bootstrap, const std::string& topic, std::int32_t partition,
                                   std::vector<std::uint8_t> batch, const std::optional<std::string>& transactional_id,
                                   std::chrono::milliseconds deadline) {
  RawProduceRequest request;
  request.transactional_id = transactional_id;
  request.topics.push_back({topic, {{partition, std::move(batch)}}});

  asio::io_context io;
  kafka::ConnectionOptions options;
  options.client_id = "msgwatch-test-raw-produce";
  options.request_timeout = deadline;
  kafka::ClusterClient client(io.get_executor(), split_bootstrap(bootstrap), options);
  ProduceResult result;
  bool done = false;
  std::exception_ptr error;
  asio::co_spawn(io, produce(client, std::move(request), result), [&](std::exception_ptr e) {
    done = true;
    error = e;
  });
  // The connections' read loops keep the io_context busy: run until the request is answered.
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!done && std::chrono::steady_clock::now() < until) io.run_one_for(50ms);
  client.close_all();  // a request still pending ends with an error at once
  io.run_for(2s);      // returns as soon as the closed connections have wound down
  if (!done) {
    throw std::runtime_error("Produce to " + topic + "-" + std::to_string(partition) + " via " + bootstrap +
                             ": no answer within " + std::to_string(deadline.count()) + " ms");
  }
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      throw std::runtime_error("Produce to " + topic + "-" + std::to_string(partition) + " via " + bootstrap + ": " +
                               e.what());
    }
  }
  return result;
}

}  // namespace msgwatch::test
