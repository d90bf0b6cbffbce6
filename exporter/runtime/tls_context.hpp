#pragma once
// HTTPS for the daemon's endpoints: the settings of a web configuration file's
// `tls_server_config`, and the OpenSSL context made of them. The certificate, its key and
// the client CAs are read when the context is made (at start-up, and by --config.check), so
// a missing file or a key that does not match its certificate is an error before anything is
// served (TlsSetupError, exporter/sdk/tls_client.hpp, whose PEM loading it shares).

#include "exporter/sdk/tls_client.hpp"

#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace msgwatch {

struct TlsSettings {
  // The client authentication policies of Go's crypto/tls, which the file names.
  enum class ClientAuth {
    none,                // NoClientCert: none is asked for
    request,             // RequestClientCert: asked for, neither required nor verified
    require_any,         // RequireAnyClientCert: required, not verified
    verify_if_given,     // VerifyClientCertIfGiven: verified against the client CAs when sent
    require_and_verify,  // RequireAndVerifyClientCert: required and verified
  };
  enum class Version { tls10, tls11, tls12, tls13 };

  std::string cert_file;  // PEM: the server's certificate, then its chain
  std::string key_file;   // PEM: its private key, unencrypted
  ClientAuth client_auth = ClientAuth::none;
  std::string client_ca_file;  // PEM: the CAs client certificates are verified against
  Version min_version = Version::tls12;
  Version max_version = Version::tls13;
};

// Whether the policy verifies client certificates (and so needs client CAs).
bool verifies_client_certificates(TlsSettings::ClientAuth policy);

// Reads the files now; throws TlsSetupError.
std::unique_ptr<boost::asio::ssl::context> make_tls_context(const TlsSettings& settings);

}  // namespace msgwatch
