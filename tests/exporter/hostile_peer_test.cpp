// The daemon facing a peer on loopback in place of a Kafka broker or a Redis server that
// never answers, sends random bytes, announces a huge frame or reply and never sends it,
// drips bytes or truncates: the daemon stays up and serves, only that probe fails, memory follows the
// bytes that really arrive, and the probe recovers once the real server is behind the port.

#include "support/hostile_peer.hpp"
#include "support/daemon_process.hpp"
#include "support/test_environment.hpp"
#include "support/wait.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iostream>
#include <string>

namespace msgwatch::test {
namespace {

// The peak resident set (VmHWM) of a process, in bytes.
std::size_t peak_resident_bytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  throw std::runtime_error("no VmHWM for process " + std::to_string(pid));
}

// A Kafka frame's size prefix.
std::string frame_prefix(std::uint32_t size) {
  return {static_cast<char>(size >> 24), static_cast<char>(size >> 16), static_cast<char>(size >> 8),
          static_cast<char>(size)};
}

constexpr std::size_t kPeakBound = 64U << 20;  // the daemon needs a fraction of this

// What the daemon must show while a peer misbehaves: it has come back to the peer twice
// more (the probe keeps trying), that probe fails within its timeout, the other one (a real
// server) does not, and it still serves.
void endure(HostilePeer& peer, DaemonProcess& daemon, const Labels& hostile, const Labels& fine,
            const std::string& what) {
  const int before = peer.connections();
  wait_until([&] { return peer.connections() >= before + 2; }, 30s, what + ": the daemon trying again");
  const auto metrics = daemon.scrape_metrics();
  EXPECT_EQ(metrics.value("msgwatch_probe_success", hostile), 0.0) << what;
  EXPECT_LE(metrics.value("msgwatch_probe_duration_seconds", hostile).value_or(99), 1.5)
      << what << ": the attempt outlived its 1 s timeout";
  EXPECT_EQ(metrics.value("msgwatch_probe_success", fine), 1.0) << what << ": the other probe paid for it";
  EXPECT_TRUE(daemon.running()) << what;
}

TEST(HostilePeer, AGarbageKafkaBrokerCostsOnlyItsProbeAndNoMemory) {
  HostilePeer peer;
  // Every Kafka probe: lag and transactions (the daemon's own client), the canary and its
  // transactional producer (librdkafka).
  DaemonProcess daemon("kafka:\n  - name: hostile\n    bootstrap_servers: [" + peer.address() +
                       "]\n    lag: {interval: 1s, timeout: 1s}\n"
                       "    canary: {enabled: true, interval: 1s, topic: " +
                       unique_name("hostile-canary") +
                       ", transactions: {enabled: true}}\n"
                       "redis:\n  - name: fine\n    address: " +
                       redis_address() + "\n    interval: 1s\n    timeout: 1s\n");
  daemon.wait_ready();
  const Labels hostile{{"probe", "kafka_lag"}, {"cluster", "hostile"}};
  const Labels fine{{"probe", "redis"}, {"cluster", "fine"}};
  daemon.wait_for_value("msgwatch_probe_success", fine, 1);

  endure(peer, daemon, hostile, fine, "random bytes");
  peer.send_and_hold("");
  endure(peer, daemon, hostile, fine, "a broker that accepts connections and never answers");
  peer.send_and_hold(frame_prefix(90U << 20));
  endure(peer, daemon, hostile, fine, "a 90 MiB frame announced and never sent");
  peer.drip(frame_prefix(64) + std::string(64, '\1'), 200ms);
  endure(peer, daemon, hostile, fine, "a frame dripped a byte every 200 ms");
  peer.send_and_close(frame_prefix(100) + std::string("\0\0\0\1truncated", 13));
  endure(peer, daemon, hostile, fine, "a truncated frame");
  EXPECT_LT(peak_resident_bytes(daemon.pid()), kPeakBound) << "memory followed what the peer claimed";

  std::cout << "peak resident set: " << peak_resident_bytes(daemon.pid()) / 1024 << " KiB\n";

  peer.relay_to(kafka_bootstrap());
  daemon.wait_for_value("msgwatch_probe_success", hostile, 1, 60s);
  daemon.wait_for_value("msgwatch_probe_success", {{"probe", "kafka_canary"}, {"cluster", "hostile"}}, 1, 60s);
  daemon.stop();
}

TEST(HostilePeer, AGarbageRedisServerCostsOnlyItsProbeAndNoMemory) {
  HostilePeer peer;
  DaemonProcess daemon("redis:\n  - name: hostile\n    address: " + peer.address() +
                       "\n    interval: 1s\n    timeout: 1s\n"
                       "kafka:\n  - name: fine\n    bootstrap_servers: [" +
                       kafka_bootstrap() + "]\n    lag: {interval: 2s, timeout: 2s}\n");
  daemon.wait_ready();
  const Labels hostile{{"probe", "redis"}, {"cluster", "hostile"}};
  const Labels fine{{"probe", "kafka_lag"}, {"cluster", "fine"}};
  daemon.wait_for_value("msgwatch_probe_success", fine, 1);

  endure(peer, daemon, hostile, fine, "random bytes");
  peer.send_and_hold("");
  endure(peer, daemon, hostile, fine, "a server that accepts connections and never answers (as one paused)");
  peer.send_and_hold("$60000000\r\n");
  endure(peer, daemon, hostile, fine, "a 60 MB bulk string announced and never sent");
  peer.send_and_hold("*900000\r\n*900000\r\n*900000\r\n");
  endure(peer, daemon, hostile, fine, "nested arrays of 900,000 elements announced");
  peer.drip("$100\r\n# Server\r\nredis_version:7.0.15\r\n", 200ms);
  endure(peer, daemon, hostile, fine, "a reply dripped a byte every 200 ms");
  peer.send_and_close("$100\r\n# Server\r\nredis_ver");
  endure(peer, daemon, hostile, fine, "a truncated reply");
  EXPECT_LT(peak_resident_bytes(daemon.pid()), kPeakBound) << "memory followed what the peer claimed";
  std::cout << "peak resident set: " << peak_resident_bytes(daemon.pid()) / 1024 << " KiB\n";

  peer.relay_to(redis_address());
  daemon.wait_for_value("msgwatch_probe_success", hostile, 1, 60s);
  daemon.stop();
}

}  // namespace
}  // namespace msgwatch::test
