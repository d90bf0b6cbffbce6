// SCRAM without a broker: RFC 7677's SCRAM-SHA-256 example byte for byte, a SHA-512 round
// trip against a test server that checks the proof, the strict parsing of the server's
// messages, and error texts that never carry the password or the proof.

#include "probes/kafka/client/scram.hpp"

#include "scram_server.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace msgwatch::kafka::test {
namespace {

using scram::Hash;
using scram::ScramClient;
using scram::ScramError;
using ::testing::HasSubstr;
using ::testing::Not;

// RFC 7677 section 3.
constexpr std::string_view kRfcClientNonce = "rOprNGfwEbeRWgbNEkqO";
constexpr std::string_view kRfcServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr std::string_view kRfcServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr std::string_view kRfcClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr std::string_view kRfcServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const ScramError& e) {
    return e.what();
  }
  return "no error";
}

std::string server_first_error(std::string_view message, std::string_view client_nonce = "abc") {
  return message_of([&] { (void)scram::parse_server_first(message, client_nonce); });
}

std::string server_final_error(std::string_view message) {
  return message_of([&] { (void)scram::parse_server_final(message); });
}

std::vector<std::uint8_t> bytes(std::string_view text) { return {text.begin(), text.end()}; }

TEST(Scram, TheRfc7677ExampleByteForByte) {
  ScramClient client(Hash::sha256, "user", "pencil", std::string(kRfcClientNonce));
  EXPECT_EQ(client.client_first(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  EXPECT_EQ(client.client_final(kRfcServerFirst), kRfcClientFinal);
  EXPECT_NO_THROW(client.verify_server_final(kRfcServerFinal));
  EXPECT_THAT(message_of([&] { client.verify_server_final("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="); }),
              HasSubstr("the server signature does not match"));
}

// The test server reproduces the RFC's messages too, so the round trips below test the
// client against something known to be right.
TEST(Scram, TheTestServerReproducesTheRfc7677Example) {
  ScramServer server(Hash::sha256, "pencil", scram::base64_decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096,
                     std::string(kRfcServerNonce));
  EXPECT_EQ(server.server_first("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"), kRfcServerFirst);
  EXPECT_EQ(server.server_final(kRfcClientFinal), std::optional<std::string>(kRfcServerFinal));
}

TEST(Scram, Sha512RoundTrip) {
  ScramServer server(Hash::sha512, "s3cret-pw", bytes("salt-of-the-earth"), 8192, "server-part");
  ScramClient client(Hash::sha512, "monitor", "s3cret-pw");
  const auto server_first = server.server_first(client.client_first());
  EXPECT_EQ(server.username(), "monitor");
  const auto client_final = client.client_final(server_first);
  // 64 bytes of proof: 88 characters of base64.
  EXPECT_EQ(client_final.size() - client_final.rfind(",p=") - 3, 88U) << client_final;
  const auto server_final = server.server_final(client_final);
  ASSERT_TRUE(server_final.has_value()) << "the server refused the proof";
  EXPECT_NO_THROW(client.verify_server_final(*server_final));
}

TEST(Scram, AWrongPasswordGivesAProofTheServerRefuses) {
  for (const auto hash : {Hash::sha256, Hash::sha512}) {
    ScramServer server(hash, "right", bytes("salt"), 4096, "srv");
    ScramClient client(hash, "monitor", "wrong");
    const auto client_final = client.client_final(server.server_first(client.client_first()));
    EXPECT_FALSE(server.server_final(client_final).has_value());
  }
}

TEST(Scram, AServerThatDoesNotKnowThePasswordIsFoundOut) {
  ScramServer server(Hash::sha512, "s3cret-pw", bytes("salt"), 4096, "srv");
  ScramClient client(Hash::sha512, "monitor", "s3cret-pw");
  const auto server_final = server.server_final(client.client_final(server.server_first(client.client_first())));
  ASSERT_TRUE(server_final.has_value());
  // A server that merely echoes the client's messages cannot sign the exchange.
  const auto forged = "v=" + scram::base64_encode(std::vector<std::uint8_t>(64, 0x5a));
  EXPECT_THAT(message_of([&] { client.verify_server_final(forged); }),
              HasSubstr("the server signature does not match"));
  EXPECT_THAT(message_of([&] { client.verify_server_final("v=" + scram::base64_encode(bytes("short"))); }),
              HasSubstr("the server signature does not match"));
  EXPECT_NO_THROW(client.verify_server_final(*server_final));
}

TEST(Scram, TheUserNameIsEscapedAsASaslName) {
  EXPECT_EQ(scram::sasl_name("monitor"), "monitor");
  EXPECT_EQ(scram::sasl_name("a=b,c"), "a=3Db=2Cc");
  EXPECT_EQ(scram::sasl_name("=,="), "=3D=2C=3D");
  ScramClient client(Hash::sha256, "team,a=b", "pw", "nonce");
  EXPECT_EQ(client.client_first(), "n,,n=team=2Ca=3Db,r=nonce");
  EXPECT_THAT(message_of([] { ScramClient(Hash::sha256, "", "pw", "nonce"); }), HasSubstr("the user name is empty"));
  EXPECT_THAT(message_of([] { ScramClient(Hash::sha256, std::string("a\0b", 3), "pw", "nonce"); }), HasSubstr("NUL"));
  EXPECT_THAT(message_of([] { ScramClient(Hash::sha256, "u", "pw", "has,comma"); }), HasSubstr("client nonce"));
}

TEST(Scram, TheNonceIsRandomPrintableAndLongEnough) {
  const auto first = scram::make_nonce();
  const auto second = scram::make_nonce();
  EXPECT_EQ(first.size(), 32U) << "24 random bytes in base64";
  EXPECT_TRUE(scram::is_valid_nonce(first)) << first;
  EXPECT_NE(first, second);
  EXPECT_FALSE(scram::is_valid_nonce(""));
  EXPECT_FALSE(scram::is_valid_nonce("a b"));
  EXPECT_FALSE(scram::is_valid_nonce("a,b"));
  EXPECT_FALSE(scram::is_valid_nonce("caf\xc3\xa9"));
}

TEST(Scram, Base64AsRfc4648SaysAndStrictly) {
  const std::vector<std::pair<std::string, std::string>> vectors{{"", ""},
                                                                 {"f", "Zg=="},
                                                                 {"fo", "Zm8="},
                                                                 {"foo", "Zm9v"},
                                                                 {"foob", "Zm9vYg=="},
                                                                 {"fooba", "Zm9vYmE="},
                                                                 {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(scram::base64_encode(bytes(plain)), encoded);
    EXPECT_EQ(scram::base64_decode(encoded), bytes(plain));
  }
  EXPECT_EQ(scram::base64_encode(std::vector<std::uint8_t>{0xfb, 0xff}), "+/8=");
  for (const std::string bad : {"Zg=", "Zg=a", "Z===", "====", "Zh==", "Zm9=", "Zm9v!A==", "Zm=v", "Zm9v\n", "Zm9 "}) {
    EXPECT_THROW((void)scram::base64_decode(bad), ScramError) << bad;
  }
}

TEST(Scram, TheServerFirstMessageIsParsedStrictly) {
  const auto first = scram::parse_server_first("r=abcdef,s=c2FsdA==,i=4096", "abc");
  EXPECT_EQ(first.nonce, "abcdef");
  EXPECT_EQ(first.salt, bytes("salt"));
  EXPECT_EQ(first.iterations, 4096);
  EXPECT_EQ(scram::parse_server_first("r=abcd,s=c2FsdA==,i=100000", "abc").iterations, 100000);
  // Optional extensions after the iteration count are ignored.
  EXPECT_EQ(scram::parse_server_first("r=abcd,s=c2FsdA==,i=8192,x=whatever,y=1", "abc").iterations, 8192);

  EXPECT_THAT(server_first_error("r=xyzdef,s=c2FsdA==,i=4096"), HasSubstr("nonce does not extend the client's"));
  EXPECT_THAT(server_first_error("r=abc,s=c2FsdA==,i=4096"), HasSubstr("nonce does not extend the client's"));
  EXPECT_THAT(server_first_error("r=ab,s=c2FsdA==,i=4096"), HasSubstr("nonce does not extend the client's"));
  EXPECT_THAT(server_first_error("r=abc d,s=c2FsdA==,i=4096"), HasSubstr("nonce is not printable"));
  EXPECT_THAT(server_first_error("m=ext,r=abcd,s=c2FsdA==,i=4096"), HasSubstr("mandatory extension (m=)"));
  EXPECT_THAT(server_first_error("r=abcd,s=c2FsdA==,i=4096,m=ext"), HasSubstr("mandatory extension (m=)"));
  EXPECT_THAT(server_first_error("r=abcd,s=c2FsdA==,i=4096,r=again"), HasSubstr("unexpected attribute r="));
  EXPECT_THAT(server_first_error("r=abcd,s=c2FsdA==,i=4095"), HasSubstr("is not between 4096 and 100000"));
  EXPECT_THAT(server_first_error("r=abcd,s=c2FsdA==,i=100001"), HasSubstr("is not between 4096 and 100000"));
  EXPECT_THAT(server_first_error("r=abcd,s=c2FsdA==,i=99999999999999999999999"), HasSubstr("is not between"));
  EXPECT_THAT(server_first_error("r=abcd,s=c2FsdA==,i=04096"), HasSubstr("is not a positive number"));
  EXPECT_THAT(server_first_error("r=abcd,s=c2FsdA==,i=-4096"), HasSubstr("is not a positive number"));
  EXPECT_THAT(server_first_error("r=abcd,s=c2FsdA==,i=4096x"), HasSubstr("is not a positive number"));
  EXPECT_THAT(server_first_error("r=abcd,s=c2Fsd,i=4096"), HasSubstr("salt is invalid base64"));
  EXPECT_THAT(server_first_error("r=abcd,s=c2F*dA==,i=4096"), HasSubstr("salt is invalid base64"));
  EXPECT_THAT(server_first_error("r=abcd,s=,i=4096"), HasSubstr("empty s="));
  EXPECT_THAT(server_first_error("s=c2FsdA==,r=abcd,i=4096"), HasSubstr("has s= where r= belongs"));
  EXPECT_THAT(server_first_error("r=abcd,s=c2FsdA=="), HasSubstr("lacks i="));
  EXPECT_THAT(server_first_error("r=abcd,s=c2FsdA==,i=4096,"), HasSubstr("malformed attribute"));
  EXPECT_THAT(server_first_error("r=abcd,,s=c2FsdA==,i=4096"), HasSubstr("malformed attribute"));
  EXPECT_THAT(server_first_error("r=abcd,s=c2FsdA==,i=4096,x="), HasSubstr("malformed extension x="));
  EXPECT_THAT(server_first_error(""), HasSubstr("is empty"));
  EXPECT_THAT(server_first_error("e=other-error"), HasSubstr("has e= where r= belongs"));
}

TEST(Scram, TheServerFinalMessageIsParsedStrictly) {
  EXPECT_EQ(scram::parse_server_final("v=c2lnbmF0dXJl").verifier, bytes("signature"));
  EXPECT_EQ(scram::parse_server_final("v=c2lnbmF0dXJl,x=ext").verifier, bytes("signature"));
  EXPECT_EQ(scram::parse_server_final("e=invalid-proof").error, "invalid-proof");
  EXPECT_THAT(server_final_error("v="), HasSubstr("empty v="));
  EXPECT_THAT(server_final_error("v=c2lnbmF0dXJl="), HasSubstr("signature is invalid base64"));
  EXPECT_THAT(server_final_error("e="), HasSubstr("malformed e="));
  EXPECT_THAT(server_final_error("x=1"), HasSubstr("has x= where v= belongs"));
  EXPECT_THAT(server_final_error("m=1,v=c2lnbmF0dXJl"), HasSubstr("mandatory extension (m=)"));
  EXPECT_THAT(server_final_error("v=c2lnbmF0dXJl,m=1"), HasSubstr("mandatory extension (m=)"));
  EXPECT_THAT(server_final_error(""), HasSubstr("is empty"));
}

TEST(Scram, TheServersErrorIsReportedPrintable) {
  ScramClient client(Hash::sha256, "user", "pencil", std::string(kRfcClientNonce));
  (void)client.client_final(kRfcServerFirst);
  EXPECT_EQ(message_of([&] { client.verify_server_final("e=invalid-proof"); }),
            "the broker refused the proof: invalid-proof");
  EXPECT_EQ(message_of([&] { client.verify_server_final("e=bad\x1b[31m"); }), "the broker refused the proof: bad?[31m");
}

TEST(Scram, TheExchangeRunsInOrderOnce) {
  ScramClient client(Hash::sha256, "user", "pencil", std::string(kRfcClientNonce));
  EXPECT_THAT(message_of([&] { client.verify_server_final(kRfcServerFinal); }), HasSubstr("before the client-final"));
  (void)client.client_final(kRfcServerFirst);
  EXPECT_THAT(message_of([&] { (void)client.client_final(kRfcServerFirst); }), HasSubstr("already made"));
}

TEST(Scram, ErrorsNeverCarryThePasswordOrTheProof) {
  const std::string password = "hunter2-very-secret";
  ScramServer server(Hash::sha256, password, bytes("salt"), 4096, "srv");
  std::vector<std::string> errors;
  {
    ScramClient client(Hash::sha256, "monitor", password);
    const auto nonce = client.client_first().substr(client.client_first().find(",r=") + 3);
    errors.push_back(message_of([&] { (void)client.client_final("r=" + nonce + "x,s=c2FsdA==,i=10"); }));
  }
  ScramClient client(Hash::sha256, "monitor", password);
  const auto client_final = client.client_final(server.server_first(client.client_first()));
  const auto proof = client_final.substr(client_final.rfind(",p=") + 3);
  errors.push_back(message_of([&] { client.verify_server_final("v=" + proof); }));
  errors.push_back(message_of([&] { client.verify_server_final("v=" + proof + "A"); }));
  for (const auto& error : errors) {
    EXPECT_NE(error, "no error");
    EXPECT_THAT(error, Not(HasSubstr(password)));
    EXPECT_THAT(error, Not(HasSubstr(proof)));
  }
}

}  // namespace
}  // namespace msgwatch::kafka::test
