#pragma once
// The daemon's HTTP endpoints, on a thread and io_context of their own so that serving
// never waits on probes: the metrics path hands out the last rendered bytes (gzip when
// asked), `/` a landing page, `/-/healthy` liveness, `/-/ready` 200 after the first cycle.
// With basic auth, a request without the right credentials gets 401 and nothing else.
//
// Thread-safety: construct, start() and stop() from one thread; `ready` is called on the
// server thread and must be thread-safe.

#include "exporter/runtime/basic_auth.hpp"
#include "exporter/runtime/exposition.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace msgwatch {

class HttpServer {
 public:
  struct Routes {
    std::string telemetry_path;
    const PageStore* store;
    std::function<bool()> ready;
    const BasicAuth* auth = nullptr;  // when set, every endpoint asks for its credentials
  };

  // Binds at once, so a taken port is an error at start-up; throws std::runtime_error.
  HttpServer(const std::string& listen_address, Routes routes);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  [[nodiscard]] unsigned short port() const;
  void start();
  void stop();

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  Routes routes_;
  std::thread thread_;
  std::atomic<int> connections_{0};
};

}  // namespace msgwatch
