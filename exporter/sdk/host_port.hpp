#pragma once
// "host:port" as every address in the configuration is written: a name or IPv4 address
// before the last colon, an IPv6 address in brackets ("[::1]:9092"). The one parser for
// Kafka bootstrap servers, Redis addresses and the HTTP listen address.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace msgwatch {

struct HostPort {
  std::string host;  // without the brackets of an IPv6 address
  std::uint16_t port = 0;
};

struct HostPortRules {
  bool host_may_be_empty = false;  // ":9440" (a listen address: every interface)
  bool port_may_be_zero = false;   // ":0" (a listen address: any free port)
};

// nullopt when malformed: no colon, an empty or non-numeric port, a port out of range, an
// unbracketed IPv6 address, an empty host where not allowed.
std::optional<HostPort> parse_host_port(std::string_view text, HostPortRules rules = {});

}  // namespace msgwatch
