#include "probes/kafka/canary/canary_plan.hpp"

#include <algorithm>
#include <map>

namespace msgwatch::kafka {
namespace {

using Broker = std::int32_t;

bool contains(const std::vector<Broker>& brokers, Broker broker) {
  return std::find(brokers.begin(), brokers.end(), broker) != brokers.end();
}

// The broker of `counts` not in `exclude` with the lowest count (the lowest id among equals), or -1.
Broker least(const std::map<Broker, std::int64_t>& counts, const std::vector<Broker>& exclude) {
  Broker best = -1;
  for (const auto& [broker, count] : counts) {
    if (contains(exclude, broker)) continue;
    if (best < 0 || count < counts.at(best)) best = broker;
  }
  return best;
}

class Planner {
 public:
  explicit Planner(const CanaryPlanInput& input) : input_(input), view_(input.view) {
    for (const auto broker : view_.brokers) {
      replica_load_[broker] = 0;
      preferred_[broker] = 0;
    }
    for (const auto& [partition, set] : view_.replicas) {
      replication_factor_ = std::max(replication_factor_, set.replicas.size());
      for (const auto broker : set.replicas) {
        if (input_.removed.contains(broker)) continue;
        known_.insert(broker);
        if (replica_load_.contains(broker)) ++replica_load_[broker];
      }
      if (!set.replicas.empty() && preferred_.contains(set.replicas.front())) ++preferred_[set.replicas.front()];
    }
    known_.insert(view_.brokers.begin(), view_.brokers.end());
  }

  CanaryPlanStep plan() {
    if (!view_.exists() || view_.brokers.empty()) return {};
    if (input_.reassignment_in_progress) return {};
    if (auto step = replace_removed(); step.kind != CanaryPlanStep::Kind::none) return step;
    if (auto step = lead_idle(); step.kind != CanaryPlanStep::Kind::none) return step;
    return elect_preferred();
  }

 private:
  CanaryPlanStep replace_removed() {
    for (const auto& [partition, set] : view_.replicas) {
      std::set<Broker> gone;
      std::vector<Broker> replicas;
      for (const auto broker : set.replicas) {
        if (!input_.removed.contains(broker)) {
          replicas.push_back(broker);
          continue;
        }
        gone.insert(broker);
        // In the removed broker's place, so that a preferred leader is replaced by one.
        auto taken = set.replicas;
        taken.insert(taken.end(), replicas.begin(), replicas.end());
        const auto replacement = least(replica_load_, taken);
        if (replacement >= 0) {
          replicas.push_back(replacement);
          ++replica_load_[replacement];
        }
      }
      if (gone.empty() || replicas.empty()) continue;
      CanaryPlanStep step;
      step.kind = CanaryPlanStep::Kind::reassign;
      step.partition = partition;
      step.replicas = replicas;
      step.reason = "partition " + std::to_string(partition) + " has replicas on removed broker(s) " +
                    id_list({gone.begin(), gone.end()});
      return step;
    }
    return {};
  }

  CanaryPlanStep lead_idle() {
    std::vector<Broker> idle;
    for (const auto broker : view_.brokers) {
      if (preferred_[broker] == 0) idle.push_back(broker);
    }
    if (idle.empty()) return {};
    const auto target = static_cast<std::size_t>(input_.partitions_per_broker) * known_.size();
    if (view_.replicas.size() < target) return add_partitions(idle, target - view_.replicas.size());
    return hand_over(idle.front());
  }

  CanaryPlanStep add_partitions(const std::vector<Broker>& idle, std::size_t count) {
    if (view_.brokers.size() < replication_factor_) return {};  // nowhere to put every replica
    CanaryPlanStep step;
    step.kind = CanaryPlanStep::Kind::add_partitions;
    for (std::size_t i = 0; i < count; ++i) {
      const Broker leader = i < idle.size() ? idle[i] : least(preferred_, {});
      ++preferred_[leader];
      std::vector<Broker> replicas{leader};
      ++replica_load_[leader];
      while (replicas.size() < replication_factor_) {
        const auto follower = least(replica_load_, replicas);
        replicas.push_back(follower);
        ++replica_load_[follower];
      }
      step.new_partitions.push_back(std::move(replicas));
    }
    step.reason = "broker(s) " + id_list(idle) + " lead no canary partition";
    return step;
  }

  // One partition of the broker preferred for the most goes to `idle`.
  CanaryPlanStep hand_over(Broker idle) {
    std::map<Broker, std::vector<std::int32_t>> by_preferred;
    for (const auto& [partition, set] : view_.replicas) {
      if (!set.replicas.empty()) by_preferred[set.replicas.front()].push_back(partition);
    }
    const std::vector<std::int32_t>* donor = nullptr;
    for (const auto& [broker, partitions] : by_preferred) {
      if (donor == nullptr || partitions.size() > donor->size()) donor = &partitions;
    }
    if (donor == nullptr || donor->size() < 2) return {};
    std::int32_t chosen = donor->front();
    for (const auto partition : *donor) {
      if (contains(view_.replicas.at(partition).replicas, idle)) {
        chosen = partition;
        break;
      }
    }
    const auto& old = view_.replicas.at(chosen).replicas;
    std::vector<Broker> replicas{idle};
    for (const auto broker : old) {
      if (broker != idle) replicas.push_back(broker);
    }
    replicas.resize(old.size());  // without `idle` among them: the last replica makes room
    CanaryPlanStep step;
    step.kind = CanaryPlanStep::Kind::reassign;
    step.partition = chosen;
    step.replicas = std::move(replicas);
    step.reason = "broker " + std::to_string(idle) + " leads no canary partition";
    return step;
  }

  CanaryPlanStep elect_preferred() {
    CanaryPlanStep step;
    for (const auto& [partition, set] : view_.replicas) {
      if (set.replicas.empty()) continue;
      const auto preferred = set.replicas.front();
      const auto leader = view_.leaders.find(partition);
      if (leader == view_.leaders.end() || leader->second == preferred) continue;
      if (!contains(view_.brokers, preferred) || !contains(set.in_sync, preferred)) continue;
      step.elect.push_back(partition);
    }
    if (step.elect.empty()) return {};
    step.kind = CanaryPlanStep::Kind::elect_preferred_leaders;
    step.reason = std::to_string(step.elect.size()) + " partition(s) not led by their preferred leader";
    return step;
  }

  const CanaryPlanInput& input_;
  const CanaryTopicView& view_;
  std::map<Broker, std::int64_t> replica_load_;  // brokers in the metadata → canary replicas they hold
  std::map<Broker, std::int64_t> preferred_;     // brokers in the metadata → partitions they are preferred for
  std::set<Broker> known_;                       // in the metadata, or holding replicas and not removed
  std::size_t replication_factor_ = 1;
};

}  // namespace

CanaryPlanStep plan_canary_topic(const CanaryPlanInput& input) { return Planner(input).plan(); }

std::string id_list(const std::vector<std::int32_t>& ids) {
  std::string text;
  for (const auto id : ids) text += (text.empty() ? "" : ",") + std::to_string(id);
  return text;
}

void CanaryBrokerSightings::update(const CanaryTopicView& view, Clock::time_point now) {
  present_ = {view.brokers.begin(), view.brokers.end()};
  std::set<std::int32_t> named = present_;
  for (const auto& [partition, set] : view.replicas) named.insert(set.replicas.begin(), set.replicas.end());
  std::erase_if(last_seen_, [&](const auto& entry) { return !named.contains(entry.first); });
  for (const auto broker : named) {
    if (present_.contains(broker) || !last_seen_.contains(broker)) last_seen_[broker] = now;
  }
}

std::set<std::int32_t> CanaryBrokerSightings::removed(Clock::time_point now,
                                                      std::chrono::milliseconds removed_after) const {
  std::set<std::int32_t> removed;
  for (const auto& [broker, seen] : last_seen_) {
    if (!present_.contains(broker) && now - seen >= removed_after) removed.insert(broker);
  }
  return removed;
}

namespace {

bool shows(const CanaryTopicView& view, const CanaryPlanStep& step, std::size_t partitions) {
  switch (step.kind) {
    case CanaryPlanStep::Kind::add_partitions:
      return view.replicas.size() >= partitions + step.new_partitions.size();
    case CanaryPlanStep::Kind::reassign: {
      const auto it = view.replicas.find(step.partition);
      return it != view.replicas.end() && it->second.replicas == step.replicas;
    }
    case CanaryPlanStep::Kind::elect_preferred_leaders:
      return std::all_of(step.elect.begin(), step.elect.end(), [&](std::int32_t partition) {
        const auto leader = view.leaders.find(partition);
        const auto set = view.replicas.find(partition);
        return leader != view.leaders.end() && set != view.replicas.end() && !set->second.replicas.empty() &&
               leader->second == set->second.replicas.front();
      });
    case CanaryPlanStep::Kind::none:
      break;
  }
  return true;
}

}  // namespace

void CanaryChangeInFlight::made(const CanaryPlanStep& step, std::size_t partitions, Clock::time_point now) {
  step_ = step;
  partitions_ = partitions;
  deadline_ = now + settle;
}

bool CanaryChangeInFlight::awaited(const CanaryTopicView& view, Clock::time_point now) {
  if (step_ && (now >= deadline_ || shows(view, *step_, partitions_))) step_.reset();
  return step_.has_value();
}

}  // namespace msgwatch::kafka
