#include "exporter/runtime/basic_auth.hpp"

#include <crypt.h>
#include <openssl/evp.h>

#include <array>
#include <cctype>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>

namespace msgwatch {
namespace {

constexpr std::size_t kMaxRemembered = 64;  // distinct working credentials; more are checked every time

// A bcrypt hash of no user's password, checked for an unknown user so that it takes as long
// as a known one (cost 10, like htpasswd's default).
constexpr const char* kNobodysHash = "$2b$10$AFBL.8EUhlG222bSqR39P.8u4nbjomzWxZ3FSq1iaX6iEroBjvIeW";

// RFC 4648 base64 with padding; nullopt when it is not that.
std::optional<std::string> base64_decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0 || text.size() > 4096) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  std::size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

std::string sha256(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return {reinterpret_cast<const char*>(digest.data()), size};
}

// Whether `password` hashes to `hash`, compared in constant time.
bool bcrypt_matches(const std::string& password, const std::string& hash) {
  auto data = std::make_unique<crypt_data>();
  const char* computed = crypt_r(password.c_str(), hash.c_str(), data.get());
  if (computed == nullptr || std::strlen(computed) != hash.size()) return false;
  unsigned char differ = 0;
  for (std::size_t i = 0; i < hash.size(); ++i) differ |= static_cast<unsigned char>(computed[i] ^ hash[i]);
  return differ == 0;
}

// "user:password" from an Authorization header value "Basic <base64>"; nullopt when it is
// not that.
std::optional<std::string> basic_credentials(std::string_view authorization) {
  constexpr std::string_view scheme = "Basic ";
  if (authorization.size() <= scheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i) {  // the scheme is case-insensitive
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(scheme[i]))) {
      return std::nullopt;
    }
  }
  return base64_decode(authorization.substr(scheme.size()));
}

}  // namespace

bool is_bcrypt_hash(std::string_view hash) {
  // $2?$NN$ then 22 characters of salt and 31 of hash.
  if (hash.size() != 60 || hash[0] != '$' || hash[1] != '2' || hash[3] != '$' || hash[6] != '$') return false;
  if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return false;
  return hash[4] >= '0' && hash[4] <= '3' && hash[5] >= '0' && hash[5] <= '9';
}

BasicAuth::BasicAuth(std::map<std::string, std::string> users) : users_(std::move(users)) {
  for (const auto& [user, hash] : users_) {
    if (!is_bcrypt_hash(hash)) throw std::invalid_argument("the password hash of user \"" + user + "\" is not bcrypt");
  }
}

bool BasicAuth::remembers(std::string_view authorization) const {
  const auto credentials = basic_credentials(authorization);
  if (!credentials) return false;
  const auto digest = sha256(*credentials);
  const std::lock_guard lock(mutex_);
  return verified_.contains(digest);
}

bool BasicAuth::allows(std::string_view authorization) const {
  const auto credentials = basic_credentials(authorization);
  if (!credentials) return false;
  const auto colon = credentials->find(':');
  if (colon == std::string::npos) return false;
  const auto user = credentials->substr(0, colon);
  const auto password = credentials->substr(colon + 1);
  const auto digest = sha256(*credentials);
  {
    const std::lock_guard lock(mutex_);
    if (verified_.contains(digest)) return true;
  }
  const auto known = users_.find(user);
  if (known == users_.end()) {
    (void)bcrypt_matches(password, kNobodysHash);
    return false;
  }
  if (!bcrypt_matches(password, known->second)) return false;
  const std::lock_guard lock(mutex_);
  if (verified_.size() < kMaxRemembered) verified_.insert(digest);
  return true;
}

}  // namespace msgwatch
