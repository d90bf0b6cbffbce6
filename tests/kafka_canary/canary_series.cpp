#include "canary_series.hpp"

#include "support/daemon_process.hpp"

#include <algorithm>

namespace msgwatch::test {

std::string canary_config(const std::string& topic, const std::string& settings, const std::string& bootstrap) {
  return kafka_lag_config(bootstrap, "      topics: {include: ['" + topic +
                                         "']}\n    canary:\n      enabled: true\n      topic: " + topic +
                                         "\n      interval: 1s\n      round_trip_sla: 5s\n" + settings);
}

std::optional<double> partition_value(const Exposition& m, const std::string& family, const std::string& partition) {
  for (const auto& sample : m.samples_named(family)) {
    const auto p = std::find_if(sample.labels.begin(), sample.labels.end(),
                                [](const auto& label) { return label.first == "partition"; });
    if (p != sample.labels.end() && p->second == partition) return sample.value;
  }
  return std::nullopt;
}

std::string partition_label(const Exposition& m, const std::string& family, const std::string& partition,
                            const std::string& name) {
  for (const auto& sample : m.samples_named(family)) {
    std::string found_partition;
    std::string found;
    for (const auto& [label, value] : sample.labels) {
      if (label == "partition") found_partition = value;
      if (label == name) found = value;
    }
    if (found_partition == partition) return found;
  }
  return "";
}

std::string partition_story(const Exposition& m, const std::string& partition) {
  std::string story = "partition " + partition + " (broker " +
                      partition_label(m, "kafka_canary_partition_sent_total", partition, "broker") + "):";
  for (const char* family : {"sent", "received", "lost", "send_failures"}) {
    const auto value = partition_value(m, std::string("kafka_canary_partition_") + family + "_total", partition);
    story += std::string(" ") + family + " " + (value ? std::to_string(static_cast<long long>(*value)) : "none");
  }
  return story;
}

}  // namespace msgwatch::test
