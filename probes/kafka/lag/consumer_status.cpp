#include "probes/kafka/lag/consumer_status.hpp"

#include <algorithm>
#include <limits>

namespace msgwatch::kafka {
namespace {

GroupTopicPartition first_of(std::string_view group, std::string_view topic = {}) {
  return {std::string(group), std::string(topic), std::numeric_limits<std::int32_t>::min()};
}

}  // namespace

std::string_view to_string(ConsumerStatus status) noexcept {
  switch (status) {
    case ConsumerStatus::ok:
      return "OK";
    case ConsumerStatus::warn:
      return "WARN";
    case ConsumerStatus::stall:
      return "STALL";
    case ConsumerStatus::stop:
      return "STOP";
    case ConsumerStatus::rewind:
      return "REWIND";
    case ConsumerStatus::blocked:
      return "BLOCKED";
  }
  return "OK";
}

PartitionStatusWindow::PartitionStatusWindow(StatusOptions options) : options_(options) {
  options_.window = std::max<std::size_t>(options_.window, 2);
}

std::int64_t PartitionStatusWindow::observe(const ConsumerObservation& observation) {
  // Offsets are never negative on the wire for a real commit; clamping keeps the
  // subtractions below defined whatever the caller passes.
  const std::int64_t committed = std::max<std::int64_t>(observation.committed_offset, 0);
  const std::int64_t end =
      std::max<std::int64_t>(observation.last_stable_offset.value_or(observation.high_watermark), 0);
  std::int64_t lag = committed >= end ? 0 : end - committed;
  // A read_committed consumer that has read everything often commits the offset of the
  // last commit marker, not the one after it: with no transaction open (LSO at the
  // watermark), a lag of exactly one message is that marker.
  if (observation.last_stable_offset && *observation.last_stable_offset == observation.high_watermark && lag == 1) {
    lag = 0;
  }
  // Waiting at a last stable offset that does not move: nothing to read, nothing coming.
  const bool blocked = observation.last_stable_offset && observation.stable_offset_frozen && lag == 0 &&
                       *observation.last_stable_offset < observation.high_watermark;
  const Sample sample{committed, lag, observation.time, observation.has_active_members, blocked};

  std::int64_t moved = 0;
  if (samples_.empty()) {
    samples_.reserve(options_.window);
    unchanged_since_ = sample.time;
  } else {
    const Sample& newest = at(samples_.size() - 1);
    if (sample.time <= newest.time) return 0;
    if (sample.committed > newest.committed) moved = sample.committed - newest.committed;
    if (sample.committed != newest.committed) unchanged_since_ = sample.time;
  }

  if (samples_.size() < options_.window) {
    samples_.push_back(sample);
  } else {
    samples_[oldest_] = sample;
    oldest_ = (oldest_ + 1) % samples_.size();
  }
  had_members_ = had_members_ || sample.members;
  status_ = evaluate();
  return moved;
}

ConsumerStatus PartitionStatusWindow::evaluate() const {
  const std::size_t count = samples_.size();
  // Unlike Burrow, a rewind is reported even when lag is 0 somewhere in the window: the
  // messages between the two offsets are processed twice either way.
  for (std::size_t i = 1; i < count; ++i) {
    if (at(i).committed < at(i - 1).committed) return ConsumerStatus::rewind;
  }
  const Sample& newest = at(count - 1);
  if (newest.blocked) return ConsumerStatus::blocked;
  if (newest.lag == 0) return ConsumerStatus::ok;
  const bool committed_since_previous = count >= 2 && newest.committed != at(count - 2).committed;
  if (!newest.members) {
    // Its consumers left and nobody commits in their place.
    if (had_members_ && count >= 2 && !committed_since_previous) return ConsumerStatus::stop;
    // Never seen with members: the age of the committed offset, not the window, decides, as
    // a window of quick cycles may be shorter than a committer's pause between commits.
    if (!had_members_ && newest.time - unchanged_since_ > options_.commit_window) return ConsumerStatus::stop;
  }
  if (count < options_.window) return ConsumerStatus::ok;

  bool members_throughout = true;
  for (std::size_t i = 0; i < count; ++i) {
    if (at(i).lag == 0) return ConsumerStatus::ok;  // caught up within the window
    members_throughout = members_throughout && at(i).members;
  }
  const Sample& oldest = at(0);
  // No rewind in the window, so equal ends mean the offset never moved. Without members
  // throughout it is left to the stop rule: a group between rebalances is not stuck.
  if (newest.committed == oldest.committed) return members_throughout ? ConsumerStatus::stall : ConsumerStatus::ok;
  // Without members, a moving offset means consuming only for a committer that never joins:
  // consumers that leave often commit one last time on the way out.
  const bool consuming = newest.members || (!had_members_ && committed_since_previous);
  if (consuming && lag_rose()) return ConsumerStatus::warn;
  return ConsumerStatus::ok;
}

bool PartitionStatusWindow::lag_rose() const {
  const std::size_t count = samples_.size();
  const std::size_t half = count / 2;  // an odd window leaves its middle observation out
  std::int64_t older_max = 0;
  for (std::size_t i = 0; i < half; ++i) older_max = std::max(older_max, at(i).lag);
  for (std::size_t i = count - half; i < count; ++i) {
    if (at(i).lag <= older_max) return false;
  }
  return true;
}

std::optional<std::int64_t> PartitionStatusWindow::lag() const {
  if (samples_.empty()) return std::nullopt;
  return at(samples_.size() - 1).lag;
}

std::optional<PartitionStatusWindow::TimePoint> PartitionStatusWindow::newest_time() const {
  if (samples_.empty()) return std::nullopt;
  return at(samples_.size() - 1).time;
}

ConsumerStatusTracker::ConsumerStatusTracker(StatusOptions options) : options_(options) {}

void ConsumerStatusTracker::observe(const GroupTopicPartition& key, const ConsumerObservation& observation) {
  auto [window, inserted] = partitions_.try_emplace(key, options_);
  const std::int64_t moved = window->second.observe(observation);
  // operator[] so that a pair has a counter (at 0) from its first observation on.
  committed_[{key.group, key.topic}] += static_cast<std::uint64_t>(moved);
}

std::optional<ConsumerStatus> ConsumerStatusTracker::partition_status(const GroupTopicPartition& key) const {
  const auto found = partitions_.find(key);
  if (found == partitions_.end()) return std::nullopt;
  return found->second.status();
}

std::size_t ConsumerStatusTracker::forget_unobserved_since(
    TimePoint cycle_time, const std::function<bool(const GroupTopicPartition&)>& unknown) {
  const std::size_t dropped = std::erase_if(partitions_, [&](const auto& entry) {
    const auto newest = entry.second.newest_time();
    return (!newest || *newest < cycle_time) && !unknown(entry.first);
  });
  std::erase_if(committed_, [this](const auto& entry) {
    const auto& [group, topic] = entry.first;
    const auto it = partitions_.lower_bound(first_of(group, topic));
    return it == partitions_.end() || it->first.group != group || it->first.topic != topic;
  });
  return dropped;
}

}  // namespace msgwatch::kafka
