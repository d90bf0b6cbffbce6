#include "support/tls_certificates.hpp"

#include "support/process.hpp"
#include "support/test_environment.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace msgwatch::test {
namespace {

// A new key and its certificate, named `name` in `dir`: self-signed when there is no issuer.
CertifiedKey certify(const std::filesystem::path& dir, const std::string& name, const CertifiedKey* issuer,
                     const std::vector<std::string>& extensions) {
  CertifiedKey made{dir / (name + ".crt"), dir / (name + ".key")};
  std::vector<std::string> argv{"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"};
  argv.insert(argv.end(), {"-nodes", "-subj", "/CN=" + name, "-days", "2"});
  argv.insert(argv.end(), {"-keyout", made.key.string(), "-out", made.cert.string()});
  if (issuer != nullptr) argv.insert(argv.end(), {"-CA", issuer->cert.string(), "-CAkey", issuer->key.string()});
  for (const auto& extension : extensions) argv.insert(argv.end(), {"-addext", extension});
  const auto result = run_process(argv, 60s);
  if (!result.status.success()) throw std::runtime_error("making a test certificate failed: " + result.describe());
  return made;
}

TlsCertificates make_certificates(const std::filesystem::path& dir) {
  const std::vector<std::string> ca{"basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign"};
  const std::vector<std::string> client{"basicConstraints=critical,CA:FALSE", "extendedKeyUsage=clientAuth"};
  const auto authority = certify(dir, "ca", nullptr, ca);
  const auto other_authority = certify(dir, "other-ca", nullptr, ca);
  TlsCertificates made;
  made.dir = dir;
  made.ca = authority.cert;
  made.other_ca = other_authority.cert;
  const std::vector<std::string> server{"basicConstraints=critical,CA:FALSE", "extendedKeyUsage=serverAuth,clientAuth",
                                        "subjectAltName=DNS:localhost,IP:127.0.0.1"};
  made.server = certify(dir, "server", &authority, server);
  made.client = certify(dir, "client", &authority, client);
  made.stranger = certify(dir, "stranger", &other_authority, client);
  made.impostor = certify(dir, "impostor", &other_authority, server);
  return made;
}

}  // namespace

const TlsCertificates& tls_certificates() {
  // Function-local static: made on first use, its directory removed at exit.
  static const struct Made {
    std::filesystem::path dir = make_temp_dir("msgwatch-certs");
    TlsCertificates certificates = make_certificates(dir);
    ~Made() {
      std::error_code ignored;  // nothing useful to do about a leftover temp dir at exit
      std::filesystem::remove_all(dir, ignored);
    }
  } made;
  return made.certificates;
}

}  // namespace msgwatch::test
