// The SCRAM messages: building the client's, parsing the server's. No cryptography here, so
// that the parsers can be fuzzed on their own.

#include "probes/kafka/client/scram.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace msgwatch::kafka::scram {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> decoding_table() {
  std::array<std::int8_t, 256> table{};
  for (auto& entry : table) entry = -1;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  }
  return table;
}

constexpr auto kDecoding = decoding_table();

// Text from the server quoted in an error: printable ASCII only, and not much of it.
std::string quoted(std::string_view text) {
  constexpr std::size_t limit = 64;
  std::string out = "\"";
  for (const char c : text.substr(0, limit)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  if (text.size() > limit) out += "...";
  return out + "\"";
}

bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// RFC 5802's value: one or more UTF-8 characters other than NUL and "," (the split on ","
// already took the commas out).
bool is_value(std::string_view value) {
  if (value.empty()) return false;
  for (const char c : value) {
    if (c == '\0') return false;
  }
  return true;
}

// The attributes of a message; every one is "<letter>=<value>", the value possibly empty
// here (each caller says whether it may be).
struct Attribute {
  char name;
  std::string_view value;
};

std::vector<Attribute> split_attributes(std::string_view message, std::string_view what) {
  std::vector<Attribute> attributes;
  if (message.empty()) throw ScramError("the " + std::string(what) + " message is empty");
  std::size_t start = 0;
  for (;;) {
    const auto comma = message.find(',', start);
    const auto part = message.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (part.size() < 2 || !is_alpha(part[0]) || part[1] != '=') {
      throw ScramError("the " + std::string(what) + " message has a malformed attribute " + quoted(part));
    }
    attributes.push_back({part[0], part.substr(2)});
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return attributes;
}

// Optional extensions after the attributes SCRAM defines: well-formed ones are ignored,
// "m=" (an extension the server says the client must understand) and a repeated standard
// attribute are refused.
void check_extensions(std::span<const Attribute> extensions, std::string_view what) {
  constexpr std::string_view standard = "amnrcsipve";
  for (const auto& extension : extensions) {
    if (extension.name == 'm') {
      throw ScramError("the " + std::string(what) + " message carries a mandatory extension (m=), which is refused");
    }
    if (standard.find(extension.name) != std::string_view::npos) {
      throw ScramError("the " + std::string(what) + " message has an unexpected attribute " +
                       std::string(1, extension.name) + "=");
    }
    if (!is_value(extension.value)) {
      throw ScramError("the " + std::string(what) + " message has a malformed extension " +
                       std::string(1, extension.name) + "=");
    }
  }
}

void expect_attribute(const std::vector<Attribute>& attributes, std::size_t index, char name, std::string_view what) {
  if (index >= attributes.size()) {
    throw ScramError("the " + std::string(what) + " message lacks " + std::string(1, name) + "=");
  }
  if (attributes[index].name == 'm') {
    throw ScramError("the " + std::string(what) + " message carries a mandatory extension (m=), which is refused");
  }
  if (attributes[index].name != name) {
    throw ScramError("the " + std::string(what) + " message has " + std::string(1, attributes[index].name) +
                     "= where " + std::string(1, name) + "= belongs");
  }
  if (attributes[index].value.empty()) {
    throw ScramError("the " + std::string(what) + " message has an empty " + std::string(1, name) + "=");
  }
}

}  // namespace

std::string base64_encode(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t group = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    for (const int shift : {18, 12, 6, 0}) out.push_back(kAlphabet[(group >> shift) & 0x3f]);
  }
  if (const auto rest = bytes.size() - i; rest > 0) {
    std::uint32_t group = std::uint32_t{bytes[i]} << 16;
    if (rest == 2) group |= std::uint32_t{bytes[i + 1]} << 8;
    out.push_back(kAlphabet[(group >> 18) & 0x3f]);
    out.push_back(kAlphabet[(group >> 12) & 0x3f]);
    out.push_back(rest == 2 ? kAlphabet[(group >> 6) & 0x3f] : '=');
    out.push_back('=');
  }
  return out;
}

std::vector<std::uint8_t> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) throw ScramError("invalid base64: its length is not a multiple of 4");
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  std::vector<std::uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const std::size_t digits = last ? 4 - padding : 4;
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      std::int8_t value = 0;
      if (j < digits) {
        value = kDecoding[static_cast<unsigned char>(text[i + j])];
        if (value < 0) throw ScramError("invalid base64: a character outside the alphabet");
      } else if (text[i + j] != '=') {
        throw ScramError("invalid base64: padding in the middle");
      }
      group = (group << 6) | static_cast<std::uint32_t>(value);
    }
    out.push_back(static_cast<std::uint8_t>(group >> 16));
    if (digits >= 3) out.push_back(static_cast<std::uint8_t>(group >> 8));
    if (digits == 4) out.push_back(static_cast<std::uint8_t>(group));
    // Bits the padding leaves unused must be zero: one text per byte sequence.
    if ((digits == 2 && (group & 0xffff) != 0) || (digits == 3 && (group & 0xff) != 0)) {
      throw ScramError("invalid base64: non-zero bits in the padding");
    }
  }
  return out;
}

std::string sasl_name(std::string_view username) {
  if (username.empty()) throw ScramError("the user name is empty");
  std::string out;
  out.reserve(username.size());
  for (const char c : username) {
    if (c == '\0') throw ScramError("the user name contains a NUL byte");
    if (c == '=') {
      out += "=3D";
    } else if (c == ',') {
      out += "=2C";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool is_valid_nonce(std::string_view nonce) {
  if (nonce.empty()) return false;
  for (const char c : nonce) {
    if (c < 0x21 || c > 0x7e || c == ',') return false;
  }
  return true;
}

std::string client_first_bare(std::string_view username, std::string_view client_nonce) {
  if (!is_valid_nonce(client_nonce)) throw ScramError("the client nonce is not printable ASCII without commas");
  return "n=" + sasl_name(username) + ",r=" + std::string(client_nonce);
}

ServerFirst parse_server_first(std::string_view message, std::string_view client_nonce) {
  constexpr std::string_view what = "server-first";
  const auto attributes = split_attributes(message, what);
  expect_attribute(attributes, 0, 'r', what);
  expect_attribute(attributes, 1, 's', what);
  expect_attribute(attributes, 2, 'i', what);
  ServerFirst first;

  const auto nonce = attributes[0].value;
  if (!is_valid_nonce(nonce)) throw ScramError("the server-first message's nonce is not printable ASCII");
  if (nonce.size() <= client_nonce.size() || nonce.substr(0, client_nonce.size()) != client_nonce) {
    throw ScramError("the server-first message's nonce does not extend the client's");
  }
  first.nonce = std::string(nonce);

  try {
    first.salt = base64_decode(attributes[1].value);
  } catch (const ScramError& e) {
    throw ScramError(std::string("the server-first message's salt is ") + e.what());
  }

  const auto count = attributes[2].value;
  const bool digits = std::all_of(count.begin(), count.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || count[0] == '0') {
    throw ScramError("the server-first message's iteration count " + quoted(count) + " is not a positive number");
  }
  std::int64_t iterations = max_iterations + 1;
  if (count.size() <= 9) {
    iterations = 0;
    for (const char c : count) iterations = iterations * 10 + (c - '0');
  }
  if (iterations < min_iterations || iterations > max_iterations) {
    throw ScramError("the server-first message's iteration count " + quoted(count) + " is not between " +
                     std::to_string(min_iterations) + " and " + std::to_string(max_iterations));
  }
  first.iterations = iterations;

  check_extensions(std::span(attributes).subspan(3), what);
  return first;
}

ServerFinal parse_server_final(std::string_view message) {
  constexpr std::string_view what = "server-final";
  const auto attributes = split_attributes(message, what);
  ServerFinal answer;
  const auto& head = attributes[0];
  if (head.name == 'e') {
    if (!is_value(head.value)) throw ScramError("the server-final message has a malformed e=");
    answer.error = std::string(head.value);
  } else {
    expect_attribute(attributes, 0, 'v', what);
    try {
      answer.verifier = base64_decode(head.value);
    } catch (const ScramError& e) {
      throw ScramError(std::string("the server-final message's signature is ") + e.what());
    }
  }
  check_extensions(std::span(attributes).subspan(1), what);
  return answer;
}

}  // namespace msgwatch::kafka::scram
