#pragma once
// A compiled config::NameFilter: a name is selected when it fully matches one include
// pattern and no exclude pattern.

#include "exporter/config.hpp"

#include <regex>
#include <string>
#include <vector>

namespace msgwatch {

class NameFilter {
 public:
  explicit NameFilter(const config::NameFilter& patterns);
  [[nodiscard]] bool selects(const std::string& name) const;

 private:
  std::vector<std::regex> include_;
  std::vector<std::regex> exclude_;
};

}  // namespace msgwatch
