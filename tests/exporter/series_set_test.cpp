// The compact series store: interning, label checks, the series cap and its memory budget.

#include "exporter/sdk/series_set.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace msgwatch {
namespace {

SeriesSet sets_of(std::initializer_list<std::pair<const char*, int>> sizes) {
  SeriesSet set;
  for (const auto& [name, size] : sizes) {
    auto& family = set.family(gauge_family(name, "Test.", {"i"}));
    for (int i = 0; i < size; ++i) family.add({i}, i);
  }
  return set;
}

TEST(SeriesSet, KeepsLabelValuesAndValuesInTheOrderWritten) {
  SeriesSet set;
  constexpr auto kLag = gauge_family("lag", "Lag.", {"group", "topic", "partition"});
  const std::string group = "billing";
  set.add(kLag, {group, "orders", 0}, 5);
  set.add(kLag, {"audit", std::string_view("orders"), std::int64_t{-12}}, 1.5);
  const auto* lag = set.find("lag");
  ASSERT_NE(lag, nullptr);
  ASSERT_EQ(lag->size(), 2U);
  EXPECT_EQ(lag->label(0, 0), "billing");
  EXPECT_EQ(lag->label(1, 1), "orders");
  EXPECT_EQ(lag->label(1, 2), "-12");
  EXPECT_EQ(lag->value(1), 1.5);
  EXPECT_EQ(set.find("other"), nullptr);
}

TEST(SeriesSet, AWrongNumberOfLabelValuesIsRefused) {
  SeriesSet set;
  constexpr auto kTwo = gauge_family("two", "Two labels.", {"a", "b"});
  EXPECT_THROW(set.add(kTwo, {"x"}, 1), std::logic_error);
  EXPECT_THROW(set.add(kTwo, {"x", "y", "z"}, 1), std::logic_error);
  EXPECT_EQ(set.series(), 0U);
}

TEST(SeriesSet, FamiliesOfTheSameNameAreOne) {
  SeriesSet set;
  set.add(gauge_family("x", "First.", {}), {}, 1);
  set.add(gauge_family("x", "Second.", {}), {}, 2);
  ASSERT_EQ(set.families().size(), 1U);
  EXPECT_EQ(set.families().front().family().help, "First.");
  EXPECT_EQ(set.series(), 2U);
}

TEST(SeriesSet, InternsEachDistinctLabelValueOnce) {
  StringPool pool;
  const auto a = pool.intern("orders");
  const auto b = pool.intern(std::string("orders"));
  const auto c = pool.intern("");
  const auto d = pool.intern(std::string(40000, 'x'));  // longer than a block
  const auto e = pool.intern("after");
  EXPECT_EQ(a, b);
  EXPECT_EQ(pool.at(c), "");
  EXPECT_EQ(pool.at(d).size(), 40000U);
  EXPECT_EQ(pool.at(e), "after");
  EXPECT_EQ(pool.at(a), "orders");
  EXPECT_EQ(pool.size(), 4U);
}

// The budget: about 40 bytes per stored series for a per-partition lag family.
TEST(SeriesSet, APerPartitionSeriesCostsLessThan40Bytes) {
  SeriesSet set;
  constexpr auto kLag = gauge_family("kafka_consumergroup_lag", "Lag.", {"consumergroup", "topic", "partition"});
  std::size_t series = 0;
  for (int group = 0; group < 2000; ++group) {
    const auto name = "group-" + std::to_string(group);
    for (int partition = 0; partition < 10; ++partition) {
      set.add(kLag, {name, "topic-" + std::to_string(group % 500), partition}, partition);
      ++series;
    }
  }
  set.shrink_to_fit();
  EXPECT_LT(set.bytes() / series, 40U) << set.bytes() << " bytes for " << series << " series";
}

TEST(SeriesSet, UnderTheCapNothingIsDropped) {
  auto set = sets_of({{"a", 3}, {"b", 2}});
  EXPECT_EQ(set.cap(5), 0U);
  EXPECT_EQ(set.find("a")->size(), 3U);
}

TEST(SeriesSet, TheLargestFamiliesLoseTheirTailFirst) {
  auto set = sets_of({{"totals", 2}, {"per_partition", 100}, {"per_topic", 10}});
  EXPECT_EQ(set.cap(30), 82U);
  EXPECT_EQ(set.find("totals")->size(), 2U);  // small families are kept whole
  const auto* per_partition = set.find("per_partition");
  EXPECT_EQ(per_partition->size() + set.find("per_topic")->size(), 28U);
  EXPECT_EQ(per_partition->label(per_partition->size() - 1, 0), std::to_string(per_partition->size() - 1));
}

TEST(SeriesSet, EqualFamiliesShrinkTogether) {
  auto set = sets_of({{"a", 50}, {"b", 50}});
  EXPECT_EQ(set.cap(60), 40U);
  EXPECT_EQ(set.find("a")->size(), 30U);
  EXPECT_EQ(set.find("b")->size(), 30U);
}

TEST(SeriesSet, ClearDropsOneFamilysSeries) {
  auto set = sets_of({{"a", 3}, {"b", 2}});
  set.clear("a");
  set.clear("missing");
  EXPECT_EQ(set.find("a")->size(), 0U);
  EXPECT_EQ(set.series(), 2U);
}

}  // namespace
}  // namespace msgwatch
