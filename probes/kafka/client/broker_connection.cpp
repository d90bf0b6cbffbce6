#include "probes/kafka/client/broker_connection.hpp"

#include "exporter/sdk/async_event.hpp"
#include "probes/kafka/client/scram.hpp"
#include "probes/kafka/protocol/messages/sasl.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <optional>
#include <string_view>

namespace msgwatch::kafka {
namespace asio = boost::asio;
using asio::ip::tcp;

struct BrokerConnection::Pending {
  explicit Pending(const asio::any_io_executor& executor) : done(executor) {}
  AsyncEvent done;
  std::vector<std::uint8_t> frame;  // response header + body, without the size prefix
  std::string error;
};

// The threaded resolver completes only when getaddrinfo returns, even when cancelled:
// connect() waits on an event that its deadline and close() can end too.
struct BrokerConnection::Resolving {
  explicit Resolving(const asio::any_io_executor& executor) : resolver(executor), done(executor) {}
  tcp::resolver resolver;
  AsyncEvent done;
  boost::system::error_code error;
  tcp::resolver::results_type endpoints;
};

namespace {

std::uint32_t read_be32(const std::uint8_t* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
         std::uint32_t{bytes[3]};
}

// How long before the end of a SASL session a connection stops being handed out: 15 % of
// the lifetime, but at least min(1 s, half the lifetime), so that a short lifetime still
// leaves room for the requests already on their way.
std::chrono::milliseconds reauthentication_margin(std::chrono::milliseconds lifetime) {
  return std::max(lifetime / 20 * 3, std::min<std::chrono::milliseconds>(std::chrono::seconds(1), lifetime / 2));
}

void append(std::vector<std::uint8_t>& bytes, std::string_view text) {
  bytes.insert(bytes.end(), text.begin(), text.end());
}

std::string_view as_text(const std::vector<std::uint8_t>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// A secret (or a reference to one) wiped however the scope is left, also by an exception
// thrown through a coroutine.
template <class Secret>
struct WipedOnExit {
  Secret value;
  ~WipedOnExit() { scram::wipe(value); }
};

}  // namespace

BrokerConnection::BrokerConnection(asio::any_io_executor executor, std::string host, std::uint16_t port,
                                   ConnectionOptions options, std::string broker_label)
    : executor_(std::move(executor)),
      host_(std::move(host)),
      port_(port),
      broker_label_(std::move(broker_label)),
      options_(std::move(options)),
      stream_(executor_, options_.tls ? &*options_.tls : nullptr) {}

BrokerConnection::~BrokerConnection() {
  boost::system::error_code ignored;
  stream_.socket().close(ignored);
}

asio::awaitable<void> BrokerConnection::connect() {
  auto self = shared_from_this();
  if (connect_started_ || closed_) throw KafkaError(address() + ": connection already used or closed");
  connect_started_ = true;
  const auto deadline = Clock::now() + options_.connect_timeout;
  const auto timed_out = [this] {
    return KafkaError(address() + ": connect timed out after " + std::to_string(options_.connect_timeout.count()) +
                      "ms");
  };

  auto resolving = std::make_shared<Resolving>(executor_);
  resolving_ = resolving;
  resolving->resolver.async_resolve(
      host_, std::to_string(port_),
      [resolving](boost::system::error_code error, tcp::resolver::results_type endpoints) {
        resolving->error = error;
        resolving->endpoints = std::move(endpoints);
        resolving->done.set();
      });
  const bool resolved = co_await resolving->done.wait_until(deadline);
  resolving_.reset();
  throw_if_closed("resolving");
  if (!resolved) {
    resolving->resolver.cancel();
    throw timed_out();
  }
  if (resolving->error) throw KafkaError(address() + ": resolve: " + resolving->error.message());

  // close() closes the socket, which ends async_connect without trying further endpoints,
  // and the TLS handshake; the watchdog does the same at the deadline.
  asio::steady_timer watchdog(executor_);
  auto waiting = std::make_shared<bool>(true);
  auto expired = std::make_shared<bool>(false);
  watchdog.expires_at(deadline);
  watchdog.async_wait([self, waiting, expired](boost::system::error_code error) {
    if (error || !*waiting) return;  // a completion already queued when cancelled must not close
    *expired = true;
    self->stream_.socket().close(error);
  });
  boost::system::error_code error;
  co_await asio::async_connect(stream_.socket(), resolving->endpoints,
                               asio::redirect_error(asio::use_awaitable, error));
  std::string handshake_failure;
  if (!error && !closed_ && !*expired) {
    boost::system::error_code ignored;
    stream_.socket().set_option(tcp::no_delay(true), ignored);
    co_await stream_.handshake(host_, error, handshake_failure);
  }
  *waiting = false;
  watchdog.cancel();
  throw_if_closed(handshake_failure.empty() ? "connecting" : "in the TLS handshake");
  if (*expired) {
    fail_all("connect timed out");
    throw timed_out();
  }
  if (error) {
    fail_all("connect failed");
    throw KafkaError(handshake_failure.empty() ? address() + ": connect: " + error.message()
                                               : "tls handshake with " + address() + ": " + handshake_failure);
  }
  open_ = true;
  asio::co_spawn(executor_, read_loop(), asio::detached);

  // Whatever goes wrong from here, the socket must not stay open behind a failed connect().
  std::exception_ptr failure;
  try {
    co_await negotiate_versions();
    throw_if_closed("negotiating versions");
    if (options_.sasl) {
      co_await authenticate();
      throw_if_closed("authenticating");
    }
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    close();
    std::rethrow_exception(failure);
  }
}

void BrokerConnection::throw_if_closed(const char* stage) const {
  if (closed_) throw KafkaError(address() + ": connection closed while " + stage);
}

bool BrokerConnection::usable() const { return open_ && !retired_ && (!replace_at_ || Clock::now() < *replace_at_); }

void BrokerConnection::retire() {
  retired_ = true;
  if (pending_.empty()) fail_all("retired: its SASL session is ending");
}

asio::awaitable<void> BrokerConnection::authenticate() {
  const auto& sasl = *options_.sasl;
  const std::string mechanism(to_string(sasl.mechanism));
  WipedOnExit<std::string> password;
  try {
    if (sasl.password) password.value = sasl.password();
  } catch (const std::exception& e) {
    close();
    throw KafkaError(address() + ": cannot read the SASL password of " + sasl.username + ": " + e.what());
  } catch (...) {
    close();
    throw KafkaError(address() + ": cannot read the SASL password of " + sasl.username);
  }
  // Named, not a temporary: GCC 12 destroys temporaries of a co_await expression twice.
  const protocol::SaslHandshakeRequest handshake_request{mechanism};
  const auto handshake =
      co_await send<protocol::SaslHandshakeRequest, protocol::SaslHandshakeResponse>(handshake_request);
  if (handshake.error_code != protocol::ErrorCode::none) {
    close();
    std::string offered;
    for (const auto& name : handshake.mechanisms) offered += (offered.empty() ? "" : ", ") + name;
    throw KafkaError(address() + ": SASL mechanism " + mechanism + " refused (broker offers: " + offered + ")",
                     handshake.error_code);
  }
  const auto failed = [&](const std::string& why) {
    return sasl_failure(why, protocol::ErrorCode::sasl_authentication_failed);
  };

  // The broker counts the session from when it authenticated us; counting from before the
  // last request was sent keeps our deadline the earlier of the two.
  auto sent_at = Clock::now();
  protocol::SaslAuthenticateResponse result;
  if (sasl.mechanism == SaslMechanism::plain) {
    // RFC 4616: authorization id (empty), NUL, user name, NUL, password.
    protocol::SaslAuthenticateRequest request;
    request.auth_bytes.push_back(0);
    append(request.auth_bytes, sasl.username);
    request.auth_bytes.push_back(0);
    append(request.auth_bytes, password.value);
    scram::wipe(password.value);
    result = co_await sasl_round(request);
  } else {
    // SCRAM: client-first, the broker's server-first (nonce, salt, iterations), client-final
    // with the proof, and the broker's server-final, whose signature shows that it knows the
    // credentials too. Hashing the password (PBKDF2) takes a few milliseconds on this thread.
    const auto hash = sasl.mechanism == SaslMechanism::scram_sha_256 ? scram::Hash::sha256 : scram::Hash::sha512;
    std::optional<scram::ScramClient> exchange;
    try {
      exchange.emplace(hash, sasl.username, password.value);
    } catch (const scram::ScramError& e) {
      throw failed(e.what());
    }
    scram::wipe(password.value);
    protocol::SaslAuthenticateRequest client_first;
    append(client_first.auth_bytes, exchange->client_first());
    const auto server_first = co_await sasl_round(client_first);
    protocol::SaslAuthenticateRequest client_final;
    try {
      append(client_final.auth_bytes, exchange->client_final(as_text(server_first.auth_bytes)));
    } catch (const scram::ScramError& e) {
      throw failed(e.what());
    }
    sent_at = Clock::now();
    result = co_await sasl_round(client_final);
    try {
      exchange->verify_server_final(as_text(result.auth_bytes));
    } catch (const scram::ScramError& e) {
      throw failed(e.what());
    }
  }
  // session_lifetime_ms exists from SaslAuthenticate v1 (Kafka 2.2, KIP-368), which every
  // broker that expires sessions serves; 0 means the session does not expire. With SCRAM the
  // broker tells it in its last answer.
  if (result.session_lifetime_ms > 0) {
    const auto lifetime = std::chrono::milliseconds(
        std::min<std::int64_t>(result.session_lifetime_ms, std::chrono::milliseconds(std::chrono::days(365)).count()));
    session_expiry_ = sent_at + lifetime;
    replace_at_ = sent_at + lifetime - reauthentication_margin(lifetime);
  }
  spdlog::debug("kafka {}: authenticated as {} with {} (SaslAuthenticate v{}), session lifetime {} ms", address(),
                sasl.username, mechanism, version_of<protocol::SaslAuthenticateRequest>().value_or(-1),
                result.session_lifetime_ms);
}

asio::awaitable<protocol::SaslAuthenticateResponse> BrokerConnection::sasl_round(
    protocol::SaslAuthenticateRequest& request) {
  const WipedOnExit<std::vector<std::uint8_t>&> sent{request.auth_bytes};
  auto response = co_await send<protocol::SaslAuthenticateRequest, protocol::SaslAuthenticateResponse>(request);
  if (response.error_code != protocol::ErrorCode::none) {
    throw sasl_failure(response.error_message.value_or(std::string(protocol::name(response.error_code))),
                       response.error_code);
  }
  co_return response;
}

KafkaError BrokerConnection::sasl_failure(const std::string& why, protocol::ErrorCode code) {
  close();
  const auto& sasl = *options_.sasl;
  return KafkaError(address() + ": SASL/" + std::string(to_string(sasl.mechanism)) + " authentication as " +
                        sasl.username + " failed: " + why,
                    code);
}

asio::awaitable<void> BrokerConnection::negotiate_versions() {
  protocol::ApiVersionsRequest request;
  request.client_software_name = "msgwatch";
  request.client_software_version = "1";
  for (const std::int16_t version : {std::int16_t{3}, std::int16_t{0}}) {
    const auto correlation_id = next_correlation_id_++;
    auto frame =
        co_await round_trip(protocol::encode_request_frame(request, version, correlation_id, options_.client_id),
                            correlation_id, protocol::ApiKey::api_versions);
    try {
      api_versions_ = protocol::decode_response<protocol::ApiVersionsResponse>(frame, version, correlation_id);
    } catch (const protocol::DecodeError& e) {
      close();
      throw KafkaError(address() + ": malformed ApiVersions response: " + e.what());
    }
    if (api_versions_.error_code == protocol::ErrorCode::none) co_return;
    if (api_versions_.error_code != protocol::ErrorCode::unsupported_version) break;
  }
  close();
  throw KafkaError(address() + ": ApiVersions failed: " + std::string(protocol::name(api_versions_.error_code)),
                   api_versions_.error_code);
}

asio::awaitable<std::vector<std::uint8_t>> BrokerConnection::round_trip(std::vector<std::uint8_t> frame,
                                                                        std::int32_t correlation_id,
                                                                        protocol::ApiKey api) {
  if (!open_) throw KafkaError(address() + ": not connected");
  auto self = shared_from_this();
  options_.stats->sent(api);
  const auto sent_at = std::chrono::steady_clock::now();
  auto pending = std::make_shared<Pending>(executor_);
  pending_[correlation_id] = pending;
  write_queue_.push_back(std::move(frame));
  if (!writing_) {
    writing_ = true;
    asio::co_spawn(executor_, write_loop(), asio::detached);
  }
  const bool answered = co_await pending->done.wait_until(std::chrono::steady_clock::now() + options_.request_timeout);
  if (!answered) {
    options_.stats->failed(api);
    close();
    throw KafkaError(address() + ": no " + protocol::to_string(api) + " response within " +
                         std::to_string(options_.request_timeout.count()) + "ms",
                     protocol::ErrorCode::request_timed_out);
  }
  if (!pending->error.empty()) {
    options_.stats->failed(api);
    throw KafkaError(address() + ": " + protocol::to_string(api) + ": " + pending->error);
  }
  options_.stats->answered(api, broker_label_,
                           std::chrono::duration<double>(std::chrono::steady_clock::now() - sent_at).count());
  co_return std::move(pending->frame);
}

// Spawned detached: nothing may escape, so any exception (say, no memory for a frame) ends
// the connection instead.
asio::awaitable<void> BrokerConnection::write_loop() {
  auto self = shared_from_this();
  try {
    while (open_ && !write_queue_.empty()) {
      auto frame = std::move(write_queue_.front());
      write_queue_.pop_front();
      boost::system::error_code ec;
      co_await stream_.write(asio::buffer(frame), ec);
      if (ec) {
        fail_all("write: " + ec.message());
        break;
      }
    }
  } catch (...) {
    fail_all("write failed");
  }
  writing_ = false;
}

asio::awaitable<void> BrokerConnection::read_loop() {
  auto self = shared_from_this();
  try {
    while (open_) {
      std::uint8_t size_bytes[4];
      boost::system::error_code ec;
      co_await stream_.read(asio::buffer(size_bytes), ec);
      if (ec) {
        fail_all(ec == asio::error::eof ? "connection closed by broker" : "read: " + ec.message());
        break;
      }
      std::size_t size = 0;
      try {
        size = protocol::decode_frame_size(std::span<const std::uint8_t, 4>(size_bytes), options_.max_response_bytes);
      } catch (const protocol::DecodeError& e) {
        fail_all(std::string("refusing a response frame: ") + e.what());
        break;
      }
      auto frame = co_await read_frame_body(size, ec);
      if (ec) {
        fail_all("read: " + ec.message());
        break;
      }
      const auto correlation_id = static_cast<std::int32_t>(read_be32(frame.data()));
      const auto it = pending_.find(correlation_id);
      if (it == pending_.end()) {
        fail_all("response with unknown correlation id " + std::to_string(correlation_id));
        break;
      }
      it->second->frame = std::move(frame);
      it->second->done.set();
      pending_.erase(it);
      if (retired_ && pending_.empty()) {
        fail_all("retired: its SASL session is ending");
        break;
      }
    }
  } catch (...) {
    fail_all("read failed");
  }
}

// The size prefix is only a claim: memory grows with the bytes that have arrived (each chunk
// at most as large as what came before it, and 64 KiB at first), so a peer announcing 100 MiB
// and sending a few bytes costs a few bytes, not 100 MiB.
asio::awaitable<std::vector<std::uint8_t>> BrokerConnection::read_frame_body(std::size_t size,
                                                                             boost::system::error_code& ec) {
  constexpr std::size_t first_chunk = 64 * 1024;
  std::vector<std::uint8_t> frame;
  while (frame.size() < size) {
    const auto have = frame.size();
    const auto chunk = std::min(size - have, std::max(first_chunk, have));
    frame.resize(have + chunk);
    co_await stream_.read(asio::buffer(frame.data() + have, chunk), ec);
    if (ec) break;
  }
  co_return frame;
}

void BrokerConnection::fail_all(std::string_view reason) noexcept {
  const bool was_open = open_;
  open_ = false;
  closed_ = true;
  boost::system::error_code ignored;
  stream_.socket().close(ignored);
  auto pending = std::move(pending_);
  pending_.clear();
  write_queue_.clear();
  try {
    if (resolving_) {
      resolving_->resolver.cancel();
      resolving_->done.set();  // wakes connect(), which sees closed_
    }
    if (was_open) spdlog::debug("kafka connection {} closed: {}", address(), reason);
    for (auto& [id, request] : pending) {
      request->error = std::string(reason);
      request->done.set();
    }
  } catch (...) {
    // No memory, or a timer that cannot be cancelled: the waiters still end at their deadline.
  }
}

void BrokerConnection::close() { fail_all("closed"); }

}  // namespace msgwatch::kafka
