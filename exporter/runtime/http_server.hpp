#pragma once
// The daemon's HTTP endpoints, on a thread and io_context of their own so that serving
// never waits on probes: the metrics path hands out the last rendered bytes (gzip when
// asked), `/` a landing page, `/-/healthy` liveness, `/-/ready` 200 after the first cycle,
// `/-/reload` (POST or PUT, with --web.enable-lifecycle) a configuration reload.
// With basic auth, a request without the right credentials gets 401 and nothing else; the
// bcrypt checks (tens of milliseconds each) run on a thread of their own, so that a flood of
// wrong credentials never holds up a scraper whose credentials passed before. With
// TLS it serves HTTPS only; every wait on a client, the TLS handshake included, is bounded,
// and a failed handshake ends only its connection. Both can be replaced while serving
// (secure()): a reload that rotates a certificate or changes the users.
//
// Thread-safety: construct, start() and stop() from one thread; secure() from any; `ready`
// and `reload` are called on the server thread and must be thread-safe.

#include "exporter/runtime/basic_auth.hpp"
#include "exporter/runtime/exposition.hpp"
#include "exporter/runtime/tls_context.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace msgwatch {

// Who may ask, and over what.
struct HttpSecurity {
  std::shared_ptr<const BasicAuth> auth;           // when set, every endpoint asks for its credentials
  std::shared_ptr<boost::asio::ssl::context> tls;  // when set, HTTPS only (make_tls_context)
};

class HttpServer {
 public:
  struct Routes {
    std::string telemetry_path;
    const PageStore* store;
    std::function<bool()> ready;
    // POST (or PUT) /-/reload: "" when the configuration was reloaded, else why not. Called on
    // the server thread; unset: the endpoint answers 403.
    std::function<std::string()> reload;
  };

  // Binds at once, so a taken port is an error at start-up; throws std::runtime_error.
  HttpServer(const std::string& listen_address, Routes routes, HttpSecurity security = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  [[nodiscard]] unsigned short port() const;
  void start();
  void stop();
  // From the next request on (basic auth) and the next connection on (TLS); a connection
  // already open keeps the TLS it was accepted with.
  void secure(HttpSecurity security);

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);
  // One connection's requests, over a plain socket or a TLS stream.
  template <typename Stream>
  boost::asio::awaitable<void> exchange(std::shared_ptr<Stream> connection);
  // Whether the request's Authorization header passes `auth`: at once for remembered
  // credentials, else after a bcrypt check on checker_.
  boost::asio::awaitable<bool> authorized(std::shared_ptr<const BasicAuth> auth, std::string authorization);

  boost::asio::io_context io_;
  // bcrypt checks, one at a time, off the server thread; after io_, so that it ends first
  // (its pending checks hold completions bound for io_).
  boost::asio::thread_pool checker_{1};
  boost::asio::ip::tcp::acceptor acceptor_;
  Routes routes_;
  HttpSecurity security_;  // touched on the server thread only, once started
  std::thread thread_;
  std::atomic<int> connections_{0};
};

}  // namespace msgwatch
