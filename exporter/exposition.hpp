#pragma once
// Rendering happens once per probe result, on the probe thread; HTTP handlers only hand
// out the last rendered bytes (text and gzip), so a scrape never waits on Kafka or Redis.

#include <prometheus/metric_family.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace msgwatch {

struct RenderedMetrics {
  std::string text;  // Prometheus text format 0.0.4
  std::string gzip;  // the same bytes, gzip-compressed
};

using FamilyView = std::vector<const prometheus::MetricFamily*>;

// Merges families of the same name (one per cluster) into one block, sorted by name, and
// writes them in the text format; series keep the order the probes produced. Works on
// pointers so that a page of 100,000 series is never copied before it is written.
std::string render_text(const FamilyView& families);
std::string render_text(const std::vector<prometheus::MetricFamily>& families);

std::string gzip_compress(std::string_view data);

// Thread-safe hand-off from the renderer to the HTTP threads.
class MetricsStore {
 public:
  void publish(std::shared_ptr<const RenderedMetrics> metrics);
  [[nodiscard]] std::shared_ptr<const RenderedMetrics> latest() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const RenderedMetrics> latest_ = std::make_shared<RenderedMetrics>();
};

}  // namespace msgwatch
