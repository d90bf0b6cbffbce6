#include "probes/redis/key_groups.hpp"

#include "probes/redis/key_pattern.hpp"

namespace msgwatch::redis {

KeyGroupSampler::KeyGroupSampler(std::vector<KeyGroupPattern> groups) : groups_(std::move(groups)) {
  current_.groups.resize(groups_.size());
}

std::optional<std::size_t> KeyGroupSampler::observe(std::string_view key) {
  ++current_.keys;
  for (std::size_t i = 0; i < groups_.size(); ++i) {
    if (glob_match(groups_[i].pattern, key)) {
      ++current_.groups[i].keys;
      return i;
    }
  }
  return std::nullopt;
}

void KeyGroupSampler::detail(std::size_t group, std::optional<double> ttl_seconds, std::optional<double> memory_bytes) {
  auto& tally = current_.groups.at(group);
  ++tally.ttl_known;
  if (!ttl_seconds) {
    ++tally.without_ttl;
  } else {
    for (std::size_t b = 0; b < kTtlBuckets.size(); ++b) {
      if (*ttl_seconds <= kTtlBuckets[b]) ++tally.ttl_at_most[b];
    }
    ++tally.ttl_at_most.back();
  }
  if (memory_bytes) {
    ++tally.memory_known;
    tally.memory_sum += *memory_bytes;
  }
}

void KeyGroupSampler::scanned(std::string next) {
  cursor_ = std::move(next);
  if (cursor_ != "0") return;
  last_ = std::move(current_);
  current_ = PassTally{};
  current_.groups.resize(groups_.size());
}

std::int64_t KeyGroupSampler::sample_keys() const { return basis().keys; }

std::vector<KeyGroupEstimate> KeyGroupSampler::estimates(double total_keys) const {
  const auto& pass = basis();
  std::vector<KeyGroupEstimate> out;
  if (pass.keys == 0) return out;
  for (std::size_t i = 0; i < groups_.size(); ++i) {
    const auto& tally = pass.groups[i];
    KeyGroupEstimate estimate;
    estimate.name = groups_[i].name;
    estimate.keys = static_cast<double>(tally.keys) / static_cast<double>(pass.keys) * total_keys;
    if (tally.memory_known > 0) {
      estimate.memory_bytes = tally.memory_sum / static_cast<double>(tally.memory_known) * estimate.keys;
    }
    if (tally.ttl_known > 0) {
      const double share_of_keys = estimate.keys / static_cast<double>(tally.ttl_known);
      estimate.keys_without_ttl = static_cast<double>(tally.without_ttl) * share_of_keys;
      std::array<double, kTtlBuckets.size() + 1> buckets{};
      for (std::size_t b = 0; b < buckets.size(); ++b) {
        buckets[b] = static_cast<double>(tally.ttl_at_most[b]) * share_of_keys;
      }
      estimate.keys_ttl_at_most = buckets;
    }
    out.push_back(std::move(estimate));
  }
  return out;
}

}  // namespace msgwatch::redis
