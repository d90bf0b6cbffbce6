#pragma once
// The server side of SCRAM (RFC 5802), for tests: what a Kafka broker does with the
// credentials kafka-configs stores (StoredKey and ServerKey, derived from a password, a salt
// and an iteration count). It checks the client's proof and signs the exchange, so a test
// can tell a client that proves the password from one that does not.

#include "probes/kafka/client/scram.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace msgwatch::kafka::test {

class ScramServer {
 public:
  ScramServer(scram::Hash hash, std::string_view password, std::vector<std::uint8_t> salt, std::int64_t iterations,
              std::string server_nonce)
      : hash_(hash), salt_(std::move(salt)), iterations_(iterations), server_nonce_(std::move(server_nonce)) {
    const auto salted = scram::salted_password(hash_, password, salt_, iterations_);
    stored_key_ = scram::digest(hash_, scram::hmac(hash_, salted, bytes_of("Client Key")));
    server_key_ = scram::hmac(hash_, salted, bytes_of("Server Key"));
  }

  // The server-first message answering a client-first one ("n,,n=<user>,r=<nonce>");
  // throws std::runtime_error for anything else.
  std::string server_first(std::string_view client_first) {
    if (client_first.substr(0, 5) != "n,,n=") throw std::runtime_error("client-first without n,,n=");
    client_first_bare_ = std::string(client_first.substr(3));
    const auto nonce_at = client_first_bare_.find(",r=");
    if (nonce_at == std::string::npos) throw std::runtime_error("client-first without r=");
    username_ = client_first_bare_.substr(2, nonce_at - 2);
    nonce_ = client_first_bare_.substr(nonce_at + 3) + server_nonce_;
    server_first_ = "r=" + nonce_ + ",s=" + scram::base64_encode(salt_) + ",i=" + std::to_string(iterations_);
    return server_first_;
  }

  // The server-final message ("v=<signature>") for a client-final one whose proof is right;
  // nullopt for a wrong proof. Throws std::runtime_error for a malformed message.
  std::optional<std::string> server_final(std::string_view client_final) {
    const auto proof_at = client_final.rfind(",p=");
    if (proof_at == std::string_view::npos) throw std::runtime_error("client-final without p=");
    const auto without_proof = client_final.substr(0, proof_at);
    if (without_proof != "c=biws,r=" + nonce_) throw std::runtime_error("client-final with another c= or r=");
    const auto proof = scram::base64_decode(client_final.substr(proof_at + 3));
    const std::string auth_message = client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
    const auto client_signature = scram::hmac(hash_, stored_key_, bytes_of(auth_message));
    if (proof.size() != client_signature.size()) return std::nullopt;
    std::vector<std::uint8_t> client_key(proof.size());
    for (std::size_t i = 0; i < proof.size(); ++i) client_key[i] = proof[i] ^ client_signature[i];
    if (scram::digest(hash_, client_key) != stored_key_) return std::nullopt;
    return "v=" + scram::base64_encode(scram::hmac(hash_, server_key_, bytes_of(auth_message)));
  }

  // The user name as the client sent it (a saslname: "=" and "," escaped).
  [[nodiscard]] const std::string& username() const { return username_; }

 private:
  static std::vector<std::uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

  scram::Hash hash_;
  std::vector<std::uint8_t> salt_;
  std::int64_t iterations_;
  std::string server_nonce_;
  std::vector<std::uint8_t> stored_key_;
  std::vector<std::uint8_t> server_key_;
  std::string client_first_bare_;
  std::string username_;
  std::string nonce_;
  std::string server_first_;
};

}  // namespace msgwatch::kafka::test
