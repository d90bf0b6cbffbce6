// The INFO parser on captured and hand-made INFO texts (tests/redis/fixtures).

#include "probes/redis/info_parser.hpp"
#include "tests/redis/test_support.hpp"

#include <gtest/gtest.h>

namespace msgwatch::redis {
namespace {

using test::read_fixture;

TEST(InfoParser, Redis7CaptureHasEverySection) {
  const auto info = parse_info(read_fixture("info_redis7_master_all.txt"));
  std::vector<std::string> names;
  for (const auto& section : info.sections) names.push_back(section.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
                                      "Modules", "Commandstats", "Errorstats", "Latencystats", "Cluster", "Keyspace"}));
  EXPECT_EQ(info.skipped_lines, 0U);
  ASSERT_NE(info.find("redis_version"), nullptr);
  EXPECT_EQ(*info.find("redis_version"), "7.0.15");
  EXPECT_EQ(*info.find("maxmemory_policy"), "allkeys-lru");
  EXPECT_EQ(*info.find("os"), "Linux 6.18.44-fc-v669 x86_64");  // values may hold spaces
  EXPECT_EQ(*info.find("config_file"), "");                     // and may be empty
  EXPECT_EQ(info.number("used_memory"), 1229040);
  EXPECT_EQ(info.number("maxmemory"), 104857600);
  EXPECT_EQ(info.number("mem_fragmentation_ratio"), 6.36);
  EXPECT_EQ(info.number("used_cpu_user"), 0.019389);
  EXPECT_EQ(info.number("used_memory_human"), std::nullopt);  // "1.17M"
  EXPECT_EQ(info.number("no_such_field"), std::nullopt);
  const auto* stats = info.section("Commandstats");
  ASSERT_NE(stats, nullptr);
  ASSERT_EQ(stats->fields.size(), 10U);
  EXPECT_EQ(stats->fields[0].first, "cmdstat_command|docs");
  EXPECT_EQ(stats->fields[0].second, "calls=2,usec=1354,usec_per_call=677.00,rejected_calls=0,failed_calls=0");
}

TEST(InfoParser, Redis7Keyspace) {
  const auto info = parse_info(read_fixture("info_redis7_master_all.txt"));
  ASSERT_EQ(info.keyspace.size(), 2U);
  EXPECT_EQ(info.keyspace[0].db, "db0");
  EXPECT_EQ(info.keyspace[0].keys, 240);
  EXPECT_EQ(info.keyspace[0].expires, 40);
  EXPECT_EQ(info.keyspace[0].avg_ttl_ms, 3594195);
  EXPECT_EQ(info.keyspace[1].db, "db3");
  EXPECT_EQ(info.keyspace[1].keys, 2);
  EXPECT_EQ(info.keyspace[1].expires, 1);
  EXPECT_EQ(info.keyspace[1].avg_ttl_ms, 7194245);
}

TEST(InfoParser, LinesEndingInLfAloneParseTheSame) {
  std::string text = read_fixture("info_redis7_master_all.txt");
  std::string lf;
  for (const char c : text) {
    if (c != '\r') lf.push_back(c);
  }
  const auto crlf_info = parse_info(text);
  const auto lf_info = parse_info(lf);
  EXPECT_EQ(crlf_info.index, lf_info.index);
  EXPECT_EQ(crlf_info.keyspace.size(), lf_info.keyspace.size());
}

TEST(InfoParser, Redis24WithoutSectionHeaders) {
  const auto info = parse_info(read_fixture("info_redis24_no_sections.txt"));
  ASSERT_EQ(info.sections.size(), 1U);
  EXPECT_EQ(info.sections[0].name, "");
  EXPECT_EQ(info.number("used_memory"), 1048576);
  ASSERT_EQ(info.keyspace.size(), 1U);
  EXPECT_EQ(info.keyspace[0].db, "db0");
  EXPECT_EQ(info.keyspace[0].keys, 30);
  EXPECT_EQ(info.keyspace[0].expires, 3);
  EXPECT_EQ(info.keyspace[0].avg_ttl_ms, std::nullopt);
}

TEST(InfoParser, JunkLinesAreSkippedAndCounted) {
  const auto info = parse_info(read_fixture("info_junk.txt"));
  // "this line has no colon", ":value without a field", "#", "#   ", "db0:keys=abc,...",
  // "db2:keys=3" (no expires), "db4 keys=1".
  EXPECT_EQ(info.skipped_lines, 7U);
  EXPECT_EQ(*info.find("redis_version"), "7.0.99");
  EXPECT_EQ(*info.find("connected_clients"), "");
  EXPECT_EQ(info.number("connected_clients"), std::nullopt);
  EXPECT_EQ(info.number("blocked_clients"), std::nullopt);  // " 4": no spaces inside a value
  EXPECT_EQ(info.number("keyspace_misses"), 12);            // trailing space of the line is trimmed
  EXPECT_EQ(info.number("mem_fragmentation_ratio"), 1.25);
  ASSERT_EQ(info.keyspace.size(), 2U);
  EXPECT_EQ(info.keyspace[0].db, "db1");
  EXPECT_EQ(info.keyspace[0].keys, 5);
  EXPECT_EQ(info.keyspace[0].avg_ttl_ms, std::nullopt);  // "soon"
  EXPECT_EQ(info.keyspace[1].db, "db3");
  EXPECT_EQ(info.keyspace[1].avg_ttl_ms, 2500);
}

TEST(InfoParser, EmptyAndHeaderOnlyTexts) {
  EXPECT_TRUE(parse_info("").sections.empty());
  EXPECT_TRUE(parse_info("\r\n\r\n").index.empty());
  const auto info = parse_info("# Keyspace\r\n");
  ASSERT_EQ(info.sections.size(), 1U);
  EXPECT_TRUE(info.keyspace.empty());
  EXPECT_TRUE(info.index.empty());
}

TEST(InfoParser, FirstOccurrenceOfARepeatedFieldWins) {
  const auto info = parse_info("# A\r\nx:1\r\n# B\r\nx:2\r\n");
  EXPECT_EQ(info.number("x"), 1);
  EXPECT_EQ(info.section("B")->fields.at(0).second, "2");
}

TEST(InfoParser, StrictNumbers) {
  EXPECT_EQ(parse_number("0"), 0);
  EXPECT_EQ(parse_number("-1"), -1);
  EXPECT_EQ(parse_number("1.25"), 1.25);
  EXPECT_EQ(parse_number("1e3"), 1000);
  EXPECT_EQ(parse_number("18446744073709551615"), 18446744073709551615.0);
  for (const char* bad : {"", " 1", "1 ", "+1", "1.5M", "0x10", "nan", "inf", "-inf", "1,5", "12x", "--1", "."}) {
    EXPECT_EQ(parse_number(bad), std::nullopt) << '"' << bad << '"';
  }
}

TEST(InfoParser, KeyValueLists) {
  const auto parts = parse_key_value_list("ip=10.0.0.1,port=6379,state=online,offset=5,lag=0");
  ASSERT_TRUE(parts.has_value());
  ASSERT_EQ(parts->size(), 5U);
  EXPECT_EQ((*parts)[0], (std::pair<std::string, std::string>{"ip", "10.0.0.1"}));
  EXPECT_EQ((*parts)[4], (std::pair<std::string, std::string>{"lag", "0"}));
  EXPECT_EQ(parse_key_value_list("a=")->at(0).second, "");
  EXPECT_FALSE(parse_key_value_list("garbage").has_value());
  EXPECT_FALSE(parse_key_value_list("a=1,,b=2").has_value());
  EXPECT_FALSE(parse_key_value_list("=1").has_value());
  EXPECT_FALSE(parse_key_value_list("").has_value());
}

}  // namespace
}  // namespace msgwatch::redis
