#include "support/http_client.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <thread>

namespace msgwatch::test {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// Serves one connection with a canned response and records the request it got.
class OneShotServer {
 public:
  explicit OneShotServer(std::string response)
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), response_(std::move(response)) {
    thread_ = std::thread([this] {
      tcp::socket socket(io_);
      acceptor_.accept(socket);
      asio::streambuf buf;
      boost::system::error_code ec;
      asio::read_until(socket, buf, "\r\n\r\n", ec);
      request_.assign(asio::buffers_begin(buf.data()), asio::buffers_end(buf.data()));
      asio::write(socket, asio::buffer(response_), ec);
      // Open until the client closes: it must finish by the response's framing, not by
      // end of stream.
      asio::read(socket, buf, ec);
    });
  }
  ~OneShotServer() { thread_.join(); }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  const std::string& request() const { return request_; }

 private:
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::string response_;
  std::string request_;
  std::thread thread_;
};

std::string gzip(const std::string& text) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, text.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

TEST(HttpClient, ReadsContentLengthBodyAndSendsHeaders) {
  OneShotServer server("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");
  const HttpResponse r = http_get("127.0.0.1", server.port(), "/metrics", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.reason, "OK");
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(r.header("content-type"), "text/plain");
  EXPECT_FALSE(r.header("Content-Encoding"));
  EXPECT_EQ(server.request().rfind("GET /metrics HTTP/1.1\r\n", 0), 0U) << server.request();
  EXPECT_NE(server.request().find("\r\nAccept-Encoding: gzip\r\n"), std::string::npos);
}

TEST(HttpClient, DecodesChunkedBodyAndKeepsGzip) {
  const std::string text = "# TYPE a gauge\na 1\n";
  const std::string compressed = gzip(text);
  char size[16];
  std::snprintf(size, sizeof size, "%zx", compressed.size() - 3);
  OneShotServer server("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n" +
                       std::string(size) + "\r\n" + compressed.substr(0, compressed.size() - 3) + "\r\n3;ext=1\r\n" +
                       compressed.substr(compressed.size() - 3) + "\r\n0\r\n\r\n");
  const HttpResponse r = http_get("127.0.0.1", server.port(), "/metrics");
  EXPECT_EQ(r.header("Content-Encoding"), "gzip");
  EXPECT_EQ(r.body, compressed);
  EXPECT_EQ(gunzip(r.body), text);
}

TEST(HttpClient, ParserRejectsMalformedResponses) {
  EXPECT_THROW(parse_http_response("HTTP/1.1 2x0 OK\r\n\r\n", false), std::runtime_error);
  EXPECT_THROW(parse_http_response("HTTP/1.1 200 OK\r\nBad header\r\n\r\n", false), std::runtime_error);
  EXPECT_THROW(parse_http_response("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", true), std::runtime_error);
  EXPECT_THROW(parse_http_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false),
               std::runtime_error);
  EXPECT_FALSE(parse_http_response("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", false));
  const auto r = parse_http_response("HTTP/1.1 503 Service Unavailable\r\n\r\nnot ready", true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "not ready");
}

TEST(HttpClient, GunzipRejectsCorruptData) {
  const std::string compressed = gzip("some text");
  EXPECT_THROW(gunzip(compressed.substr(0, compressed.size() - 4)), std::runtime_error);
  EXPECT_THROW(gunzip("not gzip at all"), std::runtime_error);
  EXPECT_THROW(gunzip(compressed + "x"), std::runtime_error);
}

TEST(HttpClient, ConnectionRefusedIsAnError) {
  tcp::endpoint free_endpoint;
  {
    asio::io_context io;
    tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    free_endpoint = a.local_endpoint();
  }
  EXPECT_THROW(http_get("127.0.0.1", free_endpoint.port(), "/", {}, 2s), std::runtime_error);
}

}  // namespace
}  // namespace msgwatch::test
