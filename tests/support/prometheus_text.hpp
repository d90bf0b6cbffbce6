#pragma once
// A strict parser of the Prometheus text exposition format 0.0.4, so tests assert on values
// rather than on substrings, and so that anything Prometheus would reject (bad escapes,
// duplicate series, a family split in two, a TYPE after its samples) fails the test that
// scraped it.

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace msgwatch::test {

// Sorted by label name; names are unique.
using Labels = std::vector<std::pair<std::string, std::string>>;

struct Sample {
  std::string family;  // the family the sample belongs to (x for x_bucket of histogram x)
  std::string name;
  Labels labels;
  double value = 0;
  std::optional<std::int64_t> timestamp_ms;
};

struct FamilyInfo {
  std::string type = "untyped";  // counter, gauge, histogram, summary, untyped
  std::optional<std::string> help;
};

class Exposition {
 public:
  // Throws std::runtime_error "line N: why: <line>" on the first malformed line.
  static Exposition parse(std::string_view text);

  // Value of the sample with exactly this name and label set (order of `labels` does not
  // matter); nullopt if there is none.
  [[nodiscard]] std::optional<double> value(
      std::string_view name, std::initializer_list<std::pair<std::string_view, std::string_view>> labels = {}) const;
  [[nodiscard]] std::optional<double> value(std::string_view name, const Labels& labels) const;

  // All samples of family `family` (for a histogram or summary: its _bucket, _sum and
  // _count samples too), in exposition order.
  [[nodiscard]] std::vector<Sample> series(std::string_view family) const;
  // All samples named exactly `name`.
  [[nodiscard]] std::vector<Sample> samples_named(std::string_view name) const;
  // True if the family has a HELP or TYPE line or at least one sample.
  [[nodiscard]] bool has_family(std::string_view family) const;
  [[nodiscard]] const FamilyInfo* family_info(std::string_view family) const;

  [[nodiscard]] const std::vector<Sample>& samples() const { return samples_; }
  [[nodiscard]] std::vector<std::string> family_names() const;

 private:
  std::vector<Sample> samples_;
  std::map<std::string, FamilyInfo, std::less<>> families_;
};

// Renders a label set as {a="x",b="y"} for messages.
std::string format_labels(const Labels& labels);

}  // namespace msgwatch::test
