#include "support/prometheus_text.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <ostream>

namespace msgwatch::test {
namespace {

constexpr std::string_view kGood =
    R"(# HELP kafka_consumergroup_lag Current approximate lag of a group.
# TYPE kafka_consumergroup_lag gauge
kafka_consumergroup_lag{consumergroup="g1",partition="0",topic="t"} 600
kafka_consumergroup_lag{topic="t",partition="1",consumergroup="g1",} 0
# a plain comment
escaped{path="C:\\dir",quote="say \"hi\"",nl="a\nb"} 1.5e3 1700000000000
specials{v="nan"} NaN
specials{v="pinf"} +Inf
specials{v="ninf"} -Inf
specials{v="cpp"} Nan
# HELP h Request \\ duration.\nSecond line.
# TYPE h histogram
h_bucket{le="0.1"} 1
h_bucket{le="+Inf"} 2
h_sum 0.3
h_count 2
	spaced  {  a = "x" }   -0.5
)";

TEST(PrometheusText, ParsesValuesAndLabelsInAnyOrder) {
  const Exposition e = Exposition::parse(kGood);
  EXPECT_EQ(e.value("kafka_consumergroup_lag", {{"topic", "t"}, {"partition", "0"}, {"consumergroup", "g1"}}), 600);
  EXPECT_EQ(e.value("kafka_consumergroup_lag", {{"consumergroup", "g1"}, {"partition", "1"}, {"topic", "t"}}), 0);
  // Exact label-set match: a subset is not the series.
  EXPECT_FALSE(e.value("kafka_consumergroup_lag", {{"topic", "t"}, {"partition", "0"}}));
  EXPECT_FALSE(e.value("absent"));
  EXPECT_EQ(e.series("kafka_consumergroup_lag").size(), 2U);
  const FamilyInfo* info = e.family_info("kafka_consumergroup_lag");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->type, "gauge");
  EXPECT_EQ(info->help, "Current approximate lag of a group.");
}

TEST(PrometheusText, UnescapesLabelValuesAndHelp) {
  const Exposition e = Exposition::parse(kGood);
  const auto samples = e.samples_named("escaped");
  ASSERT_EQ(samples.size(), 1U);
  const Labels want{{"nl", "a\nb"}, {"path", "C:\\dir"}, {"quote", "say \"hi\""}};
  EXPECT_EQ(samples[0].labels, want);
  EXPECT_EQ(samples[0].value, 1500);
  EXPECT_EQ(samples[0].timestamp_ms, 1700000000000);
  EXPECT_EQ(e.family_info("h")->help, "Request \\ duration.\nSecond line.");
  EXPECT_EQ(format_labels(want), R"({nl="a\nb",path="C:\\dir",quote="say \"hi\""})");
}

TEST(PrometheusText, ParsesSpecialValues) {
  const Exposition e = Exposition::parse(kGood);
  EXPECT_TRUE(std::isnan(*e.value("specials", {{"v", "nan"}})));
  EXPECT_TRUE(std::isnan(*e.value("specials", {{"v", "cpp"}})));
  EXPECT_EQ(*e.value("specials", {{"v", "pinf"}}), INFINITY);
  EXPECT_EQ(*e.value("specials", {{"v", "ninf"}}), -INFINITY);
  EXPECT_EQ(*e.value("spaced", {{"a", "x"}}), -0.5);
}

TEST(PrometheusText, GroupsHistogramSamplesIntoTheirFamily) {
  const Exposition e = Exposition::parse(kGood);
  EXPECT_TRUE(e.has_family("h"));
  EXPECT_FALSE(e.has_family("h_bucket"));
  EXPECT_EQ(e.series("h").size(), 4U);
  EXPECT_EQ(e.value("h_bucket", {{"le", "+Inf"}}), 2);
  EXPECT_EQ(e.family_info("h")->type, "histogram");
  EXPECT_TRUE(e.has_family("escaped"));  // untyped, known by its samples only
  EXPECT_EQ(e.family_info("escaped")->type, "untyped");
}

TEST(PrometheusText, AcceptsEmptyInput) { EXPECT_TRUE(Exposition::parse("").samples().empty()); }

struct BadCase {
  const char* why;  // also the test name, with blanks as underscores
  const char* text;
  const char* message;  // expected part of the error
};

// Names the case in test output instead of dumping the struct's bytes.
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.why; }

class PrometheusTextRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(PrometheusTextRejects, MalformedInput) {
  const BadCase& c = GetParam();
  try {
    Exposition::parse(c.text);
    FAIL() << c.why << ": parsed without error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << c.why << ": got '" << e.what() << "'";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PrometheusTextRejects,
    ::testing::Values(BadCase{"no final newline", "a 1", "does not end with a newline"},
                      BadCase{"missing value", "a\n", "line 1: expected a blank before the value"},
                      BadCase{"bad value", "a 1x\n", "bad value '1x'"}, BadCase{"hex value", "a 0x10\n", "bad value"},
                      BadCase{"bad escape", "a{l=\"\\t\"} 1\n", "invalid escape sequence"},
                      BadCase{"unterminated", "a{l=\"x} 1\n", "unterminated label value"},
                      BadCase{"unquoted", "a{l=x} 1\n", "opening the label value"},
                      BadCase{"duplicate label", "a{l=\"1\",l=\"2\"} 1\n", "duplicate label l"},
                      BadCase{"duplicate series", "a{l=\"1\"} 1\na{l=\"1\"} 2\n", "line 2: duplicate series"},
                      BadCase{"bad name", "1a 1\n", "expected a metric name"},
                      BadCase{"bad label name", "a{1l=\"x\"} 1\n", "expected a label name"},
                      BadCase{"trailing text", "a 1 2 3\n", "text after the timestamp"},
                      BadCase{"bad timestamp", "a 1 1.5\n", "bad timestamp"},
                      BadCase{"unknown type", "# TYPE a countr\n", "unknown metric type 'countr'"},
                      BadCase{"second TYPE", "# TYPE a gauge\n# TYPE a gauge\n", "second TYPE line"},
                      BadCase{"second HELP", "# HELP a x\n# HELP a y\n", "second HELP line"},
                      BadCase{"TYPE after samples", "a 1\n# TYPE a gauge\n", "after its samples"},
                      BadCase{"split family", "a{x=\"1\"} 1\nb 1\na{x=\"2\"} 1\n", "line 3: lines of family a"},
                      BadCase{"split histogram", "# TYPE h histogram\nh_sum 1\nb 1\nh_count 1\n", "family h"},
                      BadCase{"bucket without le", "# TYPE h histogram\nh_bucket 1\n", "without a valid le"},
                      BadCase{"bare histogram sample", "# TYPE h histogram\nh 1\n", "needs a _bucket"},
                      BadCase{"summary without quantile", "# TYPE s summary\ns 1\n", "quantile"},
                      BadCase{"bad HELP escape", "# HELP a x\\y\n", "invalid escape sequence"}),
    [](const ::testing::TestParamInfo<BadCase>& param_info) {
      std::string name = param_info.param.why;
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

}  // namespace
}  // namespace msgwatch::test
