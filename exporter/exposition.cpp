#include "exporter/exposition.hpp"

#include <prometheus/text_serializer.h>
#include <zlib.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <stdexcept>

namespace msgwatch {

std::string render_text(std::vector<prometheus::MetricFamily> families) {
  std::map<std::string, prometheus::MetricFamily> merged;
  for (auto& family : families) {
    auto [it, inserted] = merged.try_emplace(family.name);
    if (inserted) {
      it->second = std::move(family);
    } else {
      auto& into = it->second.metric;
      into.insert(into.end(), std::make_move_iterator(family.metric.begin()),
                  std::make_move_iterator(family.metric.end()));
    }
  }
  std::vector<prometheus::MetricFamily> ordered;
  ordered.reserve(merged.size());
  for (auto& [name, family] : merged) {
    if (!family.metric.empty()) ordered.push_back(std::move(family));
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, ordered);
  return std::move(out).str();
}

std::string gzip_compress(std::string_view data) {
  z_stream stream{};
  // windowBits 15 + 16 selects the gzip wrapper; level 1: scrapes want speed over ratio.
  if (deflateInit2(&stream, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (result != Z_STREAM_END) throw std::runtime_error("deflate failed");
  return out;
}

void MetricsStore::publish(std::shared_ptr<const RenderedMetrics> metrics) {
  std::lock_guard lock(mutex_);
  latest_ = std::move(metrics);
}

std::shared_ptr<const RenderedMetrics> MetricsStore::latest() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

}  // namespace msgwatch
