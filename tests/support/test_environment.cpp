#include "support/test_environment.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <stdexcept>

namespace msgwatch::test {

std::string require_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    throw std::runtime_error(std::string("environment variable ") + name +
                             " is not set; the integration test script sets it (see the "
                             "README's test command)");
  }
  return value;
}

std::string kafka_bootstrap() { return require_env("MSGWATCH_TEST_KAFKA_BOOTSTRAP"); }
std::string kafka_version() { return require_env("MSGWATCH_TEST_KAFKA_VERSION"); }
std::string redis_address() { return require_env("MSGWATCH_TEST_REDIS_ADDRESS"); }

std::filesystem::path daemon_binary() {
  std::filesystem::path path = require_env("MSGWATCH_BINARY");
  if (::access(path.c_str(), X_OK) != 0) {
    throw std::runtime_error("MSGWATCH_BINARY=" + path.string() +
                             " is not an executable file: " + std::strerror(errno));
  }
  return path;
}

std::filesystem::path repo_root() {
  std::filesystem::path root = require_env("MSGWATCH_REPO_ROOT");
  if (!std::filesystem::is_regular_file(root / "scripts" / "kafka.sh")) {
    throw std::runtime_error("MSGWATCH_REPO_ROOT=" + root.string() + " does not contain scripts/kafka.sh");
  }
  return root;
}

std::string unique_name(std::string_view prefix) {
  static std::atomic<unsigned> counter{0};
  // Seeded per process: pid and counter already separate concurrent processes, the random
  // part separates this run from leftovers of earlier runs that had the same pid.
  static thread_local std::mt19937 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string suffix(6, '0');
  for (char& c : suffix) c = kHex[std::uniform_int_distribution<int>(0, 15)(rng)];
  return std::string(prefix) + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1) + 1) + "-" +
         suffix;
}

namespace {

// Binds 127.0.0.1:port (0: any) and releases it; the port bound, or nullopt if taken.
std::optional<std::uint16_t> try_bind_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket(): ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  socklen_t len = sizeof addr;
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (!bound) return std::nullopt;
  return ntohs(addr.sin_port);
}

}  // namespace

std::uint16_t free_loopback_port() {
  const auto port = try_bind_loopback(0);
  if (!port) throw std::runtime_error(std::string("cannot bind a loopback port: ") + std::strerror(errno));
  return *port;
}

bool is_loopback_port_free(std::uint16_t port) { return try_bind_loopback(port).has_value(); }

std::filesystem::path make_temp_dir(std::string_view prefix) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / unique_name(prefix);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace msgwatch::test
