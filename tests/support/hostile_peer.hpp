#pragma once
// A peer on a loopback port standing in for a Kafka broker or a Redis server that answers
// garbage, claims huge lengths, truncates, drips, or turns into a plain relay to the real
// server (the recovery). It runs on its own thread; what it does applies to the connections
// it accepts next, and the ones already open are closed when it changes.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

namespace msgwatch::test {

class HostilePeer {
 public:
  HostilePeer();  // starts with random_bytes()
  ~HostilePeer();
  HostilePeer(const HostilePeer&) = delete;
  HostilePeer& operator=(const HostilePeer&) = delete;

  [[nodiscard]] std::string address() const;  // 127.0.0.1:<port>
  [[nodiscard]] int connections() const;      // accepted so far

  // An endless stream of random bytes, whatever is asked.
  void random_bytes();
  // These bytes at once, then silence with the connection held open.
  void send_and_hold(std::string bytes);
  // These bytes one at a time, `every` apart, then silence.
  void drip(std::string bytes, std::chrono::milliseconds every);
  // These bytes, then the connection closed (a truncated frame or reply).
  void send_and_close(std::string bytes);
  // A plain relay to the real server at host:port.
  void relay_to(std::string host_port);

  struct Act;

 private:
  struct State;
  void change(Act act);

  std::unique_ptr<State> state_;
  std::thread thread_;
};

}  // namespace msgwatch::test
