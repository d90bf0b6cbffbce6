#pragma once
// Builds prometheus::MetricFamily values without the registry: probes produce immutable
// snapshots of plain families, so series of things that disappeared vanish by construction.

#include <prometheus/metric_family.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace msgwatch {

using Labels = std::vector<std::pair<std::string, std::string>>;

class FamilyBuilder {
 public:
  FamilyBuilder(std::string name, std::string help, prometheus::MetricType type);

  // Adds one series. The scheduler adds the `cluster` label to every series afterwards.
  FamilyBuilder& add(const Labels& labels, double value);

  [[nodiscard]] bool empty() const { return family_.metric.empty(); }
  [[nodiscard]] const prometheus::MetricFamily& family() const { return family_; }
  prometheus::MetricFamily take() { return std::move(family_); }

 private:
  prometheus::MetricFamily family_;
};

inline FamilyBuilder gauge(std::string name, std::string help) {
  return {std::move(name), std::move(help), prometheus::MetricType::Gauge};
}
inline FamilyBuilder counter(std::string name, std::string help) {
  return {std::move(name), std::move(help), prometheus::MetricType::Counter};
}

}  // namespace msgwatch
