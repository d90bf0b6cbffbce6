#pragma once
// Key groups: what share of a Redis database's keys match each configured glob pattern,
// and how much memory and time to live they have, estimated from an incremental SCAN
// spread over cycles. Pure bookkeeping, without Redis (key_group_reader.cpp feeds it).
//
// The estimator. SCAN walks the whole keyspace in passes; a pass returns every key that
// existed for all of it at least once (a rehash may return some twice; keys written or
// deleted during the pass may or may not be seen). For each group the sampler counts the
// keys of the pass that match it (a key belongs to the first group whose pattern matches);
// the estimate is that count's share of all keys the pass saw, times the database's key
// count now (INFO keyspace). Until a first pass is complete, the share comes from the part
// of the pass done so far: SCAN's order is the hash table's, unrelated to key names, so the
// keys seen are a random sample and the share's standard error is sqrt(p(1 - p) / n) for n
// keys seen (n = 100,000 gives at most 0.16 percentage points). After that it comes from the
// last complete pass, so an estimate is at most one pass old.
//
// Memory (MEMORY USAGE) and time to live (PTTL) are read for a bounded sample of each group's
// keys per cycle; the group's memory is the sample's mean times its estimated keys, its TTL
// distribution and keys without a TTL are the sample's shares of it.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace msgwatch::redis {

struct KeyGroupPattern {
  std::string name;
  std::string pattern;
};

// How much of the keyspace one cycle reads (key_group_reader.cpp).
struct KeySamplingSettings {
  std::int64_t scan_count = 250;         // SCAN's COUNT hint: Redis is busy for one step at a time
  std::int64_t scans_per_cycle = 200;    // SCAN calls per cycle at most
  std::int64_t details_per_cycle = 300;  // keys per cycle whose PTTL and MEMORY USAGE are read
  std::chrono::milliseconds max_time{100};
  bool on_replicas = false;  // sampled on primaries only unless set (replicas hold the same keys)
};

// Upper bounds (seconds) of the remaining-TTL buckets; the last bucket (+Inf) holds every key
// with a TTL.
inline constexpr std::array<double, 7> kTtlBuckets{60, 300, 900, 3600, 21600, 86400, 604800};

struct KeyGroupEstimate {
  std::string name;
  double keys = 0;
  std::optional<double> memory_bytes;      // absent until some key's memory is known
  std::optional<double> keys_without_ttl;  // absent until some key's TTL is known
  // Keys with a remaining TTL at most kTtlBuckets[i] (cumulative), then every key with a TTL.
  std::optional<std::array<double, kTtlBuckets.size() + 1>> keys_ttl_at_most;
};

class KeyGroupSampler {
 public:
  explicit KeyGroupSampler(std::vector<KeyGroupPattern> groups);

  [[nodiscard]] const std::vector<KeyGroupPattern>& groups() const { return groups_; }

  // A key SCAN returned: its group's index, nullopt when it matches none.
  std::optional<std::size_t> observe(std::string_view key);
  // The key's TTL (nullopt: none) and memory (nullopt: not known), read for a sample.
  void detail(std::size_t group, std::optional<double> ttl_seconds, std::optional<double> memory_bytes);
  // Where SCAN goes on from ("0": a new pass).
  [[nodiscard]] const std::string& cursor() const { return cursor_; }
  // SCAN answered with `next`: "0" ends the pass.
  void scanned(std::string next);

  // The estimates for a database of `total_keys` keys; empty until some key was seen.
  [[nodiscard]] std::vector<KeyGroupEstimate> estimates(double total_keys) const;
  // Keys the estimates rest on, and whether they are a whole pass.
  [[nodiscard]] std::int64_t sample_keys() const;
  [[nodiscard]] bool pass_complete() const { return last_.has_value(); }

 private:
  struct GroupTally {
    std::int64_t keys = 0;
    std::int64_t ttl_known = 0;
    std::int64_t without_ttl = 0;
    std::array<std::int64_t, kTtlBuckets.size() + 1> ttl_at_most{};
    std::int64_t memory_known = 0;
    double memory_sum = 0;
  };
  struct PassTally {
    std::int64_t keys = 0;  // every key seen, matching or not
    std::vector<GroupTally> groups;
  };

  [[nodiscard]] const PassTally& basis() const { return last_ ? *last_ : current_; }

  std::vector<KeyGroupPattern> groups_;
  std::string cursor_ = "0";
  PassTally current_;
  std::optional<PassTally> last_;
};

}  // namespace msgwatch::redis
