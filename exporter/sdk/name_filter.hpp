#pragma once
// Include/exclude filters for names (topics, groups, key patterns): a name is selected when
// it fully matches one include pattern and no exclude pattern (ECMAScript regular
// expressions).

#include <regex>
#include <string>
#include <vector>

namespace msgwatch {

// The patterns, as configured.
struct NamePatterns {
  std::vector<std::string> include{".*"};
  std::vector<std::string> exclude;
};

// The patterns compiled.
class NameFilter {
 public:
  explicit NameFilter(const NamePatterns& patterns);
  [[nodiscard]] bool selects(const std::string& name) const;

 private:
  std::vector<std::regex> include_;
  std::vector<std::regex> exclude_;
};

}  // namespace msgwatch
