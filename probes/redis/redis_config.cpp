#include "probes/redis/redis_config.hpp"

#include "exporter/sdk/log_event.hpp"
#include "probes/redis/redis_probe.hpp"

namespace msgwatch::redis {
namespace {

// Every queue costs a few commands each cycle; a list beyond this is a configuration mistake.
constexpr std::size_t kMaxQueues = 1000;

std::unique_ptr<ProbeTarget> parse(config::MapReader& item) {
  return std::make_unique<RedisTarget>(parse_redis_target(item));
}

}  // namespace

RedisTarget parse_redis_target(config::MapReader& reader) {
  RedisTarget target;
  target.schedule.interval = std::chrono::seconds(15);
  target.schedule.timeout = std::chrono::seconds(10);
  reader.reject_unknown({"name", "address", "username", "password", "password_file", "password_env", "interval",
                         "timeout", "stale_after", "queues"});
  reader.read("name", target.name);
  config::check_name(reader, target.name);
  reader.read("address", target.address);
  if (target.address.empty()) reader.fail("address", "is required");
  config::check_host_port(reader, "address", target.address);
  reader.read("username", target.username);
  target.password = config::read_secret(reader, "password");
  target.schedule = config::read_schedule(reader, target.schedule);
  reader.read("queues", target.queues);
  if (target.queues.size() > kMaxQueues) {
    reader.fail("queues", "names " + std::to_string(target.queues.size()) + " keys; at most " +
                              std::to_string(kMaxQueues) + " are read every cycle");
  }
  for (const auto& key : target.queues) {
    if (key.empty()) reader.fail("queues", "has an empty key name");
  }
  reader.finish();
  return target;
}

void RedisTarget::log() const {
  log_event(spdlog::level::info, "redis target",
            {{"cluster", name},
             {"address", address},
             {"user", username},
             {"password", password.describe()},
             {"interval", log_duration(schedule.interval)},
             {"timeout", log_duration(schedule.timeout)},
             {"stale_after", log_duration(schedule.effective_stale_after())},
             {"queues", std::to_string(queues.size())}});
}

std::vector<std::unique_ptr<Probe>> RedisTarget::make_probes(const ProbeContext& context) const {
  std::vector<std::unique_ptr<Probe>> probes;
  probes.push_back(make_redis_probe(*this, context));
  return probes;
}

const ProbeFamily redis_family{"redis", "Redis target(s)", &parse};

}  // namespace msgwatch::redis
