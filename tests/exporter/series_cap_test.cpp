#include "exporter/series_cap.hpp"

#include "exporter/metric_family_builder.hpp"

#include <gtest/gtest.h>

namespace msgwatch {
namespace {

MetricFamilies families_of(std::initializer_list<std::pair<const char*, int>> sizes) {
  MetricFamilies families;
  for (const auto& [name, size] : sizes) {
    auto builder = gauge(name, "Test.");
    for (int i = 0; i < size; ++i) builder.add({{"i", std::to_string(i)}}, i);
    families.push_back(builder.take());
  }
  return families;
}

TEST(SeriesCap, UnderTheCapNothingIsDropped) {
  auto families = families_of({{"a", 3}, {"b", 2}});
  EXPECT_EQ(cap_series(families, 5), 0U);
  EXPECT_EQ(families[0].metric.size(), 3U);
}

TEST(SeriesCap, TheLargestFamiliesLoseTheirTailFirst) {
  auto families = families_of({{"totals", 2}, {"per_partition", 100}, {"per_topic", 10}});
  EXPECT_EQ(cap_series(families, 30), 82U);
  EXPECT_EQ(families[0].metric.size(), 2U);  // small families are kept whole
  EXPECT_EQ(families[1].metric.size() + families[2].metric.size(), 28U);
  EXPECT_EQ(families[1].metric.back().label[0].value, std::to_string(families[1].metric.size() - 1));
}

TEST(SeriesCap, EqualFamiliesShrinkTogether) {
  auto families = families_of({{"a", 50}, {"b", 50}});
  EXPECT_EQ(cap_series(families, 60), 40U);
  EXPECT_EQ(families[0].metric.size(), 30U);
  EXPECT_EQ(families[1].metric.size(), 30U);
}

}  // namespace
}  // namespace msgwatch
