// SCRAM's cryptography (RFC 5802 section 3) with OpenSSL's libcrypto, and the client's
// exchange built on it.

#include "probes/kafka/client/scram.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <climits>

namespace msgwatch::kafka::scram {
namespace {

const EVP_MD* message_digest(Hash hash) { return hash == Hash::sha256 ? EVP_sha256() : EVP_sha512(); }

std::span<const std::uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// Key material, wiped however the scope is left.
struct Wiped {
  std::vector<std::uint8_t> bytes;
  Wiped(std::vector<std::uint8_t> b) : bytes(std::move(b)) {}  // NOLINT(google-explicit-constructor)
  ~Wiped() { wipe(bytes); }
  Wiped(const Wiped&) = delete;
  Wiped& operator=(const Wiped&) = delete;
};

// The server's error text in a message of ours: printable ASCII only, and not much of it.
std::string printable(std::string_view text) {
  constexpr std::size_t limit = 200;
  std::string out;
  for (const char c : text.substr(0, limit)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  if (text.size() > limit) out += "...";
  return out;
}

}  // namespace

std::size_t digest_size(Hash hash) { return hash == Hash::sha256 ? 32 : 64; }

std::vector<std::uint8_t> digest(Hash hash, std::span<const std::uint8_t> data) {
  std::vector<std::uint8_t> out(EVP_MAX_MD_SIZE);
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &size, message_digest(hash), nullptr) != 1) {
    throw ScramError("computing a digest failed");
  }
  out.resize(size);
  return out;
}

std::vector<std::uint8_t> hmac(Hash hash, std::span<const std::uint8_t> key, std::span<const std::uint8_t> data) {
  if (key.size() > INT_MAX) throw ScramError("an HMAC key is too long");
  std::vector<std::uint8_t> out(EVP_MAX_MD_SIZE);
  unsigned int size = 0;
  if (HMAC(message_digest(hash), key.data(), static_cast<int>(key.size()), data.data(), data.size(), out.data(),
           &size) == nullptr) {
    throw ScramError("computing an HMAC failed");
  }
  out.resize(size);
  return out;
}

std::vector<std::uint8_t> salted_password(Hash hash, std::string_view password, std::span<const std::uint8_t> salt,
                                          std::int64_t iterations) {
  if (iterations < 1 || iterations > INT_MAX || password.size() > INT_MAX || salt.size() > INT_MAX) {
    throw ScramError("PBKDF2 parameters out of range");
  }
  std::vector<std::uint8_t> out(digest_size(hash));
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(), static_cast<int>(salt.size()),
                        static_cast<int>(iterations), message_digest(hash), static_cast<int>(out.size()),
                        out.data()) != 1) {
    throw ScramError("computing the salted password failed");
  }
  return out;
}

std::string make_nonce() {
  std::array<std::uint8_t, 24> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    throw ScramError("the random generator gave no bytes for the nonce");
  }
  return base64_encode(random);
}

void wipe(std::string& secret) {
  if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

void wipe(std::vector<std::uint8_t>& secret) {
  if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

ScramClient::ScramClient(Hash hash, std::string_view username, std::string_view password, std::string client_nonce)
    : hash_(hash), client_nonce_(std::move(client_nonce)) {
  client_first_bare_ = scram::client_first_bare(username, client_nonce_);
  password_.assign(password);  // last: nothing can throw after it and leave it unwiped
}

ScramClient::~ScramClient() {
  wipe(password_);
  wipe(expected_server_signature_);
}

std::string ScramClient::client_first() const { return std::string(gs2_header) + client_first_bare_; }

std::string ScramClient::client_final(std::string_view server_first) {
  if (final_sent_) throw ScramError("the client-final message was already made");
  final_sent_ = true;
  const auto first = parse_server_first(server_first, client_nonce_);
  // c=: the GS2 header in base64 ("biws"), as no channel binding is used.
  const std::string without_proof = "c=" + base64_encode(bytes_of(gs2_header)) + ",r=" + first.nonce;
  const std::string auth_message = client_first_bare_ + "," + std::string(server_first) + "," + without_proof;

  const Wiped salted = salted_password(hash_, password_, first.salt, first.iterations);
  wipe(password_);
  const Wiped client_key = hmac(hash_, salted.bytes, bytes_of("Client Key"));
  const Wiped stored_key = digest(hash_, client_key.bytes);
  const Wiped client_signature = hmac(hash_, stored_key.bytes, bytes_of(auth_message));
  Wiped proof = std::vector<std::uint8_t>(client_key.bytes.size());
  for (std::size_t i = 0; i < proof.bytes.size(); ++i) {
    proof.bytes[i] = client_key.bytes[i] ^ client_signature.bytes[i];
  }
  const Wiped server_key = hmac(hash_, salted.bytes, bytes_of("Server Key"));
  expected_server_signature_ = hmac(hash_, server_key.bytes, bytes_of(auth_message));
  return without_proof + ",p=" + base64_encode(proof.bytes);
}

void ScramClient::verify_server_final(std::string_view server_final) const {
  if (expected_server_signature_.empty()) throw ScramError("a server-final message before the client-final one");
  const auto answer = parse_server_final(server_final);
  if (!answer.error.empty()) throw ScramError("the broker refused the proof: " + printable(answer.error));
  if (answer.verifier.size() != expected_server_signature_.size() ||
      CRYPTO_memcmp(answer.verifier.data(), expected_server_signature_.data(), answer.verifier.size()) != 0) {
    throw ScramError("the server signature does not match: the broker does not know the credentials");
  }
}

}  // namespace msgwatch::kafka::scram
