#include "exporter/app/flags.hpp"
#include "exporter/sdk/config_reader.hpp"
#include "exporter/sdk/name_filter.hpp"

#include <gtest/gtest.h>

namespace msgwatch {
namespace {

using namespace std::chrono_literals;

TEST(Flags, BothSpellingsAndSwitches) {
  const auto flags =
      parse_flags({"--config.file=a.yml", "--web.listen-address", ":9000", "--config.check", "--log.format=json"});
  EXPECT_EQ(flags.config_file, "a.yml");
  EXPECT_EQ(flags.listen_address, ":9000");
  EXPECT_EQ(flags.log_format, "json");
  EXPECT_TRUE(flags.config_check);
  EXPECT_FALSE(flags.help);
  EXPECT_FALSE(flags.log_level.has_value());
}

TEST(Flags, RejectsUnknownAndIncomplete) {
  EXPECT_THROW(parse_flags({"--kafka.server=x"}), FlagError);
  EXPECT_THROW(parse_flags({"--config.file"}), FlagError);
  EXPECT_THROW(parse_flags({"--version=1"}), FlagError);
  EXPECT_THROW(parse_flags({"config.yml"}), FlagError);
}

TEST(Duration, Units) {
  EXPECT_EQ(config::parse_duration("500ms"), 500ms);
  EXPECT_EQ(config::parse_duration("30s"), 30s);
  EXPECT_EQ(config::parse_duration("2m"), 120s);
  EXPECT_EQ(config::parse_duration("1h"), 3600s);
  EXPECT_EQ(config::parse_duration("1m30s"), 90s);
  for (const char* bad : {"", "5", "s", "-1s", "1.5s", "1d", "10sx", "99999999999999999999s"}) {
    EXPECT_THROW(config::parse_duration(bad), config::ConfigError) << bad;
  }
}

TEST(NameFilter, IncludeThenExclude) {
  const NameFilter filter(config::NameFilter{{"orders.*", "payments"}, {"orders-tmp.*"}});
  EXPECT_TRUE(filter.selects("orders"));
  EXPECT_TRUE(filter.selects("orders-eu"));
  EXPECT_TRUE(filter.selects("payments"));
  EXPECT_FALSE(filter.selects("payments-eu"));  // full match, not search
  EXPECT_FALSE(filter.selects("orders-tmp-1"));
  EXPECT_FALSE(filter.selects("chat"));
}

}  // namespace
}  // namespace msgwatch
