#pragma once
// The integration test script starts the servers and tells the tests where they are through
// the environment. An unset variable is a test failure naming it, never a skip: a run that
// silently tests nothing must not look green.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace msgwatch::test {

// Value of `name`; throws std::runtime_error naming the variable when unset or empty.
std::string require_env(const char* name);

std::string kafka_bootstrap();          // MSGWATCH_TEST_KAFKA_BOOTSTRAP, host:port[,...]
std::string kafka_version();            // MSGWATCH_TEST_KAFKA_VERSION, e.g. 4.4.0
std::string redis_address();            // MSGWATCH_TEST_REDIS_ADDRESS, host:port
std::filesystem::path daemon_binary();  // MSGWATCH_BINARY; must be an executable file
std::filesystem::path repo_root();      // MSGWATCH_REPO_ROOT; must hold scripts/kafka.sh

// prefix-<pid>-<counter>-<random>: unique across the tests of one run, across parallel
// ctest processes and across runs against a long-lived broker. Safe as a Kafka topic,
// group or transactional id and as a file name.
std::string unique_name(std::string_view prefix);

// A port that was free on 127.0.0.1 a moment ago (bound to port 0, then released).
std::uint16_t free_loopback_port();
bool is_loopback_port_free(std::uint16_t port);

// A fresh directory under the system temp dir, named with unique_name(prefix).
std::filesystem::path make_temp_dir(std::string_view prefix);

}  // namespace msgwatch::test
