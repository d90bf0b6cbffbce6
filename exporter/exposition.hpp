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

// Merges families of the same name (one per cluster) into one block, sorted by name, and
// serializes them; series keep the order the probes produced.
std::string render_text(std::vector<prometheus::MetricFamily> families);

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
