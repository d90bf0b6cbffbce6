#include "tests/redis/test_support.hpp"

#include "tests/support/process.hpp"

#include <hiredis/hiredis.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace msgwatch::redis::test {

namespace asio = boost::asio;
using asio::ip::tcp;

std::string read_fixture(const std::string& name) {
  const auto path = std::filesystem::path(MSGWATCH_REDIS_FIXTURES) / name;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read fixture " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

RedisReply decode_reply(const std::string& bytes) {
  RespDecoder decoder;
  decoder.feed(bytes);
  auto reply = decoder.next();
  if (!reply) throw std::runtime_error("the bytes hold no whole reply");
  return std::move(*reply);
}

RedisReply text_reply(const std::string& text) { return {RedisReply::Type::string, text, 0, {}}; }

RedisReply integer_reply(std::int64_t value) { return {RedisReply::Type::integer, "", value, {}}; }

RedisReply array_reply(std::vector<RedisReply> elements) {
  return {RedisReply::Type::array, "", 0, std::move(elements)};
}

Collected collect(asio::io_context& io, Probe& probe) {
  Collected out;
  try {
    out.families = run(io, probe.collect());
  } catch (const std::exception& e) {
    out.error = e.what();
    if (out.error.empty()) out.error = "(empty error message)";
  }
  return out;
}

Collected collect(asio::io_context& io, Probe& probe, const std::string& node) {
  auto out = collect(io, probe);
  out.families = node_series(out.families, node);
  return out;
}

SeriesSet node_series(const SeriesSet& page, const std::string& node) {
  SeriesSet view;
  for (const auto& family : page.families()) {
    const auto& names = family.family().labels;
    const bool by_node = names.size() > 0 && names[0] == "node";
    Family described = family.family();
    if (by_node) {
      described.labels = {};
      for (std::size_t l = names.size() - 1; l >= 1; --l) described.labels = described.labels.prepended(names[l]);
    }
    auto& copy = view.family(described);
    for (std::size_t i = 0; i < family.size(); ++i) {
      if (by_node && family.label(i, 0) != node) continue;
      std::vector<std::string_view> labels;
      for (std::size_t l = by_node ? 1 : 0; l < names.size(); ++l) labels.push_back(family.label(i, l));
      copy.add(labels, family.value(i));
    }
  }
  return view;
}

const FamilySeries* find_family(const SeriesSet& families, const std::string& name) {
  const auto* family = families.find(name);
  return family == nullptr || family->empty() ? nullptr : family;
}

LabelMap labels_at(const FamilySeries& family, std::size_t series) {
  LabelMap labels;
  const auto& names = family.family().labels;
  for (std::size_t i = 0; i < names.size(); ++i) labels[std::string(names[i])] = family.label(series, i);
  return labels;
}

std::optional<double> value_of(const SeriesSet& families, const std::string& name, const LabelMap& labels) {
  const auto* family = find_family(families, name);
  if (family == nullptr) return std::nullopt;
  for (std::size_t i = 0; i < family->size(); ++i) {
    if (labels_at(*family, i) == labels) return family->value(i);
  }
  return std::nullopt;
}

LabelMap labels_of(const SeriesSet& families, const std::string& name) {
  const auto* family = find_family(families, name);
  if (family == nullptr) return {};
  return labels_at(*family, 0);
}

std::string bulk(const std::string& text) { return "$" + std::to_string(text.size()) + "\r\n" + text + "\r\n"; }

// ---- FakeRedis ----

FakeRedis::FakeRedis(asio::io_context& io, Handler handler)
    : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), handler_(std::move(handler)) {
  asio::co_spawn(io, accept_loop(), asio::detached);
}

FakeRedis::~FakeRedis() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  drop_connections();
}

std::string FakeRedis::address() const { return "127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }

void FakeRedis::drop_connections() {
  for (auto& weak : sockets_) {
    if (auto socket = weak.lock()) {
      boost::system::error_code ignored;
      socket->shutdown(tcp::socket::shutdown_both, ignored);
      socket->close(ignored);
    }
  }
  sockets_.clear();
}

asio::awaitable<void> FakeRedis::accept_loop() {
  while (acceptor_.is_open()) {
    boost::system::error_code ec;
    auto socket = std::make_shared<tcp::socket>(acceptor_.get_executor());
    co_await acceptor_.async_accept(*socket, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    ++connections;
    sockets_.push_back(socket);
    asio::co_spawn(acceptor_.get_executor(), serve(socket), asio::detached);
  }
}

asio::awaitable<void> FakeRedis::serve(std::shared_ptr<tcp::socket> socket) {
  RespDecoder decoder;
  std::vector<char> buffer(4096);
  while (true) {
    boost::system::error_code ec;
    const std::size_t n =
        co_await socket->async_read_some(asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    decoder.feed(std::string_view(buffer.data(), n));
    while (auto request = decoder.next()) {
      std::vector<std::string> args;
      for (const auto& element : request->elements) args.push_back(element.str);
      commands.push_back(args);
      const auto answer = handler_(args);
      if (!answer) continue;
      co_await asio::async_write(*socket, asio::buffer(*answer), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
    }
  }
}

// ---- redis-server processes ----

namespace {

// PING answered with PONG or with an authentication error: the server is serving.
bool serving(int port) {
  timeval timeout{1, 0};
  std::unique_ptr<redisContext, decltype(&redisFree)> context(redisConnectWithTimeout("127.0.0.1", port, timeout),
                                                              &redisFree);
  if (context == nullptr || context->err != 0) return false;
  std::unique_ptr<redisReply, decltype(&freeReplyObject)> reply(
      static_cast<redisReply*>(redisCommand(context.get(), "PING")), &freeReplyObject);
  if (reply == nullptr) return false;
  const std::string text(reply->str == nullptr ? "" : std::string(reply->str, reply->len));
  return text == "PONG" || text.rfind("NOAUTH", 0) == 0;
}

// Whether the log, from `offset` on, holds `text`.
bool log_says(const std::filesystem::path& log, std::size_t offset, const std::string& text) {
  return msgwatch::test::read_file(log).find(text, offset) != std::string::npos;
}

}  // namespace

// A port found free may be taken by another test's server before this one binds it; then a
// PING would be answered by that other server. Only this server's own log saying it is ready
// proves that the port is its own; a server that lost the race is started again on another.
RedisServerProcess::RedisServerProcess(std::vector<std::string> config_lines)
    : config_lines_(std::move(config_lines)), port_(free_loopback_port()) {
  auto pattern = (std::filesystem::temp_directory_path() / "msgwatch-redis-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  for (int attempt = 1; !try_start(); ++attempt) {
    if (attempt == 5) throw std::runtime_error("redis-server found its port taken 5 times; see " + log().string());
    port_ = free_loopback_port();
  }
}

RedisServerProcess::~RedisServerProcess() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void RedisServerProcess::start() {
  if (!try_start()) {
    throw std::runtime_error("redis-server: port " + std::to_string(port_) + " is taken; see " + log().string());
  }
}

bool RedisServerProcess::try_start() {
  if (pid_ > 0) return true;
  const auto config = dir_ / "redis.conf";
  {
    std::ofstream out(config);
    out << "port " << port_ << "\nbind 127.0.0.1\nsave \"\"\nappendonly no\ndaemonize no\n"
        << "dir " << dir_.string() << "\nlogfile " << log().string() << "\n";
    for (const auto& line : config_lines_) out << line << "\n";
  }
  const std::size_t offset = msgwatch::test::read_file(log()).size();  // what an earlier start wrote
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    const std::string config_path = config.string();
    ::execlp("redis-server", "redis-server", config_path.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  pid_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!(log_says(log(), offset, "Ready to accept connections") && serving(port_))) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      if (log_says(log(), offset, "Address already in use")) return false;
      throw std::runtime_error("redis-server exited at start (is it installed and on PATH?); see " + log().string());
    }
    if (std::chrono::steady_clock::now() > deadline) {
      stop();
      throw std::runtime_error("redis-server did not serve on port " + std::to_string(port_) + " within 30 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

void RedisServerProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  ::kill(pid_, SIGCONT);  // a paused server acts on SIGTERM only once it runs again
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void RedisServerProcess::pause() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void RedisServerProcess::resume() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

}  // namespace msgwatch::redis::test
