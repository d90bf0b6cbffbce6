#include "probes/kafka/canary/canary_tracker.hpp"

namespace msgwatch::kafka {
namespace {

// A message not acknowledged gets its delivery report within the producer's message
// timeout (ack_sla); this bounds the wait should none come.
constexpr auto kReportWait = std::chrono::minutes(5);
// Acknowledged messages awaited per partition at most (a consumer that never gets there):
// beyond, the oldest counts as lost. Over two hours at one message a second.
constexpr std::size_t kMaxAwaited = 8192;
constexpr auto kForgetStreamAfter = std::chrono::hours(1);

std::int64_t micros(CanaryClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

}  // namespace

CanaryTracker::CanaryTracker(std::string instance, std::chrono::milliseconds round_trip_sla)
    : instance_(std::move(instance)), round_trip_sla_(round_trip_sla) {}

template <class Update>
void CanaryTracker::count(std::int32_t partition, std::int32_t broker, Update update) {
  update(partitions_[partition]);
  if (broker >= 0) update(brokers_[broker]);
}

CanaryMessage CanaryTracker::send(std::int32_t partition, std::int32_t leader, CanaryClock::time_point now) {
  const std::int64_t sequence = next_sequence_[partition]++;
  pending_[{partition, sequence}] = Pending{now, leader, -1};
  count(partition, leader, [](CanaryCounts& c) { ++c.sent; });
  return CanaryMessage{instance_, sequence, micros(now)};
}

void CanaryTracker::delivered(std::int32_t partition, std::int64_t sequence, std::int64_t offset) {
  if (const auto it = pending_.find({partition, sequence}); it != pending_.end()) it->second.offset = offset;
}

void CanaryTracker::read(std::int32_t partition, std::int64_t offset) {
  auto& next = read_to_[partition];
  next = std::max(next, offset + 1);
}

void CanaryTracker::failed(std::int32_t partition, std::int64_t sequence, const std::string& error) {
  const auto it = pending_.find({partition, sequence});
  if (it == pending_.end()) return;
  count(partition, it->second.leader, [&](CanaryCounts& c) { ++c.failures[error]; });
  pending_.erase(it);
}

bool CanaryTracker::check_order(std::int32_t partition, std::int32_t leader, const CanaryMessage& message,
                                CanaryClock::time_point now) {
  Stream& stream = streams_[{message.instance, partition}];
  stream.last_read = now;
  const std::int64_t sequence = message.sequence;
  if (stream.seen.count(sequence) > 0 || (stream.highest >= 0 && sequence <= stream.highest - kWindow)) {
    count(partition, leader, [](CanaryCounts& c) { ++c.duplicates; });
    return false;
  }
  if (sequence < stream.highest) count(partition, leader, [](CanaryCounts& c) { ++c.out_of_order; });
  stream.seen.insert(sequence);
  if (sequence > stream.highest) {
    stream.highest = sequence;
    stream.seen.erase(stream.seen.begin(), stream.seen.upper_bound(stream.highest - kWindow));
  }
  return true;
}

std::optional<std::chrono::microseconds> CanaryTracker::received(std::int32_t partition, std::int32_t leader,
                                                                 const CanaryMessage& message,
                                                                 CanaryClock::time_point now) {
  if (!check_order(partition, leader, message, now) || message.instance != instance_) return std::nullopt;
  const auto it = pending_.find({partition, message.sequence});
  if (it == pending_.end()) return std::nullopt;  // already lost, or its send reported failed
  count(partition, it->second.leader, [&](CanaryCounts& c) {
    ++c.received;
    c.last_round_trip = now;
  });
  pending_.erase(it);
  return std::chrono::microseconds(std::max<std::int64_t>(0, micros(now) - message.send_time_us));
}

std::vector<LostCanaryMessage> CanaryTracker::expire(CanaryClock::time_point now) {
  std::vector<LostCanaryMessage> lost;
  for (auto& [partition, counts] : partitions_) counts.overdue = 0;
  std::map<std::int32_t, std::size_t> awaited;  // acknowledged messages pending, per partition
  for (const auto& [key, pending] : pending_) {
    if (pending.offset >= 0) ++awaited[key.first];
  }
  // Per partition oldest first (the key is partition, sequence).
  for (auto it = pending_.begin(); it != pending_.end();) {
    const auto& [key, pending] = *it;
    const std::int32_t partition = key.first;
    if (pending.offset >= 0) {
      const auto read_to = read_to_.find(partition);
      const bool passed = read_to != read_to_.end() && read_to->second > pending.offset;
      auto& left = awaited[partition];
      if (passed || left > kMaxAwaited) {
        count(partition, pending.leader, [](CanaryCounts& c) { ++c.lost; });
        lost.push_back({partition, key.second, pending.offset, passed ? read_to->second : -1, pending.leader});
        --left;
        it = pending_.erase(it);
        continue;
      }
      if (now - pending.sent > round_trip_sla_) ++partitions_[partition].overdue;
    } else if (now - pending.sent > kReportWait) {
      count(partition, pending.leader, [](CanaryCounts& c) { ++c.failures["_NO_DELIVERY_REPORT"]; });
      it = pending_.erase(it);
      continue;
    }
    ++it;
  }
  for (auto it = streams_.begin(); it != streams_.end();) {
    if (it->first.first != instance_ && now - it->second.last_read > kForgetStreamAfter) {
      it = streams_.erase(it);
    } else {
      ++it;
    }
  }
  return lost;
}

}  // namespace msgwatch::kafka
