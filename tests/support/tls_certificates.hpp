#pragma once
// Certificates for the HTTPS and Kafka TLS tests, made with the openssl tool the first time
// they are asked for (EC P-256 keys, valid for two days): a CA, a server certificate it signs
// for 127.0.0.1 and localhost (usable as a client certificate too, as a Kafka broker's is when
// it talks to itself), a client certificate it signs, and a client and a server certificate
// signed by another CA. PEM files with unencrypted keys, in a directory removed when the test
// process exits normally.

#include <filesystem>

namespace msgwatch::test {

struct CertifiedKey {
  std::filesystem::path cert;
  std::filesystem::path key;
};

struct TlsCertificates {
  std::filesystem::path dir;       // holds every file below
  std::filesystem::path ca;        // the CA's certificate
  CertifiedKey server;             // signed by the CA: localhost and 127.0.0.1
  CertifiedKey client;             // signed by the CA
  std::filesystem::path other_ca;  // another CA's certificate
  CertifiedKey stranger;           // a client certificate signed by the other CA
  CertifiedKey impostor;           // a server certificate for 127.0.0.1 and localhost signed by the other CA
};

// The same files for every caller in the process; throws std::runtime_error (with openssl's
// output) when they cannot be made.
const TlsCertificates& tls_certificates();

}  // namespace msgwatch::test
