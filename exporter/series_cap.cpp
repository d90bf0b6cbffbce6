#include "exporter/series_cap.hpp"

#include <algorithm>
#include <numeric>

namespace msgwatch {

std::size_t cap_series(MetricFamilies& families, std::size_t max_series) {
  std::size_t total = std::accumulate(families.begin(), families.end(), std::size_t{0},
                                      [](std::size_t sum, const auto& family) { return sum + family.metric.size(); });
  std::size_t dropped = 0;
  while (total > max_series) {
    auto& largest = *std::max_element(families.begin(), families.end(),
                                      [](const auto& a, const auto& b) { return a.metric.size() < b.metric.size(); });
    // Trim the largest family down to the next largest (or just enough), in one step.
    std::size_t next = 0;
    for (const auto& family : families) {
      if (&family != &largest) next = std::max(next, family.metric.size());
    }
    const auto excess = total - max_series;
    const auto cut = std::min(excess, std::max<std::size_t>(1, largest.metric.size() - next));
    largest.metric.resize(largest.metric.size() - cut);
    total -= cut;
    dropped += cut;
  }
  return dropped;
}

}  // namespace msgwatch
