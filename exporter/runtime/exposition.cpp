#include "exporter/runtime/exposition.hpp"

#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <stdexcept>

namespace msgwatch {

namespace {

// One family of one source, in the order the block is written.
struct Part {
  const SeriesSet* set = nullptr;
  const FamilySeries* series = nullptr;
  const prometheus::MetricFamily* instrument = nullptr;
};

class TextWriter {
 public:
  TextWriter(const std::function<void(std::string_view)>& sink, std::size_t chunk_bytes)
      : sink_(sink), chunk_bytes_(chunk_bytes) {
    buffer_.reserve(chunk_bytes + 4096);
  }

  void write(const PageSources& sources) {
    std::map<std::string_view, std::vector<Part>> blocks;
    for (const auto* set : sources.sets) {
      for (const auto& family : set->families()) {
        if (!family.empty()) blocks[family.family().name].push_back({set, &family, nullptr});
      }
    }
    for (const auto* family : sources.instruments) {
      if (!family->metric.empty()) blocks[family->name].push_back({nullptr, nullptr, family});
    }
    for (const auto& [name, parts] : blocks) write_block(name, parts);
    flush();
  }

 private:
  void write_block(std::string_view name, const std::vector<Part>& parts) {
    const auto& first = parts.front();
    const std::string_view help = first.series ? first.series->family().help : first.instrument->help;
    append("# HELP ");
    append(name);
    append(" ");
    append_escaped(help, false);
    append("\n# TYPE ");
    append(name);
    append(" ");
    append(first.series ? type_name(first.series->family().type) : type_name(first.instrument->type));
    append("\n");
    for (const auto& part : parts) {
      if (part.series) {
        write_series(name, *part.set, *part.series);
      } else {
        write_instrument(*part.instrument);
      }
    }
  }

  // A summary's series come as the store keeps them: per label set its quantiles, then its
  // `_sum` and `_count`, written with their suffix and without the `quantile` label.
  void write_series(std::string_view name, const SeriesSet& set, const FamilySeries& family) {
    const auto& labels = family.family().labels;
    for (std::size_t i = 0; i < family.size(); ++i) {
      append(name);
      auto label_count = labels.size();
      const auto part = family.part(i);
      if (part == SeriesPart::sum || part == SeriesPart::count) {
        append(part == SeriesPart::sum ? "_sum" : "_count");
        --label_count;
      }
      const bool with_cluster = !set.cluster().empty();
      if (with_cluster || label_count > 0) {
        char separator = '{';
        if (with_cluster) {
          append_label(separator, "cluster", set.cluster());
          separator = ',';
        }
        for (std::size_t l = 0; l < label_count; ++l) {
          append_label(separator, labels[l], family.label(i, l));
          separator = ',';
        }
        buffer_ += '}';
      }
      buffer_ += ' ';
      append_value(family.value(i));
      buffer_ += '\n';
      if (buffer_.size() >= chunk_bytes_) flush();
    }
  }

  void write_instrument(const prometheus::MetricFamily& family) {
    for (const auto& metric : family.metric) {
      switch (family.type) {
        case prometheus::MetricType::Counter:
          write_sample(family.name, "", metric, nullptr, {}, metric.counter.value);
          break;
        case prometheus::MetricType::Gauge:
          write_sample(family.name, "", metric, nullptr, {}, metric.gauge.value);
          break;
        case prometheus::MetricType::Histogram:
          for (const auto& bucket : metric.histogram.bucket) {
            write_sample(family.name, "_bucket", metric, "le", format(bucket.upper_bound),
                         static_cast<double>(bucket.cumulative_count));
          }
          write_sample(family.name, "_sum", metric, nullptr, {}, metric.histogram.sample_sum);
          write_sample(family.name, "_count", metric, nullptr, {}, static_cast<double>(metric.histogram.sample_count));
          break;
        case prometheus::MetricType::Summary:
          for (const auto& quantile : metric.summary.quantile) {
            write_sample(family.name, "", metric, "quantile", format(quantile.quantile), quantile.value);
          }
          write_sample(family.name, "_sum", metric, nullptr, {}, metric.summary.sample_sum);
          write_sample(family.name, "_count", metric, nullptr, {}, static_cast<double>(metric.summary.sample_count));
          break;
        default:
          write_sample(family.name, "", metric, nullptr, {}, metric.untyped.value);
          break;
      }
      if (buffer_.size() >= chunk_bytes_) flush();
    }
  }

  void write_sample(std::string_view name, std::string_view suffix, const prometheus::ClientMetric& metric,
                    const char* extra_label, const std::string& extra_value, double value) {
    append(name);
    append(suffix);
    if (!metric.label.empty() || extra_label != nullptr) {
      char separator = '{';
      for (const auto& label : metric.label) {
        append_label(separator, label.name, label.value);
        separator = ',';
      }
      if (extra_label != nullptr) append_label(separator, extra_label, extra_value);
      buffer_ += '}';
    }
    buffer_ += ' ';
    append_value(value);
    buffer_ += '\n';
  }

  static const char* type_name(MetricType type) {
    switch (type) {
      case MetricType::counter:
        return "counter";
      case MetricType::summary:
        return "summary";
      default:
        return "gauge";
    }
  }
  static const char* type_name(prometheus::MetricType type) {
    switch (type) {
      case prometheus::MetricType::Counter:
        return "counter";
      case prometheus::MetricType::Gauge:
        return "gauge";
      case prometheus::MetricType::Histogram:
        return "histogram";
      case prometheus::MetricType::Summary:
        return "summary";
      default:
        return "untyped";
    }
  }

  static std::string format(double value) {
    std::string out;
    append_value_to(out, value);
    return out;
  }

  void append(std::string_view text) { buffer_.append(text); }

  void append_label(char separator, std::string_view name, std::string_view value) {
    buffer_ += separator;
    buffer_.append(name);
    buffer_ += "=\"";
    append_escaped(value, true);
    buffer_ += '"';
  }

  void append_escaped(std::string_view text, bool quote) {
    for (const char c : text) {
      if (c == '\\') {
        buffer_ += "\\\\";
      } else if (c == '\n') {
        buffer_ += "\\n";
      } else if (c == '"' && quote) {
        buffer_ += "\\\"";
      } else {
        buffer_ += c;
      }
    }
  }

  void append_value(double value) { append_value_to(buffer_, value); }

  static void append_value_to(std::string& out, double value) {
    if (std::isnan(value)) {
      out += "NaN";
    } else if (std::isinf(value)) {
      out += value > 0 ? "+Inf" : "-Inf";
    } else {
      char digits[32];
      const auto result = std::to_chars(digits, digits + sizeof digits, value);  // shortest exact form
      out.append(digits, result.ptr);
    }
  }

  void flush() {
    if (buffer_.empty()) return;
    sink_(buffer_);
    buffer_.clear();
  }

  const std::function<void(std::string_view)>& sink_;
  std::size_t chunk_bytes_;
  std::string buffer_;
};

}  // namespace

void write_page(const PageSources& sources, const std::function<void(std::string_view)>& sink,
                std::size_t chunk_bytes) {
  TextWriter(sink, chunk_bytes).write(sources);
}

std::string render_text(const PageSources& sources) {
  std::string out;
  write_page(sources, [&out](std::string_view piece) { out.append(piece); });
  return out;
}

std::string render_text(const SeriesSet& set) { return render_text(PageSources{{&set}, {}}); }

struct GzipWriter::Stream {
  z_stream z{};
};

GzipWriter::GzipWriter(std::size_t chunk_bytes) : stream_(std::make_unique<Stream>()), chunk_bytes_(chunk_bytes) {
  // windowBits 15 + 16 selects the gzip wrapper; memLevel 8 is zlib's default.
  if (deflateInit2(&stream_->z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
}

GzipWriter::~GzipWriter() { deflateEnd(&stream_->z); }

void GzipWriter::deflate_into_chunks(int flush) {
  auto& z = stream_->z;
  while (true) {
    if (chunks_.empty() || chunks_.back().size() == chunk_bytes_) {
      chunks_.emplace_back();
      chunks_.back().reserve(chunk_bytes_);
    }
    auto& chunk = chunks_.back();
    const auto used = chunk.size();
    chunk.resize(chunk_bytes_);
    z.next_out = reinterpret_cast<Bytef*>(chunk.data() + used);
    z.avail_out = static_cast<uInt>(chunk_bytes_ - used);
    const int result = deflate(&z, flush);
    chunk.resize(chunk_bytes_ - z.avail_out);
    if (result == Z_STREAM_ERROR) throw std::runtime_error("deflate failed");
    if (flush == Z_FINISH ? result == Z_STREAM_END : (z.avail_in == 0 && z.avail_out > 0)) break;
  }
}

void GzipWriter::write(std::string_view text) {
  auto& z = stream_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  deflate_into_chunks(Z_NO_FLUSH);
}

std::vector<std::string> GzipWriter::finish() {
  stream_->z.avail_in = 0;
  deflate_into_chunks(Z_FINISH);
  if (!chunks_.empty()) chunks_.back().shrink_to_fit();  // the last one is rarely full
  return std::move(chunks_);
}

RenderedPage render_page(const PageSources& sources) {
  RenderedPage page;
  GzipWriter gzip;
  write_page(sources, [&](std::string_view piece) {
    page.text_bytes += piece.size();
    gzip.write(piece);
  });
  page.gzip = gzip.finish();
  for (const auto& chunk : page.gzip) page.gzip_bytes += chunk.size();
  return page;
}

struct PageInflater::Stream {
  z_stream z{};
};

PageInflater::PageInflater(std::shared_ptr<const RenderedPage> page, std::size_t chunk_bytes)
    : stream_(std::make_unique<Stream>()), page_(std::move(page)), out_(chunk_bytes, '\0') {
  if (inflateInit2(&stream_->z, 15 + 16) != Z_OK) throw std::runtime_error("inflateInit2 failed");
}

PageInflater::~PageInflater() { inflateEnd(&stream_->z); }

std::string_view PageInflater::next() {
  auto& z = stream_->z;
  while (!ended_) {
    if (z.avail_in == 0) {
      if (chunk_ == page_->gzip.size()) throw std::runtime_error("truncated gzip page");
      const auto& chunk = page_->gzip[chunk_++];
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(chunk.data()));
      z.avail_in = static_cast<uInt>(chunk.size());
    }
    z.next_out = reinterpret_cast<Bytef*>(out_.data());
    z.avail_out = static_cast<uInt>(out_.size());
    const int result = inflate(&z, Z_NO_FLUSH);
    if (result == Z_STREAM_END) {
      ended_ = true;
    } else if (result != Z_OK && result != Z_BUF_ERROR) {
      throw std::runtime_error("damaged gzip page");
    }
    const auto produced = out_.size() - z.avail_out;
    if (produced > 0) return {out_.data(), produced};
  }
  return {};
}

std::string inflate_page(std::shared_ptr<const RenderedPage> page) {
  std::string out;
  out.reserve(page->text_bytes);
  PageInflater inflater(std::move(page));
  for (auto piece = inflater.next(); !piece.empty(); piece = inflater.next()) out.append(piece);
  return out;
}

void PageStore::publish(std::shared_ptr<const RenderedPage> page) {
  std::lock_guard lock(mutex_);
  latest_ = std::move(page);
}

std::shared_ptr<const RenderedPage> PageStore::latest() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

}  // namespace msgwatch
