// ClusterClient against a scripted broker on loopback: one connection attempt per broker
// however many requests ask at once, and connections replaced before their SASL session ends.

#include "probes/kafka/client/cluster_client.hpp"

#include "fake_broker.hpp"
#include "probes/kafka/client/gather.hpp"
#include "run_until.hpp"

#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>

namespace msgwatch::kafka::test {
namespace {

namespace asio = boost::asio;
using Connection = std::shared_ptr<BrokerConnection>;

asio::awaitable<void> read_metadata(ClusterClient& client) {
  const protocol::MetadataRequest every_topic;
  co_await client.metadata(every_topic);
}

// Three requests for broker 1 at once, as the snapshot reader sends them.
asio::awaitable<void> three_at_once(ClusterClient& client, std::vector<Connection>& got) {
  std::vector<asio::awaitable<Connection>> tasks;
  for (int i = 0; i < 3; ++i) tasks.push_back(client.broker(1));
  for (const auto& outcome : co_await gather(std::move(tasks))) {
    if (outcome.error) std::rethrow_exception(outcome.error);
    got.push_back(*outcome.value);
  }
}

ConnectionOptions sasl_options(int& password_reads) {
  ConnectionOptions options;
  options.sasl = SaslCredentials{"monitor", [&password_reads] {
                                   ++password_reads;
                                   return std::string("monitor-pw");
                                 }};
  return options;
}

TEST(ClusterClientTest, RequestsForOneBrokerAtOnceShareOneConnection) {
  asio::io_context io;
  FakeBroker broker(io, {});
  ClusterClient client(io.get_executor(), {"127.0.0.1:" + std::to_string(broker.port())}, {});
  run_task(io, read_metadata(client));
  EXPECT_EQ(broker.accepted(), 1);  // the bootstrap connection

  std::vector<Connection> got;
  run_task(io, three_at_once(client, got));
  ASSERT_EQ(got.size(), 3U);
  EXPECT_EQ(got[0], got[1]);
  EXPECT_EQ(got[0], got[2]);
  EXPECT_TRUE(got[0]->usable());
  EXPECT_EQ(broker.accepted(), 2);

  client.close_all();
  EXPECT_FALSE(got[0]->is_open());
  EXPECT_TRUE(run_until(io, [&] { return broker.closed_by_client() == 2; }));
}

TEST(ClusterClientTest, AConnectionWhoseSessionEndsIsReplacedAndThenClosed) {
  asio::io_context io;
  FakeBroker broker(io, scripted([](FakeBrokerScript& s) { s.session_lifetime_ms = 3000; }));
  int password_reads = 0;
  ClusterClient client(io.get_executor(), {"127.0.0.1:" + std::to_string(broker.port())}, sasl_options(password_reads));
  run_task(io, read_metadata(client));

  std::vector<Connection> first;
  run_task(io, three_at_once(client, first));
  ASSERT_EQ(first.size(), 3U);
  const auto old = first[0];
  EXPECT_EQ(password_reads, 2);  // bootstrap and broker 1
  ASSERT_TRUE(run_until(io, [&] { return !old->usable(); })) << "the session lifetime was ignored";
  EXPECT_TRUE(old->is_open());

  std::vector<Connection> second;
  run_task(io, three_at_once(client, second));
  ASSERT_EQ(second.size(), 3U);
  EXPECT_NE(second[0], old);
  EXPECT_EQ(second[0], second[1]);
  EXPECT_EQ(second[0], second[2]);
  EXPECT_TRUE(second[0]->usable());
  EXPECT_EQ(password_reads, 3) << "the new connection authenticates with a fresh read of the password";
  EXPECT_EQ(broker.accepted(), 3);
  EXPECT_FALSE(old->is_open()) << "the replaced connection was idle and closes at once";

  // The bootstrap connection's session ended too; Metadata goes over broker 1's fresh one.
  run_task(io, read_metadata(client));
  EXPECT_EQ(broker.accepted(), 3);

  client.close_all();
  EXPECT_FALSE(second[0]->is_open());
}

}  // namespace
}  // namespace msgwatch::kafka::test
