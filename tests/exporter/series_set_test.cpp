// The compact series store: interning, label checks, summaries, the series cap and its memory
// budget.

#include "exporter/sdk/series_set.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

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

TEST(SeriesSet, AddLabelledPutsOneLabelInFrontOfEverySeries) {
  constexpr auto kUsed = gauge_family("used", "Used.", {});
  constexpr auto kCalls = counter_family("calls", "Calls.", {"cmd"});
  SeriesSet first;
  first.add(kUsed, {}, 10);
  first.add(kCalls, {"get"}, 3);
  SeriesSet second;
  second.add(kUsed, {}, 20);
  SeriesSet page;
  page.add_labelled(first, "node", "a:1");
  page.add_labelled(second, "node", "b:2");
  const auto* used = page.find("used");
  ASSERT_NE(used, nullptr);
  ASSERT_EQ(used->family().labels.size(), 1U);
  EXPECT_EQ(used->family().labels[0], "node");
  ASSERT_EQ(used->size(), 2U);
  EXPECT_EQ(used->label(1, 0), "b:2");
  EXPECT_EQ(used->value(1), 20);
  const auto* calls = page.find("calls");
  ASSERT_NE(calls, nullptr);
  EXPECT_EQ(calls->family().type, MetricType::counter);
  EXPECT_EQ(calls->family().labels[1], "cmd");
  EXPECT_EQ(calls->label(0, 0), "a:1");
  EXPECT_EQ(calls->label(0, 1), "get");

  // The same family written without the label is a programming error, never a broken page.
  SeriesSet unlabelled;
  unlabelled.add(kUsed, {}, 1);
  EXPECT_THROW(unlabelled.add_labelled(first, "node", "a:1"), std::logic_error);
}

// A summary: per label set its quantile series, then `_sum` and `_count`, written in one call.
TEST(SeriesSet, ASummaryIsWrittenWholeQuantilesThenSumAndCount) {
  constexpr auto kLatency = summary_family("latency_seconds", "Latency.", {"cmd"});
  static_assert(kLatency.labels.size() == 2 && kLatency.labels[1] == "quantile");
  SeriesSet set;
  const std::vector<Quantile> quantiles{{0.5, 1e-6}, {0.99, 2.5e-6}, {0.999, 4e-6}};
  set.family(kLatency).add_summary({"get"}, quantiles, 1.75e-4, 21);
  set.family(kLatency).add_summary({"set"}, {}, 3, 2);  // a summary without quantiles
  const auto* latency = set.find("latency_seconds");
  ASSERT_NE(latency, nullptr);
  EXPECT_EQ(latency->family().type, MetricType::summary);
  ASSERT_EQ(latency->size(), 7U);
  const std::vector<SeriesPart> parts{SeriesPart::quantile, SeriesPart::quantile, SeriesPart::quantile, SeriesPart::sum,
                                      SeriesPart::count,    SeriesPart::sum,      SeriesPart::count};
  const std::vector<std::string_view> quantile_labels{"0.5", "0.99", "0.999", "_sum", "_count", "_sum", "_count"};
  const std::vector<double> values{1e-6, 2.5e-6, 4e-6, 1.75e-4, 21, 3, 2};
  for (std::size_t i = 0; i < latency->size(); ++i) {
    EXPECT_EQ(latency->part(i), parts[i]) << i;
    EXPECT_EQ(latency->label(i, 0), i < 5 ? "get" : "set") << i;
    EXPECT_EQ(latency->label(i, 1), quantile_labels[i]) << i;
    EXPECT_EQ(latency->value(i), values[i]) << i;
  }
  SeriesSet edges;
  const std::vector<Quantile> whole{{-0.0, 1}, {1e-5, 2}, {1, 3}};
  edges.family(kLatency).add_summary({"x"}, whole, 6, 3);
  EXPECT_EQ(edges.find("latency_seconds")->label(0, 1), "0");
  EXPECT_EQ(edges.find("latency_seconds")->label(1, 1), "1e-05");
  EXPECT_EQ(edges.find("latency_seconds")->label(2, 1), "1");
  SeriesSet gauges = sets_of({{"g", 1}});
  EXPECT_EQ(gauges.find("g")->part(0), SeriesPart::sample);
}

TEST(SeriesSet, AMalformedSummaryIsRefusedAndWritesNothing) {
  constexpr auto kLatency = summary_family("latency_seconds", "Latency.", {"cmd"});
  constexpr auto kGauge = gauge_family("plain", "Plain.", {"cmd"});
  SeriesSet set;
  auto& latency = set.family(kLatency);
  const auto refused = [&](std::initializer_list<Quantile> quantiles, double sum, double count) {
    EXPECT_THROW(latency.add_summary({"get"}, std::vector<Quantile>(quantiles), sum, count), std::logic_error);
  };
  refused({{0.99, 1}, {0.5, 1}}, 1, 1);  // out of order
  refused({{0.5, 1}, {0.5, 1}}, 1, 1);   // twice
  refused({{1.5, 1}}, 1, 1);             // not a quantile
  refused({{-0.1, 1}}, 1, 1);            // not a quantile
  refused({{std::nan(""), 1}}, 1, 1);    // not a quantile
  refused({{0.5, 1}}, 1, -1);            // a negative count
  refused({{0.5, 1}}, 1, std::nan(""));  // no count
  refused({{0.5, 1}}, 1, HUGE_VAL);      // no count
  EXPECT_THROW(latency.add({"get", "0.5"}, 1), std::logic_error) << "a summary is never written series by series";
  EXPECT_THROW(latency.add_summary({"get", "x"}, {}, 1, 1), std::logic_error) << "quantile is not given";
  EXPECT_THROW(set.family(kGauge).add_summary({"get"}, {}, 1, 1), std::logic_error) << "not a summary family";
  EXPECT_EQ(set.series(), 0U);

  // A summary family described by hand must end in `quantile`; refused, it leaves no trace.
  const Family bare{"bare_seconds", "Bare.", MetricType::summary, {"cmd"}};
  EXPECT_THROW(set.family(bare), std::logic_error);
  EXPECT_EQ(set.find("bare_seconds"), nullptr);
  EXPECT_THROW(set.family(Family{"none_seconds", "None.", MetricType::summary, {}}), std::logic_error);
}

// Copies (add_labelled, or one server's series taken out of a page) go series by series: a
// summary's series are taken only in their order, and a summary shows once its `_count` is in.
TEST(SeriesSet, ASummaryIsCopiedSeriesBySeriesOnlyInItsOrder) {
  constexpr auto kLatency = summary_family("latency_seconds", "Latency.", {"cmd"});
  using Labels = std::vector<std::string_view>;
  SeriesSet set;
  auto& copy = set.family(kLatency);
  copy.add(Labels{"get", "0.5"}, 1);
  copy.add(Labels{"get", "0.99"}, 2);
  copy.add(Labels{"get", "_sum"}, 3);
  EXPECT_EQ(copy.size(), 0U) << "not shown before its _count";
  EXPECT_TRUE(copy.empty());
  copy.add(Labels{"get", "_count"}, 4);
  ASSERT_EQ(copy.size(), 4U);
  EXPECT_EQ(copy.part(3), SeriesPart::count);

  const auto refused = [&](std::vector<Labels> series, double last_value = 1) {
    SeriesSet other;
    auto& family = other.family(kLatency);
    for (std::size_t i = 0; i + 1 < series.size(); ++i) family.add(series[i], 1);
    EXPECT_THROW(family.add(series.back(), last_value), std::logic_error) << series.back()[1];
    EXPECT_EQ(family.size(), 0U);
  };
  refused({{"get", "_count"}});                                 // no _sum before it
  refused({{"get", "0.5"}, {"get", "_count"}});                 // no _sum before it
  refused({{"get", "_sum"}, {"set", "_count"}});                // another summary's _sum
  refused({{"get", "0.5"}, {"set", "_sum"}});                   // another summary's quantiles
  refused({{"get", "0.5"}, {"set", "0.9"}});                    // another summary's quantiles
  refused({{"get", "_sum"}, {"get", "0.5"}});                   // a quantile after _sum
  refused({{"get", "0.9"}, {"get", "0.5"}});                    // out of order
  refused({{"get", "0.5"}, {"get", "0.5"}});                    // twice
  refused({{"get", "0.50"}});                                   // not as the store writes it
  refused({{"get", "p50"}});                                    // not a quantile
  refused({{"get", "2"}});                                      // not a quantile
  refused({{"get", "_sum"}, {"get", "_count"}}, -1);            // a negative count
  refused({{"get", "0.5"}, {"get", "_sum"}, {"get", "_sum"}});  // _sum twice

  // A summary copied in part blocks the next one: it is a programming error, not a page.
  SeriesSet partial;
  partial.family(kLatency).add(Labels{"get", "0.5"}, 1);
  EXPECT_THROW(partial.family(kLatency).add_summary({"set"}, {}, 1, 1), std::logic_error);
  EXPECT_EQ(partial.series(), 0U);
}

TEST(SeriesSet, ASummaryGoesThroughAddLabelledWithQuantileStillLast) {
  constexpr auto kLatency = summary_family("latency_seconds", "Latency.", {"cmd"});
  SeriesSet server;
  const std::vector<Quantile> quantiles{{0.5, 1}, {0.99, 2}};
  server.family(kLatency).add_summary({"config|get"}, quantiles, 10, 5);
  server.family(kLatency).add_summary({"get"}, quantiles, 20, 6);
  SeriesSet page;
  page.add_labelled(server, "node", "a:1");
  page.add_labelled(server, "node", "b:2");
  const auto* latency = page.find("latency_seconds");
  ASSERT_NE(latency, nullptr);
  EXPECT_EQ(latency->family().type, MetricType::summary);
  ASSERT_EQ(latency->family().labels.size(), 3U);
  EXPECT_EQ(latency->family().labels[0], "node");
  EXPECT_EQ(latency->family().labels[1], "cmd");
  EXPECT_EQ(latency->family().labels[2], "quantile");
  ASSERT_EQ(latency->size(), 16U);
  EXPECT_EQ(latency->label(13, 0), "b:2");
  EXPECT_EQ(latency->label(13, 1), "get");
  EXPECT_EQ(latency->label(13, 2), "0.99");
  EXPECT_EQ(latency->value(13), 2);
  EXPECT_EQ(latency->part(14), SeriesPart::sum);
  EXPECT_EQ(latency->value(14), 20);
  EXPECT_EQ(latency->part(15), SeriesPart::count);
  EXPECT_EQ(latency->value(15), 6);

  // The same name written here as a gauge is refused, never rendered as half of each.
  SeriesSet mixed;
  mixed.add(gauge_family("latency_seconds", "Latency.", {"node", "cmd", "quantile"}), {"c:3", "get", "0.5"}, 1);
  EXPECT_THROW(mixed.add_labelled(server, "node", "a:1"), std::logic_error);
}

TEST(SeriesSet, TheCapDropsWholeSummaries) {
  constexpr auto kLatency = summary_family("latency_seconds", "Latency.", {"cmd"});
  SeriesSet set;
  const std::vector<Quantile> quantiles{{0.5, 1}, {0.9, 2}, {0.99, 3}};
  for (const char* command : {"get", "set", "del"}) set.family(kLatency).add_summary({command}, quantiles, 1, 1);
  set.add(gauge_family("up", "Up.", {"i"}), {1}, 1);
  set.add(gauge_family("up", "Up.", {"i"}), {2}, 1);
  EXPECT_EQ(set.series(), 17U);
  EXPECT_EQ(set.cap(10), 10U) << "two summaries of five series, not seven series";
  const auto* latency = set.find("latency_seconds");
  ASSERT_EQ(latency->size(), 5U);
  EXPECT_EQ(latency->part(4), SeriesPart::count);
  EXPECT_EQ(latency->label(4, 0), "get");
  EXPECT_EQ(set.series(), 7U);
  set.family(kLatency).truncate(4);
  EXPECT_EQ(set.find("latency_seconds")->size(), 0U);
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
