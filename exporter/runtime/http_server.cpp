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
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <vector>

namespace msgwatch {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr std::size_t kMaxRequestHead = 16 * 1024;
constexpr int kMaxConnections = 128;
constexpr auto kIdleTimeout = std::chrono::seconds(30);

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
asio::awaitable<void> write_body(tcp::socket& socket, const Response& response, boost::system::error_code& ec) {
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
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
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

HttpServer::HttpServer(const std::string& listen_address, Routes routes) : acceptor_(io_), routes_(std::move(routes)) {
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
  // The idle timer closes the socket, which makes the pending read fail and ends the loop.
  auto connection = std::make_shared<tcp::socket>(std::move(socket));
  asio::steady_timer idle(io_);
  const auto arm_idle = [&idle, weak = std::weak_ptr<tcp::socket>(connection)] {
    idle.expires_after(kIdleTimeout);
    idle.async_wait([weak](boost::system::error_code ec) {
      if (ec) return;
      if (auto socket = weak.lock()) socket->close(ec);
    });
  };
  asio::streambuf buffer(kMaxRequestHead);
  for (;;) {
    arm_idle();
    boost::system::error_code ec;
    const auto head_size =
        co_await asio::async_read_until(*connection, buffer, "\r\n\r\n", asio::redirect_error(asio::use_awaitable, ec));
    idle.cancel();
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
      } else if (routes_.auth != nullptr && !routes_.auth->allows(request->authorization)) {
        response = text_response(401, "Unauthorized\n");
        keep_alive = request->keep_alive;
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
    arm_idle();
    co_await asio::async_write(*connection, asio::buffer(header), asio::redirect_error(asio::use_awaitable, ec));
    if (!ec && !head_only) co_await write_body(*connection, response, ec);
    idle.cancel();
    if (ec || !keep_alive) break;
  }
  boost::system::error_code ignored;
  connection->shutdown(tcp::socket::shutdown_both, ignored);
  connection->close(ignored);
}

}  // namespace msgwatch
