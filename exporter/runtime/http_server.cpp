#include "exporter/runtime/http_server.hpp"

#include "exporter/runtime/http_request.hpp"
#include "exporter/sdk/host_port.hpp"
#include "exporter/sdk/log_event.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <vector>

namespace msgwatch {
namespace asio = boost::asio;
using asio::ip::tcp;
using TlsStream = asio::ssl::stream<tcp::socket>;

namespace {

constexpr std::size_t kMaxRequestHead = 16 * 1024;
constexpr int kMaxConnections = 128;
constexpr auto kIdleTimeout = std::chrono::seconds(30);
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);

// A connection's time bound: when it passes, the socket is closed, which fails the pending
// handshake, read or write.
class Deadline {
 public:
  using Socket = tcp::socket::lowest_layer_type;

  Deadline(asio::io_context& io, std::weak_ptr<Socket> socket) : timer_(io), socket_(std::move(socket)) {}

  void arm(std::chrono::seconds after) {
    timer_.expires_after(after);
    timer_.async_wait([socket = socket_](boost::system::error_code ec) {
      if (ec) return;
      if (auto open = socket.lock()) open->close(ec);
    });
  }
  void cancel() { timer_.cancel(); }
  [[nodiscard]] bool passed() const { return timer_.expiry() <= asio::steady_timer::clock_type::now(); }

 private:
  asio::steady_timer timer_;
  std::weak_ptr<Socket> socket_;
};

// A plain connection is ready at once.
asio::awaitable<bool> open_stream(tcp::socket& /*socket*/, Deadline& /*deadline*/) { co_return true; }

// A TLS connection after its handshake, bounded as a whole: a client that connects and sends
// nothing, or drips its hello, is closed. A failed handshake (plain HTTP, a port scanner, a
// refused client certificate) is the client's business, logged for debugging only.
asio::awaitable<bool> open_stream(TlsStream& stream, Deadline& deadline) {
  boost::system::error_code ec;
  const auto peer = stream.lowest_layer().remote_endpoint(ec);
  const auto peer_text = ec ? std::string("unknown") : peer.address().to_string() + ":" + std::to_string(peer.port());
  deadline.arm(kHandshakeTimeout);
  co_await stream.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
  deadline.cancel();
  if (!ec) co_return true;
  log_event(spdlog::level::debug, "tls handshake failed",
            {{"peer", peer_text},
             {"error", deadline.passed() ? "no handshake within " + log_duration(kHandshakeTimeout) : ec.message()}});
  co_return false;
}

asio::awaitable<void> close_stream(tcp::socket& socket, Deadline& /*deadline*/) {
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
  co_return;
}

// A TLS connection ends with the server's close_notify, sent without waiting for the
// client's (a client that has gone would never send it).
asio::awaitable<void> close_stream(TlsStream& stream, Deadline& deadline) {
  SSL_set_shutdown(stream.native_handle(), SSL_RECEIVED_SHUTDOWN);
  boost::system::error_code ignored;
  deadline.arm(kIdleTimeout);
  co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ignored));
  deadline.cancel();
  co_await close_stream(stream.next_layer(), deadline);
}

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::shared_ptr<const RenderedPage> page;  // the body, when it is the metrics page
  std::string text;                          // the body otherwise
  bool gzip = false;

  [[nodiscard]] std::size_t body_size() const {
    if (!page) return text.size();
    return gzip ? page->gzip_bytes : page->text_bytes;
  }
};

// The body: the page's gzip chunks as they are, or its text inflated piece by piece, so a
// plain-text scrape never holds a copy of the whole page.
template <typename Stream>
asio::awaitable<void> write_body(Stream& socket, const Response& response, boost::system::error_code& ec) {
  if (!response.page) {
    co_await asio::async_write(socket, asio::buffer(response.text), asio::redirect_error(asio::use_awaitable, ec));
  } else if (response.gzip) {
    std::vector<asio::const_buffer> chunks;
    chunks.reserve(response.page->gzip.size());
    for (const auto& chunk : response.page->gzip) chunks.push_back(asio::buffer(chunk));
    co_await asio::async_write(socket, chunks, asio::redirect_error(asio::use_awaitable, ec));
  } else {
    PageInflater inflater(response.page);
    for (auto piece = inflater.next(); !piece.empty() && !ec; piece = inflater.next()) {
      co_await asio::async_write(socket, asio::buffer(piece), asio::redirect_error(asio::use_awaitable, ec));
    }
  }
}

const char* reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

Response text_response(int status, std::string body) {
  Response response;
  response.status = status;
  response.text = std::move(body);
  return response;
}

// As Prometheus answers it: 200 and nothing, or 500 and why not; 403 when not enabled.
Response reload_response(const HttpServer::Routes& routes, const std::string& method) {
  if (method != "POST" && method != "PUT") return text_response(405, "only POST and PUT\n");
  if (!routes.reload) return text_response(403, "Lifecycle API is not enabled.\n");
  const auto error = routes.reload();
  return error.empty() ? text_response(200, "") : text_response(500, "failed to reload config: " + error + "\n");
}

tcp::endpoint parse_listen_address(const std::string& address) {
  const auto parsed = parse_host_port(address, {true, true});
  if (!parsed) throw std::runtime_error("web.listen_address: \"" + address + "\" is not [host]:port");
  auto host = parsed->host;
  const auto port = parsed->port;
  if (host.empty()) return {tcp::v6(), port};
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(host, ec);
  if (ec) throw std::runtime_error("web.listen_address: \"" + host + "\" is not an IP address");
  return {ip, port};
}

std::string landing_page(const std::string& telemetry_path) {
  return "<!DOCTYPE html><html><head><title>msgwatch</title></head><body><h1>msgwatch</h1>"
         "<p>Kafka and Redis exporter.</p><ul><li><a href=\"" +
         telemetry_path +
         "\">Metrics</a></li><li><a href=\"/-/healthy\">Health</a></li>"
         "<li><a href=\"/-/ready\">Readiness</a></li></ul></body></html>\n";
}

}  // namespace

HttpServer::HttpServer(const std::string& listen_address, Routes routes, HttpSecurity security)
    : acceptor_(io_), routes_(std::move(routes)), security_(std::move(security)) {
  const auto endpoint = parse_listen_address(listen_address);
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec && endpoint.address().is_v6()) acceptor_.set_option(asio::ip::v6_only(false), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + listen_address + ": " + ec.message());
}

HttpServer::~HttpServer() { stop(); }

unsigned short HttpServer::port() const { return acceptor_.local_endpoint().port(); }

void HttpServer::start() {
  asio::co_spawn(io_, accept_loop(), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

void HttpServer::stop() {
  if (!thread_.joinable()) return;
  asio::post(io_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
  io_.stop();
  thread_.join();
  checker_.stop();  // the checks still queued are dropped, not run
  checker_.join();
}

void HttpServer::secure(HttpSecurity security) {
  asio::post(io_, [this, security = std::move(security)]() mutable { security_ = std::move(security); });
}

asio::awaitable<void> HttpServer::accept_loop() {
  while (acceptor_.is_open()) {
    boost::system::error_code ec;
    auto socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted) break;
      spdlog::warn("http accept failed: {}", ec.message());
      continue;
    }
    if (connections_.load() >= kMaxConnections) continue;  // dropping the socket closes it
    // Header and body go out in separate writes: without no_delay, Nagle's algorithm holds
    // the body back until the client's delayed ACK of the header, some 40 ms per response.
    socket.set_option(tcp::no_delay(true), ec);
    // serve() catches nothing itself: an error (a damaged page, no memory) ends only its
    // connection, and is logged here rather than thrown away.
    asio::co_spawn(io_, serve(std::move(socket)), [](const std::exception_ptr& error) {
      if (error) log_event(spdlog::level::err, "http connection failed", {{"error", describe_error(error)}});
    });
  }
}

asio::awaitable<void> HttpServer::serve(tcp::socket socket) {
  ++connections_;
  struct Guard {
    std::atomic<int>& count;
    ~Guard() { --count; }
  } guard{connections_};
  // The context outlives the connection's stream, whatever secure() does meanwhile.
  if (const auto tls = security_.tls) {
    co_await exchange(std::make_shared<TlsStream>(std::move(socket), *tls));
  } else {
    co_await exchange(std::make_shared<tcp::socket>(std::move(socket)));
  }
}

asio::awaitable<bool> HttpServer::authorized(std::shared_ptr<const BasicAuth> auth, std::string authorization) {
  if (auth->remembers(authorization)) co_return true;
  // The check runs on checker_ and its answer comes back through a timer of the server
  // thread, so that the connection's coroutine never leaves that thread. At most one check
  // per connection waits: the queue is bounded by kMaxConnections.
  struct Check {
    asio::steady_timer answered;
    bool allowed = false;
  };
  auto check = std::make_shared<Check>(Check{asio::steady_timer(io_, asio::steady_timer::time_point::max())});
  asio::post(checker_, [this, check, auth = std::move(auth), authorization = std::move(authorization)] {
    bool allowed = false;
    try {
      allowed = auth->allows(authorization);
    } catch (const std::exception& e) {  // refused
      log_event(spdlog::level::err, "credential check failed", {{"error", e.what()}});
    }
    asio::post(io_, [check, allowed] {
      check->allowed = allowed;
      check->answered.cancel();
    });
  });
  boost::system::error_code ec;
  co_await check->answered.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  co_return check->allowed;
}

template <typename Stream>
asio::awaitable<void> HttpServer::exchange(std::shared_ptr<Stream> connection) {
  Deadline deadline(io_, std::shared_ptr<Deadline::Socket>(connection, &connection->lowest_layer()));
  if (!co_await open_stream(*connection, deadline)) co_return;
  asio::streambuf buffer(kMaxRequestHead);
  for (;;) {
    deadline.arm(kIdleTimeout);
    boost::system::error_code ec;
    const auto head_size =
        co_await asio::async_read_until(*connection, buffer, "\r\n\r\n", asio::redirect_error(asio::use_awaitable, ec));
    deadline.cancel();
    Response response;
    bool keep_alive = false;
    bool head_only = false;
    if (ec == asio::error::not_found) {
      response = text_response(400, "request head too large\n");
    } else if (ec) {
      break;
    } else {
      const std::string head(asio::buffers_begin(buffer.data()), asio::buffers_begin(buffer.data()) + head_size);
      buffer.consume(head_size);
      const auto request = parse_http_request(head);
      if (!request || request->has_body) {
        response = text_response(400, "bad request\n");
      } else if (security_.auth != nullptr && !co_await authorized(security_.auth, request->authorization)) {
        response = text_response(401, "Unauthorized\n");
        keep_alive = request->keep_alive;
      } else if (request->path == "/-/reload") {
        keep_alive = request->keep_alive;
        response = reload_response(routes_, request->method);
      } else if (request->method != "GET" && request->method != "HEAD") {
        response = text_response(405, "only GET and HEAD\n");
      } else {
        keep_alive = request->keep_alive;
        head_only = request->method == "HEAD";
        if (request->path == routes_.telemetry_path) {
          response.page = routes_.store->latest();
          response.content_type = "text/plain; version=0.0.4; charset=utf-8";
          response.gzip = request->accepts_gzip;
        } else if (request->path == "/") {
          response = text_response(200, landing_page(routes_.telemetry_path));
          response.content_type = "text/html; charset=utf-8";
        } else if (request->path == "/-/healthy") {
          response = text_response(200, "Healthy\n");
        } else if (request->path == "/-/ready") {
          response = routes_.ready() ? text_response(200, "Ready\n") : text_response(503, "Not ready\n");
        } else {
          response = text_response(404, "not found\n");
        }
      }
    }
    std::string header = "HTTP/1.1 " + std::to_string(response.status) + " " + reason(response.status) +
                         "\r\nContent-Type: " + response.content_type +
                         "\r\nContent-Length: " + std::to_string(response.body_size()) +
                         (response.gzip ? "\r\nContent-Encoding: gzip" : "") + "\r\nVary: Accept-Encoding" +
                         (response.status == 401 ? "\r\nWWW-Authenticate: Basic realm=\"msgwatch\"" : "") +
                         (keep_alive ? "\r\nConnection: keep-alive" : "\r\nConnection: close") + "\r\n\r\n";
    deadline.arm(kIdleTimeout);
    co_await asio::async_write(*connection, asio::buffer(header), asio::redirect_error(asio::use_awaitable, ec));
    if (!ec && !head_only) co_await write_body(*connection, response, ec);
    deadline.cancel();
    if (ec || !keep_alive) break;
  }
  co_await close_stream(*connection, deadline);
}

}  // namespace msgwatch
