#include "exporter/exposition.hpp"
#include "exporter/metric_family_builder.hpp"
#include "exporter/probe.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

namespace msgwatch {
namespace {

std::string gunzip(const std::string& data) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

TEST(Exposition, MergesFamiliesOfSeveralClustersIntoOneBlockSortedByName) {
  MetricFamilies families;
  families.push_back(gauge("kafka_brokers", "Brokers.").add({{"cluster", "a"}}, 3).take());
  families.push_back(gauge("kafka_alpha", "First by name.").add({{"cluster", "a"}}, 1).take());
  families.push_back(gauge("kafka_brokers", "Brokers.").add({{"cluster", "b"}}, 1).take());
  families.push_back(gauge("kafka_empty", "Nothing to say.").take());
  families.push_back(counter("kafka_events_total", "Events.").add({{"topic", "x\"y\\z\n"}}, 7).take());
  EXPECT_EQ(render_text(std::move(families)),
            "# HELP kafka_alpha First by name.\n"
            "# TYPE kafka_alpha gauge\n"
            "kafka_alpha{cluster=\"a\"} 1\n"
            "# HELP kafka_brokers Brokers.\n"
            "# TYPE kafka_brokers gauge\n"
            "kafka_brokers{cluster=\"a\"} 3\n"
            "kafka_brokers{cluster=\"b\"} 1\n"
            "# HELP kafka_events_total Events.\n"
            "# TYPE kafka_events_total counter\n"
            "kafka_events_total{topic=\"x\\\"y\\\\z\\n\"} 7\n");
}

TEST(Exposition, GzipRoundTrips) {
  std::string text;
  for (int i = 0; i < 10000; ++i) text += "kafka_consumergroup_lag{partition=\"" + std::to_string(i) + "\"} 5\n";
  const auto compressed = gzip_compress(text);
  EXPECT_LT(compressed.size(), text.size() / 5);
  EXPECT_EQ(gunzip(compressed), text);
  EXPECT_EQ(gunzip(gzip_compress("")), "");
}

TEST(Exposition, StoreHandsOutTheLatest) {
  MetricsStore store;
  EXPECT_EQ(store.latest()->text, "");
  auto first = std::make_shared<RenderedMetrics>();
  first->text = "a 1\n";
  store.publish(first);
  const auto held = store.latest();
  auto second = std::make_shared<RenderedMetrics>();
  second->text = "a 2\n";
  store.publish(second);
  EXPECT_EQ(held->text, "a 1\n");  // a reader keeps its bytes while a new rendering lands
  EXPECT_EQ(store.latest()->text, "a 2\n");
}

}  // namespace
}  // namespace msgwatch
