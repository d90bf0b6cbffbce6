#include "exporter/sdk/tls_client.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace msgwatch {
namespace asio = boost::asio;

namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};

// The reason of OpenSSL's latest error ("no start line", "bad decrypt"); the queue is emptied.
std::string openssl_reason() {
  const auto code = ERR_peek_last_error();
  ERR_clear_error();
  const char* reason = code == 0 ? nullptr : ERR_reason_error_string(code);
  return reason != nullptr ? reason : "unknown error";
}

// The file of setting `key`, whole.
std::string read_pem(const std::string& key, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TlsSetupError(key, "cannot read " + path + ": " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::unique_ptr<BIO, BioFree> memory_bio(const std::string& text) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) throw std::bad_alloc();
  return bio;
}

// Never a passphrase: an encrypted key is refused rather than asked for on the terminal.
int no_passphrase(char* /*buffer*/, int /*size*/, int /*writing*/, void* /*data*/) { return 0; }

bool is_ip_address(const std::string& name) {
  boost::system::error_code not_ip;
  (void)asio::ip::make_address(name, not_ip);
  return !not_ip;
}

}  // namespace

TlsSetupError::TlsSetupError(std::string key, const std::string& message)
    : std::runtime_error(message), key_(std::move(key)) {}

void use_key_pair(asio::ssl::context& context, const std::string& cert_file, const std::string& key_file) {
  boost::system::error_code ec;
  context.use_certificate_chain(asio::buffer(read_pem("cert_file", cert_file)), ec);
  if (ec) throw TlsSetupError("cert_file", cert_file + " holds no valid PEM certificate");
  const auto key_pem = read_pem("key_file", key_file);
  const std::unique_ptr<EVP_PKEY, KeyFree> key(
      PEM_read_bio_PrivateKey(memory_bio(key_pem).get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    throw TlsSetupError("key_file", key_file + " holds no unencrypted PEM private key: " + openssl_reason());
  }
  // The first refuses a key of the certificate's type that does not match it, the second one
  // of another type (which would go to a slot without a certificate).
  if (SSL_CTX_use_PrivateKey(context.native_handle(), key.get()) != 1 ||
      SSL_CTX_check_private_key(context.native_handle()) != 1) {
    ERR_clear_error();
    throw TlsSetupError("key_file", "the key in " + key_file + " does not match the certificate in " + cert_file);
  }
}

void use_cas(asio::ssl::context& context, const std::string& key, const std::string& path,
             int (*add)(SSL_CTX*, X509*)) {
  const auto pem = read_pem(key, path);
  const auto bio = memory_bio(pem);
  X509_STORE* store = SSL_CTX_get_cert_store(context.native_handle());
  int count = 0;
  while (true) {
    const std::unique_ptr<X509, CertFree> cert(PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr));
    if (!cert) break;
    if (X509_STORE_add_cert(store, cert.get()) != 1 ||
        (add != nullptr && add(context.native_handle(), cert.get()) != 1)) {
      throw TlsSetupError(key, "cannot use a certificate of " + path + ": " + openssl_reason());
    }
    ++count;
  }
  // Reading stops at the end of the file ("no start line") or at a damaged certificate.
  const auto last = ERR_peek_last_error();
  const bool at_end = ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE;
  const auto reason = openssl_reason();
  if (!at_end) throw TlsSetupError(key, path + " holds a damaged PEM certificate: " + reason);
  if (count == 0) throw TlsSetupError(key, path + " holds no PEM certificate");
}

std::shared_ptr<asio::ssl::context> make_tls_client_context(const TlsClientFiles& files) {
  ERR_clear_error();
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  if (!files.cert_file.empty()) use_key_pair(*context, files.cert_file, files.key_file);
  if (!files.ca_file.empty()) {
    use_cas(*context, "ca_file", files.ca_file);
  } else if (SSL_CTX_set_default_verify_paths(native) != 1) {
    throw TlsSetupError("ca_file", "the system's trust store cannot be read: " + openssl_reason());
  }
  SSL_CTX_set_verify(native, files.verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  return context;
}

std::optional<TlsClient> read_tls_client(config::MapReader& reader) {
  auto section = reader.section("tls");
  bool enabled = false;
  bool insecure_skip_verify = false;
  TlsClient tls;
  section.read("enabled", enabled);
  section.read("ca_file", tls.files.ca_file);
  section.read("cert_file", tls.files.cert_file);
  section.read("key_file", tls.files.key_file);
  section.read("server_name", tls.server_name);
  section.read("insecure_skip_verify", insecure_skip_verify);
  section.finish();
  if (tls.files.cert_file.empty() != tls.files.key_file.empty()) {
    section.fail(tls.files.cert_file.empty() ? "cert_file" : "key_file", "cert_file and key_file go together");
  }
  if (!enabled) return std::nullopt;
  tls.files.verify = !insecure_skip_verify;
  try {
    tls.context = make_tls_client_context(tls.files);
  } catch (const TlsSetupError& e) {
    section.fail(e.key(), e.what());
  }
  return tls;
}

std::string tls_mode(const std::optional<TlsClient>& tls) {
  if (!tls) return "off";
  return tls->files.cert_file.empty() ? "on" : "mutual";
}

bool expect_server_name(SSL* connection, const std::string& name, bool verify) {
  const bool ip = is_ip_address(name);
  if (!ip && SSL_set_tlsext_host_name(connection, name.c_str()) != 1) return false;
  if (!verify) return true;
  X509_VERIFY_PARAM* param = SSL_get0_param(connection);
  return ip ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) == 1
            : X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size()) == 1;
}

std::string describe_tls_error(const boost::system::error_code& error, const SSL* connection) {
  if (error.category() != asio::error::get_ssl_category()) return error.message();
  const char* reason = ERR_reason_error_string(static_cast<unsigned long>(error.value()));
  std::string text = reason != nullptr ? reason : error.message();
  if (connection != nullptr &&
      ERR_GET_REASON(static_cast<unsigned long>(error.value())) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
    text += std::string(" (") + X509_verify_cert_error_string(SSL_get_verify_result(connection)) + ")";
  }
  return text;
}

}  // namespace msgwatch
