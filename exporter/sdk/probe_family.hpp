#pragma once
// A kind of probe as the daemon sees it: the top-level configuration key it owns (a list of
// targets), the parser of one item of that list, and the probes one parsed target makes.
// Adding a probe family is a folder under probes/ and one line in
// exporter/app/probe_registry.cpp; the family parses its own configuration section.

#include "exporter/sdk/config_reader.hpp"
#include "exporter/sdk/probe.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace msgwatch {

// One configured target (a Kafka cluster, a Redis server): its parsed section.
class ProbeTarget {
 public:
  virtual ~ProbeTarget() = default;
  // The `cluster` label; unique within the family.
  [[nodiscard]] virtual const std::string& cluster_label() const = 0;
  // Reads every secret now, so that a missing one is a configuration error at start-up;
  // the values are dropped at once. Throws config::ConfigError.
  virtual void check_secrets() const {}
  // The start-up log line: what the target is, secrets described but never read out.
  virtual void log() const = 0;
  [[nodiscard]] virtual std::vector<std::unique_ptr<Probe>> make_probes(const ProbeContext& context) const = 0;
};

struct ProbeFamily {
  std::string_view key;    // the top-level configuration key: "kafka", "redis"
  std::string_view nouns;  // how --config.check counts its targets: "Kafka cluster(s)"
  // Parses one item of the key's list; fails through the reader (config::ConfigError).
  std::unique_ptr<ProbeTarget> (*parse)(config::MapReader& item);
};

}  // namespace msgwatch
