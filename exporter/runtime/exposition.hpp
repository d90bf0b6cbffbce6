#pragma once
// Rendering the page: every probe's series sets and the registry's live instruments in the
// Prometheus text format 0.0.4, written in chunks and deflated as a stream. The page is kept
// gzip-compressed only (Prometheus always asks for gzip); a scraper that does not accept it
// gets the text inflated chunk by chunk as it is sent. Neither the text nor the compressed
// page is ever held or copied whole while it is made.
//
// Families of the same name (one per cluster) merge into one block; blocks are sorted by
// name; series keep the order in which the probes wrote them. Families without series are
// left out.

#include "exporter/sdk/series_set.hpp"

#include <prometheus/metric_family.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace msgwatch {

struct PageSources {
  std::vector<const SeriesSet*> sets;
  std::vector<const prometheus::MetricFamily*> instruments;  // from prometheus::Registry::Collect
};

// Writes the page to `sink` in pieces of about `chunk_bytes`.
void write_page(const PageSources& sources, const std::function<void(std::string_view)>& sink,
                std::size_t chunk_bytes = 64 * 1024);

// The page as one string: for tests and tools, not for the daemon.
std::string render_text(const PageSources& sources);
std::string render_text(const SeriesSet& set);

// A gzip stream (level 1: scrapes want speed over ratio) built from pieces of text.
class GzipWriter {
 public:
  explicit GzipWriter(std::size_t chunk_bytes = 64 * 1024);
  ~GzipWriter();
  GzipWriter(const GzipWriter&) = delete;
  GzipWriter& operator=(const GzipWriter&) = delete;

  void write(std::string_view text);
  // Ends the stream and returns its chunks; the writer is spent.
  std::vector<std::string> finish();

 private:
  void deflate_into_chunks(int flush);

  struct Stream;
  std::unique_ptr<Stream> stream_;
  std::size_t chunk_bytes_;
  std::vector<std::string> chunks_;
};

struct RenderedPage {
  std::vector<std::string> gzip;  // the gzip stream, in chunks
  std::size_t gzip_bytes = 0;
  std::size_t text_bytes = 0;  // the page's size once inflated
};

RenderedPage render_page(const PageSources& sources);

// The text of a rendered page, inflated piece by piece (pieces of at most `chunk_bytes`),
// for a scraper that does not accept gzip. Holds `page` until it is done. Throws
// std::runtime_error if the stream is damaged, which a page rendered here never is.
class PageInflater {
 public:
  explicit PageInflater(std::shared_ptr<const RenderedPage> page, std::size_t chunk_bytes = 64 * 1024);
  ~PageInflater();
  PageInflater(const PageInflater&) = delete;
  PageInflater& operator=(const PageInflater&) = delete;

  // The next piece of text; empty at the end. Valid until the next call.
  std::string_view next();

 private:
  struct Stream;
  std::unique_ptr<Stream> stream_;
  std::shared_ptr<const RenderedPage> page_;
  std::size_t chunk_ = 0;  // the next gzip chunk to feed
  std::string out_;
  bool ended_ = false;
};

std::string inflate_page(std::shared_ptr<const RenderedPage> page);

// Thread-safe hand-off from the renderer (io_context thread) to the HTTP thread.
class PageStore {
 public:
  void publish(std::shared_ptr<const RenderedPage> page);
  [[nodiscard]] std::shared_ptr<const RenderedPage> latest() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const RenderedPage> latest_ = std::make_shared<RenderedPage>(render_page({}));
};

}  // namespace msgwatch
