#include "probes/kafka/lag/record_reader.hpp"

#include "exporter/sdk/log_event.hpp"
#include "probes/kafka/client/gather.hpp"
#include "probes/kafka/protocol/messages/fetch.hpp"
#include "probes/kafka/protocol/record_batch.hpp"

#include <spdlog/spdlog.h>

#include <iterator>
#include <map>
#include <utility>

namespace msgwatch::kafka {
namespace asio = boost::asio;
namespace proto = protocol;

namespace {

constexpr std::int32_t partition_max_bytes = 64 * 1024;
constexpr std::int32_t request_max_bytes = 1024 * 1024;

// The records to read from one leader, by partition: one Fetch asks each partition once.
using LeaderReads = std::map<std::pair<std::string, std::int32_t>, RecordKey>;

std::map<std::int32_t, LeaderReads> by_leader(std::vector<RecordRead> reads) {
  std::map<std::int32_t, LeaderReads> leaders;
  for (auto& read : reads) {
    std::pair partition{read.key.topic, read.key.partition};
    leaders[read.leader].emplace(std::move(partition), std::move(read.key));
  }
  return leaders;
}

proto::FetchRequest fetch_request(const LeaderReads& reads) {
  proto::FetchRequest request;
  request.max_wait_ms = 0;  // answer with what is there: the records asked for exist
  request.min_bytes = 0;
  request.max_bytes = request_max_bytes;
  request.isolation_level = proto::FetchRequest::read_uncommitted;  // the group's next record, open or not
  for (const auto& [partition, key] : reads) {                      // by topic, so each topic's partitions are together
    if (request.topics.empty() || request.topics.back().topic != key.topic) request.topics.push_back({key.topic, {}});
    proto::FetchRequest::Partition fetched;
    fetched.partition = key.partition;
    fetched.fetch_offset = key.offset;
    fetched.partition_max_bytes = partition_max_bytes;
    request.topics.back().partitions.push_back(fetched);
  }
  return request;
}

// What one partition's answer settles; nullopt when it settles nothing (read again later).
std::optional<RecordTime> settle(const RecordKey& key, const proto::FetchResponse::Partition& p,
                                 std::set<std::string, std::less<>>& not_permitted) {
  using Kind = RecordTime::Kind;
  // Below the log start: deleted by retention. Nothing at that offset will ever be read.
  if (p.error_code == proto::ErrorCode::offset_out_of_range) return RecordTime{Kind::unknown, {}};
  if (p.error_code != proto::ErrorCode::none) {
    if (proto::is_authorization_failure(p.error_code)) not_permitted.insert("Fetch");
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

asio::awaitable<RecordTimes> read_record_times(ClusterClient& client, std::vector<RecordRead> reads,
                                               std::set<std::string, std::less<>>& not_permitted) {
  const auto leaders = by_leader(std::move(reads));
  std::vector<asio::awaitable<proto::FetchResponse>> tasks;
  tasks.reserve(leaders.size());
  for (const auto& [leader, asked] : leaders) {
    tasks.push_back(ask<proto::FetchRequest, proto::FetchResponse>(client, leader, fetch_request(asked)));
  }
  const auto outcomes = co_await gather(std::move(tasks));

  RecordTimes times;
  auto outcome = outcomes.begin();
  for (const auto& [leader, asked] : leaders) {
    const auto& answer = (outcome++)->value;
    if (!answer) {
      log_event(spdlog::level::debug, "record timestamps not read",
                {{"broker", std::to_string(leader)}, {"error", describe_error(std::prev(outcome)->error)}});
      continue;
    }
    for (const auto& topic : answer->responses) {
      for (const auto& partition : topic.partitions) {
        const auto key = asked.find({topic.topic, partition.partition_index});
        if (key == asked.end()) continue;  // not asked for
        try {
          if (auto settled = settle(key->second, partition, not_permitted)) times[key->second] = *settled;
        } catch (const proto::DecodeError& e) {
          log_event(spdlog::level::warn, "malformed record batch in a Fetch answer",
                    {{"broker", std::to_string(leader)},
                     {"topic", topic.topic},
                     {"partition", std::to_string(partition.partition_index)},
                     {"error", e.what()}});
        }
      }
    }
  }
  co_return times;
}

}  // namespace msgwatch::kafka
