#pragma once
// A consumer group's health per partition without thresholds, in the spirit of Burrow's
// consumer lag evaluation rules: not "is the lag above N" but "is the consumer keeping up".
// The probe adds one observation per cycle (committed offset, end offsets, time, whether
// the group has members); each partition keeps the last `window` of them.
//
// Lag here is measured against what the consumer can read: the last stable offset when the
// observation carries one (pass it for groups that read committed data), else the high
// watermark. A read_committed consumer waiting at the last stable offset behind an open
// transaction, or whose only "lag" is a transaction marker, has lag 0 and is OK; a hanging
// transaction is the transaction metrics' business, not a consumer's.
//
// Rules, evaluated at the newest observation, worst first (the numeric value is the
// gauge's, so that `> 0` alerts):
//
//   blocked (5) a read_committed consumer with nothing left to read below the last stable
//              offset, while that offset is frozen below the high watermark (the caller
//              says so: stuck for longer than transactions.lso_stall_after): an open
//              transaction that does not end holds it back, and however healthy it looks
//              it receives nothing.
//   rewind (4) the committed offset went backwards between two observations in the window
//              (an offset reset, or a re-created topic): messages are processed again.
//   stop   (3) the group has no members, lag > 0, and nobody is committing: either the
//              group had members while the daemon watched it and the committed offset has
//              not moved since the previous observation (its consumers left: seen within a
//              cycle or two), or it never showed members and the committed offset has not
//              changed for longer than `commit_window` (a consumer that assign()s
//              partitions and commits without joining, such as a stream processor, may
//              pause between commits without being stopped).
//   stall  (2) a full window in which lag was never 0, the committed offset never moved,
//              and the group had members throughout: consumers are alive but stuck.
//   warn   (1) a full window in which lag was never 0, the committed offset advanced, the
//              consumer is still consuming (members now, or, for a group never seen with
//              members, a commit that moved the offset since the previous observation: the
//              last commit of consumers on their way out does not count), and the lag
//              rose: every lag of the newer half of the window is above every lag of the
//              older half. A lag that jitters by a few messages, or dips once while it
//              keeps rising, is told apart from a trend by comparing halves rather than
//              neighbours.
//   ok     (0) anything else, in particular lag 0 now, or 0 at any point of the window.
//
// Where this differs from Burrow: Burrow warns when lag rose between every pair of
// neighbouring observations (one step of jitter is enough either way: lags 1,1,1,1,2 warn,
// a single dip in a rising lag clears it) and also on a lag that stays level; here a level
// lag is OK (how far behind shows in the lag in seconds) and the halves decide. Burrow
// reads every commit from __consumer_offsets and calls STOP once the last commit is older
// than the window's span; here the committed offset is sampled each cycle, so "has not
// moved" stands in for "no commit since" (a consumer committing the same offset again
// looks stopped, which it is in every way that matters here), and the members of the group
// say at once that its consumers left.
//
// With fewer observations than the window, only rewind and stop (which are evident from
// two observations) are reported, never stall or warn.
//
// Also counted: messages committed per group and topic, the sum of the forward moves of
// the committed offsets between observations (backward moves are rewinds, not progress).
//
// Memory: per partition, `window` samples of 32 bytes, 64 bytes of state, and a map node
// of about 170 bytes holding the group and topic names (longer names than 15 characters
// on the heap besides): about 0.5 KiB at the default window of 10.
// Time is a steady_clock time point passed in by the caller; nothing here reads a clock.
// Not thread-safe: one probe cycle owns it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace msgwatch::kafka {

enum class ConsumerStatus : std::uint8_t { ok = 0, warn = 1, stall = 2, stop = 3, rewind = 4, blocked = 5 };

constexpr int to_int(ConsumerStatus status) noexcept { return static_cast<int>(status); }
// "OK", "WARN", "STALL", "STOP", "REWIND": Burrow's names; "BLOCKED" is msgwatch's.
std::string_view to_string(ConsumerStatus status) noexcept;

struct StatusOptions {
  std::size_t window = 10;                                                      // observations; at least 2
  std::chrono::steady_clock::duration commit_window = std::chrono::minutes(5);  // for stop
};

// What one cycle saw of one group on one partition.
struct ConsumerObservation {
  std::int64_t committed_offset = 0;
  std::int64_t high_watermark = 0;
  std::optional<std::int64_t> last_stable_offset;  // for consumers that read committed data
  std::chrono::steady_clock::time_point time;
  bool has_active_members = false;
  // For a read_committed consumer: the last stable offset has been frozen below the high
  // watermark for longer than the caller tolerates.
  bool stable_offset_frozen = false;
};

// The window of one group on one partition.
class PartitionStatusWindow {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit PartitionStatusWindow(StatusOptions options = {});

  // Adds an observation and re-evaluates. Returns how far the committed offset moved
  // forward since the previous observation (0 for the first one, or a backward move). An
  // observation not newer than the newest one is ignored and returns 0.
  std::int64_t observe(const ConsumerObservation& observation);

  [[nodiscard]] ConsumerStatus status() const { return status_; }
  // Lag of the newest observation, against the last stable offset when known.
  [[nodiscard]] std::optional<std::int64_t> lag() const;
  [[nodiscard]] std::optional<TimePoint> newest_time() const;
  [[nodiscard]] std::size_t size() const { return samples_.size(); }

 private:
  struct Sample {
    std::int64_t committed = 0;
    std::int64_t lag = 0;
    TimePoint time;
    bool members = false;
    bool blocked = false;  // at a frozen last stable offset
  };
  const Sample& at(std::size_t i) const { return samples_[(oldest_ + i) % samples_.size()]; }
  ConsumerStatus evaluate() const;
  // Every lag of the newer half of the window above every lag of the older half.
  bool lag_rose() const;

  StatusOptions options_;
  std::vector<Sample> samples_;  // a ring of at most options_.window, oldest at oldest_
  std::size_t oldest_ = 0;
  TimePoint unchanged_since_;  // first observation of the newest committed offset
  bool had_members_ = false;   // some observation since the window began showed members
  ConsumerStatus status_ = ConsumerStatus::ok;
};

struct GroupTopicPartition {
  std::string group;
  std::string topic;
  std::int32_t partition = 0;
  bool operator==(const GroupTopicPartition&) const = default;
  // Spelt out rather than a defaulted <=>, which clang-tidy 14 misreads.
  friend bool operator<(const GroupTopicPartition& a, const GroupTopicPartition& b) {
    return std::tie(a.group, a.topic, a.partition) < std::tie(b.group, b.topic, b.partition);
  }
};

// Every group's windows, and the committed-messages counters.
class ConsumerStatusTracker {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using GroupTopic = std::pair<std::string, std::string>;

  explicit ConsumerStatusTracker(StatusOptions options = {});

  void observe(const GroupTopicPartition& key, const ConsumerObservation& observation);

  [[nodiscard]] std::optional<ConsumerStatus> partition_status(const GroupTopicPartition& key) const;

  [[nodiscard]] const std::map<GroupTopicPartition, PartitionStatusWindow>& partitions() const { return partitions_; }
  // Messages committed since the pair was first seen; a Prometheus counter.
  [[nodiscard]] const std::map<GroupTopic, std::uint64_t>& committed_messages() const { return committed_; }

  // Drops every partition not observed at or after `cycle_time` (a deleted topic, a
  // partition the group no longer commits to, an expired group) unless `unknown` says the
  // cycle could not see it (its coordinator or leader did not answer: a transient error
  // must not erase a window), and the counters of group-topic pairs left without
  // partitions. Returns how many partitions went. Call it after a successful cycle only, or
  // a failed one would wipe every window.
  std::size_t forget_unobserved_since(TimePoint cycle_time,
                                      const std::function<bool(const GroupTopicPartition&)>& unknown);

 private:
  StatusOptions options_;
  std::map<GroupTopicPartition, PartitionStatusWindow> partitions_;
  std::map<GroupTopic, std::uint64_t> committed_;
};

}  // namespace msgwatch::kafka
