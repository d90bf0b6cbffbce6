#include "probes/kafka/lag/record_timestamps.hpp"

#include <algorithm>
#include <set>

namespace msgwatch::kafka {
namespace {

bool same_record(const RecordRef& a, const RecordRef& b) {
  return a.topic == b.topic && a.partition == b.partition && a.offset == b.offset;
}

}  // namespace

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
      const std::tuple<std::string_view, std::string_view, std::int32_t> id{group, key.first, key.second};
      if (history.lag_seconds.find(id) != history.lag_seconds.end()) continue;
      gaps_.push_back({&group, &topic->first, key.second, committed, partition->second.leader});
    }
  }

  // Forget what no gap needs any more.
  std::vector<const Gap*> by_record;
  by_record.reserve(gaps_.size());
  for (const auto& gap : gaps_) by_record.push_back(&gap);
  const auto record_less = [](const Gap* a, const Gap* b) {
    return std::tie(*a->topic, a->partition, a->offset) < std::tie(*b->topic, b->partition, b->offset);
  };
  std::sort(by_record.begin(), by_record.end(), record_less);
  const auto wanted = [&](const RecordKey& key) {
    const Gap probe{nullptr, &key.topic, key.partition, key.offset, -1};
    return std::binary_search(by_record.begin(), by_record.end(), &probe, record_less);
  };
  std::erase_if(settled_, [&](const auto& entry) { return !wanted(entry.first); });
  std::erase_if(last_tried_, [&](const auto& entry) { return !wanted(entry.first); });

  // The records to read, once each however many groups wait at them.
  struct Candidate {
    const Gap* gap;
    std::optional<SteadyTime> tried;
  };
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < by_record.size(); ++i) {
    const Gap* gap = by_record[i];
    if (i > 0 && same_record(gap->record(), by_record[i - 1]->record())) continue;
    if (gap->leader < 0 || settled_.find(gap->record()) != settled_.end()) continue;
    const auto tried = last_tried_.find(gap->record());
    candidates.push_back({gap, tried == last_tried_.end() ? std::nullopt : std::optional(tried->second)});
  }
  // Never tried first (nullopt orders first), then the one tried longest ago.
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.tried < b.tried; });

  std::vector<RecordRead> reads;
  std::set<std::pair<std::string_view, std::int32_t>> partitions;  // one read per partition
  for (const auto& candidate : candidates) {
    if (reads.size() >= reads_per_cycle_) break;
    const Gap& gap = *candidate.gap;
    if (!partitions.emplace(*gap.topic, gap.partition).second) continue;
    RecordKey key{*gap.topic, gap.partition, gap.offset};
    last_tried_[key] = now;
    reads.push_back({std::move(key), gap.leader});
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
    const auto settled = settled_.find(gap.record());
    const auto kind = settled == settled_.end() ? RecordTime::Kind::unknown : settled->second.kind;
    if (kind == RecordTime::Kind::unknown) {
      ++unknown;
      continue;
    }
    const double seconds =
        kind == RecordTime::Kind::written ? std::chrono::duration<double>(now - settled->second.when).count() : 0.0;
    // A producer's clock ahead of ours gives a record "from the future": it is at least new.
    history.lag_seconds[GroupPartition{*gap.group, *gap.topic, gap.partition}] = std::max(seconds, 0.0);
  }
  return unknown;
}

}  // namespace msgwatch::kafka
