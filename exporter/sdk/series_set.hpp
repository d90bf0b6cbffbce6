#pragma once
// What one probe attempt exports: the compact series store every probe writes to.
//
// A family is described once, statically (`Family`: name, help, type, label names); a
// series is its label values, interned into the set's string pool as 32-bit ids, and its
// value as a double. A series of a family with k labels costs 4k + 8 bytes plus its share
// of the distinct label values, so a per-partition lag series (3 labels) takes about 20
// bytes where a prometheus::ClientMetric took about 550. The `cluster` label is not stored:
// the renderer writes the set's cluster in front of every series.
//
// A summary family (`summary_family`) has `quantile` as its last label name and is written
// one whole summary at a time (`add_summary`): per label set its quantile series, then its
// `_sum` and `_count` series, stored as series whose quantile label is `_sum` and `_count`
// (`FamilySeries::part` tells them apart; the renderer writes them as name_sum and
// name_count without that label). A gauge's or counter's series costs no more for it.
//
// Families keep the order in which they were first written to, series the order in which
// they were added. Family names, help texts and label names are string_views that must
// outlive the set: string literals and static tables.
//
// Not thread-safe: one probe attempt fills a set, then hands it to the scheduler, after
// which it is only read.

#include <array>
#include <charconv>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace msgwatch {

enum class MetricType : std::uint8_t { gauge, counter, summary };

// The last label name of every summary family, and the label values that mark the `_sum`
// and `_count` series of a summary in its place.
inline constexpr std::string_view kQuantileLabel = "quantile";
inline constexpr std::string_view kSummarySum = "_sum";
inline constexpr std::string_view kSummaryCount = "_count";

// The label names of a family, fixed at compile time.
class LabelNames {
 public:
  static constexpr std::size_t kMax = 12;
  constexpr LabelNames() = default;
  constexpr LabelNames(std::initializer_list<std::string_view> names) {
    for (const auto name : names) names_[size_++] = name;  // more than kMax fails to compile in constexpr use
  }
  [[nodiscard]] constexpr std::size_t size() const { return size_; }
  [[nodiscard]] constexpr std::string_view operator[](std::size_t i) const { return names_[i]; }
  // These names with `name` in front (more than kMax throws std::logic_error).
  [[nodiscard]] LabelNames prepended(std::string_view name) const;
  // These names with `name` at the end (more than kMax throws, or fails to compile in constexpr use).
  [[nodiscard]] constexpr LabelNames appended(std::string_view name) const {
    if (size_ == kMax) throw std::logic_error("too many label names");
    LabelNames result = *this;
    result.names_[result.size_++] = name;
    return result;
  }

 private:
  std::array<std::string_view, kMax> names_{};
  std::size_t size_ = 0;
};

struct Family {
  std::string_view name;
  std::string_view help;
  MetricType type = MetricType::gauge;
  LabelNames labels;
};

constexpr Family gauge_family(std::string_view name, std::string_view help, LabelNames labels = {}) {
  return {name, help, MetricType::gauge, labels};
}
constexpr Family counter_family(std::string_view name, std::string_view help, LabelNames labels = {}) {
  return {name, help, MetricType::counter, labels};
}
// `labels` are those of each summary; the family's label names are they and `quantile`.
constexpr Family summary_family(std::string_view name, std::string_view help, LabelNames labels = {}) {
  return {name, help, MetricType::summary, labels.appended(kQuantileLabel)};
}

// One quantile of a summary: `quantile` within [0, 1] (0.99 for the 99th percentile).
struct Quantile {
  double quantile = 0;
  double value = 0;
};

// What a series of a family is on the page: a gauge's or counter's sample, or one of a
// summary's quantile, `_sum` and `_count` series.
enum class SeriesPart : std::uint8_t { sample, quantile, sum, count };

// A label value as a caller has it: text, or a number written in decimal (partition and
// broker ids) without a temporary std::string.
class LabelValue {
 public:
  LabelValue(std::string_view text) : view_(text) {}    // NOLINT(google-explicit-constructor)
  LabelValue(const std::string& text) : view_(text) {}  // NOLINT(google-explicit-constructor)
  LabelValue(const char* text) : view_(text) {}         // NOLINT(google-explicit-constructor)
  template <std::integral T>
  LabelValue(T number) {  // NOLINT(google-explicit-constructor)
    const auto result = std::to_chars(digits_.data(), digits_.data() + digits_.size(), number);
    view_ = std::string_view(digits_.data(), static_cast<std::size_t>(result.ptr - digits_.data()));
  }
  LabelValue(const LabelValue&) = delete;
  LabelValue& operator=(const LabelValue&) = delete;
  [[nodiscard]] std::string_view view() const { return view_; }

 private:
  std::array<char, 24> digits_{};
  std::string_view view_;
};

// Distinct strings stored once, in blocks that never move, each named by a dense id.
class StringPool {
 public:
  std::uint32_t intern(std::string_view text);
  [[nodiscard]] std::string_view at(std::uint32_t id) const { return strings_[id]; }
  [[nodiscard]] std::size_t size() const { return strings_.size(); }
  [[nodiscard]] std::size_t bytes() const;

 private:
  static constexpr std::size_t kBlock = 16 * 1024;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t block_size_ = 0;
  std::size_t block_used_ = 0;
  std::size_t block_bytes_ = 0;
  std::vector<std::string_view> strings_;
  std::unordered_map<std::string_view, std::uint32_t> ids_;
};

class SeriesSet;

// The series of one family within a set.
//
// Every misuse is a programming error that throws std::logic_error (it fails the attempt
// rather than the page) and writes nothing: a wrong number of label values, a gauge or
// counter series in a summary family, a summary in another family, a malformed summary.
class FamilySeries {
 public:
  // A summary family whose last label name is not `quantile` throws.
  FamilySeries(const Family& family, StringPool& pool);

  // One series of a gauge or counter family; as many values as the family has label names.
  FamilySeries& add(std::initializer_list<LabelValue> labels, double value);
  FamilySeries& add(double value) { return add({}, value); }  // a family without labels
  // One whole summary of a summary family, for `labels` (one value per label name but
  // `quantile`): its quantiles, each within [0, 1] and in increasing order (none is allowed),
  // then its sum and its count (finite, not negative).
  FamilySeries& add_summary(std::initializer_list<LabelValue> labels, std::span<const Quantile> quantiles, double sum,
                            double count);
  // One series from label values held elsewhere, as a copy of another set's series: a
  // summary family takes the series of its summaries one by one, in their order (quantiles
  // in increasing order, written as the store writes them, then `_sum`, then `_count`),
  // and shows a summary only once its `_count` is there.
  FamilySeries& add(std::span<const std::string_view> labels, double value);
  // One series whose label values are `first` and then those of series `series` of `from`.
  FamilySeries& add_after(std::string_view first, const FamilySeries& from, std::size_t series);

  [[nodiscard]] const Family& family() const { return family_; }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] double value(std::size_t i) const { return values_[i]; }
  [[nodiscard]] std::string_view label(std::size_t series, std::size_t label) const {
    return pool_->at(label_ids_[series * family_.labels.size() + label]);
  }
  [[nodiscard]] SeriesPart part(std::size_t series) const;
  // Keeps the first `count` series; in a summary family, the whole summaries among them.
  void truncate(std::size_t count);
  void shrink_to_fit();
  [[nodiscard]] std::size_t bytes() const;

 private:
  void check_label_count(std::size_t count) const;
  // Refuses a summary series that does not continue the series before it.
  void check_summary_series(std::span<const std::uint32_t> ids, double value) const;
  // Whether `ids` and series `series` have the same label values but the last.
  [[nodiscard]] bool same_summary(std::span<const std::uint32_t> ids, std::size_t series) const;
  void push(std::span<const std::uint32_t> ids, double value);

  Family family_;
  StringPool* pool_;
  std::vector<std::uint32_t> label_ids_;  // values_.size() * labels per series
  std::vector<double> values_;
  std::size_t size_ = 0;  // the series shown: all but those of a summary still being copied
};

class SeriesSet {
 public:
  SeriesSet() = default;
  SeriesSet(SeriesSet&&) noexcept = default;
  SeriesSet& operator=(SeriesSet&&) noexcept = default;
  SeriesSet(const SeriesSet&) = delete;
  SeriesSet& operator=(const SeriesSet&) = delete;

  // The family's series, created empty on first use. Two Family values with the same name
  // are the same family (its first description wins). The reference stays valid.
  FamilySeries& family(const Family& family);
  // Shorthand for family(f).add(...).
  FamilySeries& add(const Family& family, std::initializer_list<LabelValue> labels, double value) {
    return this->family(family).add(labels, value);
  }
  // Copies every series of `from` into this set with one more label in front, name="value":
  // a probe that watches several servers writes each one's set and labels it by server. A
  // family that exists here already must have that label in front and the same type
  // (std::logic_error if not). A summary's `quantile` label stays last.
  void add_labelled(const SeriesSet& from, std::string_view name, std::string_view value);

  // The `cluster` label the renderer writes in front of every series; empty: none.
  void set_cluster(std::string cluster) { cluster_ = std::move(cluster); }
  [[nodiscard]] const std::string& cluster() const { return cluster_; }

  [[nodiscard]] const std::deque<FamilySeries>& families() const { return families_; }
  [[nodiscard]] const FamilySeries* find(std::string_view name) const;
  [[nodiscard]] std::size_t series() const;
  // Drops the series of the named family (a failing probe's "up" gauge replaces them).
  void clear(std::string_view name);

  // Drops series until at most `max_series` remain, always from the family that has the
  // most (per-partition detail goes first, cluster totals last), from its end, so what stays
  // is stable from cycle to cycle. Returns how many were dropped.
  std::size_t cap(std::size_t max_series);
  // Releases the slack of growth; call once the set is complete.
  void shrink_to_fit();
  // Heap bytes held (families, label ids, values, the pool), for the benchmark.
  [[nodiscard]] std::size_t bytes() const;

 private:
  std::unique_ptr<StringPool> pool_ = std::make_unique<StringPool>();  // FamilySeries point into it
  std::deque<FamilySeries> families_;
  std::unordered_map<std::string_view, std::size_t> by_name_;
  std::string cluster_;
};

}  // namespace msgwatch
