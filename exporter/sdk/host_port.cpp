#include "exporter/sdk/host_port.hpp"

#include <charconv>

namespace msgwatch {

std::optional<HostPort> parse_host_port(std::string_view text, HostPortRules rules) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return std::nullopt;  // IPv6 needs brackets
  }
  if (host.empty() && !rules.host_may_be_empty) return std::nullopt;
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  unsigned number = 0;
  std::from_chars(port.data(), port.data() + port.size(), number);
  if (number > 65535 || (number == 0 && !rules.port_may_be_zero)) return std::nullopt;
  return HostPort{std::string(host), static_cast<std::uint16_t>(number)};
}

}  // namespace msgwatch
