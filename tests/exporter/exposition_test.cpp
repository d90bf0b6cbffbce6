#include "exporter/runtime/exposition.hpp"

#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <random>
#include <string_view>
#include <vector>

namespace msgwatch {
namespace {

TEST(Exposition, MergesFamiliesOfSeveralClustersIntoOneBlockSortedByName) {
  constexpr auto kBrokers = gauge_family("kafka_brokers", "Brokers.");
  SeriesSet a;
  a.set_cluster("a");
  a.add(kBrokers, {}, 3);
  a.add(gauge_family("kafka_alpha", "First by name."), {}, 1);
  a.family(gauge_family("kafka_empty", "Nothing to say."));
  SeriesSet b;
  b.set_cluster("b");
  b.add(kBrokers, {}, 1);
  SeriesSet own;
  own.add(counter_family("kafka_events_total", "Events.", {"topic"}), {"x\"y\\z\n"}, 7);
  own.add(gauge_family("kafka_help", "Back\\slash and\nnew line \"kept\"."), {}, 0.25);
  EXPECT_EQ(render_text(PageSources{{&a, &b, &own}, {}}),
            "# HELP kafka_alpha First by name.\n"
            "# TYPE kafka_alpha gauge\n"
            "kafka_alpha{cluster=\"a\"} 1\n"
            "# HELP kafka_brokers Brokers.\n"
            "# TYPE kafka_brokers gauge\n"
            "kafka_brokers{cluster=\"a\"} 3\n"
            "kafka_brokers{cluster=\"b\"} 1\n"
            "# HELP kafka_events_total Events.\n"
            "# TYPE kafka_events_total counter\n"
            "kafka_events_total{topic=\"x\\\"y\\\\z\\n\"} 7\n"
            "# HELP kafka_help Back\\\\slash and\\nnew line \"kept\".\n"
            "# TYPE kafka_help gauge\n"
            "kafka_help 0.25\n");
}

TEST(Exposition, RendersLiveInstrumentsOfTheRegistry) {
  prometheus::Registry registry;
  auto& requests = prometheus::BuildCounter().Name("x_requests_total").Help("Requests.").Register(registry);
  requests.Add({{"cluster", "c"}, {"api", "Metadata"}}).Increment(3);
  auto& durations = prometheus::BuildHistogram().Name("x_duration_seconds").Help("Durations.").Register(registry);
  auto& histogram = durations.Add({{"cluster", "c"}}, prometheus::Histogram::BucketBoundaries{0.1, 1});
  histogram.Observe(0.05);
  histogram.Observe(0.5);
  histogram.Observe(5);
  const auto families = registry.Collect();
  PageSources sources;
  for (const auto& family : families) sources.instruments.push_back(&family);
  EXPECT_EQ(render_text(sources),
            "# HELP x_duration_seconds Durations.\n"
            "# TYPE x_duration_seconds histogram\n"
            "x_duration_seconds_bucket{cluster=\"c\",le=\"0.1\"} 1\n"
            "x_duration_seconds_bucket{cluster=\"c\",le=\"1\"} 2\n"
            "x_duration_seconds_bucket{cluster=\"c\",le=\"+Inf\"} 3\n"
            "x_duration_seconds_sum{cluster=\"c\"} 5.55\n"
            "x_duration_seconds_count{cluster=\"c\"} 3\n"
            "# HELP x_requests_total Requests.\n"
            "# TYPE x_requests_total counter\n"
            "x_requests_total{api=\"Metadata\",cluster=\"c\"} 3\n");
}

// A summary is one block: per label set its quantiles, then `_sum` and `_count` without the
// quantile label; `cluster` first, then the labels a probe put in front (node), quantile last.
TEST(Exposition, ASummaryIsOneBlockQuantilesThenSumAndCount) {
  constexpr auto kLatency = summary_family("redis_latency_percentiles_seconds", "Latency.", {"cmd"});
  const std::vector<Quantile> quantiles{{0.5, 1e-6}, {0.99, 2.5e-6}, {0.999, 4e-6}};
  SeriesSet server;
  server.family(kLatency).add_summary({"config|get"}, quantiles, 1.75e-4, 21);
  server.family(kLatency).add_summary({"get"}, {}, 0.5, 3);
  SeriesSet a;
  a.set_cluster("a");
  a.add_labelled(server, "node", "n:1");
  SeriesSet b;
  b.set_cluster("b");
  b.family(kLatency).add_summary({"ping"}, std::vector<Quantile>{{1, 0.25}}, 0.25, 1);
  SeriesSet own;
  own.family(summary_family("plain_seconds", "Plain.")).add_summary({}, std::vector<Quantile>{{0, 2}}, 2, 1);
  EXPECT_EQ(
      render_text(PageSources{{&a, &b, &own}, {}}),
      "# HELP plain_seconds Plain.\n"
      "# TYPE plain_seconds summary\n"
      "plain_seconds{quantile=\"0\"} 2\n"
      "plain_seconds_sum 2\n"
      "plain_seconds_count 1\n"
      "# HELP redis_latency_percentiles_seconds Latency.\n"
      "# TYPE redis_latency_percentiles_seconds summary\n"
      "redis_latency_percentiles_seconds{cluster=\"a\",node=\"n:1\",cmd=\"config|get\",quantile=\"0.5\"} 1e-06\n"
      "redis_latency_percentiles_seconds{cluster=\"a\",node=\"n:1\",cmd=\"config|get\",quantile=\"0.99\"} 2.5e-06\n"
      "redis_latency_percentiles_seconds{cluster=\"a\",node=\"n:1\",cmd=\"config|get\",quantile=\"0.999\"} 4e-06\n"
      "redis_latency_percentiles_seconds_sum{cluster=\"a\",node=\"n:1\",cmd=\"config|get\"} 0.000175\n"
      "redis_latency_percentiles_seconds_count{cluster=\"a\",node=\"n:1\",cmd=\"config|get\"} 21\n"
      "redis_latency_percentiles_seconds_sum{cluster=\"a\",node=\"n:1\",cmd=\"get\"} 0.5\n"
      "redis_latency_percentiles_seconds_count{cluster=\"a\",node=\"n:1\",cmd=\"get\"} 3\n"
      "redis_latency_percentiles_seconds{cluster=\"b\",cmd=\"ping\",quantile=\"1\"} 0.25\n"
      "redis_latency_percentiles_seconds_sum{cluster=\"b\",cmd=\"ping\"} 0.25\n"
      "redis_latency_percentiles_seconds_count{cluster=\"b\",cmd=\"ping\"} 1\n");
}

// Series of a summary still being copied are not on the page: it never shows half a summary.
TEST(Exposition, ASummaryCopiedInPartIsNotRendered) {
  constexpr auto kLatency = summary_family("x_seconds", "X.", {"cmd"});
  SeriesSet set;
  auto& family = set.family(kLatency);
  family.add(std::vector<std::string_view>{"get", "0.5"}, 1);
  family.add(std::vector<std::string_view>{"get", "_sum"}, 1);
  EXPECT_EQ(render_text(set), "");
  family.add(std::vector<std::string_view>{"get", "_count"}, 1);
  EXPECT_EQ(render_text(set),
            "# HELP x_seconds X.\n"
            "# TYPE x_seconds summary\n"
            "x_seconds{cmd=\"get\",quantile=\"0.5\"} 1\n"
            "x_seconds_sum{cmd=\"get\"} 1\n"
            "x_seconds_count{cmd=\"get\"} 1\n");
}

TEST(Exposition, TheTextIsWrittenInChunksOfTheAskedSize) {
  SeriesSet set;
  auto& family = set.family(gauge_family("kafka_consumergroup_lag", "Lag.", {"partition"}));
  for (int i = 0; i < 5000; ++i) family.add({i}, i);
  std::vector<std::size_t> pieces;
  std::string joined;
  write_page(
      PageSources{{&set}, {}},
      [&](std::string_view piece) {
        pieces.push_back(piece.size());
        joined.append(piece);
      },
      4096);
  EXPECT_GT(pieces.size(), 10U);
  for (const auto size : pieces) EXPECT_LT(size, 4096U + 200U);
  EXPECT_EQ(joined, render_text(set));
}

TEST(Exposition, TheGzipPageInflatesToTheTextInChunks) {
  SeriesSet set;
  set.set_cluster("c");
  auto& family = set.family(gauge_family("kafka_consumergroup_lag", "Lag.", {"group", "partition"}));
  std::mt19937 random(7);  // values that do not compress to nothing
  for (int i = 0; i < 50000; ++i) family.add({"group-" + std::to_string(i % 997), i}, random());
  const auto text = render_text(set);
  const auto page = std::make_shared<RenderedPage>(render_page(PageSources{{&set}, {}}));
  EXPECT_EQ(page->text_bytes, text.size());
  EXPECT_GT(page->gzip.size(), 1U);  // more than one chunk
  std::size_t gzip_bytes = 0;
  for (const auto& chunk : page->gzip) gzip_bytes += chunk.size();
  EXPECT_EQ(page->gzip_bytes, gzip_bytes);
  EXPECT_LT(page->gzip_bytes, text.size() / 3);
  EXPECT_EQ(inflate_page(page), text);
}

TEST(Exposition, AnEmptyPageIsAValidGzipStream) {
  const auto page = std::make_shared<RenderedPage>(render_page({}));
  EXPECT_EQ(page->text_bytes, 0U);
  EXPECT_GT(page->gzip_bytes, 0U);
  EXPECT_EQ(inflate_page(page), "");
}

TEST(Exposition, ADamagedPageIsAnErrorNotACrash) {
  SeriesSet set;
  set.add(gauge_family("a", "A."), {}, 1);
  auto page = std::make_shared<RenderedPage>(render_page(PageSources{{&set}, {}}));
  auto truncated = std::make_shared<RenderedPage>(*page);
  truncated->gzip.back().resize(truncated->gzip.back().size() / 2);
  EXPECT_THROW(inflate_page(truncated), std::runtime_error);
  auto garbage = std::make_shared<RenderedPage>(*page);
  garbage->gzip.front()[0] = 'x';
  EXPECT_THROW(inflate_page(garbage), std::runtime_error);
}

TEST(Exposition, StoreHandsOutTheLatest) {
  PageStore store;
  EXPECT_EQ(inflate_page(store.latest()), "");
  SeriesSet first_set;
  first_set.add(gauge_family("a", "A."), {}, 1);
  store.publish(std::make_shared<RenderedPage>(render_page(PageSources{{&first_set}, {}})));
  const auto held = store.latest();
  SeriesSet second_set;
  second_set.add(gauge_family("a", "A."), {}, 2);
  store.publish(std::make_shared<RenderedPage>(render_page(PageSources{{&second_set}, {}})));
  EXPECT_EQ(inflate_page(held), "# HELP a A.\n# TYPE a gauge\na 1\n");  // a reader keeps its bytes
  EXPECT_EQ(inflate_page(store.latest()), "# HELP a A.\n# TYPE a gauge\na 2\n");
}

}  // namespace
}  // namespace msgwatch
