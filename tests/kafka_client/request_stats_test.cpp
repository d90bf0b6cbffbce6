// Request counters and the duration histogram as live instruments of a registry.

#include "probes/kafka/client/request_stats.hpp"

#include <gtest/gtest.h>

namespace msgwatch::kafka {
namespace {

using protocol::ApiKey;

TEST(RequestStats, CountsAndTimesRequestsPerApiAndBroker) {
  auto registry = std::make_shared<prometheus::Registry>();
  RequestStats orders(registry, "orders");
  RequestStats chat(registry, "chat");  // the same families, another cluster label
  orders.sent(ApiKey::metadata);
  orders.sent(ApiKey::metadata);
  orders.failed(ApiKey::metadata);
  orders.answered(ApiKey::metadata, "1", 0.003);
  orders.answered(ApiKey::list_offsets, "2", 0.2);
  chat.sent(ApiKey::list_groups);
  EXPECT_EQ(orders.sent_count(ApiKey::metadata), 2);
  EXPECT_EQ(orders.failed_count(ApiKey::metadata), 1);
  EXPECT_EQ(orders.sent_count(ApiKey::list_groups), 0);
  EXPECT_EQ(chat.sent_count(ApiKey::list_groups), 1);

  const auto families = registry->Collect();
  ASSERT_EQ(families.size(), 3U);
  const auto find = [&](const std::string& name) -> const prometheus::MetricFamily& {
    for (const auto& family : families) {
      if (family.name == name) return family;
    }
    throw std::runtime_error("no family " + name);
  };
  EXPECT_EQ(find("msgwatch_kafka_requests_total").metric.size(), 2U);
  const auto& durations = find("msgwatch_kafka_request_duration_seconds");
  ASSERT_EQ(durations.metric.size(), 2U);
  for (const auto& metric : durations.metric) {
    EXPECT_EQ(metric.histogram.sample_count, 1U);
    bool labelled = false;
    for (const auto& label : metric.label) labelled = labelled || (label.name == "cluster" && label.value == "orders");
    EXPECT_TRUE(labelled);
  }
}

}  // namespace
}  // namespace msgwatch::kafka
