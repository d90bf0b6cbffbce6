#pragma once
// Requests the brokers refused for lack of permission: the daemon's principal lacks an ACL,
// so what they would have read is missing for as long as that lasts, not for an outage.
// One family for the whole kafka_lag probe, written by the cluster and the transaction
// metrics for the requests each sends, every one at 0 or 1 from the first cycle.

#include "exporter/sdk/series_set.hpp"

#include <set>
#include <span>
#include <string>
#include <string_view>

namespace msgwatch::kafka {

// The APIs refused this cycle, by name ("DescribeConfigs").
using RefusedApis = std::set<std::string, std::less<>>;

// msgwatch_kafka_not_permitted{api} for each of `apis`: 1 if refused, 0 if not.
void write_not_permitted(std::span<const std::string_view> apis, const RefusedApis& refused, SeriesSet& out);

// Logs the APIs refused now and not before (a warning naming what goes missing), and those
// allowed again; then remembers `now`.
class PermissionLog {
 public:
  explicit PermissionLog(std::string cluster) : cluster_(std::move(cluster)) {}
  void update(std::span<const std::string_view> apis, const RefusedApis& now);

 private:
  std::string cluster_;
  RefusedApis refused_;
};

}  // namespace msgwatch::kafka
