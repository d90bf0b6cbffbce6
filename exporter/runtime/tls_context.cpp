#include "exporter/runtime/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <boost/asio/ssl/context.hpp>

namespace msgwatch {
namespace asio = boost::asio;

namespace {

// RequestClientCert and RequireAnyClientCert take whatever certificate the client sends.
int accept_any_certificate(int /*preverified*/, X509_STORE_CTX* /*chain*/) { return 1; }

int protocol_version(TlsSettings::Version version) {
  switch (version) {
    case TlsSettings::Version::tls10:
      return TLS1_VERSION;
    case TlsSettings::Version::tls11:
      return TLS1_1_VERSION;
    case TlsSettings::Version::tls12:
      return TLS1_2_VERSION;
    case TlsSettings::Version::tls13:
      return TLS1_3_VERSION;
  }
  return TLS1_3_VERSION;
}

int verify_mode(TlsSettings::ClientAuth policy) {
  switch (policy) {
    case TlsSettings::ClientAuth::none:
      return SSL_VERIFY_NONE;
    case TlsSettings::ClientAuth::request:
    case TlsSettings::ClientAuth::verify_if_given:
      return SSL_VERIFY_PEER;
    case TlsSettings::ClientAuth::require_any:
    case TlsSettings::ClientAuth::require_and_verify:
      return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  }
  return SSL_VERIFY_NONE;
}

}  // namespace

bool verifies_client_certificates(TlsSettings::ClientAuth policy) {
  return policy == TlsSettings::ClientAuth::verify_if_given || policy == TlsSettings::ClientAuth::require_and_verify;
}

std::unique_ptr<asio::ssl::context> make_tls_context(const TlsSettings& settings) {
  ERR_clear_error();
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, protocol_version(settings.min_version));
  SSL_CTX_set_max_proto_version(native, protocol_version(settings.max_version));
  // A client's renegotiation would be a handshake outside the server's time bound.
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  use_key_pair(*context, settings.cert_file, settings.key_file);
  // The client CAs also name, to clients, the CAs whose certificates the server accepts.
  if (!settings.client_ca_file.empty()) {
    use_cas(*context, "client_ca_file", settings.client_ca_file, SSL_CTX_add_client_CA);
  }
  SSL_CTX_set_verify(native, verify_mode(settings.client_auth),
                     verifies_client_certificates(settings.client_auth) ? nullptr : accept_any_certificate);
  // Sessions resumed by a client that was verified need a context to be resumed in.
  static constexpr unsigned char kSessionContext[] = "msgwatch";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  return context;
}

}  // namespace msgwatch
