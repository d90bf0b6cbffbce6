#include "exporter/sdk/name_filter.hpp"

#include <algorithm>

namespace msgwatch {
namespace {

std::vector<std::regex> compile(const std::vector<std::string>& patterns) {
  std::vector<std::regex> compiled;
  compiled.reserve(patterns.size());
  for (const auto& pattern : patterns) compiled.emplace_back(pattern, std::regex::ECMAScript | std::regex::optimize);
  return compiled;
}

bool any_matches(const std::vector<std::regex>& patterns, const std::string& name) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&name](const std::regex& pattern) { return std::regex_match(name, pattern); });
}

}  // namespace

NameFilter::NameFilter(const NamePatterns& patterns)
    : include_(compile(patterns.include)), exclude_(compile(patterns.exclude)) {}

bool NameFilter::selects(const std::string& name) const {
  return any_matches(include_, name) && !any_matches(exclude_, name);
}

}  // namespace msgwatch
