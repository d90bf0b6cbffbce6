#include "probes/kafka/lag/record_timestamps.hpp"

#include <algorithm>
#include <set>

namespace msgwatch::kafka {

RecordTimestamps::RecordTimestamps(std::size_t reads_per_cycle) : reads_per_cycle_(reads_per_cycle) {}

std::vector<RecordRead> RecordTimestamps::plan(const ClusterSnapshot& snapshot, const GroupHistory& history,
                                               SteadyTime now) {
  gaps_.clear();
  for (const auto& [group, state] : snapshot.groups) {
    for (const auto& [key, committed] : state.committed) {
      const auto topic = snapshot.topics.find(key.first);
      if (topic == snapshot.topics.end() || !topic->second.selected) continue;
      const auto partition = topic->second.partitions.find(key.second);
      if (partition == topic->second.partitions.end()) continue;
      const auto& end = partition->second.newest_offset;
      if (!end || *end <= committed) continue;  // unknown end, or caught up: no lag to date
      GroupPartition id{group, key.first, key.second};
      if (history.lag_seconds.contains(id)) continue;
      gaps_.push_back({std::move(id), {key.first, key.second, committed}, partition->second.leader});
    }
  }

  // Forget what no gap needs any more; the rest opened now if not before.
  std::map<GroupPartition, SteadyTime> first_seen;
  std::set<RecordKey> wanted;
  for (const auto& gap : gaps_) {
    const auto before = first_seen_.find(gap.group_partition);
    first_seen.emplace(gap.group_partition, before == first_seen_.end() ? now : before->second);
    wanted.insert(gap.record);
  }
  first_seen_ = std::move(first_seen);
  std::erase_if(settled_, [&](const auto& entry) { return !wanted.contains(entry.first); });
  std::erase_if(last_tried_, [&](const auto& entry) { return !wanted.contains(entry.first); });

  // One read per record, however many groups wait at it; the newest gap pointing at a
  // record decides its place.
  struct Candidate {
    SteadyTime opened;
    std::optional<SteadyTime> tried;
    RecordRead read;
  };
  std::map<RecordKey, Candidate> candidates;
  for (const auto& gap : gaps_) {
    if (settled_.contains(gap.record) || gap.leader < 0) continue;
    const SteadyTime opened = first_seen_.at(gap.group_partition);
    auto [it, inserted] = candidates.try_emplace(gap.record, Candidate{opened, std::nullopt, {gap.record, gap.leader}});
    if (!inserted) it->second.opened = std::max(it->second.opened, opened);
    if (const auto tried = last_tried_.find(gap.record); tried != last_tried_.end()) it->second.tried = tried->second;
  }
  std::vector<Candidate> order;
  order.reserve(candidates.size());
  for (auto& [key, candidate] : candidates) order.push_back(std::move(candidate));
  // Newest gap first; among equals the one not tried for the longest (never tried first).
  std::stable_sort(order.begin(), order.end(), [](const Candidate& a, const Candidate& b) {
    if (a.opened != b.opened) return a.opened > b.opened;
    return a.tried < b.tried;
  });
  if (order.size() > reads_per_cycle_) order.resize(reads_per_cycle_);

  std::vector<RecordRead> reads;
  reads.reserve(order.size());
  for (auto& candidate : order) {
    last_tried_[candidate.read.key] = now;
    reads.push_back(std::move(candidate.read));
  }
  return reads;
}

void RecordTimestamps::learn(const RecordTimes& times) {
  for (const auto& [key, written] : times) {
    settled_[key] = written;
    last_tried_.erase(key);
  }
}

std::size_t RecordTimestamps::fill(GroupHistory& history, WallTime now) const {
  std::size_t unknown = 0;
  for (const auto& gap : gaps_) {
    const auto settled = settled_.find(gap.record);
    const auto kind = settled == settled_.end() ? RecordTime::Kind::unknown : settled->second.kind;
    if (kind == RecordTime::Kind::unknown) {
      ++unknown;
      continue;
    }
    const double seconds =
        kind == RecordTime::Kind::written ? std::chrono::duration<double>(now - settled->second.when).count() : 0.0;
    // A producer's clock ahead of ours gives a record "from the future": it is at least new.
    history.lag_seconds[gap.group_partition] = std::max(seconds, 0.0);
  }
  return unknown;
}

}  // namespace msgwatch::kafka
