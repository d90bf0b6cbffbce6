#include "exporter/sdk/series_set.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <optional>
#include <stdexcept>

namespace msgwatch {

std::uint32_t StringPool::intern(std::string_view text) {
  if (const auto it = ids_.find(text); it != ids_.end()) return it->second;
  const char* stored = "";
  if (!text.empty()) {
    if (text.size() > block_size_ - block_used_) {
      // A string longer than a block gets a block of its own size.
      block_size_ = std::max(kBlock, text.size());
      blocks_.push_back(std::make_unique<char[]>(block_size_));
      block_used_ = 0;
      block_bytes_ += block_size_;
    }
    char* out = blocks_.back().get() + block_used_;
    std::memcpy(out, text.data(), text.size());
    block_used_ += text.size();
    stored = out;
  }
  const std::string_view view(stored, text.size());
  const auto id = static_cast<std::uint32_t>(strings_.size());
  strings_.push_back(view);
  ids_.emplace(view, id);
  return id;
}

std::size_t StringPool::bytes() const {
  // Blocks, the views, and the hash map's nodes and buckets (about 48 bytes per entry).
  return block_bytes_ + strings_.capacity() * sizeof(std::string_view) + ids_.size() * 32 +
         ids_.bucket_count() * sizeof(void*);
}

LabelNames LabelNames::prepended(std::string_view name) const {
  if (size_ == kMax) throw std::logic_error("more than " + std::to_string(kMax) + " label names");
  LabelNames result;
  result.names_[result.size_++] = name;
  for (std::size_t i = 0; i < size_; ++i) result.names_[result.size_++] = names_[i];
  return result;
}

namespace {

// A quantile as the store writes it in the `quantile` label: the shortest text that reads
// back as the same double, as the renderer writes every number ("0.5", "0.999", "1").
std::string_view quantile_text(double quantile, std::array<char, 32>& buffer) {
  if (quantile == 0) quantile = 0;  // "0", never "-0"
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), quantile);
  return {buffer.data(), static_cast<std::size_t>(result.ptr - buffer.data())};
}

bool valid_quantile(double quantile) { return quantile >= 0 && quantile <= 1; }  // false for NaN

bool valid_count(double count) { return std::isfinite(count) && count >= 0; }

// The quantile a `quantile` label value stands for, if it is one written as the store writes it.
std::optional<double> parse_quantile(std::string_view text) {
  double quantile = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, quantile);
  if (ec != std::errc() || ptr != end || !valid_quantile(quantile)) return std::nullopt;
  std::array<char, 32> buffer{};
  if (quantile_text(quantile, buffer) != text) return std::nullopt;
  return quantile;
}

}  // namespace

FamilySeries::FamilySeries(const Family& family, StringPool& pool) : family_(family), pool_(&pool) {
  const auto& labels = family_.labels;
  if (family_.type == MetricType::summary && (labels.size() == 0 || labels[labels.size() - 1] != kQuantileLabel)) {
    throw std::logic_error(std::string(family_.name) + ": a summary family's last label name must be quantile");
  }
}

void FamilySeries::check_label_count(std::size_t count) const {
  if (count != family_.labels.size()) {
    throw std::logic_error(std::string(family_.name) + ": " + std::to_string(count) + " label values for " +
                           std::to_string(family_.labels.size()) + " label names");
  }
}

SeriesPart FamilySeries::part(std::size_t series) const {
  if (family_.type != MetricType::summary) return SeriesPart::sample;
  const auto quantile = label(series, family_.labels.size() - 1);
  if (quantile == kSummarySum) return SeriesPart::sum;
  if (quantile == kSummaryCount) return SeriesPart::count;
  return SeriesPart::quantile;
}

bool FamilySeries::same_summary(std::span<const std::uint32_t> ids, std::size_t series) const {
  const auto count = family_.labels.size();
  return std::equal(ids.begin(), ids.end() - 1, label_ids_.begin() + static_cast<std::ptrdiff_t>(series * count));
}

void FamilySeries::check_summary_series(std::span<const std::uint32_t> ids, double value) const {
  // Series of a summary whose `_count` has not come yet are waiting, not shown.
  const bool open = values_.size() > size_;
  const auto previous = values_.size() - 1;
  const auto text = pool_->at(ids.back());
  const char* problem = nullptr;
  if (text == kSummaryCount) {
    if (!open || part(previous) != SeriesPart::sum || !same_summary(ids, previous)) {
      problem = "_count without its summary's _sum before it";
    } else if (!valid_count(value)) {
      problem = "a count must be finite and not negative";
    }
  } else if (text == kSummarySum) {
    if (open && (part(previous) != SeriesPart::quantile || !same_summary(ids, previous))) {
      problem = "_sum after another summary's series";
    }
  } else if (const auto quantile = parse_quantile(text); !quantile) {
    problem = "a quantile label value that is not a quantile written as the store writes it";
  } else if (open && (part(previous) != SeriesPart::quantile || !same_summary(ids, previous) ||
                      !(*parse_quantile(label(previous, ids.size() - 1)) < *quantile))) {
    problem = "a quantile out of order or after another summary's series";
  }
  if (problem != nullptr) throw std::logic_error(std::string(family_.name) + ": " + problem);
}

void FamilySeries::push(std::span<const std::uint32_t> ids, double value) {
  label_ids_.insert(label_ids_.end(), ids.begin(), ids.end());
  values_.push_back(value);
  if (family_.type != MetricType::summary || part(values_.size() - 1) == SeriesPart::count) size_ = values_.size();
}

FamilySeries& FamilySeries::add(std::initializer_list<LabelValue> labels, double value) {
  check_label_count(labels.size());
  if (family_.type == MetricType::summary) {
    throw std::logic_error(std::string(family_.name) + ": a summary is written whole, with add_summary()");
  }
  std::array<std::uint32_t, LabelNames::kMax> ids{};
  std::size_t count = 0;
  for (const auto& label : labels) ids[count++] = pool_->intern(label.view());
  push(std::span<const std::uint32_t>(ids.data(), count), value);
  return *this;
}

FamilySeries& FamilySeries::add_summary(std::initializer_list<LabelValue> labels, std::span<const Quantile> quantiles,
                                        double sum, double count) {
  if (family_.type != MetricType::summary) {
    throw std::logic_error(std::string(family_.name) + ": add_summary() on a family that is not a summary");
  }
  check_label_count(labels.size() + 1);
  const char* problem = nullptr;
  if (values_.size() > size_) problem = "a summary after another one copied in part";
  for (std::size_t i = 0; i < quantiles.size() && problem == nullptr; ++i) {
    if (!valid_quantile(quantiles[i].quantile)) problem = "a quantile outside [0, 1]";
    if (i > 0 && !(quantiles[i - 1].quantile < quantiles[i].quantile)) problem = "quantiles not in increasing order";
  }
  if (problem == nullptr && !valid_count(count)) problem = "a count must be finite and not negative";
  if (problem != nullptr) throw std::logic_error(std::string(family_.name) + ": " + problem);

  std::array<std::uint32_t, LabelNames::kMax> ids{};
  std::size_t size = 0;
  for (const auto& label : labels) ids[size++] = pool_->intern(label.view());
  const std::span<const std::uint32_t> series(ids.data(), size + 1);
  std::array<char, 32> buffer{};
  for (const auto& quantile : quantiles) {
    ids[size] = pool_->intern(quantile_text(quantile.quantile, buffer));
    push(series, quantile.value);
  }
  ids[size] = pool_->intern(kSummarySum);
  push(series, sum);
  ids[size] = pool_->intern(kSummaryCount);
  push(series, count);
  return *this;
}

FamilySeries& FamilySeries::add(std::span<const std::string_view> labels, double value) {
  check_label_count(labels.size());
  std::array<std::uint32_t, LabelNames::kMax> ids{};
  for (std::size_t i = 0; i < labels.size(); ++i) ids[i] = pool_->intern(labels[i]);
  const std::span<const std::uint32_t> series(ids.data(), labels.size());
  if (family_.type == MetricType::summary) check_summary_series(series, value);
  push(series, value);
  return *this;
}

FamilySeries& FamilySeries::add_after(std::string_view first, const FamilySeries& from, std::size_t series) {
  const auto count = from.family_.labels.size();
  if (count + 1 > LabelNames::kMax) check_label_count(count + 1);
  std::array<std::string_view, LabelNames::kMax> labels{first};
  for (std::size_t l = 0; l < count; ++l) labels[l + 1] = from.label(series, l);
  return add(std::span<const std::string_view>(labels.data(), count + 1), from.value(series));
}

void FamilySeries::truncate(std::size_t count) {
  if (count >= size_) return;
  // A summary goes whole or not at all.
  while (count > 0 && part(count - 1) != SeriesPart::sample && part(count - 1) != SeriesPart::count) --count;
  values_.resize(count);
  label_ids_.resize(count * family_.labels.size());
  size_ = count;
}

void FamilySeries::shrink_to_fit() {
  label_ids_.shrink_to_fit();
  values_.shrink_to_fit();
}

std::size_t FamilySeries::bytes() const {
  return sizeof(*this) + label_ids_.capacity() * sizeof(std::uint32_t) + values_.capacity() * sizeof(double);
}

FamilySeries& SeriesSet::family(const Family& family) {
  if (const auto it = by_name_.find(family.name); it != by_name_.end()) return families_[it->second];
  families_.emplace_back(family, *pool_);  // checks the description before the name is taken
  by_name_.emplace(family.name, families_.size() - 1);
  return families_.back();
}

void SeriesSet::add_labelled(const SeriesSet& from, std::string_view name, std::string_view value) {
  for (const auto& source : from.families_) {
    if (source.empty()) continue;
    Family labelled = source.family();
    labelled.labels = labelled.labels.prepended(name);
    auto& target = family(labelled);
    if (target.family().labels.size() == 0 || target.family().labels[0] != name) {
      throw std::logic_error(std::string(labelled.name) + ": written here without the label " + std::string(name));
    }
    if (target.family().type != labelled.type) {
      throw std::logic_error(std::string(labelled.name) + ": written here with another type");
    }
    for (std::size_t i = 0; i < source.size(); ++i) target.add_after(value, source, i);
  }
}

const FamilySeries* SeriesSet::find(std::string_view name) const {
  const auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &families_[it->second];
}

std::size_t SeriesSet::series() const {
  return std::accumulate(families_.begin(), families_.end(), std::size_t{0},
                         [](std::size_t sum, const auto& family) { return sum + family.size(); });
}

void SeriesSet::clear(std::string_view name) {
  if (const auto it = by_name_.find(name); it != by_name_.end()) families_[it->second].truncate(0);
}

std::size_t SeriesSet::cap(std::size_t max_series) {
  std::size_t total = series();
  std::size_t dropped = 0;
  while (total > max_series) {
    auto& largest = *std::max_element(families_.begin(), families_.end(),
                                      [](const auto& a, const auto& b) { return a.size() < b.size(); });
    // Trim the largest family down to the next largest (or just enough), in one step.
    std::size_t next = 0;
    for (const auto& family : families_) {
      if (&family != &largest) next = std::max(next, family.size());
    }
    const auto cut = std::min(total - max_series, std::max<std::size_t>(1, largest.size() - next));
    const auto before = largest.size();
    largest.truncate(before - cut);  // a summary may lose more: it goes whole
    total -= before - largest.size();
    dropped += before - largest.size();
  }
  return dropped;
}

void SeriesSet::shrink_to_fit() {
  for (auto& family : families_) family.shrink_to_fit();
}

std::size_t SeriesSet::bytes() const {
  std::size_t total = pool_->bytes() + by_name_.size() * 48;
  for (const auto& family : families_) total += family.bytes();
  return total;
}

}  // namespace msgwatch
