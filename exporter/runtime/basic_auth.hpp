#pragma once
// HTTP basic authentication against bcrypt-hashed passwords, the way Prometheus exporters'
// web configuration files set it up (`basic_auth_users: {name: $2y$...}`).
//
// A bcrypt check takes tens of milliseconds by design, so a successful one is remembered (as
// a SHA-256 digest of the user and password, never the password) and a scraper presenting the
// same credentials every few seconds pays for it once. An unknown user costs a bcrypt check
// too, so that the time taken tells nobody which users exist.
//
// Thread-safety: allows() may be called from several threads.

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

namespace msgwatch {

class BasicAuth {
 public:
  // user -> bcrypt hash ($2a$, $2b$ or $2y$); throws std::invalid_argument for another kind.
  explicit BasicAuth(std::map<std::string, std::string> users);

  // Whether an Authorization header value ("Basic <base64 of user:password>") names a user
  // with that password.
  [[nodiscard]] bool allows(std::string_view authorization) const;
  // Whether allows() would answer true without a bcrypt check: credentials that passed one.
  [[nodiscard]] bool remembers(std::string_view authorization) const;

 private:
  std::map<std::string, std::string> users_;
  mutable std::mutex mutex_;
  mutable std::set<std::string> verified_;  // digests of user and password that passed
};

// Whether `hash` is a bcrypt hash this daemon can check.
bool is_bcrypt_hash(std::string_view hash);

}  // namespace msgwatch
