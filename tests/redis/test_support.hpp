#pragma once
// Helpers shared by the Redis tests: running coroutines to completion, reading fixtures,
// looking up series, a scripted fake Redis server and real redis-server processes.

#include "exporter/sdk/probe.hpp"
#include "probes/redis/resp_codec.hpp"
#include "support/test_environment.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace msgwatch::redis::test {

std::string read_fixture(const std::string& name);

// The one reply in `bytes` (a captured fixture); throws unless they hold a whole one.
RedisReply decode_reply(const std::string& bytes);
// Hand-made replies.
RedisReply text_reply(const std::string& text);
RedisReply integer_reply(std::int64_t value);
RedisReply array_reply(std::vector<RedisReply> elements);

// Runs the io_context until `task` finishes (other work, such as a fake server, may remain).
template <typename T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
  std::optional<T> result;
  std::exception_ptr error;
  bool done = false;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result = std::move(value);
    done = true;
  });
  io.restart();
  while (!done) {
    if (io.run_one() == 0) throw std::logic_error("io_context ran out of work before the task finished");
  }
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

// Runs collect() and returns its families, or the exception's message as the error.
struct Collected {
  SeriesSet families;
  std::string error;  // empty on success
};
Collected collect(boost::asio::io_context& io, Probe& probe);
// The same, with the families as node_series() gives them for `node`.
Collected collect(boost::asio::io_context& io, Probe& probe, const std::string& node);

// One server's view of a redis probe's page: the series labelled node="<node>" without that
// label, and the families that have no node label (queues) as they are.
SeriesSet node_series(const SeriesSet& page, const std::string& node);

using LabelMap = std::map<std::string, std::string>;

// The family, if it has series.
const FamilySeries* find_family(const SeriesSet& families, const std::string& name);
// The labels of one series.
LabelMap labels_at(const FamilySeries& family, std::size_t series);
// The value of the series with exactly these labels, if present.
std::optional<double> value_of(const SeriesSet& families, const std::string& name, const LabelMap& labels = {});
// Labels of the first series of a family.
LabelMap labels_of(const SeriesSet& families, const std::string& name);

// A TCP server on 127.0.0.1 speaking just enough RESP for scripted tests: every command
// received is recorded and passed to the handler, whose answer (raw RESP bytes) is sent back;
// no answer (nullopt) leaves the client waiting.
class FakeRedis {
 public:
  using Handler = std::function<std::optional<std::string>(const std::vector<std::string>& args)>;

  FakeRedis(boost::asio::io_context& io, Handler handler);
  ~FakeRedis();

  [[nodiscard]] std::string address() const;
  // Closes every accepted connection, as a server restart or an idle timeout would.
  void drop_connections();

  std::vector<std::vector<std::string>> commands;
  int connections = 0;

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(std::shared_ptr<boost::asio::ip::tcp::socket> socket);

  boost::asio::ip::tcp::acceptor acceptor_;
  Handler handler_;
  std::vector<std::weak_ptr<boost::asio::ip::tcp::socket>> sockets_;
};

// INFO text the fake server can serve: the real Redis 7.0 capture.
std::string bulk(const std::string& text);

// A redis-server child process on a free loopback port, configured by extra redis.conf lines.
// Stopped (SIGTERM, then waited for) by the destructor; dies with the test process too.
class RedisServerProcess {
 public:
  explicit RedisServerProcess(std::vector<std::string> config_lines = {});
  ~RedisServerProcess();
  RedisServerProcess(const RedisServerProcess&) = delete;
  RedisServerProcess& operator=(const RedisServerProcess&) = delete;

  void start();  // on the same port as before
  void stop();
  // SIGSTOP and SIGCONT: a server that accepts nothing and answers nothing, then carries on.
  void pause();
  void resume();
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // The server's own directory: redis.conf, redis.log and anything the server writes (dir).
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

 private:
  // false: the port was taken, by a server not this one (see the constructor).
  bool try_start();
  [[nodiscard]] std::filesystem::path log() const { return dir_ / "redis.log"; }

  std::vector<std::string> config_lines_;
  std::filesystem::path dir_;
  int port_ = 0;
  int pid_ = -1;
};

using msgwatch::test::free_loopback_port;

}  // namespace msgwatch::redis::test
