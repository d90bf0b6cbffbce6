#include "support/prometheus_text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>

namespace msgwatch::test {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || std::isdigit(static_cast<unsigned char>(c)); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Accepts what Prometheus's own parser accepts (Go's ParseFloat) minus hex floats: decimal
// numbers, and NaN/Inf spelled in any case, since clients differ ("NaN", "Nan", "+Inf").
std::optional<double> parse_float(std::string_view token) {
  const std::string l = lower(token);
  if (l == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (l == "inf" || l == "+inf" || l == "infinity" || l == "+infinity") {
    return std::numeric_limits<double>::infinity();
  }
  if (l == "-inf" || l == "-infinity") return -std::numeric_limits<double>::infinity();
  std::string_view digits = token;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);  // from_chars refuses '+'
  if (digits.empty() ||
      !(std::isdigit(static_cast<unsigned char>(digits.front())) || digits.front() == '.' || digits.front() == '-')) {
    return std::nullopt;
  }
  double value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, std::chars_format::general);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

std::string key_of(std::string_view name, const Labels& labels) { return std::string(name) + format_labels(labels); }

class LineParser {
 public:
  explicit LineParser(std::string_view line) : line_(line) {}

  [[noreturn]] void fail(const std::string& why) const { throw std::runtime_error(why); }
  [[nodiscard]] bool at_end() const { return pos_ >= line_.size(); }
  [[nodiscard]] char peek() const { return at_end() ? '\0' : line_[pos_]; }
  void skip_blanks() {
    while (!at_end() && is_blank(line_[pos_])) ++pos_;
  }

  std::string metric_name() {
    const std::size_t start = pos_;
    if (at_end() || !(is_name_start(peek()) || peek() == ':')) fail("expected a metric name");
    while (!at_end() && (is_name_char(peek()) || peek() == ':')) ++pos_;
    return std::string(line_.substr(start, pos_ - start));
  }

  std::string label_name() {
    const std::size_t start = pos_;
    if (at_end() || !is_name_start(peek())) fail("expected a label name");
    while (!at_end() && is_name_char(peek())) ++pos_;
    return std::string(line_.substr(start, pos_ - start));
  }

  // Escapes: \\ \" \n in label values; \\ \n in HELP text. Anything else is an error, as in
  // Prometheus's parser.
  std::string escaped_until(char terminator, bool quote_escape) {
    std::string out;
    for (;;) {
      if (at_end()) {
        if (terminator == '\0') return out;
        fail("unterminated label value");
      }
      const char c = line_[pos_++];
      if (c == terminator) return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_end()) fail("backslash at end of line");
      const char e = line_[pos_++];
      if (e == '\\') {
        out += '\\';
      } else if (e == 'n') {
        out += '\n';
      } else if (e == '"' && quote_escape) {
        out += '"';
      } else {
        fail(std::string("invalid escape sequence '\\") + e + "'");
      }
    }
  }

  std::string token() {
    const std::size_t start = pos_;
    while (!at_end() && !is_blank(peek())) ++pos_;
    return std::string(line_.substr(start, pos_ - start));
  }

  std::string_view rest() const { return line_.substr(std::min(pos_, line_.size())); }
  void expect(char c, const char* what) {
    if (peek() != c) fail(std::string("expected ") + what);
    ++pos_;
  }

 private:
  std::string_view line_;
  std::size_t pos_ = 0;
};

struct FamilyState {
  bool typed = false;
  bool helped = false;
  bool has_samples = false;
};

class Parser {
 public:
  void line(std::string_view text, std::vector<Sample>& samples,
            std::map<std::string, FamilyInfo, std::less<>>& families) {
    LineParser p(text);
    p.skip_blanks();
    if (p.at_end()) return;
    if (p.peek() == '#') {
      p.expect('#', "#");
      p.skip_blanks();
      const std::string keyword = p.token();
      if (keyword != "HELP" && keyword != "TYPE") return;  // a plain comment
      p.skip_blanks();
      const std::string name = p.metric_name();
      if (!p.at_end() && !is_blank(p.peek())) p.fail("bad character in metric name");
      enter(name, p);
      FamilyState& state = states_[name];
      FamilyInfo& info = families[name];
      p.skip_blanks();
      if (keyword == "HELP") {
        if (state.helped) p.fail("second HELP line for " + name);
        state.helped = true;
        info.help = p.escaped_until('\0', false);
      } else {
        if (state.typed) p.fail("second TYPE line for " + name);
        if (state.has_samples) p.fail("TYPE line for " + name + " after its samples");
        state.typed = true;
        info.type = p.token();
        static const std::set<std::string> kTypes{"counter", "gauge", "histogram", "summary", "untyped"};
        if (kTypes.count(info.type) == 0) p.fail("unknown metric type '" + info.type + "'");
        p.skip_blanks();
        if (!p.at_end()) p.fail("text after the metric type");
      }
      return;
    }

    Sample s;
    s.name = p.metric_name();
    s.family = family_of(s.name, families);
    bool blank_before_value = is_blank(p.peek());
    p.skip_blanks();
    if (p.peek() == '{') {
      p.expect('{', "{");
      for (;;) {
        p.skip_blanks();
        if (p.peek() == '}') break;
        std::string label = p.label_name();
        p.skip_blanks();
        p.expect('=', "'=' after label name");
        p.skip_blanks();
        p.expect('"', "'\"' opening the label value");
        std::string value = p.escaped_until('"', true);
        for (const auto& existing : s.labels) {
          if (existing.first == label) p.fail("duplicate label " + label);
        }
        s.labels.emplace_back(std::move(label), std::move(value));
        p.skip_blanks();
        if (p.peek() == ',') {
          p.expect(',', ",");
          continue;
        }
        if (p.peek() != '}') p.fail("expected ',' or '}' after a label");
      }
      p.expect('}', "}");
      blank_before_value = is_blank(p.peek());
    }
    if (!blank_before_value) p.fail("expected a blank before the value");
    p.skip_blanks();
    const std::string value = p.token();
    auto parsed = parse_float(value);
    if (!parsed) p.fail("bad value '" + value + "'");
    s.value = *parsed;
    p.skip_blanks();
    if (!p.at_end()) {
      const std::string ts = p.token();
      std::int64_t t = 0;
      auto [end, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), t);
      if (ec != std::errc() || end != ts.data() + ts.size()) p.fail("bad timestamp '" + ts + "'");
      s.timestamp_ms = t;
      p.skip_blanks();
      if (!p.at_end()) p.fail("text after the timestamp");
    }
    std::sort(s.labels.begin(), s.labels.end());
    check_type_rules(s, families, p);
    enter(s.family, p);
    states_[s.family].has_samples = true;
    families.try_emplace(s.family);
    if (!keys_.insert(key_of(s.name, s.labels)).second) {
      p.fail("duplicate series " + s.name + format_labels(s.labels));
    }
    samples.push_back(std::move(s));
  }

 private:
  std::string family_of(const std::string& name, const std::map<std::string, FamilyInfo, std::less<>>& families) const {
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (!ends_with(name, suffix)) continue;
      const std::string base = name.substr(0, name.size() - std::string_view(suffix).size());
      auto it = families.find(base);
      if (it == families.end()) continue;
      if (it->second.type == "histogram" || (it->second.type == "summary" && std::string_view(suffix) != "_bucket")) {
        return base;
      }
    }
    return name;
  }

  void check_type_rules(const Sample& s, const std::map<std::string, FamilyInfo, std::less<>>& families,
                        const LineParser& p) const {
    auto it = families.find(s.family);
    if (it == families.end()) return;
    auto label = [&](const char* n) -> const std::string* {
      for (const auto& [k, v] : s.labels) {
        if (k == n) return &v;
      }
      return nullptr;
    };
    if (it->second.type == "histogram") {
      if (s.name == s.family) p.fail("histogram sample needs a _bucket, _sum or _count suffix");
      if (ends_with(s.name, "_bucket")) {
        const std::string* le = label("le");
        if (le == nullptr || !parse_float(*le)) p.fail("histogram bucket without a valid le label");
      }
    } else if (it->second.type == "summary" && s.name == s.family) {
      const std::string* q = label("quantile");
      if (q == nullptr || !parse_float(*q)) p.fail("summary sample without a valid quantile label");
    }
  }

  // All lines of a family must be contiguous; returning to one seen before is an error.
  void enter(const std::string& family, const LineParser& p) {
    if (family == current_) return;
    if (states_.count(family) != 0) {
      p.fail("lines of family " + family + " are not together (it appeared before " + current_ + ")");
    }
    current_ = family;
  }

  std::string current_;
  std::map<std::string, FamilyState> states_;
  std::set<std::string> keys_;
};

}  // namespace

Exposition Exposition::parse(std::string_view text) {
  Exposition out;
  if (!text.empty() && text.back() != '\n') {
    throw std::runtime_error("exposition does not end with a newline");
  }
  Parser parser;
  std::size_t number = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t eol = text.find('\n', pos);
    const std::string_view line = text.substr(pos, eol - pos);
    ++number;
    try {
      parser.line(line, out.samples_, out.families_);
    } catch (const std::exception& e) {
      throw std::runtime_error("line " + std::to_string(number) + ": " + e.what() + ": " + std::string(line));
    }
    pos = eol + 1;
  }
  return out;
}

std::optional<double> Exposition::value(
    std::string_view name, std::initializer_list<std::pair<std::string_view, std::string_view>> labels) const {
  Labels l;
  for (const auto& [k, v] : labels) l.emplace_back(k, v);
  return value(name, l);
}

std::optional<double> Exposition::value(std::string_view name, const Labels& labels) const {
  Labels sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  for (const auto& s : samples_) {
    if (s.name == name && s.labels == sorted) return s.value;
  }
  return std::nullopt;
}

std::vector<Sample> Exposition::series(std::string_view family) const {
  std::vector<Sample> out;
  for (const auto& s : samples_) {
    if (s.family == family) out.push_back(s);
  }
  return out;
}

std::vector<Sample> Exposition::samples_named(std::string_view name) const {
  std::vector<Sample> out;
  for (const auto& s : samples_) {
    if (s.name == name) out.push_back(s);
  }
  return out;
}

bool Exposition::has_family(std::string_view family) const { return families_.find(family) != families_.end(); }

const FamilyInfo* Exposition::family_info(std::string_view family) const {
  auto it = families_.find(family);
  return it == families_.end() ? nullptr : &it->second;
}

std::vector<std::string> Exposition::family_names() const {
  std::vector<std::string> out;
  for (const auto& [name, info] : families_) out.push_back(name);
  return out;
}

std::string format_labels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (const auto& [k, v] : labels) {
    if (out.size() > 1) out += ',';
    out += k + "=\"";
    for (char c : v) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') {
        out += "\\n";
      } else {
        out += c;
      }
    }
    out += '"';
  }
  return out + "}";
}

}  // namespace msgwatch::test
