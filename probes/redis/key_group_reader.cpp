#include "probes/redis/key_group_reader.hpp"

#include <algorithm>
#include <map>

namespace msgwatch::redis {
namespace asio = boost::asio;

namespace {

constexpr auto kKeys =
    gauge_family("redis_key_group_keys", "Estimated keys of the key group (see the README).", {"group"});
constexpr auto kMemory = gauge_family(
    "redis_key_group_memory_bytes", "Estimated memory of the key group's keys (MEMORY USAGE of a sample).", {"group"});
constexpr auto kWithoutTtl =
    gauge_family("redis_key_group_keys_without_ttl",
                 "Estimated keys of the group without a TTL: they never leave by themselves.", {"group"});
constexpr auto kTtlAtMost = gauge_family("redis_key_group_keys_ttl_at_most",
                                         "Estimated keys of the group whose remaining TTL is at most `le` seconds "
                                         "(cumulative; +Inf: every key with a TTL).",
                                         {"group", "le"});
constexpr auto kSampleKeys = gauge_family("msgwatch_redis_key_groups_sample_keys",
                                          "Keys the key-group estimates rest on: the last complete SCAN pass, or the "
                                          "current one until a pass is complete.");
constexpr auto kPassComplete = gauge_family("msgwatch_redis_key_groups_pass_complete",
                                            "1 once a SCAN pass is complete (the estimates rest on a whole pass).");

std::string bucket_label(std::size_t b) {
  if (b == kTtlBuckets.size()) return "+Inf";
  return std::to_string(static_cast<long long>(kTtlBuckets[b]));
}

}  // namespace

asio::awaitable<void> sample_key_groups(RedisConnection& connection, KeyGroupSampler& sampler,
                                        const KeySamplingSettings& settings, OptionalCommand& memory_usage,
                                        const std::string& target) {
  const auto started = std::chrono::steady_clock::now();
  const auto groups = std::max<std::size_t>(1, sampler.groups().size());
  const auto per_group = std::max<std::int64_t>(1, settings.details_per_cycle / static_cast<std::int64_t>(groups));
  std::map<std::size_t, std::int64_t> detailed;  // per group, this cycle
  for (std::int64_t scan = 0; scan < settings.scans_per_cycle; ++scan) {
    if (std::chrono::steady_clock::now() - started > settings.max_time) break;
    // Arguments are named, not braced into the call: GCC 12 destroys co_await temporaries twice.
    std::vector<std::string> scan_args{"SCAN", sampler.cursor(), "COUNT", std::to_string(settings.scan_count)};
    const auto reply = co_await connection.command(std::move(scan_args));
    if (reply.type != RedisReply::Type::array || reply.elements.size() != 2 ||
        reply.elements[0].type != RedisReply::Type::string || reply.elements[1].type != RedisReply::Type::array) {
      throw RespProtocolError("SCAN: reply is not [cursor, [keys]]");
    }
    std::vector<std::pair<std::size_t, std::string>> to_detail;
    for (const auto& key : reply.elements[1].elements) {
      if (key.type != RedisReply::Type::string) throw RespProtocolError("SCAN: a key is not a string");
      const auto group = sampler.observe(key.str);
      if (group && detailed[*group] < per_group) {
        ++detailed[*group];
        to_detail.emplace_back(*group, key.str);
      }
    }
    for (const auto& [group, key] : to_detail) {
      std::vector<std::string> pttl_args{"PTTL", key};
      const auto ttl = co_await connection.command(std::move(pttl_args));
      if (ttl.type != RedisReply::Type::integer) throw RespProtocolError("PTTL: not an integer");
      if (ttl.integer == -2) continue;  // gone since SCAN returned it
      std::optional<double> memory;
      std::vector<std::string> memory_args{"MEMORY", "USAGE", key};
      if (const auto bytes = co_await memory_usage.ask(connection, std::move(memory_args), target)) {
        if (bytes->type == RedisReply::Type::integer) memory = static_cast<double>(bytes->integer);
      }
      sampler.detail(group, ttl.integer < 0 ? std::nullopt : std::optional<double>(ttl.integer / 1000.0), memory);
    }
    const bool pass_ends = reply.elements[0].str == "0";
    sampler.scanned(reply.elements[0].str);
    if (pass_ends) break;  // one pass per cycle at most: a small keyspace is not walked again and again
  }
}

void write_key_group_metrics(const KeyGroupSampler& sampler, double total_keys, SeriesSet& out) {
  if (sampler.groups().empty()) return;
  out.add(kSampleKeys, {}, static_cast<double>(sampler.sample_keys()));
  out.add(kPassComplete, {}, sampler.pass_complete() ? 1 : 0);
  for (const auto& estimate : sampler.estimates(total_keys)) {
    out.add(kKeys, {estimate.name}, estimate.keys);
    if (estimate.memory_bytes) out.add(kMemory, {estimate.name}, *estimate.memory_bytes);
    if (estimate.keys_without_ttl) out.add(kWithoutTtl, {estimate.name}, *estimate.keys_without_ttl);
    if (estimate.keys_ttl_at_most) {
      for (std::size_t b = 0; b < estimate.keys_ttl_at_most->size(); ++b) {
        out.add(kTtlAtMost, {estimate.name, bucket_label(b)}, (*estimate.keys_ttl_at_most)[b]);
      }
    }
  }
}

}  // namespace msgwatch::redis
