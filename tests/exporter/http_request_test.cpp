#include "exporter/runtime/http_request.hpp"

#include <gtest/gtest.h>

namespace msgwatch {
namespace {

TEST(HttpRequest, PrometheusScrape) {
  const auto request = parse_http_request(
      "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\nUser-Agent: Prometheus/2.42\r\n\r\n");
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->method, "GET");
  EXPECT_EQ(request->path, "/metrics");
  EXPECT_TRUE(request->accepts_gzip);
  EXPECT_TRUE(request->keep_alive);
  EXPECT_FALSE(request->has_body);
}

TEST(HttpRequest, HeadersAreCaseInsensitiveAndQValuesCount) {
  EXPECT_TRUE(parse_http_request("GET / HTTP/1.1\r\naccept-encoding: deflate, GZIP;q=0.5\r\n\r\n")->accepts_gzip);
  EXPECT_FALSE(parse_http_request("GET / HTTP/1.1\r\nAccept-Encoding: gzip;q=0\r\n\r\n")->accepts_gzip);
  EXPECT_FALSE(parse_http_request("GET / HTTP/1.1\r\nAccept-Encoding: identity\r\n\r\n")->accepts_gzip);
  EXPECT_FALSE(parse_http_request("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")->keep_alive);
  EXPECT_FALSE(parse_http_request("GET / HTTP/1.0\r\n\r\n")->keep_alive);
  EXPECT_TRUE(parse_http_request("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")->keep_alive);
  EXPECT_TRUE(parse_http_request("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n")->has_body);
}

TEST(HttpRequest, MalformedHeadsAreRejected) {
  for (const char* bad :
       {"", "GET\r\n\r\n", "GET /metrics\r\n\r\n", "GET /metrics HTTP/2\r\n\r\n", "GET metrics HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1 extra\r\n\r\n", "GET / HTTP/1.1\r\nno-colon\r\n\r\n", "GET / HTTP/1.1\r\n: empty\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a"}) {
    EXPECT_FALSE(parse_http_request(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace msgwatch
