#pragma once
// Lag in seconds where the end-offset history cannot tell: from the timestamp of the record
// at the group's committed offset, the oldest message the group has not consumed.
//
// The history (offset_history.hpp) only knows offsets written while the daemon watched. A
// group whose committed offset is older than its first sample (every group that was behind
// when the daemon started, every new group reading from far back) is a gap: the probe reads
// the record at that offset (a Fetch to the partition's leader) and exports now minus the
// record's timestamp until the history brackets the offset and takes over.
//
// At most `reads_per_cycle` records are read per cycle, and one per partition (so one
// Fetch per leader): records never tried first (a gap that just opened), then those tried
// longest ago. A record's time never changes, so a stuck group's record is read once; a
// group that consumes while still behind the history needs a read per cycle. What a read
// settled is kept while some gap still points at the record: a timestamp; that no message is
// left unread (from the offset to the end only transaction markers, as for a transactional
// consumer committed in front of the last commit marker: 0 s); or that there is none to be
// had (deleted by retention, no timestamp). A read that failed (leader unreachable or moved,
// an answer cut short) is tried again in a later cycle.
//
// Time: gaps are ordered by steady_clock; lags are computed against the wall clock, as
// record timestamps are. Not thread-safe: one probe cycle owns it.

#include "probes/kafka/lag/cluster_snapshot.hpp"
#include "probes/kafka/lag/group_metrics.hpp"

#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace msgwatch::kafka {

// The record at `offset`: the first one a group has not consumed.
struct RecordKey {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  auto operator<=>(const RecordKey&) const = default;
};

// The same, borrowing the topic name: for lookups that should not copy it.
struct RecordRef {
  std::string_view topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
};
inline bool operator<(const RecordKey& a, const RecordRef& b) {
  return std::tie(a.topic, a.partition, a.offset) < std::tie(b.topic, b.partition, b.offset);
}
inline bool operator<(const RecordRef& a, const RecordKey& b) {
  return std::tie(a.topic, a.partition, a.offset) < std::tie(b.topic, b.partition, b.offset);
}

struct RecordRead {
  RecordKey key;
  std::int32_t leader = -1;
};

// What a read settled about a record.
struct RecordTime {
  enum class Kind : std::uint8_t {
    written,         // when: the record's timestamp
    nothing_unread,  // from the offset to the end only transaction markers: 0 s behind
    unknown,         // nothing to be had: deleted, or no timestamp
  };
  Kind kind = Kind::unknown;
  std::chrono::system_clock::time_point when;
};
// What a cycle's reads settled. A record left out was not read (the read failed).
using RecordTimes = std::map<RecordKey, RecordTime>;

class RecordTimestamps {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  using WallTime = std::chrono::system_clock::time_point;

  explicit RecordTimestamps(std::size_t reads_per_cycle);

  // Finds this cycle's gaps (partitions where the group has lag and `history` no estimate in
  // seconds) and returns the records to read: those not settled, at most reads_per_cycle.
  // Forgets what no gap needs any more. The gaps point into `snapshot`, which must outlive
  // the fill() of the same cycle.
  std::vector<RecordRead> plan(const ClusterSnapshot& snapshot, const GroupHistory& history, SteadyTime now);

  // Settles the records read.
  void learn(const RecordTimes& times);

  // Adds the lag in seconds of each gap of the last plan() whose record's time is known;
  // returns how many gaps are left without one.
  std::size_t fill(GroupHistory& history, WallTime now) const;

 private:
  struct Gap {
    const std::string* group;
    const std::string* topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::int32_t leader = -1;
    [[nodiscard]] RecordRef record() const { return {*topic, partition, offset}; }
  };

  std::size_t reads_per_cycle_;
  std::vector<Gap> gaps_;  // of the last plan()
  std::map<RecordKey, RecordTime, std::less<>> settled_;
  std::map<RecordKey, SteadyTime, std::less<>> last_tried_;  // reads not settled yet
};

}  // namespace msgwatch::kafka
