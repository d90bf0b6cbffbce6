#include "support/test_environment.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <regex>
#include <set>

namespace msgwatch::test {
namespace {

TEST(TestEnvironment, UniqueNamesDifferAndAreValidKafkaNames) {
  std::set<std::string> names;
  const std::regex kafka_legal("[A-Za-z0-9._-]+");
  const std::string pid = std::to_string(::getpid());
  for (int i = 0; i < 1000; ++i) {
    const std::string n = unique_name("lag-topic");
    EXPECT_TRUE(std::regex_match(n, kafka_legal)) << n;
    EXPECT_EQ(n.rfind("lag-topic-" + pid + "-", 0), 0U) << n;
    names.insert(n);
  }
  EXPECT_EQ(names.size(), 1000U);
}

TEST(TestEnvironment, UnsetVariableIsAnErrorNamingIt) {
  ::unsetenv("MSGWATCH_TEST_SUPPORT_UNSET");
  try {
    require_env("MSGWATCH_TEST_SUPPORT_UNSET");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("MSGWATCH_TEST_SUPPORT_UNSET is not set"), std::string::npos);
  }
  ::setenv("MSGWATCH_TEST_SUPPORT_SET", "x:1", 1);
  EXPECT_EQ(require_env("MSGWATCH_TEST_SUPPORT_SET"), "x:1");
}

TEST(TestEnvironment, FreeLoopbackPortCanBeBound) {
  const std::uint16_t port = free_loopback_port();
  ASSERT_GT(port, 0);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(fd);
}

}  // namespace
}  // namespace msgwatch::test
