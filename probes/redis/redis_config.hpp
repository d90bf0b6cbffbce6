#pragma once
// A Redis server's configuration section (an item of the `redis:` list) and the family that
// parses it.

#include "exporter/sdk/config_reader.hpp"
#include "exporter/sdk/probe_family.hpp"
#include "exporter/sdk/tls_client.hpp"
#include "probes/redis/key_groups.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace msgwatch::redis {

struct RedisTarget final : ProbeTarget {
  std::string name;  // the `cluster` label
  // Seeds (host:port): one server, or some of a deployment whose other servers (replicas,
  // primaries, cluster nodes) are discovered from them unless `discover` is off.
  std::vector<std::string> addresses;
  bool discover = true;
  std::string username;  // ACL user; empty = default user
  config::Secret password;
  // TLS to every server of the target (seeds and those discovered) alike; none: plain TCP.
  std::optional<TlsClient> tls;
  ProbeSchedule schedule;
  // Keys of lists, sorted sets and streams used as queues, measured exactly every cycle.
  std::vector<std::string> queues;
  // Glob patterns whose keys are counted, sized and aged by sampling (key_groups.hpp).
  std::vector<KeyGroupPattern> key_groups;
  KeySamplingSettings key_sampling;

  [[nodiscard]] const std::string& cluster_label() const override { return name; }
  void check_secrets() const override { (void)password.resolve(); }
  void log() const override;
  [[nodiscard]] std::vector<std::unique_ptr<Probe>> make_probes(const ProbeContext& context) const override;
};

RedisTarget parse_redis_target(config::MapReader& reader);

extern const ProbeFamily redis_family;

}  // namespace msgwatch::redis
