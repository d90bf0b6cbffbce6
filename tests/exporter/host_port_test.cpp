#include "exporter/sdk/host_port.hpp"

#include <gtest/gtest.h>

namespace msgwatch {
namespace {

TEST(HostPort, ParsesNamesIpv4AndBracketedIpv6) {
  EXPECT_EQ(parse_host_port("127.0.0.1:6379")->host, "127.0.0.1");
  EXPECT_EQ(parse_host_port("127.0.0.1:6379")->port, 6379);
  EXPECT_EQ(parse_host_port("kafka-1.example:9092")->host, "kafka-1.example");
  EXPECT_EQ(parse_host_port("[::1]:6379")->host, "::1");
  EXPECT_EQ(parse_host_port("[::1]:6379")->port, 6379);
  EXPECT_EQ(parse_host_port("h:65535")->port, 65535);
}

TEST(HostPort, RefusesWhatIsNotHostColonPort) {
  for (const char* bad : {"", "host", "host:", ":6379", "host:0", "host:65536", "host:12a", "host:-1", "::1:6379",
                          "[::1]6379", "[::1]", "[::1:6379", "host:123456"}) {
    EXPECT_FALSE(parse_host_port(bad).has_value()) << bad;
  }
}

TEST(HostPort, AListenAddressMayOmitTheHostAndAskForAnyPort) {
  const HostPortRules listen{true, true};
  EXPECT_EQ(parse_host_port(":9440", listen)->host, "");
  EXPECT_EQ(parse_host_port(":9440", listen)->port, 9440);
  EXPECT_EQ(parse_host_port("127.0.0.1:0", listen)->port, 0);
  EXPECT_EQ(parse_host_port("[::]:9440", listen)->host, "::");
  EXPECT_FALSE(parse_host_port("9440", listen).has_value());
}

}  // namespace
}  // namespace msgwatch
