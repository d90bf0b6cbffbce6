#include "probes/kafka/canary/group_latency.hpp"

#include <algorithm>

namespace msgwatch::kafka {

void GroupLatency::landed(const std::string& topic, std::int32_t partition, std::int64_t offset,
                          CanaryClock::time_point sent) {
  auto& messages = landed_[{topic, partition}];
  const auto at = std::upper_bound(messages.begin(), messages.end(), offset,
                                   [](std::int64_t o, const Landed& l) { return o < l.offset; });
  messages.insert(at, Landed{offset, sent});
  while (messages.size() > kKept) messages.pop_front();
}

void GroupLatency::committed(const std::string& group, const std::string& topic, std::int32_t partition,
                             std::int64_t offset, CanaryClock::time_point now) {
  auto& state = groups_[{group, topic, partition}];
  const auto found = landed_.find({topic, partition});
  if (found != landed_.end()) {
    // The newest canary message passed since the last reading: offset below the committed
    // offset now, at or above it before.
    for (auto it = found->second.rbegin(); it != found->second.rend(); ++it) {
      if (it->offset >= offset) continue;
      if (it->offset >= state.committed) {
        state.latency_seconds = std::chrono::duration<double>(now - it->sent).count();
      }
      break;
    }
  }
  state.committed = std::max(state.committed, offset);
}

std::map<GroupLatency::Key, GroupLatency::Figure> GroupLatency::figures(CanaryClock::time_point now) const {
  std::map<Key, Figure> out;
  for (const auto& [key, state] : groups_) {
    Figure figure{state.latency_seconds, 0};
    const auto& [group, topic, partition] = key;
    if (const auto found = landed_.find({topic, partition}); found != landed_.end()) {
      const auto waiting = std::find_if(found->second.begin(), found->second.end(),
                                        [&](const Landed& l) { return l.offset >= state.committed; });
      if (waiting != found->second.end()) {
        figure.waiting_seconds = std::max(0.0, std::chrono::duration<double>(now - waiting->sent).count());
      }
    }
    out.emplace(key, figure);
  }
  return out;
}

}  // namespace msgwatch::kafka
