#include "exporter/runtime/http_request.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace msgwatch {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Does a comma-separated header value list `token` (ignoring ";q=" parameters)? A q of 0
// means "not acceptable".
bool lists_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    auto item = trim(value.substr(0, comma));
    const auto semicolon = item.find(';');
    const auto name = trim(item.substr(0, semicolon));
    if (lower(name) == token) {
      if (semicolon == std::string_view::npos) return true;
      const auto params = lower(item.substr(semicolon + 1));
      const auto q = params.find("q=");
      return q == std::string::npos || std::strtod(params.c_str() + q + 2, nullptr) > 0;
    }
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::optional<HttpRequest> parse_http_request(std::string_view head) {
  const auto line_end = head.find("\r\n");
  if (line_end == std::string_view::npos) return std::nullopt;
  const auto request_line = head.substr(0, line_end);
  const auto first_space = request_line.find(' ');
  const auto second_space = request_line.find(' ', first_space + 1);
  if (first_space == std::string_view::npos || second_space == std::string_view::npos ||
      request_line.find(' ', second_space + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  HttpRequest request;
  request.method = std::string(request_line.substr(0, first_space));
  const auto target = request_line.substr(first_space + 1, second_space - first_space - 1);
  const auto version = request_line.substr(second_space + 1);
  if (request.method.empty() || target.empty() || target.front() != '/') return std::nullopt;
  if (version == "HTTP/1.0") {
    request.keep_alive = false;
  } else if (version != "HTTP/1.1") {
    return std::nullopt;
  }
  request.path = std::string(target.substr(0, target.find('?')));

  auto rest = head.substr(line_end + 2);
  while (!rest.empty()) {
    const auto end = rest.find("\r\n");
    if (end == std::string_view::npos) return std::nullopt;
    const auto line = rest.substr(0, end);
    rest.remove_prefix(end + 2);
    if (line.empty()) break;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    const auto name = lower(line.substr(0, colon));
    const auto value = trim(line.substr(colon + 1));
    if (name == "accept-encoding") {
      request.accepts_gzip = lists_token(value, "gzip");
    } else if (name == "authorization") {
      request.authorization = std::string(value);
    } else if (name == "connection") {
      if (lists_token(value, "close")) request.keep_alive = false;
      if (lists_token(value, "keep-alive")) request.keep_alive = true;
    } else if (name == "content-length") {
      request.has_body = trim(value) != "0";
    } else if (name == "transfer-encoding") {
      request.has_body = true;
    }
  }
  return request;
}

}  // namespace msgwatch
