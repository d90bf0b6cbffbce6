// libFuzzer target for the SCRAM parsers, which read what a broker sends while the daemon
// authenticates (the server-first and server-final messages), and for their strict base64.
// Properties checked:
//  - parsing never crashes or leaks, and throws nothing but ScramError;
//  - an accepted server-first message has a nonce that extends the client's, a non-empty
//    salt and an iteration count within bounds;
//  - an accepted server-final message has either a signature or an error;
//  - text the base64 decoder accepts is the encoding of what it decodes to.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "probes/kafka/client/scram.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace msgwatch::kafka::scram;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The client nonce of RFC 7677's example, which the seeds use.
  constexpr std::string_view client_nonce = "rOprNGfwEbeRWgbNEkqO";
  try {
    const auto first = parse_server_first(input, client_nonce);
    if (first.nonce.size() <= client_nonce.size() || first.nonce.substr(0, client_nonce.size()) != client_nonce ||
        !is_valid_nonce(first.nonce) || first.salt.empty() || first.iterations < min_iterations ||
        first.iterations > max_iterations) {
      __builtin_trap();
    }
  } catch (const ScramError&) {
  }
  try {
    const auto answer = parse_server_final(input);
    if (answer.verifier.empty() == answer.error.empty()) __builtin_trap();
  } catch (const ScramError&) {
  }
  try {
    const auto bytes = base64_decode(input);
    if (base64_encode(bytes) != input) __builtin_trap();
  } catch (const ScramError&) {
  }
  return 0;
}
