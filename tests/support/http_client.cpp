#include "support/http_client.hpp"

#include <zlib.h>

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <functional>
#include <memory>
#include <stdexcept>

namespace msgwatch::test {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

[[noreturn]] void malformed(const std::string& why) { throw std::runtime_error("malformed HTTP response: " + why); }

// Decodes a chunked body starting at `data`; nullopt until the last chunk and the trailer
// section are complete.
std::optional<std::string> decode_chunked(std::string_view data) {
  std::string body;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t eol = data.find("\r\n", pos);
    if (eol == std::string_view::npos) return std::nullopt;
    std::string_view size_line = data.substr(pos, eol - pos);
    size_line = size_line.substr(0, size_line.find(';'));  // chunk extensions
    size_line = trim(size_line);
    std::size_t size = 0;
    auto [end, ec] = std::from_chars(size_line.data(), size_line.data() + size_line.size(), size, 16);
    if (ec != std::errc() || end != size_line.data() + size_line.size() || size_line.empty()) {
      malformed("bad chunk size line '" + std::string(size_line) + "'");
    }
    pos = eol + 2;
    if (size == 0) {
      // Trailer fields, then an empty line.
      for (;;) {
        const std::size_t line_end = data.find("\r\n", pos);
        if (line_end == std::string_view::npos) return std::nullopt;
        if (line_end == pos) return body;
        pos = line_end + 2;
      }
    }
    if (data.size() < pos + size + 2) return std::nullopt;
    body.append(data.substr(pos, size));
    if (data.substr(pos + size, 2) != "\r\n") malformed("chunk data not followed by CRLF");
    pos += size + 2;
  }
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

std::optional<HttpResponse> parse_http_response(std::string_view data, bool eof) {
  const std::size_t head_end = data.find("\r\n\r\n");
  if (head_end == std::string_view::npos) {
    if (eof) malformed("connection closed inside the header section");
    return std::nullopt;
  }
  HttpResponse response;
  std::string_view head = data.substr(0, head_end + 2);
  std::size_t eol = head.find("\r\n");
  std::string_view status_line = head.substr(0, eol);
  // HTTP/1.1 SP 3DIGIT SP reason
  if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/" || status_line[8] != ' ') {
    malformed("bad status line '" + std::string(status_line) + "'");
  }
  std::string_view code = status_line.substr(9, 3);
  auto [end, ec] = std::from_chars(code.data(), code.data() + code.size(), response.status);
  if (ec != std::errc() || end != code.data() + 3 || response.status < 100) {
    malformed("bad status code in '" + std::string(status_line) + "'");
  }
  response.reason = std::string(trim(status_line.substr(12)));
  for (std::size_t pos = eol + 2; pos < head.size();) {
    const std::size_t line_end = head.find("\r\n", pos);
    std::string_view line = head.substr(pos, line_end - pos);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      malformed("bad header line '" + std::string(line) + "'");
    }
    response.headers.emplace_back(std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1))));
    pos = line_end + 2;
  }

  std::string_view rest = data.substr(head_end + 4);
  const auto transfer = response.header("Transfer-Encoding");
  const auto length = response.header("Content-Length");
  if (transfer && iequals(*transfer, "chunked")) {
    auto body = decode_chunked(rest);
    if (!body) {
      if (eof) malformed("connection closed inside the chunked body");
      return std::nullopt;
    }
    response.body = std::move(*body);
  } else if (transfer) {
    malformed("unsupported Transfer-Encoding '" + *transfer + "'");
  } else if (length) {
    std::size_t n = 0;
    auto [lend, lec] = std::from_chars(length->data(), length->data() + length->size(), n);
    if (lec != std::errc() || lend != length->data() + length->size()) {
      malformed("bad Content-Length '" + *length + "'");
    }
    if (rest.size() < n) {
      if (eof) {
        malformed("body has " + std::to_string(rest.size()) + " bytes, Content-Length says " + std::to_string(n));
      }
      return std::nullopt;
    }
    if (rest.size() > n) malformed("bytes after the Content-Length body");
    response.body = std::string(rest);
  } else if (response.status == 204 || response.status == 304) {
    // No body by definition.
  } else {
    if (!eof) return std::nullopt;
    response.body = std::string(rest);
  }
  return response;
}

HttpResponse http_get(const std::string& host, std::uint16_t port, const std::string& target,
                      const HttpHeaders& headers, std::chrono::milliseconds timeout) {
  return http_request("GET", host, port, target, headers, timeout);
}

HttpResponse http_request(const std::string& method, const std::string& host, std::uint16_t port,
                          const std::string& target, const HttpHeaders& headers, std::chrono::milliseconds timeout) {
  std::string request =
      method + " " + target + " HTTP/1.1\r\nHost: " + host + ":" + std::to_string(port) + "\r\nConnection: close\r\n";
  for (const auto& [key, value] : headers) request += key + ": " + value + "\r\n";
  request += "\r\n";
  const std::string where = method + " http://" + host + ":" + std::to_string(port) + target;

  asio::io_context io;
  tcp::resolver resolver(io);
  tcp::socket socket(io);
  std::string received;
  std::array<char, 16384> buffer{};
  std::optional<HttpResponse> response;
  std::string error;

  // Reads until the response is complete by its own framing, not just until close, so a
  // server that ignores `Connection: close` is still measured correctly.
  std::function<void()> read_more = [&] {
    socket.async_read_some(asio::buffer(buffer), [&](boost::system::error_code ec, std::size_t n) {
      received.append(buffer.data(), n);
      const bool eof = ec == asio::error::eof;
      if (ec && !eof) {
        error = "read: " + ec.message();
        return;
      }
      try {
        response = parse_http_response(received, eof);
      } catch (const std::exception& e) {
        error = e.what();
        return;
      }
      if (!response) read_more();
    });
  };
  resolver.async_resolve(
      host, std::to_string(port), [&](boost::system::error_code ec, const tcp::resolver::results_type& r) {
        if (ec) {
          error = "resolve " + host + ": " + ec.message();
          return;
        }
        asio::async_connect(socket, r, [&](boost::system::error_code cec, const tcp::endpoint&) {
          if (cec) {
            error = "connect: " + cec.message();
            return;
          }
          asio::async_write(socket, asio::buffer(request), [&](boost::system::error_code wec, std::size_t) {
            if (wec) {
              error = "write: " + wec.message();
              return;
            }
            read_more();
          });
        });
      });
  io.run_for(timeout);
  if (!error.empty()) throw std::runtime_error(where + ": " + error);
  if (!response) {
    throw std::runtime_error(where + ": no complete response within " + std::to_string(timeout.count()) + " ms (" +
                             std::to_string(received.size()) + " bytes received)");
  }
  return std::move(*response);
}

std::string gunzip(std::string_view compressed) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) throw std::runtime_error("inflateInit2 failed");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  std::array<char, 65536> chunk{};
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk.data());
    zs.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      throw std::runtime_error(std::string("gunzip: ") + (zs.msg != nullptr ? zs.msg : "corrupt or truncated data") +
                               " (zlib code " + std::to_string(rc) + ")");
    }
    out.append(chunk.data(), chunk.size() - zs.avail_out);
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      throw std::runtime_error("gunzip: truncated data");
    }
  }
  if (zs.avail_in != 0) {
    throw std::runtime_error("gunzip: " + std::to_string(zs.avail_in) + " bytes after the gzip member");
  }
  return out;
}

}  // namespace msgwatch::test
