#include "support/hostile_peer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <atomic>
#include <future>
#include <random>
#include <stdexcept>
#include <vector>

namespace msgwatch::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Socket = std::shared_ptr<tcp::socket>;

struct HostilePeer::Act {
  enum class Kind { random_bytes, send_and_hold, drip, send_and_close, relay };
  Kind kind = Kind::random_bytes;
  std::string bytes;
  std::chrono::milliseconds every{0};
  std::string relay_to;  // host:port
};

namespace {

void close(const Socket& socket) {
  boost::system::error_code ignored;
  socket->close(ignored);
}

// Copies what `from` sends to `to` until either side closes, then closes both.
asio::awaitable<void> pump(Socket from, Socket to) {
  std::array<char, 16 * 1024> buffer{};
  boost::system::error_code ec;
  for (;;) {
    const auto n = co_await from->async_read_some(asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    co_await asio::async_write(*to, asio::buffer(buffer.data(), n), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
  }
  close(from);
  close(to);
}

// Reads and drops whatever the client sends, so that it never blocks writing; closes the
// connection when the client does.
asio::awaitable<void> drain(Socket socket) {
  std::array<char, 4096> buffer{};
  boost::system::error_code ec;
  while (!ec) co_await socket->async_read_some(asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
  close(socket);
}

asio::awaitable<void> pause(const Socket& socket, std::chrono::milliseconds how_long) {
  asio::steady_timer timer(socket->get_executor(), how_long);
  boost::system::error_code ignored;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

asio::awaitable<void> misbehave(Socket socket, std::shared_ptr<const HostilePeer::Act> act) {
  using Kind = HostilePeer::Act::Kind;
  boost::system::error_code ec;
  switch (act->kind) {
    case Kind::random_bytes: {
      std::mt19937 random(std::random_device{}());
      std::array<std::uint8_t, 4096> chunk{};
      while (!ec) {
        for (auto& byte : chunk) byte = static_cast<std::uint8_t>(random());
        co_await asio::async_write(*socket, asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
        co_await pause(socket, std::chrono::milliseconds(10));
      }
      break;
    }
    case Kind::send_and_hold:
    case Kind::send_and_close:
      co_await asio::async_write(*socket, asio::buffer(act->bytes), asio::redirect_error(asio::use_awaitable, ec));
      if (act->kind == Kind::send_and_close) close(socket);
      break;
    case Kind::drip:
      for (const char byte : act->bytes) {
        co_await pause(socket, act->every);
        co_await asio::async_write(*socket, asio::buffer(&byte, 1), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
      }
      break;
    case Kind::relay:
      break;  // see serve()
  }
}

// Runs `task` detached, keeping its exception (a closed socket mid-write) to itself.
template <class Task>
void spawn(asio::io_context& io, Task task) {
  asio::co_spawn(io, std::move(task), [](const std::exception_ptr&) {});
}

asio::awaitable<void> serve(asio::io_context& io, Socket socket, std::shared_ptr<const HostilePeer::Act> act) {
  if (act->kind != HostilePeer::Act::Kind::relay) {
    spawn(io, drain(socket));
    co_await misbehave(socket, act);
    co_return;
  }
  const auto colon = act->relay_to.rfind(':');
  tcp::resolver resolver(socket->get_executor());
  const auto endpoints = co_await resolver.async_resolve(act->relay_to.substr(0, colon),
                                                         act->relay_to.substr(colon + 1), asio::use_awaitable);
  auto server = std::make_shared<tcp::socket>(socket->get_executor());
  boost::system::error_code ec;
  co_await asio::async_connect(*server, endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    close(socket);
    co_return;
  }
  spawn(io, pump(socket, server));
  spawn(io, pump(server, socket));
}

}  // namespace

struct HostilePeer::State {
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  const std::uint16_t port = acceptor.local_endpoint().port();
  std::atomic<int> connections{0};
  std::shared_ptr<Act> act = std::make_shared<Act>();  // read and replaced on the peer's thread only
  std::vector<std::weak_ptr<tcp::socket>> open;
};

HostilePeer::HostilePeer() : state_(std::make_unique<State>()) {
  spawn(state_->io, [](State& state) -> asio::awaitable<void> {
    for (;;) {
      auto socket = std::make_shared<tcp::socket>(state.io);
      co_await state.acceptor.async_accept(*socket, asio::use_awaitable);
      ++state.connections;
      state.open.push_back(socket);
      spawn(state.io, serve(state.io, socket, state.act));
    }
  }(*state_));
  thread_ = std::thread([this] { state_->io.run(); });
}

HostilePeer::~HostilePeer() {
  state_->io.stop();
  thread_.join();
}

std::string HostilePeer::address() const { return "127.0.0.1:" + std::to_string(state_->port); }

int HostilePeer::connections() const { return state_->connections.load(); }

void HostilePeer::change(Act act) {
  auto next = std::make_shared<Act>(std::move(act));
  auto applied = std::make_shared<std::promise<void>>();
  asio::post(state_->io, [state = state_.get(), next, applied] {
    state->act = next;
    for (const auto& open : state->open) {
      if (const auto socket = open.lock()) close(socket);
    }
    state->open.clear();
    applied->set_value();
  });
  if (applied->get_future().wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    throw std::runtime_error("the hostile peer's thread did not take the change within 10 s");
  }
}

void HostilePeer::random_bytes() { change({}); }

void HostilePeer::send_and_hold(std::string bytes) {
  change({Act::Kind::send_and_hold, std::move(bytes), std::chrono::milliseconds(0), ""});
}

void HostilePeer::drip(std::string bytes, std::chrono::milliseconds every) {
  change({Act::Kind::drip, std::move(bytes), every, ""});
}

void HostilePeer::send_and_close(std::string bytes) {
  change({Act::Kind::send_and_close, std::move(bytes), std::chrono::milliseconds(0), ""});
}

void HostilePeer::relay_to(std::string host_port) {
  change({Act::Kind::relay, {}, std::chrono::milliseconds(0), std::move(host_port)});
}

}  // namespace msgwatch::test
