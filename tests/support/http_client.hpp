#pragma once
// A deliberately small HTTP/1.1 client, so that the tests see the daemon's bytes exactly as
// Prometheus would: no content decoding behind the test's back (a gzip body stays gzip), and
// every framing error (bad status line, truncated chunk, short body) is a test failure.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace msgwatch::test {

using namespace std::chrono_literals;

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;
  std::string reason;
  HttpHeaders headers;  // in received order, names as sent
  std::string body;     // chunked transfer coding removed; content coding (gzip) kept

  // First header with that name, compared case-insensitively.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

// GET http://host:port/target, with `Host` and `Connection: close` added. Throws
// std::runtime_error on connection failure, timeout (covering the whole exchange) or a
// malformed response; any status code is returned, not thrown.
HttpResponse http_get(const std::string& host, std::uint16_t port, const std::string& target,
                      const HttpHeaders& headers = {}, std::chrono::milliseconds timeout = 10s);
// The same with another method and no body (POST /-/reload).
HttpResponse http_request(const std::string& method, const std::string& host, std::uint16_t port,
                          const std::string& target, const HttpHeaders& headers = {},
                          std::chrono::milliseconds timeout = 10s);

// Parses a complete response from `data`; nullopt if more bytes are needed. `eof` says the
// peer closed the connection, which completes a body without Content-Length. Throws
// std::runtime_error on malformed input. Exposed for the self-tests.
std::optional<HttpResponse> parse_http_response(std::string_view data, bool eof);

// Decompresses a gzip member (as sent with Content-Encoding: gzip); throws on corrupt or
// truncated data and on trailing garbage.
std::string gunzip(std::string_view compressed);

}  // namespace msgwatch::test
