#include "probes/redis/key_pattern.hpp"

#include <cstddef>

namespace msgwatch::redis {
namespace {

// Matches the class starting after '[' at pattern[p] against byte c; sets `end` to the index
// just past the closing ']' (or the pattern's end when it has none, as Redis reads it).
bool class_matches(std::string_view pattern, std::size_t p, unsigned char c, std::size_t& end) {
  bool negate = false;
  if (p < pattern.size() && pattern[p] == '^') {
    negate = true;
    ++p;
  }
  bool matched = false;
  while (p < pattern.size() && pattern[p] != ']') {
    if (pattern[p] == '\\' && p + 1 < pattern.size()) {
      ++p;
      if (static_cast<unsigned char>(pattern[p]) == c) matched = true;
      ++p;
    } else if (p + 2 < pattern.size() && pattern[p + 1] == '-' && pattern[p + 2] != ']') {
      auto low = static_cast<unsigned char>(pattern[p]);
      auto high = static_cast<unsigned char>(pattern[p + 2]);
      if (low > high) std::swap(low, high);
      if (c >= low && c <= high) matched = true;
      p += 3;
    } else {
      if (static_cast<unsigned char>(pattern[p]) == c) matched = true;
      ++p;
    }
  }
  end = p < pattern.size() ? p + 1 : p;
  return negate ? !matched : matched;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view key) {
  // Iterative with one backtrack point for the last '*': linear in practice, never
  // exponential whatever the pattern.
  std::size_t p = 0;
  std::size_t k = 0;
  std::size_t star = std::string_view::npos;
  std::size_t star_key = 0;
  while (k < key.size()) {
    if (p < pattern.size()) {
      const char c = pattern[p];
      if (c == '*') {
        while (p < pattern.size() && pattern[p] == '*') ++p;
        if (p == pattern.size()) return true;
        star = p;
        star_key = k;
        continue;
      }
      if (c == '?') {
        ++p;
        ++k;
        continue;
      }
      if (c == '[') {
        std::size_t end = 0;
        if (class_matches(pattern, p + 1, static_cast<unsigned char>(key[k]), end)) {
          p = end;
          ++k;
          continue;
        }
      } else {
        std::size_t literal = p;
        if (c == '\\' && p + 1 < pattern.size()) literal = p + 1;
        if (pattern[literal] == key[k]) {
          p = literal + 1;
          ++k;
          continue;
        }
      }
    }
    if (star == std::string_view::npos) return false;
    p = star;
    k = ++star_key;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace msgwatch::redis
