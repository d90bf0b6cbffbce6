#include "exporter/exposition.hpp"

#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <stdexcept>

namespace msgwatch {

namespace {

void append_escaped(std::string& out, std::string_view text, bool quote) {
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

void append_value(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);  // shortest exact form
    out.append(buffer, result.ptr);
  }
}

const char* type_name(prometheus::MetricType type) {
  switch (type) {
    case prometheus::MetricType::Counter:
      return "counter";
    case prometheus::MetricType::Gauge:
      return "gauge";
    default:
      return "untyped";
  }
}

double value_of(const prometheus::ClientMetric& metric, prometheus::MetricType type) {
  switch (type) {
    case prometheus::MetricType::Counter:
      return metric.counter.value;
    case prometheus::MetricType::Gauge:
      return metric.gauge.value;
    default:
      return metric.untyped.value;
  }
}

}  // namespace

std::string render_text(const FamilyView& families) {
  std::map<std::string_view, std::vector<const prometheus::MetricFamily*>> merged;
  std::size_t series = 0;
  for (const auto* family : families) {
    merged[family->name].push_back(family);
    series += family->metric.size();
  }
  std::string out;
  out.reserve(series * 96);
  for (const auto& [name, parts] : merged) {
    const auto& first = *parts.front();
    if (std::all_of(parts.begin(), parts.end(), [](const auto* part) { return part->metric.empty(); })) continue;
    out += "# HELP ";
    out += name;
    out += ' ';
    append_escaped(out, first.help, false);
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type_name(first.type);
    out += '\n';
    for (const auto* part : parts) {
      for (const auto& metric : part->metric) {
        out += name;
        if (!metric.label.empty()) {
          out += '{';
          for (std::size_t i = 0; i < metric.label.size(); ++i) {
            if (i > 0) out += ',';
            out += metric.label[i].name;
            out += "=\"";
            append_escaped(out, metric.label[i].value, true);
            out += '"';
          }
          out += '}';
        }
        out += ' ';
        append_value(out, value_of(metric, first.type));
        out += '\n';
      }
    }
  }
  out.shrink_to_fit();  // the page is kept until the next rendering: no slack
  return out;
}

std::string render_text(const std::vector<prometheus::MetricFamily>& families) {
  FamilyView view;
  view.reserve(families.size());
  for (const auto& family : families) view.push_back(&family);
  return render_text(view);
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
  out.shrink_to_fit();  // deflateBound reserved about the size of the text
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
