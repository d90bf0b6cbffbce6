#include "exporter/sdk/series_set.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
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

FamilySeries& FamilySeries::add(std::initializer_list<LabelValue> labels, double value) {
  if (labels.size() != family_.labels.size()) {
    throw std::logic_error(std::string(family_.name) + ": " + std::to_string(labels.size()) + " label values for " +
                           std::to_string(family_.labels.size()) + " label names");
  }
  for (const auto& label : labels) label_ids_.push_back(pool_->intern(label.view()));
  values_.push_back(value);
  return *this;
}

void FamilySeries::truncate(std::size_t count) {
  if (count >= values_.size()) return;
  values_.resize(count);
  label_ids_.resize(count * family_.labels.size());
}

void FamilySeries::shrink_to_fit() {
  label_ids_.shrink_to_fit();
  values_.shrink_to_fit();
}

std::size_t FamilySeries::bytes() const {
  return sizeof(*this) + label_ids_.capacity() * sizeof(std::uint32_t) + values_.capacity() * sizeof(double);
}

FamilySeries& SeriesSet::family(const Family& family) {
  const auto [it, added] = by_name_.try_emplace(family.name, families_.size());
  if (added) families_.emplace_back(family, *pool_);
  return families_[it->second];
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
    largest.truncate(largest.size() - cut);
    total -= cut;
    dropped += cut;
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
