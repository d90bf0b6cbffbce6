#pragma once
// Parsing of an HTTP/1.1 request head, kept pure so it can be tested and fuzzed apart
// from the sockets.

#include <optional>
#include <string>
#include <string_view>

namespace msgwatch {

struct HttpRequest {
  std::string method;
  std::string path;  // without the query string
  bool accepts_gzip = false;
  bool keep_alive = true;  // HTTP/1.1 default; HTTP/1.0 needs "Connection: keep-alive"
  bool has_body = false;
  std::string authorization;  // the Authorization header's value, if any
};

// `head` is everything up to and including the blank line. nullopt = malformed.
std::optional<HttpRequest> parse_http_request(std::string_view head);

}  // namespace msgwatch
