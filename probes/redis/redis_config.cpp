#include "probes/redis/redis_config.hpp"

#include "exporter/sdk/log_event.hpp"
#include "probes/redis/redis_probe.hpp"

namespace msgwatch::redis {
namespace {

std::unique_ptr<ProbeTarget> parse(config::MapReader& item) {
  return std::make_unique<RedisTarget>(parse_redis_target(item));
}

}  // namespace

RedisTarget parse_redis_target(config::MapReader& reader) {
  RedisTarget target;
  target.schedule.interval = std::chrono::seconds(15);
  target.schedule.timeout = std::chrono::seconds(10);
  reader.reject_unknown({"name", "address", "username", "password", "password_file", "password_env", "interval",
                         "timeout", "stale_after"});
  reader.read("name", target.name);
  config::check_name(reader, target.name);
  reader.read("address", target.address);
  if (target.address.empty()) reader.fail("address", "is required");
  config::check_host_port(reader, "address", target.address);
  reader.read("username", target.username);
  target.password = config::read_secret(reader, "password");
  target.schedule = config::read_schedule(reader, target.schedule);
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
             {"stale_after", log_duration(schedule.effective_stale_after())}});
}

std::vector<std::unique_ptr<Probe>> RedisTarget::make_probes(const ProbeContext& context) const {
  std::vector<std::unique_ptr<Probe>> probes;
  probes.push_back(make_redis_probe(*this, context));
  return probes;
}

const ProbeFamily redis_family{"redis", "Redis target(s)", &parse};

}  // namespace msgwatch::redis
