#include "probes/redis/redis_config.hpp"

#include "exporter/sdk/log_event.hpp"
#include "probes/redis/redis_probe.hpp"
#include "probes/redis/redis_topology.hpp"

#include <set>

namespace msgwatch::redis {
namespace {

// Every queue costs a few commands each cycle; a list beyond this is a configuration mistake.
constexpr std::size_t kMaxQueues = 1000;
// Every key SCAN returns is matched against each pattern.
constexpr std::size_t kMaxKeyGroups = 100;

std::unique_ptr<ProbeTarget> parse(config::MapReader& item) {
  return std::make_unique<RedisTarget>(parse_redis_target(item));
}

void read_key_groups(config::MapReader& reader, RedisTarget& target) {
  std::set<std::string> names;
  for (auto& item : reader.list_of_sections("key_groups")) {
    item.reject_unknown({"name", "pattern"});
    KeyGroupPattern group;
    item.read("name", group.name);
    item.read("pattern", group.pattern);
    if (group.name.empty()) item.fail("name", "is required");
    if (group.pattern.empty()) item.fail("pattern", "is required");
    if (!names.insert(group.name).second) item.fail("name", "'" + group.name + "' names two key groups");
    item.finish();
    target.key_groups.push_back(std::move(group));
  }
  if (target.key_groups.size() > kMaxKeyGroups) {
    reader.fail("key_groups", "has " + std::to_string(target.key_groups.size()) + " groups; at most " +
                                  std::to_string(kMaxKeyGroups));
  }
  auto sampling = reader.section("key_sampling");
  auto& settings = target.key_sampling;
  sampling.read("scan_count", settings.scan_count, 10, 100000);
  sampling.read("scans_per_cycle", settings.scans_per_cycle, 1, 100000);
  sampling.read("details_per_cycle", settings.details_per_cycle, 0, 100000);
  sampling.read("max_time", settings.max_time);
  sampling.read("on_replicas", settings.on_replicas);
  if (settings.max_time <= std::chrono::milliseconds(0) || settings.max_time >= target.schedule.timeout) {
    sampling.fail("max_time", "must be above 0 and below the target's timeout");
  }
  sampling.finish();
}

}  // namespace

RedisTarget parse_redis_target(config::MapReader& reader) {
  RedisTarget target;
  target.schedule.interval = std::chrono::seconds(15);
  target.schedule.timeout = std::chrono::seconds(10);
  reader.reject_unknown({"name", "address", "addresses", "discover", "username", "password", "password_file",
                         "password_env", "tls", "interval", "timeout", "stale_after", "queues", "key_groups",
                         "key_sampling"});
  reader.read("name", target.name);
  config::check_name(reader, target.name);
  std::string address;
  reader.read("address", address);
  reader.read("addresses", target.addresses);
  if (!address.empty() && !target.addresses.empty()) reader.fail("addresses", "and address: give one of them");
  if (!address.empty()) target.addresses.push_back(address);
  if (target.addresses.empty()) reader.fail("address", "is required (or addresses, a list of seeds)");
  std::set<std::string> seeds;
  for (auto& seed : target.addresses) {
    config::check_host_port(reader, address.empty() ? "addresses" : "address", seed);
    seed = normalize_address(seed).value_or(seed);
    if (!seeds.insert(seed).second) reader.fail("addresses", "names " + seed + " twice");
  }
  if (target.addresses.size() > RedisTopology::kMaxNodes) {
    reader.fail("addresses", "names more than " + std::to_string(RedisTopology::kMaxNodes) + " servers");
  }
  reader.read("discover", target.discover);
  reader.read("username", target.username);
  target.password = config::read_secret(reader, "password");
  target.tls = read_tls_client(reader);
  target.schedule = config::read_schedule(reader, target.schedule);
  reader.read("queues", target.queues);
  if (target.queues.size() > kMaxQueues) {
    reader.fail("queues", "names " + std::to_string(target.queues.size()) + " keys; at most " +
                              std::to_string(kMaxQueues) + " are read every cycle");
  }
  for (const auto& key : target.queues) {
    if (key.empty()) reader.fail("queues", "has an empty key name");
  }
  read_key_groups(reader, target);
  reader.finish();
  return target;
}

void RedisTarget::log() const {
  std::string seeds;
  for (const auto& seed : addresses) seeds += (seeds.empty() ? "" : ",") + seed;
  log_event(spdlog::level::info, "redis target",
            {{"cluster", name},
             {"addresses", seeds},
             {"discover", discover ? "true" : "false"},
             {"user", username},
             {"password", password.describe()},
             {"tls", tls_mode(tls)},
             {"interval", log_duration(schedule.interval)},
             {"timeout", log_duration(schedule.timeout)},
             {"stale_after", log_duration(schedule.effective_stale_after())},
             {"queues", std::to_string(queues.size())},
             {"key_groups", std::to_string(key_groups.size())}});
  if (tls && !tls->files.verify) {
    log_event(spdlog::level::warn, "redis tls certificates not verified (insecure_skip_verify)", {{"cluster", name}});
  }
}

std::vector<std::unique_ptr<Probe>> RedisTarget::make_probes(const ProbeContext& context) const {
  std::vector<std::unique_ptr<Probe>> probes;
  probes.push_back(make_redis_probe(*this, context));
  return probes;
}

const ProbeFamily redis_family{"redis", "Redis target(s)", &parse};

}  // namespace msgwatch::redis
