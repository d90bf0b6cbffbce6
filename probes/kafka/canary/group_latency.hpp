#pragma once
// The canary in production topics: how long a consumer group takes to get past a message,
// measured without reading production data. The canary writes one message to every
// partition of the named production topics each interval; from the offsets the broker gave
// them and the groups' committed offsets, read once per interval, follows per group and
// partition:
//   latency  send of the newest canary message the group's committed offset has passed, to
//            the moment the daemon saw it passed (so up to one interval late)
//   waiting  how long the oldest canary message the group has not passed yet has been
//            waiting (0 when it has passed every one): it grows while a group is stuck
// Not thread-safe.

#include "probes/kafka/canary/canary_tracker.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <tuple>

namespace msgwatch::kafka {

class GroupLatency {
 public:
  // A canary message sent at `sent` landed at `offset`.
  void landed(const std::string& topic, std::int32_t partition, std::int64_t offset, CanaryClock::time_point sent);
  // The group's committed offset (the next one it will read) of topic/partition, read at `now`.
  void committed(const std::string& group, const std::string& topic, std::int32_t partition, std::int64_t offset,
                 CanaryClock::time_point now);

  struct Figure {
    std::optional<double> latency_seconds;  // none until the group passed a canary message
    double waiting_seconds = 0;
  };
  using Key = std::tuple<std::string, std::string, std::int32_t>;  // group, topic, partition
  // Every group partition whose committed offset was read.
  [[nodiscard]] std::map<Key, Figure> figures(CanaryClock::time_point now) const;

 private:
  struct Landed {
    std::int64_t offset;
    CanaryClock::time_point sent;
  };
  struct GroupPartition {
    std::int64_t committed = -1;
    std::optional<double> latency_seconds;
  };
  // Canary messages kept per partition: the newest, enough for a group days behind at one a
  // minute.
  static constexpr std::size_t kKept = 4096;

  std::map<std::pair<std::string, std::int32_t>, std::deque<Landed>> landed_;  // in offset order
  std::map<Key, GroupPartition> groups_;
};

}  // namespace msgwatch::kafka
