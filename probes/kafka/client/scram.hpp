#pragma once
// SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677) as Kafka speaks them (KIP-84): the
// client side of the exchange as pure functions and a small state machine, without any I/O.
// BrokerConnection carries the messages in SaslAuthenticate requests.
//
//   client-first   n,,n=<saslname>,r=<client nonce>
//   server-first   r=<client nonce + server nonce>,s=<base64 salt>,i=<iterations>
//   client-final   c=biws,r=<nonce>,p=<base64 client proof>
//   server-final   v=<base64 server signature>  or  e=<error>
//
// The password is used as its bytes, without SASLprep, as Kafka's own clients and
// kafka-configs do when they make the credentials. The parsers (scram_messages.cpp) need no
// cryptography; the proofs and the nonce (scram.cpp) use OpenSSL's libcrypto. Error
// messages never contain the password, the salted password, keys or proofs.

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace msgwatch::kafka::scram {

enum class Hash { sha256, sha512 };

// A message SCRAM cannot accept, or an exchange that failed. Its text names what was wrong,
// never a secret.
class ScramError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The iteration counts a server-first message may ask for. Kafka refuses fewer than 4096
// itself (and more than 16384); the upper bound here keeps a hostile or broken server from
// making the client hash for minutes.
inline constexpr std::int64_t min_iterations = 4096;
inline constexpr std::int64_t max_iterations = 100'000;

// ---- Messages (scram_messages.cpp) ----

// Standard base64 with padding (RFC 4648 section 4).
std::string base64_encode(std::span<const std::uint8_t> bytes);
// Strict: only the standard alphabet, length a multiple of 4, padding only at the end and
// unused bits zero, so that every accepted text is the encoding of what it decodes to.
// Throws ScramError otherwise.
std::vector<std::uint8_t> base64_decode(std::string_view text);

// The user name as a saslname: "=" written "=3D" and "," written "=2C". Throws ScramError
// for an empty name or one with a NUL byte, which SCRAM cannot carry.
std::string sasl_name(std::string_view username);

// A nonce SCRAM accepts: one or more printable ASCII characters other than ",".
bool is_valid_nonce(std::string_view nonce);

// client-first-message-bare: "n=<saslname>,r=<nonce>". The whole client-first message is
// the GS2 header "n,," (no channel binding, no authorization identity) followed by it.
std::string client_first_bare(std::string_view username, std::string_view client_nonce);
inline constexpr std::string_view gs2_header = "n,,";

struct ServerFirst {
  std::string nonce;  // the client's nonce followed by the server's
  std::vector<std::uint8_t> salt;
  std::int64_t iterations = 0;
};

// Parses a server-first message strictly: attributes r, s, i in that order, the nonce
// printable and longer than the client's, which it must start with; the salt non-empty and
// valid base64; the iteration count a decimal number without leading zeros within
// [min_iterations, max_iterations]; after it only well-formed optional extensions, which
// are ignored. The mandatory extension "m=" is refused (RFC 5802 section 5.1). Throws
// ScramError.
ServerFirst parse_server_first(std::string_view message, std::string_view client_nonce);

struct ServerFinal {
  std::vector<std::uint8_t> verifier;  // v=: the server signature, when there is no error
  std::string error;                   // e=: the server's error, empty when it sent v=
};

// Parses a server-final message: "v=<base64>" or "e=<value>", optionally followed by
// well-formed extensions. Throws ScramError for anything else.
ServerFinal parse_server_final(std::string_view message);

// ---- Cryptography (scram.cpp) ----

[[nodiscard]] std::size_t digest_size(Hash hash);
// H(data)
std::vector<std::uint8_t> digest(Hash hash, std::span<const std::uint8_t> data);
// HMAC(key, data)
std::vector<std::uint8_t> hmac(Hash hash, std::span<const std::uint8_t> key, std::span<const std::uint8_t> data);
// Hi(password, salt, iterations): PBKDF2 with HMAC-H, one block of H's size.
std::vector<std::uint8_t> salted_password(Hash hash, std::string_view password, std::span<const std::uint8_t> salt,
                                          std::int64_t iterations);
// 24 bytes from OpenSSL's CSPRNG, base64: 32 printable characters without ",".
std::string make_nonce();
// Overwrites a secret before its memory is given back.
void wipe(std::string& secret);
void wipe(std::vector<std::uint8_t>& secret);

// One client exchange: client_first(), then client_final() with the server-first message,
// then verify_server_final() with the server-final message. Not reusable. The password is
// kept only until client_final() has used it; afterwards only the expected server
// signature remains. Everything is wiped when the object goes away.
class ScramClient {
 public:
  // Throws ScramError for a user name SCRAM cannot carry or a nonce that is not valid.
  ScramClient(Hash hash, std::string_view username, std::string_view password, std::string client_nonce = make_nonce());
  ~ScramClient();
  ScramClient(const ScramClient&) = delete;
  ScramClient& operator=(const ScramClient&) = delete;

  [[nodiscard]] std::string client_first() const;
  // The client-final message answering `server_first`; throws ScramError when that message
  // is malformed or unacceptable (see parse_server_first), or when called twice.
  std::string client_final(std::string_view server_first);
  // Throws ScramError unless `server_final` carries the signature of a server that knows
  // the credentials (e=: with the server's error, sanitised to printable ASCII).
  void verify_server_final(std::string_view server_final) const;

 private:
  Hash hash_;
  std::string password_;
  std::string client_nonce_;
  std::string client_first_bare_;
  std::vector<std::uint8_t> expected_server_signature_;
  bool final_sent_ = false;
};

}  // namespace msgwatch::kafka::scram
