#include "probes/kafka/not_permitted.hpp"

#include "exporter/sdk/log_event.hpp"

namespace msgwatch::kafka {
namespace {

constexpr auto kNotPermitted =
    gauge_family("msgwatch_kafka_not_permitted",
                 "1 if the brokers refused the last cycle's requests of this API for lack of permission (an ACL the "
                 "daemon's principal lacks: what they read is missing), 0 if not.",
                 {"api"});

// What goes missing without each API, for the log.
std::string_view what_is_missing(std::string_view api) {
  if (api == "DescribeQuorum") return "the active controller and the KRaft quorum (DESCRIBE on the cluster)";
  if (api == "DescribeConfigs") {
    return "min.insync.replicas, so the under-min-ISR series (DESCRIBE_CONFIGS on topics and the cluster)";
  }
  if (api == "DescribeProducers") return "open producers, so the hanging transactions (READ on the topics)";
  if (api == "Fetch") {
    return "record timestamps, so the lag in seconds of offsets older than the daemon (READ on the topics)";
  }
  if (api == "DescribeTransactions") return "transaction states (DESCRIBE on the transactional ids)";
  return "what it reads";
}

}  // namespace

void write_not_permitted(std::span<const std::string_view> apis, const RefusedApis& refused, SeriesSet& out) {
  for (const auto api : apis) out.add(kNotPermitted, {api}, refused.contains(api) ? 1 : 0);
}

void PermissionLog::update(std::span<const std::string_view> apis, const RefusedApis& now) {
  for (const auto api : apis) {
    const auto was = refused_.find(api);
    const bool is = now.contains(api);
    if (is && was == refused_.end()) {
      log_event(spdlog::level::warn, "not permitted: the brokers refused a request for lack of permission",
                {{"cluster", cluster_}, {"api", std::string(api)}, {"missing", std::string(what_is_missing(api))}});
      refused_.insert(std::string(api));
    } else if (!is && was != refused_.end()) {
      log_event(spdlog::level::info, "permitted again", {{"cluster", cluster_}, {"api", std::string(api)}});
      refused_.erase(was);
    }
  }
}

}  // namespace msgwatch::kafka
