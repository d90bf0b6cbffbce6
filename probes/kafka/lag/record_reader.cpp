#include "probes/kafka/lag/record_reader.hpp"

#include "exporter/sdk/log_event.hpp"
#include "probes/kafka/client/gather.hpp"
#include "probes/kafka/protocol/messages/fetch.hpp"
#include "probes/kafka/protocol/record_batch.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <utility>

namespace msgwatch::kafka {
namespace asio = boost::asio;
namespace proto = protocol;

namespace {

constexpr std::int32_t partition_max_bytes = 64 * 1024;
constexpr std::int32_t request_max_bytes = 1024 * 1024;

// The reads of one Fetch request: one leader, each partition at most once.
struct FetchBatch {
  std::int32_t leader = -1;
  std::vector<RecordKey> keys;
  std::set<std::pair<std::string, std::int32_t>> partitions;
};

std::vector<FetchBatch> batch_by_leader(std::vector<RecordRead> reads) {
  std::vector<FetchBatch> batches;
  for (auto& read : reads) {
    const std::pair partition{read.key.topic, read.key.partition};
    auto batch = std::find_if(batches.begin(), batches.end(), [&](const FetchBatch& b) {
      return b.leader == read.leader && !b.partitions.contains(partition);
    });
    if (batch == batches.end()) batch = batches.insert(batches.end(), FetchBatch{read.leader, {}, {}});
    batch->partitions.insert(partition);
    batch->keys.push_back(std::move(read.key));
  }
  return batches;
}

proto::FetchRequest fetch_request(const FetchBatch& batch) {
  proto::FetchRequest request;
  request.max_wait_ms = 0;  // answer with what is there: the records asked for exist
  request.min_bytes = 0;
  request.max_bytes = request_max_bytes;
  request.isolation_level = proto::FetchRequest::read_uncommitted;  // the group's next record, open or not
  for (const auto& key : batch.keys) {
    auto topic = std::find_if(request.topics.begin(), request.topics.end(),
                              [&](const proto::FetchRequest::Topic& t) { return t.topic == key.topic; });
    if (topic == request.topics.end()) topic = request.topics.insert(request.topics.end(), {key.topic, {}});
    proto::FetchRequest::Partition partition;
    partition.partition = key.partition;
    partition.fetch_offset = key.offset;
    partition.partition_max_bytes = partition_max_bytes;
    topic->partitions.push_back(partition);
  }
  return request;
}

// What one partition's answer settles; nullopt when it settles nothing (read again later).
std::optional<RecordTime> settle(const RecordKey& key, const proto::FetchResponse::Partition& p) {
  using Kind = RecordTime::Kind;
  // Below the log start: deleted by retention. Nothing at that offset will ever be read.
  if (p.error_code == proto::ErrorCode::offset_out_of_range) return RecordTime{Kind::unknown, {}};
  if (p.error_code != proto::ErrorCode::none) {
    spdlog::debug("Fetch {}-{}@{}: {}", key.topic, key.partition, key.offset, proto::to_string(p.error_code));
    return std::nullopt;
  }
  // Nothing returned although the offset is below the end: the answer was full.
  if (!p.records || p.records->empty()) return std::nullopt;
  std::int64_t searched_to = key.offset;
  const auto found = proto::find_record_timestamp(*p.records, key.offset, &searched_to);
  if (found) {
    if (!found->timestamp_ms) return RecordTime{Kind::unknown, {}};
    return RecordTime{Kind::written,
                      std::chrono::system_clock::time_point{} + std::chrono::milliseconds(*found->timestamp_ms)};
  }
  // No message up to the end: only transaction markers (or records compacted away).
  if (searched_to >= p.high_watermark) return RecordTime{Kind::nothing_unread, {}};
  return std::nullopt;  // cut off before the batch that would hold it
}

}  // namespace

asio::awaitable<RecordTimes> read_record_times(ClusterClient& client, std::vector<RecordRead> reads) {
  const auto batches = batch_by_leader(std::move(reads));
  std::vector<asio::awaitable<proto::FetchResponse>> tasks;
  tasks.reserve(batches.size());
  for (const auto& batch : batches) {
    tasks.push_back(ask<proto::FetchRequest, proto::FetchResponse>(client, batch.leader, fetch_request(batch)));
  }
  const auto outcomes = co_await gather(std::move(tasks));

  RecordTimes times;
  for (std::size_t i = 0; i < batches.size(); ++i) {
    if (!outcomes[i].value) {
      log_event(spdlog::level::debug, "record timestamps not read",
                {{"broker", std::to_string(batches[i].leader)}, {"error", describe_error(outcomes[i].error)}});
      continue;
    }
    for (const auto& topic : outcomes[i].value->responses) {
      for (const auto& partition : topic.partitions) {
        const auto key = std::find_if(batches[i].keys.begin(), batches[i].keys.end(), [&](const RecordKey& k) {
          return k.topic == topic.topic && k.partition == partition.partition_index;
        });
        if (key == batches[i].keys.end()) continue;  // not asked for
        try {
          if (auto settled = settle(*key, partition)) times[*key] = *settled;
        } catch (const proto::DecodeError& e) {
          log_event(spdlog::level::warn, "malformed record batch in a Fetch answer",
                    {{"broker", std::to_string(batches[i].leader)},
                     {"topic", key->topic},
                     {"partition", std::to_string(key->partition)},
                     {"error", e.what()}});
        }
      }
    }
  }
  co_return times;
}

}  // namespace msgwatch::kafka
