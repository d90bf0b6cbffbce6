#include "probes/kafka/canary/canary_tracker.hpp"

namespace msgwatch::kafka {
namespace {

// An acknowledged message is waited for lost_after; one never acknowledged gets its
// delivery report by then (the producer's message timeout is lost_after), this is the
// bound should none come.
constexpr auto kReportGrace = std::chrono::seconds(30);
constexpr auto kForgetStreamAfter = std::chrono::hours(1);

std::int64_t micros(CanaryClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

}  // namespace

CanaryTracker::CanaryTracker(std::string instance, std::chrono::milliseconds lost_after)
    : instance_(std::move(instance)), lost_after_(lost_after) {}

template <class Update>
void CanaryTracker::count(std::int32_t partition, std::int32_t broker, Update update) {
  update(partitions_[partition]);
  if (broker >= 0) update(brokers_[broker]);
}

CanaryMessage CanaryTracker::send(std::int32_t partition, std::int32_t leader, CanaryClock::time_point now) {
  const std::int64_t sequence = next_sequence_[partition]++;
  pending_[{partition, sequence}] = Pending{now, leader, false};
  count(partition, leader, [](CanaryCounts& c) { ++c.sent; });
  return CanaryMessage{instance_, sequence, micros(now)};
}

void CanaryTracker::delivered(std::int32_t partition, std::int64_t sequence) {
  if (const auto it = pending_.find({partition, sequence}); it != pending_.end()) it->second.delivered = true;
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

void CanaryTracker::expire(CanaryClock::time_point now) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    const auto& [key, pending] = *it;
    const auto age = now - pending.sent;
    if (pending.delivered && age > lost_after_) {
      count(key.first, pending.leader, [](CanaryCounts& c) { ++c.lost; });
      it = pending_.erase(it);
    } else if (!pending.delivered && age > lost_after_ + kReportGrace) {
      count(key.first, pending.leader, [](CanaryCounts& c) { ++c.failures["_NO_DELIVERY_REPORT"]; });
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = streams_.begin(); it != streams_.end();) {
    if (it->first.first != instance_ && now - it->second.last_read > kForgetStreamAfter) {
      it = streams_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace msgwatch::kafka
