#pragma once
// TLS to what a probe watches (Kafka brokers, Redis servers): a target's `tls:` section, the
// OpenSSL client context made of its files once, when the section is parsed (so a file that
// cannot be used is a configuration error naming its key), and shared by the target's
// connections; the name each connection expects in the server's certificate; failures as
// OpenSSL names them. Loading PEM files is shared with the daemon's HTTPS context
// (runtime/tls_context.hpp).

#include "exporter/sdk/config_reader.hpp"

#include <openssl/types.h>
#include <boost/system/error_code.hpp>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace msgwatch {

// A file a context cannot be made of: key() names its setting (ca_file, cert_file, key_file,
// client_ca_file), what() says why, without any of the file's contents.
class TlsSetupError : public std::runtime_error {
 public:
  TlsSetupError(std::string key, const std::string& message);
  [[nodiscard]] const std::string& key() const { return key_; }

 private:
  std::string key_;
};

struct TlsClientFiles {
  std::string ca_file;    // PEM: the CAs the server is verified against; empty: the system's
  std::string cert_file;  // PEM: a client certificate and its chain (mutual TLS), or empty
  std::string key_file;   // PEM: its private key, unencrypted; set with cert_file only
  bool verify = true;     // false: any server certificate is accepted (insecure_skip_verify)
};

struct TlsClient {
  TlsClientFiles files;
  std::string server_name;  // the name the server's certificate must hold; empty: the host dialled
  std::shared_ptr<boost::asio::ssl::context> context;

  // The name a connection to `host` asks for and expects.
  [[nodiscard]] const std::string& name_for(const std::string& host) const {
    return server_name.empty() ? host : server_name;
  }
};

// The `tls:` section of the target `reader` reads (enabled, ca_file, cert_file, key_file,
// server_name, insecure_skip_verify), its context made; nullopt unless enabled. Fails
// through the reader, naming the key.
std::optional<TlsClient> read_tls_client(config::MapReader& reader);

// As a start-up log line says it: off, on, or mutual (with a client certificate).
std::string tls_mode(const std::optional<TlsClient>& tls);

// A client context (TLS 1.2 and later, no renegotiation). Reads the files now; throws
// TlsSetupError.
std::shared_ptr<boost::asio::ssl::context> make_tls_client_context(const TlsClientFiles& files);

// Sets what a client connection asks for and expects: the name for SNI (unless it is an IP
// address) and, when verifying, the DNS name or IP address the server's certificate must
// hold. False when OpenSSL refuses it.
bool expect_server_name(SSL* connection, const std::string& name, bool verify);

// A TLS error as OpenSSL names it ("certificate verify failed"), with the reason a
// certificate was refused ("unable to get local issuer certificate"); other errors as
// error_code says.
std::string describe_tls_error(const boost::system::error_code& error, const SSL* connection);

// PEM files into a context, client or server; throw TlsSetupError naming the setting. The
// certificate (then its chain) and its unencrypted key, which must match:
void use_key_pair(boost::asio::ssl::context& context, const std::string& cert_file, const std::string& key_file);
// Every certificate of the CA file `path` (setting `key`) goes to the context's store, which
// verifies peers, and to `add` when given:
void use_cas(boost::asio::ssl::context& context, const std::string& key, const std::string& path,
             int (*add)(SSL_CTX*, X509*) = nullptr);

}  // namespace msgwatch
