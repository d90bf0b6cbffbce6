// From a fault to a page: the daemon, a real Prometheus loaded with the shipped rules and a
// real Alertmanager with the shipped routing and inhibitions (tests/support/alerting_stack),
// a webhook receiver in place of the pager and the chat. A healthy platform pages nobody; a
// consumer group that stops pages the on-call person, and so does a read_committed consumer
// blocked by a transaction its producer left open; a cluster that goes away pages once and
// holds (and inhibits) what was firing about it, and so does one whose credentials for the
// daemon are revoked; a broker stopped pages (and its
// under-replicated partitions open a ticket); an unclean leader election that truncates a
// log pages; a Redis cache that evicts opens a ticket, one that refuses writes
// pages, and when it then goes down, that page is neither resolved nor repeated: the down
// alert explains it.

#include "support/alerting_stack.hpp"
#include "support/daemon_process.hpp"
#include "support/kafka_admin.hpp"
#include "support/kafka_cli.hpp"
#include "support/kafka_group.hpp"
#include "support/kafka_producer.hpp"
#include "support/kafka_sasl.hpp"
#include "support/own_kafka.hpp"
#include "support/test_environment.hpp"
#include "support/wait.hpp"
#include "tests/redis/test_support.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <memory>
#include <optional>
#include <thread>

namespace msgwatch::test {
namespace {

constexpr auto kPage = 60s;  // from a fault to its notification, generously

std::string received_text(const AlertingStack& stack) {
  std::string text;
  for (const auto& alert : stack.received()) text += alert.describe() + "\n";
  return text;
}

// `alertname`, once its probe's data is gone, is held by the rule (firing with the value NaN,
// which only the hold gives), suppressed by Alertmanager's inhibition, and was never
// resolved at the receiver.
void expect_held_and_inhibited(const AlertingStack& stack, const std::string& alertname) {
  const auto held = stack.prometheus_alert(alertname);
  EXPECT_NE(held.find("\"state\":\"firing\""), std::string::npos) << held << "\n" << stack.describe_state();
  EXPECT_NE(held.find("\"value\":\"NaN\""), std::string::npos) << held;
  const auto inhibited = stack.alertmanager_alert(alertname);
  EXPECT_NE(inhibited.find("\"state\":\"suppressed\""), std::string::npos) << inhibited;
  for (const auto& alert : stack.received()) {
    if (alert.labels.at("alertname") == alertname) {
      EXPECT_EQ(alert.status, "firing") << "resolved because the probe failed: " << alert.describe();
    }
  }
}

TEST(AlertingEndToEnd, AHealthyPlatformPagesNobodyAndAStoppedConsumerGroupPagesTheOnCall) {
  OwnKafka kafka;  // its own: other tests' transactions and groups on a shared broker are not healthy
  KafkaAdmin admin(kafka.bootstrap());
  const auto topic = unique_name("orders");
  admin.create_topic(topic, 1);
  produce_messages(kafka.bootstrap(), topic, 0, 100);
  const auto group = unique_name("billing");
  auto consumer = std::make_unique<ActiveConsumer>(kafka.bootstrap(), group, std::vector<std::string>{topic});
  consumer->wait_until_assigned();
  consumer->commit({{topic, 0, 100}});

  DaemonProcess daemon(kafka_lag_config(
      kafka.bootstrap(), "      topics: {include: ['" + topic + "']}\n      groups: {include: ['" + group + "']}\n"));
  daemon.wait_ready();
  AlertingStack stack(daemon.listen_address());

  // Healthy: the consumer keeps up. With every `for:` in seconds this is the better part of
  // an hour of production time, and nothing may reach the pager or the chat.
  for (int i = 0; i < 30; ++i) {
    produce_messages(kafka.bootstrap(), topic, 0, 2);
    consumer->commit({{topic, 0, 102 + 2 * i}});
    std::this_thread::sleep_for(1s);
  }
  EXPECT_EQ(received_text(stack), "") << stack.describe_state();

  // The consumer leaves with messages unread and new ones arriving: STOP, a page.
  produce_messages(kafka.bootstrap(), topic, 0, 50);
  consumer->stop();
  const std::map<std::string, std::string> labels{
      {"cluster", "it"}, {"consumergroup", group}, {"severity", "page"}, {"probe", "kafka_lag"}};
  const auto paged = stack.wait_for("pager", "KafkaConsumerGroupStopped", "firing", labels, kPage);
  stack.wait_for("chat", "KafkaConsumerGroupStopped", "firing", labels, kPage);
  for (const auto& alert : stack.received()) {
    EXPECT_EQ(alert.labels.at("alertname"), "KafkaConsumerGroupStopped") << "nothing else pages: " << alert.describe();
  }
  EXPECT_EQ(paged.labels.at("job"), "msgwatch");
  daemon.stop();
}

// Exactly-once's quiet failure: a transactional producer dies inside a transaction, the
// partition's last stable offset stays where the transaction began, and a read_committed
// consumer waits there receiving nothing. Its group is BLOCKED and the on-call person is
// paged, until the coordinator aborts the transaction.
TEST(AlertingEndToEnd, AProducerKilledInsideATransactionPagesForItsReadCommittedConsumers) {
  OwnKafka kafka;  // its own: other tests' transactions on a shared broker would count too
  KafkaAdmin admin(kafka.bootstrap());
  const auto topic = unique_name("ledger");
  admin.create_topic(topic, 1);
  produce_messages(kafka.bootstrap(), topic, 0, 10);
  const auto group = unique_name("ledger-reader");
  commit_offsets(kafka.bootstrap(), group, {{topic, 0, 10}});  // read everything committed
  DaemonProcess daemon(
      kafka_lag_config(kafka.bootstrap(), "      topics: {include: ['" + topic + "']}\n      groups: {include: ['" +
                                              group + "']}\n      read_committed_groups: {include: ['" + group +
                                              "']}\n" + "    transactions:\n      lso_stall_after: 3s\n"));
  daemon.wait_ready();
  AlertingStack stack(daemon.listen_address());
  const auto id = unique_name("ledger-writer");
  {  // destroyed without ending the transaction, as a killed process leaves it
    KafkaProducer producer(kafka.bootstrap(),
                           {.transactional_id = id, .settings = {{"transaction.timeout.ms", "30000"}}});
    producer.begin_transaction();
    producer.produce(topic, 0, 5);
  }
  const std::map<std::string, std::string> labels{{"cluster", "it"}, {"consumergroup", group}, {"severity", "page"}};
  stack.wait_for("pager", "KafkaConsumerGroupBlockedByTransaction", "firing", labels, kPage);
  stack.wait_for("chat", "KafkaConsumerGroupBlockedByTransaction", "firing", labels, kPage);
  for (const auto& alert : stack.received()) {
    EXPECT_EQ(alert.labels.at("alertname"), "KafkaConsumerGroupBlockedByTransaction")
        << "nothing else pages: " << alert.describe();
  }
  daemon.stop();
}

// A Kafka cluster msgwatch can no longer reach at all pages once: what was firing about it
// (a stopped consumer group) is held, not resolved, and inhibited by KafkaClusterUnreachable.
TEST(AlertingEndToEnd, AKafkaClusterThatGoesAwayPagesOnceAndHoldsWhatWasFiring) {
  OwnKafka kafka;
  const auto topic = unique_name("orders");
  KafkaAdmin(kafka.bootstrap()).create_topic(topic, 1);
  produce_messages(kafka.bootstrap(), topic, 0, 100);
  const auto group = unique_name("billing");
  {
    ActiveConsumer consumer(kafka.bootstrap(), group, {topic});
    consumer.wait_until_assigned();
    consumer.commit({{topic, 0, 40}});
  }  // left with 60 messages unread: STOP once nothing moved for commit_window
  DaemonProcess daemon(kafka_lag_config(kafka.bootstrap(), "      topics: {include: ['" + topic +
                                                               "']}\n      groups: {include: ['" + group +
                                                               "']}\n      commit_window: 5s\n"));
  daemon.wait_ready();
  AlertingStack stack(daemon.listen_address());
  const auto stopped = stack.wait_for("pager", "KafkaConsumerGroupStopped", "firing",
                                      {{"cluster", "it"}, {"consumergroup", group}}, kPage);

  // A crash: the next cycle finds no broker. (A clean shutdown passes through cycles that
  // still read the cluster but not the group, whose series then vanish: see the README.)
  kafka.kill_node(0);
  const auto unreachable =
      stack.wait_for("pager", "KafkaClusterUnreachable", "firing", {{"cluster", "it"}, {"severity", "page"}}, kPage);
  EXPECT_GT(unreachable.notification, stopped.notification);
  std::this_thread::sleep_for(10s);  // past the probe's stale_after: the group's series are gone
  expect_held_and_inhibited(stack, "KafkaConsumerGroupStopped");
  for (const auto& alert : stack.received()) {
    EXPECT_EQ(alert.status, "firing") << "resolved because the cluster went away: " << alert.describe();
  }
  daemon.stop();
}

// The daemon's own credentials revoked (its SCRAM credential deleted from the cluster): once
// the broker's session lifetime ends its connections, it cannot read the cluster. That pages
// once, as the cluster being unreachable (whose description names refused credentials), and
// the stopped group's page stays firing, held and suppressed, never resolved.
TEST(AlertingEndToEnd, TheDaemonsCredentialsRevokedPagesOnceAndHoldsWhatWasFiring) {
  OwnKafka kafka(1, scram_broker_settings({"listener.name.plaintext.connections.max.reauth.ms=5000"}));
  const auto admin = sasl_admin_client_settings();
  const auto topic = unique_name("orders");
  KafkaAdmin(kafka.bootstrap(), admin).create_topic(topic, 1);
  {
    KafkaProducer producer(kafka.bootstrap(), {.transactional_id = std::nullopt, .settings = admin});
    producer.produce(topic, 0, 100);
  }
  const auto group = unique_name("billing");
  {
    ActiveConsumer consumer(kafka.bootstrap(), group, {topic}, admin);
    consumer.wait_until_assigned();
    consumer.commit({{topic, 0, 40}});
  }  // left with 60 messages unread: STOP once nothing moved for commit_window
  const std::string password = unique_name("scram-pw");
  alter_scram_credentials(kafka.bootstrap(), "monitor", {"--add-config", "SCRAM-SHA-256=[password=" + password + "]"});
  DaemonProcess daemon("kafka:\n  - name: it\n    bootstrap_servers: [" + kafka.bootstrap() +
                       "]\n    sasl: {mechanism: SCRAM-SHA-256, username: monitor, password_file: " +
                       write_temp_file("kafka-password", password + "\n").string() +
                       "}\n    lag:\n      interval: 1s\n      timeout: 1s\n      topics: {include: ['" + topic +
                       "']}\n      groups: {include: ['" + group + "']}\n      commit_window: 5s\n");
  daemon.wait_ready();
  AlertingStack stack(daemon.listen_address());
  const auto stopped = stack.wait_for("pager", "KafkaConsumerGroupStopped", "firing",
                                      {{"cluster", "it"}, {"consumergroup", group}}, kPage);

  alter_scram_credentials(kafka.bootstrap(), "monitor", {"--delete-config", "SCRAM-SHA-256"});
  const auto unreachable =
      stack.wait_for("pager", "KafkaClusterUnreachable", "firing", {{"cluster", "it"}, {"severity", "page"}}, kPage);
  EXPECT_GT(unreachable.notification, stopped.notification);
  EXPECT_NE(daemon.log().find("SASL/SCRAM-SHA-256 authentication as monitor failed"), std::string::npos)
      << "the log says why";
  std::this_thread::sleep_for(10s);  // past the probe's stale_after: the group's series are gone
  expect_held_and_inhibited(stack, "KafkaConsumerGroupStopped");
  for (const auto& alert : stack.received()) {
    EXPECT_EQ(alert.status, "firing") << "resolved because the credentials were revoked: " << alert.describe();
    const auto& name = alert.labels.at("alertname");
    EXPECT_TRUE(name == "KafkaConsumerGroupStopped" || name == "KafkaClusterUnreachable" ||
                name == "MsgwatchProbeFailing")
        << "nothing else: " << alert.describe();
  }
  EXPECT_EQ(daemon.log().find(password), std::string::npos);
  daemon.stop();
}

// A broker of three stopped cleanly: the controller fences it at once, the cluster has one
// broker fewer (a page) and its partitions run on fewer replicas (a ticket).
TEST(AlertingEndToEnd, ABrokerStoppedPagesAndItsUnderReplicatedPartitionsOpenATicket) {
  OwnKafka kafka(3);
  const auto topic = unique_name("orders");
  KafkaAdmin(kafka.bootstrap()).create_topic(topic, 3, 3);
  DaemonProcess daemon(kafka_lag_config(kafka.bootstrap(), "      topics: {include: ['" + topic + "']}\n"));
  daemon.wait_ready();
  AlertingStack stack(daemon.listen_address());
  stack.wait_for_query("kafka_brokers == 3");
  kafka.stop_node(2);
  stack.wait_for("pager", "KafkaBrokerCountDropped", "firing", {{"cluster", "it"}, {"severity", "page"}}, kPage);
  const auto ticket = stack.wait_for("chat", "KafkaUnderReplicatedPartitions", "firing",
                                     {{"cluster", "it"}, {"severity", "ticket"}}, kPage);
  for (const auto& alert : stack.received()) {
    if (alert.labels.at("alertname") == "KafkaUnderReplicatedPartitions") {
      EXPECT_EQ(alert.receiver, "chat") << "a ticket, not a page: " << alert.describe();
    }
  }
  EXPECT_EQ(ticket.labels.at("probe"), "kafka_lag");
  daemon.stop();
}

// The incident the truncation alert was written for: a partition on two of five brokers
// (so the controller quorum survives both being down), its follower killed, 50 more
// messages on the leader alone, the leader killed, the follower back and elected uncleanly:
// the log goes back from 150 to 100 messages, and the on-call person is paged.
TEST(AlertingEndToEnd, AnUncleanLeaderElectionThatTruncatesALogPages) {
  OwnKafka kafka(5);
  const auto topic = unique_name("payments");
  kafka_tool_output({"topics", "--bootstrap-server", kafka.bootstrap(), "--create", "--topic", topic,
                     "--replica-assignment", "1:2", "--config", "unclean.leader.election.enable=true", "--config",
                     "min.insync.replicas=1"});
  KafkaAdmin admin(kafka.bootstrap());
  wait_until_explained(
      [&]() -> std::string { return admin.partition_count(topic) == 1 ? "" : "not in the metadata yet"; }, 60s,
      "the topic");
  produce_messages(kafka.bootstrap(), topic, 0, 100);

  DaemonProcess daemon(kafka_lag_config(kafka.bootstrap(), "      topics: {include: ['" + topic + "']}\n"));
  daemon.wait_ready();
  AlertingStack stack(daemon.listen_address());
  const Labels partition{{"cluster", "it"}, {"topic", topic}, {"partition", "0"}};
  daemon.wait_for_value("kafka_topic_partition_current_offset", partition, 100);
  stack.wait_for_query("kafka_topic_partition_truncations_total{topic=\"" + topic + "\"} == 0");

  kafka.kill_node(2);
  produce_messages(kafka.bootstrap(), topic, 0, 50);  // acks=all: once the controller drops 2 from the ISR
  daemon.wait_for_value("kafka_topic_partition_current_offset", partition, 150, 60s);
  kafka.kill_node(1);
  kafka.start_node(2);
  const auto election = run_kafka_tool({"leader-election", "--bootstrap-server", kafka.bootstrap(), "--election-type",
                                        "unclean", "--topic", topic, "--partition", "0"});
  daemon.wait_for_value("kafka_topic_partition_current_offset", partition, 100, 60s);
  // Kafka's own tool agrees (librdkafka's watermark query can outlast its timeout while the
  // partition's last known leader is down).
  EXPECT_EQ(kafka_tool_output({"get-offsets", "--bootstrap-server", kafka.bootstrap(), "--topic", topic}),
            topic + ":0:100\n")
      << election.describe();

  const std::map<std::string, std::string> labels{
      {"cluster", "it"}, {"topic", topic}, {"partition", "0"}, {"severity", "page"}};
  const auto truncated = stack.wait_for("pager", "KafkaLogTruncated", "firing", labels, kPage);
  stack.wait_for("chat", "KafkaLogTruncated", "firing", labels, kPage);
  // The killed leader was unreachable (while the metadata still named it) before the loss
  // showed: that paged first.
  const auto unreachable = stack.wait_for("pager", "KafkaBrokerUnreachable", "firing",
                                          {{"cluster", "it"}, {"broker", "1"}, {"severity", "page"}}, kPage);
  EXPECT_LT(unreachable.notification, truncated.notification) << received_text(stack);
  daemon.stop();
}

// A plain hiredis connection filling the server until it refuses writes.
void fill_until_refused(const std::string& host, int port) {
  std::unique_ptr<redisContext, decltype(&redisFree)> context(redisConnect(host.c_str(), port), &redisFree);
  ASSERT_TRUE(context && context->err == 0) << (context ? context->errstr : "no context");
  const std::string value(10000, 'x');
  for (int i = 0; i < 100000; ++i) {
    auto* reply = static_cast<redisReply*>(
        redisCommand(context.get(), "SET dedup:%d %b", i, value.data(), static_cast<size_t>(value.size())));
    ASSERT_NE(reply, nullptr) << context->errstr;
    const bool refused = reply->type == REDIS_REPLY_ERROR && std::string(reply->str).rfind("OOM", 0) == 0;
    freeReplyObject(reply);
    if (refused) return;
  }
  FAIL() << "Redis never refused a write";
}

// A cache at its limit under allkeys-lru evicts: worth a ticket in the team's chat, not a
// page (the capacity estimate was wrong, nothing is refused yet).
TEST(AlertingEndToEnd, ARedisCacheThatEvictsOpensATicketNotAPage) {
  redis::test::RedisServerProcess redis({"maxmemory 4mb", "maxmemory-policy allkeys-lru"});
  DaemonProcess daemon("redis:\n  - name: dedup-cache\n    address: " + redis.address() +
                       "\n    interval: 1s\n    timeout: 1s\n");
  daemon.wait_ready();
  AlertingStack stack(daemon.listen_address());
  stack.wait_for_query("redis_evicted_keys_total{cluster=\"dedup-cache\"} == 0");
  std::unique_ptr<redisContext, decltype(&redisFree)> context(redisConnect("127.0.0.1", redis.port()), &redisFree);
  ASSERT_TRUE(context && context->err == 0);
  const std::string value(10000, 'x');
  const std::map<std::string, std::string> labels{{"cluster", "dedup-cache"}, {"severity", "ticket"}};
  // Keep writing, as the cache's users do, until the ticket is there.
  std::optional<ReceivedAlert> ticket;
  for (int i = 0; !ticket && i < 600; ++i) {
    for (int j = 0; j < 100; ++j) {
      auto* reply = static_cast<redisReply*>(
          redisCommand(context.get(), "SET dedup:%d:%d %b", i, j, value.data(), static_cast<size_t>(value.size())));
      ASSERT_NE(reply, nullptr) << context->errstr;
      freeReplyObject(reply);
    }
    std::this_thread::sleep_for(100ms);
    for (const auto& alert : stack.received()) {
      if (alert.labels.at("alertname") == "RedisEvicting") ticket = alert;
    }
  }
  ASSERT_TRUE(ticket) << stack.describe_state();
  EXPECT_EQ(ticket->receiver, "chat");
  EXPECT_EQ(ticket->labels.at("severity"), "ticket");
  for (const auto& alert : stack.received()) EXPECT_NE(alert.receiver, "pager") << alert.describe();
  daemon.stop();
}

TEST(AlertingEndToEnd, ARedisThatRefusesWritesPagesAndGoingDownNeitherResolvesNorRepeatsThatPage) {
  redis::test::RedisServerProcess redis({"maxmemory 4mb", "maxmemory-policy noeviction"});
  DaemonProcess daemon("redis:\n  - name: dedup-cache\n    address: " + redis.address() +
                       "\n    interval: 1s\n    timeout: 1s\n");
  daemon.wait_ready();
  AlertingStack stack(daemon.listen_address());
  stack.wait_for_query("redis_errors_total{cluster=\"dedup-cache\",err=\"OOM\"} == 0");  // before the first refusal

  fill_until_refused("127.0.0.1", redis.port());
  const std::map<std::string, std::string> labels{{"cluster", "dedup-cache"}, {"severity", "page"}};
  const auto oom = stack.wait_for("pager", "RedisOomRejections", "firing", labels, kPage);

  redis.stop();
  const auto down = stack.wait_for("pager", "RedisDown", "firing", labels, kPage);
  EXPECT_GT(down.notification, oom.notification) << "the refusals paged first";
  // Its data gone with the server (the probe's series go after stale_after, 3 s), the OOM
  // alert is held by the rule: firing with the value NaN, which only the hold gives; and
  // while RedisDown fires, Alertmanager inhibits it. Never resolved meanwhile.
  std::this_thread::sleep_for(10s);
  expect_held_and_inhibited(stack, "RedisOomRejections");
  daemon.stop();
}

}  // namespace
}  // namespace msgwatch::test
