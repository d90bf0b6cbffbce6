// The canary against the real broker, at a 1 s interval: it creates its topic, every
// message it sends comes back exactly once (the test reads the topic itself and finds each
// sequence number once), records injected by the test as a duplicate and out of order are
// counted once each, and with manage_topic off a missing topic is reported and never
// created.

#include "canary_series.hpp"
#include "support/daemon_process.hpp"
#include "support/kafka_admin.hpp"
#include "support/kafka_cli.hpp"
#include "support/kafka_group.hpp"
#include "support/kafka_producer.hpp"
#include "support/kafka_reader.hpp"
#include "support/logfmt.hpp"
#include "support/own_kafka.hpp"
#include "support/process.hpp"
#include "support/test_environment.hpp"
#include "support/wait.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace msgwatch::test {
namespace {

// Every canary family on the page has a row in the README's metric reference.
void expect_canary_families_documented(const Exposition& m) {
  const auto readme = read_file(repo_root() / "README.md");
  for (const auto& family : m.family_names()) {
    if (family.rfind("kafka_canary", 0) != 0 && family.rfind("msgwatch_kafka_canary", 0) != 0) continue;
    EXPECT_NE(readme.find("| `" + family + "` |"), std::string::npos) << family << " is not in the README";
  }
}

// The transactional canary's lost messages as the daemon logged them: where to look.
std::string lost_as_logged(const DaemonProcess& daemon) {
  std::string out;
  for (const auto& event : log_events(daemon.log(), "transactional canary message lost")) {
    out += "\n  partition " + event.at("partition") + " offset " + event.at("offset") + " read_to " +
           event.at("read_to") + " leader_when_sent " + event.at("leader_when_sent");
  }
  return out;
}

std::string instance_of(const Exposition& m) {
  for (const auto& sample : m.samples_named("msgwatch_kafka_canary_info")) {
    for (const auto& [name, value] : sample.labels) {
      if (name == "instance") return value;
    }
  }
  return "";
}

TEST(Canary, CreatesItsTopicAndEveryMessageComesBackExactlyOnce) {
  const auto topic = unique_name("canary");
  DaemonProcess daemon(canary_config(topic, "      partitions_per_broker: 3\n"));
  daemon.wait_ready();
  const auto metrics = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        for (const std::string partition : {"0", "1", "2"}) {
          if (partition_value(m, "kafka_canary_partition_received_total", partition).value_or(0) < 5) {
            return "partition " + partition + " has not received 5 canary messages yet";
          }
        }
        return "";
      },
      60s, "5 round trips on every canary partition");

  // Created as the README says: one broker, so 3 × 1 partitions, replication factor 1 and
  // min.insync.replicas 1.
  KafkaAdmin admin(kafka_bootstrap());
  EXPECT_EQ(admin.partition_count(topic), 3);
  const auto configs = kafka_tool_output({"configs", "--bootstrap-server", kafka_bootstrap(), "--describe",
                                          "--entity-type", "topics", "--entity-name", topic});
  EXPECT_NE(configs.find("min.insync.replicas=1"), std::string::npos) << configs;
  EXPECT_EQ(metrics.value("kafka_canary_partitions", {{"cluster", "it"}, {"topic", topic}}), 3.0);
  EXPECT_EQ(metrics.value("kafka_canary_brokers_without_leadership", {{"cluster", "it"}, {"topic", topic}}), 0.0);
  EXPECT_EQ(metrics.value("msgwatch_probe_success", {{"probe", "kafka_canary"}, {"cluster", "it"}}), 1.0);

  const std::string instance = instance_of(metrics);
  ASSERT_EQ(instance.size(), 16u);
  for (const std::string partition : {"0", "1", "2"}) {
    const double sent = partition_value(metrics, "kafka_canary_partition_sent_total", partition).value_or(-1);
    const double received = partition_value(metrics, "kafka_canary_partition_received_total", partition).value_or(-1);
    EXPECT_GE(received, sent - 1) << "at most the last message is on its way";
    EXPECT_LE(received, sent);
    for (const char* family :
         {"kafka_canary_partition_lost_total", "kafka_canary_partition_duplicates_total",
          "kafka_canary_partition_out_of_order_total", "kafka_canary_partition_overdue_messages"}) {
      EXPECT_EQ(partition_value(metrics, family, partition), 0.0) << family << " of partition " << partition;
    }
    EXPECT_EQ(partition_value(metrics, "kafka_canary_partition_send_failures_total", partition), std::nullopt);
    const auto round_trip =
        partition_value(metrics, "kafka_canary_partition_last_round_trip_timestamp_seconds", partition);
    ASSERT_TRUE(round_trip.has_value());
    const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    EXPECT_GT(*round_trip, now - 5);

    // The topic holds every sequence number the daemon counted as sent, each exactly once,
    // in order.
    const auto records = read_partition(kafka_bootstrap(), topic, std::stoi(partition));
    std::vector<long long> sequences;
    for (const auto& record : records) {
      const std::string prefix = "msgwatch-canary/1 " + instance + " ";
      if (record.value.rfind(prefix, 0) != 0) continue;
      EXPECT_EQ(record.key, instance);
      sequences.push_back(std::stoll(record.value.substr(prefix.size())));
    }
    ASSERT_GE(sequences.size(), static_cast<std::size_t>(sent));
    for (std::size_t i = 0; i < sequences.size(); ++i) EXPECT_EQ(sequences[i], static_cast<long long>(i));
  }
  expect_canary_families_documented(metrics);
  // Every round trip has its end-to-end latency observed (the live histogram is read at the
  // scrape, the counters at the last collection before it).
  const auto after = daemon.scrape_metrics();
  const auto e2e_count = after.value("kafka_canary_end_to_end_latency_seconds_count",
                                     {{"cluster", "it"}, {"topic", topic}, {"partition", "0"}});
  ASSERT_TRUE(e2e_count.has_value());
  EXPECT_GE(*e2e_count, partition_value(metrics, "kafka_canary_partition_received_total", "0").value_or(0));
  // Every message that came back is acknowledged too, though the consumer may read a message
  // back before the producer has served its delivery report: within a few seconds, not
  // necessarily in the same scrape.
  wait_until_explained(
      [&] {
        const auto ack_count = daemon.scrape_metrics().value("kafka_canary_ack_latency_seconds_count",
                                                             {{"cluster", "it"}, {"topic", topic}, {"partition", "0"}});
        if (ack_count.value_or(0) >= *e2e_count) return std::string();
        return "acknowledged " + std::to_string(ack_count.value_or(0)) + ", came back " + std::to_string(*e2e_count);
      },
      10s, "every message that came back to be acknowledged");
  daemon.stop();
}

TEST(Canary, ADuplicateAndAnOutOfOrderRecordAreCountedOnceEach) {
  const auto topic = unique_name("canary-order");
  KafkaAdmin admin(kafka_bootstrap());
  admin.create_topic(topic, 2);
  DaemonProcess daemon(canary_config(topic));
  daemon.wait_ready();
  daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        return partition_value(m, "kafka_canary_partition_received_total", "1").value_or(0) >= 2
                   ? ""
                   : "no round trips on partition 1 yet";
      },
      60s, "the canary to read its partitions");
  // Another sender's stream on partition 1: 0 1 2, then 1 again (a duplicate), 5, then 4
  // (new, but after 5: out of order).
  std::vector<std::string> values;
  for (const int sequence : {0, 1, 2, 1, 5, 4}) {
    values.push_back("msgwatch-canary/1 injected " + std::to_string(sequence) + " 1796190929280000");
  }
  KafkaProducer(kafka_bootstrap()).produce_values(topic, 1, values);
  const auto metrics = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        const auto duplicates = partition_value(m, "kafka_canary_partition_duplicates_total", "1").value_or(0);
        const auto out_of_order = partition_value(m, "kafka_canary_partition_out_of_order_total", "1").value_or(0);
        return duplicates >= 1 && out_of_order >= 1 ? "" : "the injected records not counted yet";
      },
      30s, "the duplicate and the out-of-order record");
  // Once each, and a few cycles later still once each.
  EXPECT_EQ(partition_value(metrics, "kafka_canary_partition_duplicates_total", "1"), 1.0);
  EXPECT_EQ(partition_value(metrics, "kafka_canary_partition_out_of_order_total", "1"), 1.0);
  EXPECT_EQ(partition_value(metrics, "kafka_canary_partition_duplicates_total", "0"), 0.0);
  std::this_thread::sleep_for(3s);
  const auto later = daemon.scrape_metrics();
  EXPECT_EQ(partition_value(later, "kafka_canary_partition_duplicates_total", "1"), 1.0);
  EXPECT_EQ(partition_value(later, "kafka_canary_partition_out_of_order_total", "1"), 1.0);
  EXPECT_EQ(partition_value(later, "kafka_canary_partition_lost_total", "1"), 0.0);
  EXPECT_EQ(later.value("kafka_canary_broker_duplicates_total", {{"cluster", "it"}, {"broker", "0"}}), 1.0);
  daemon.stop();
}

TEST(Canary, WithManageTopicOffAMissingTopicIsReportedAndNeverCreated) {
  const auto topic = unique_name("canary-unmanaged");
  DaemonProcess daemon(canary_config(topic, "      manage_topic: false\n"));
  daemon.wait_ready();
  const Labels probe{{"probe", "kafka_canary"}, {"cluster", "it"}};
  daemon.wait_for_value("msgwatch_probe_success", probe, 0);
  std::this_thread::sleep_for(3s);  // three more rounds
  EXPECT_EQ(daemon.scrape_metrics().value("msgwatch_probe_success", probe), 0.0);
  KafkaAdmin admin(kafka_bootstrap());
  const auto topics = admin.list_topics();
  EXPECT_EQ(std::count(topics.begin(), topics.end(), topic), 0) << "the daemon created the topic";
  EXPECT_NE(daemon.log().find("canary cannot send"), std::string::npos);

  // Once an operator creates it, the canary uses it as it is.
  admin.create_topic(topic, 2);
  daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        return m.value("msgwatch_probe_success", probe) == 1.0 &&
                       partition_value(m, "kafka_canary_partition_received_total", "1").value_or(0) >= 1
                   ? ""
                   : "the canary has not used the topic yet";
      },
      30s, "the canary to use the operator's topic");
  EXPECT_EQ(admin.partition_count(topic), 2);
  daemon.stop();
}

// Replication factor 1, so that a stopped broker's partitions have no other replica to fail
// over to: exactly they fail, the others carry on, and they recover when it is back.
TEST(Canary, ABrokerStoppedFailsExactlyThePartitionsItLeadsUntilItIsBack) {
  OwnKafka kafka(3);
  const auto topic = unique_name("canary-outage");
  DaemonProcess daemon(canary_config(topic, "      ack_sla: 3s\n      replication_factor: 1\n", kafka.bootstrap()));
  daemon.wait_ready();
  const std::vector<std::string> partitions{"0", "1", "2"};
  const auto before = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        for (const auto& partition : partitions) {
          if (partition_value(m, "kafka_canary_partition_received_total", partition).value_or(0) < 2) {
            return "fewer than 2 round trips: " + partition_story(m, partition);
          }
        }
        return m.value("kafka_canary_brokers_without_leadership", {{"cluster", "it"}, {"topic", topic}}) == 0.0
                   ? ""
                   : "a broker leads no canary partition";
      },
      90s, "round trips on every partition of the 3-broker cluster");
  // Each broker leads one partition; the one broker 1 leads goes down with it.
  std::string down;
  for (const auto& partition : partitions) {
    if (partition_label(before, "kafka_canary_partition_sent_total", partition, "broker") == "1") down = partition;
  }
  ASSERT_FALSE(down.empty()) << "no canary partition led by broker 1";
  kafka.stop_node(1);
  const auto during = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        const auto failed = m.value("kafka_canary_broker_send_failures_total", {{"cluster", "it"}, {"broker", "1"}});
        return failed.value_or(0) >= 2 ? "" : "no send failures against broker 1 yet";
      },
      60s, "failures on the stopped broker's partition");
  for (const auto& partition : partitions) {
    double failures = 0;
    for (const auto& sample : during.samples_named("kafka_canary_partition_send_failures_total")) {
      for (const auto& [label, value] : sample.labels) {
        if (label == "partition" && value == partition) failures += sample.value;
      }
    }
    if (partition == down) {
      EXPECT_GE(failures, 2) << "partition " << partition;
      EXPECT_EQ(partition_label(during, "kafka_canary_partition_sent_total", partition, "broker"), "1")
          << "a partition without a leader belongs to its preferred leader";
    } else {
      EXPECT_EQ(failures, 0) << "partition " << partition << " is led by a broker that runs";
      EXPECT_GT(partition_value(during, "kafka_canary_partition_received_total", partition).value_or(0),
                partition_value(before, "kafka_canary_partition_received_total", partition).value_or(0) + 1)
          << "partition " << partition << " kept its round trips";
    }
  }
  for (const char* broker : {"0", "2"}) {
    EXPECT_EQ(during.value("kafka_canary_broker_send_failures_total", {{"cluster", "it"}, {"broker", broker}}), 0.0);
  }

  const double received_down = partition_value(during, "kafka_canary_partition_received_total", down).value_or(0);
  kafka.start_node(1);
  const auto after = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        return partition_value(m, "kafka_canary_partition_received_total", down).value_or(0) >= received_down + 2
                   ? ""
                   : "no round trips again yet: " + partition_story(m, down);
      },
      90s, "round trips on the partition of the broker that is back");
  for (const auto& partition : partitions) {
    EXPECT_EQ(partition_value(after, "kafka_canary_partition_lost_total", partition), 0.0)
        << "nothing acknowledged was lost on partition " << partition;
  }
  daemon.stop();
}

// The transactional canary against Kafka's own reading: what a read_committed consumer of
// the test finds is what the daemon counts as committed, each message once; a copy of an
// aborted message (as a broker that exposed aborted data would hand it out) and a copy of a
// committed one are counted once each.
TEST(Canary, TheTransactionalCanaryCommitsAndAbortsAndItsVerdictsAreExact) {
  const auto topic = unique_name("canary-txn");
  const auto transactional_id = unique_name("canary-txn-id");
  DaemonProcess daemon(canary_config(topic,
                                     "      partitions_per_broker: 2\n      transactions:\n        enabled: true\n"
                                     "        abort_every: 3\n        transactional_id: " +
                                         transactional_id + "\n"));
  daemon.wait_ready();
  const Labels committed{{"cluster", "it"}, {"topic", topic}, {"outcome", "committed"}};
  const Labels aborted{{"cluster", "it"}, {"topic", topic}, {"outcome", "aborted"}};
  const auto first = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        return m.value("kafka_canary_transactions_total", committed).value_or(0) >= 4 &&
                       m.value("kafka_canary_transactions_total", aborted).value_or(0) >= 2
                   ? ""
                   : "fewer than 4 commits and 2 aborts";
      },
      60s, "commits and aborts of the transactional canary");
  std::string instance;
  for (const auto& sample : first.samples_named("msgwatch_kafka_canary_transaction_info")) {
    for (const auto& [name, value] : sample.labels) {
      if (name == "instance") instance = value;
    }
  }
  ASSERT_EQ(instance.size(), 16u);
  const Labels per_topic{{"cluster", "it"}, {"topic", topic}};
  const std::string prefix = "msgwatch-canary/1 " + instance + " ";
  // The sequences of the transactional canary on a partition, as the test reads them.
  const auto sequences = [&](std::int32_t partition, Isolation isolation) {
    std::vector<long long> found;
    for (const auto& record : read_partition(kafka_bootstrap(), topic, partition, isolation)) {
      if (record.value.rfind(prefix, 0) == 0) found.push_back(std::stoll(record.value.substr(prefix.size())));
    }
    return found;
  };
  std::size_t visible = 0;
  long long an_aborted = -1;
  long long a_committed = -1;
  for (const std::int32_t partition : {0, 1}) {
    const auto all = sequences(partition, Isolation::read_uncommitted);
    const auto committed_only = sequences(partition, Isolation::read_committed);
    const std::set<long long> unique(committed_only.begin(), committed_only.end());
    EXPECT_EQ(unique.size(), committed_only.size()) << "a committed message twice in the log";
    visible += committed_only.size();
    if (partition == 1) {
      for (const auto sequence : all) {
        if (unique.count(sequence) == 0 && an_aborted < 0 && sequence < all.back()) an_aborted = sequence;
      }
      if (!committed_only.empty()) a_committed = committed_only.front();
    }
  }
  // The committed messages the test saw: at least what the daemon had committed before the
  // test read, and the daemon comes to count them all (its page is up to one interval old).
  EXPECT_GE(static_cast<double>(visible),
            first.value("kafka_canary_transaction_messages_committed_total", per_topic).value_or(-1));
  const auto second = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        return m.value("kafka_canary_transaction_messages_committed_total", per_topic).value_or(0) >=
                       static_cast<double>(visible)
                   ? ""
                   : "fewer committed messages counted than the test read";
      },
      10s, "the daemon to count the committed messages the test read");
  // Every committed transaction wrote one message to each of the 2 partitions.
  EXPECT_EQ(second.value("kafka_canary_transaction_messages_committed_total", per_topic),
            2 * second.value("kafka_canary_transactions_total", committed).value_or(-1));
  EXPECT_GE(second.value("kafka_canary_transaction_messages_received_total", per_topic).value_or(-1),
            first.value("kafka_canary_transaction_messages_committed_total", per_topic).value_or(0) - 2);
  for (const char* family :
       {"kafka_canary_transaction_messages_lost_total", "kafka_canary_transaction_messages_duplicates_total",
        "kafka_canary_transaction_aborted_messages_seen_total"}) {
    EXPECT_EQ(second.value(family, per_topic), 0.0) << family;
  }
  // No phase failed, but possibly the first InitProducerId: a broker creates its
  // coordinators' log (__transaction_state) at the first transactional producer, which can
  // take longer than the canary waits.
  for (const auto& sample : second.samples_named("kafka_canary_transaction_failures_total")) {
    for (const auto& [name, value] : sample.labels) {
      if (name == "phase") {
        EXPECT_EQ(value, "init") << "a failed phase with the broker up";
      }
    }
  }
  const Labels commit_phase{{"cluster", "it"}, {"phase", "commit"}};
  EXPECT_GE(second.value("kafka_canary_transaction_phase_seconds_count", commit_phase).value_or(0), 4);
  // The read_uncommitted canary sees the aborted messages too, in order and once each.
  for (const std::string partition : {"0", "1"}) {
    EXPECT_EQ(partition_value(second, "kafka_canary_partition_duplicates_total", partition), 0.0);
    EXPECT_EQ(partition_value(second, "kafka_canary_partition_out_of_order_total", partition), 0.0);
  }

  ASSERT_GE(an_aborted, 0) << "no aborted message found on partition 1";
  ASSERT_GE(a_committed, 0) << "no committed message found on partition 1";
  KafkaProducer(kafka_bootstrap())
      .produce_values(topic, 1,
                      {prefix + std::to_string(an_aborted) + " 1796190929280000",
                       prefix + std::to_string(a_committed) + " 1796190929280000"});
  const auto injected = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        return m.value("kafka_canary_transaction_aborted_messages_seen_total", per_topic) == 1.0 &&
                       m.value("kafka_canary_transaction_messages_duplicates_total", per_topic) == 1.0
                   ? ""
                   : "the copies not counted yet";
      },
      30s, "the copy of an aborted and of a committed message");
  EXPECT_EQ(injected.value("kafka_canary_transaction_messages_lost_total", per_topic), 0.0);
  expect_canary_families_documented(injected);
  daemon.stop();
}

// Two daemons share the canary topic through a consumer group: each sends to its own
// partitions, together to all of them; one killed with SIGKILL, the other takes all of them
// over within the group's session timeout.
TEST(Canary, TwoDaemonsShareThePartitionsAndOneTakesOverWhenTheOtherDies) {
  const auto topic = unique_name("canary-shared");
  KafkaAdmin admin(kafka_bootstrap());
  admin.create_topic(topic, 4);
  const auto group = unique_name("canary-senders");
  const std::string settings =
      "      share:\n        enabled: true\n        group: " + group + "\n        session_timeout: 6s\n";
  const Labels per_topic{{"cluster", "it"}, {"topic", topic}};
  // The first daemon alone sends to all four partitions and reads every one back; the second
  // then takes two of them away from it.
  DaemonProcess first(canary_config(topic, settings));
  first.wait_ready();
  first.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        for (const std::string partition : {"0", "1", "2", "3"}) {
          if (!partition_value(m, "kafka_canary_partition_last_round_trip_timestamp_seconds", partition)) {
            return "no round trip through partition " + partition;
          }
        }
        return "";
      },
      60s, "the first daemon's round trips through all four partitions");
  DaemonProcess second(canary_config(topic, settings));
  second.wait_ready();
  // Each partition's sent count, from one daemon's page (0 where it never sent).
  const auto sent = [&](const Exposition& m) {
    std::map<std::string, double> out;
    for (const std::string partition : {"0", "1", "2", "3"}) {
      out[partition] = partition_value(m, "kafka_canary_partition_sent_total", partition).value_or(0);
    }
    return out;
  };
  std::map<std::string, double> first_sent;
  std::map<std::string, double> second_sent;
  const auto split = [&]() -> std::string {
    const auto a = first.scrape_metrics();
    const auto b = second.scrape_metrics();
    const auto mine = a.value("kafka_canary_assigned_partitions", per_topic).value_or(0);
    const auto theirs = b.value("kafka_canary_assigned_partitions", per_topic).value_or(0);
    if (mine != 2 || theirs != 2) return "assigned " + std::to_string(mine) + " and " + std::to_string(theirs);
    first_sent = sent(a);
    second_sent = sent(b);
    return "";
  };
  wait_until_explained(split, 60s, "the group to split the 4 partitions 2 and 2");
  // Two more rounds of each daemon.
  const auto total = [](const std::map<std::string, double>& counts) {
    double sum = 0;
    for (const auto& [partition, count] : counts) sum += count;
    return sum;
  };
  std::map<std::string, double> a;
  std::map<std::string, double> b;
  wait_until_explained(
      [&]() -> std::string {
        a = sent(first.scrape_metrics());
        b = sent(second.scrape_metrics());
        return total(a) >= total(first_sent) + 4 && total(b) >= total(second_sent) + 4 ? ""
                                                                                       : "fewer than two more rounds";
      },
      20s, "two more rounds of each daemon");
  const auto first_page = first.scrape_metrics();
  const auto second_page = second.scrape_metrics();
  for (const std::string partition : {"0", "1", "2", "3"}) {
    const bool first_sends = a.at(partition) > first_sent.at(partition);
    const bool second_sends = b.at(partition) > second_sent.at(partition);
    EXPECT_NE(first_sends, second_sends) << "partition " << partition << ": exactly one daemon sends to it";
    // A daemon's page speaks of the partitions it sends to only: the last round trip of one
    // it gave away would age into a KafkaCanaryNoRoundTrip page.
    for (const auto* page : {&first_page, &second_page}) {
      const bool sends = page == &first_page ? first_sends : second_sends;
      EXPECT_EQ(
          partition_value(*page, "kafka_canary_partition_last_round_trip_timestamp_seconds", partition).has_value(),
          sends)
          << (page == &first_page ? "first" : "second") << " daemon, partition " << partition;
    }
  }

  ::kill(first.pid(), SIGKILL);
  const auto killed_at = std::chrono::steady_clock::now();
  second.wait_for_value("kafka_canary_assigned_partitions", per_topic, 4, 30s);
  const auto took_over = std::chrono::steady_clock::now() - killed_at;
  EXPECT_LE(took_over, 6s + 3s) << "within the session timeout and a rebalance";
  // It sends to all four now, and reads them back.
  const auto before = sent(second.scrape_metrics());
  second.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        for (const std::string partition : {"0", "1", "2", "3"}) {
          if (partition_value(m, "kafka_canary_partition_sent_total", partition).value_or(0) <
              before.at(partition) + 2) {
            return "partition " + partition + " not sent to twice more";
          }
        }
        return "";
      },
      20s, "the survivor to send to every partition");
  second.stop();
}

// Canary messages in a production topic, with the header consumers skip them by, and a
// group's processing latency from its committed offsets: what the daemon reports equals,
// within one interval, what the test measures itself from the message's send time to the
// moment it commits past it.
TEST(Canary, AProductionTopicsGroupLatencyIsWhatItsOwnConsumerMeasures) {
  const auto canary_topic = unique_name("canary-prod");
  const auto orders = unique_name("orders");
  const auto group = unique_name("billing");
  KafkaAdmin admin(kafka_bootstrap());
  admin.create_topic(orders, 2);
  DaemonProcess daemon(canary_config(canary_topic, "      production:\n        topics: {include: ['" + orders +
                                                       "']}\n        groups: ['" + group + "']\n"));
  daemon.wait_ready();
  const Labels sent_labels{{"cluster", "it"}, {"topic", orders}};
  daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        return m.value("kafka_canary_production_sent_total", sent_labels).value_or(0) >= 6
                   ? ""
                   : "fewer than 3 rounds of canary messages to the production topic";
      },
      30s, "canary messages in the production topic");
  // The group, as its consumer would: it reads partition 0, finds the canary message (and
  // would skip it by its header), and commits past it.
  const auto records = read_partition(kafka_bootstrap(), orders, 0);
  ASSERT_FALSE(records.empty());
  const auto& newest = records.back();
  EXPECT_EQ(newest.headers, (std::vector<std::pair<std::string, std::string>>{{"msgwatch-canary", "1"}}));
  const auto message = newest.value.substr(newest.value.rfind(' ') + 1);
  const double sent_at = std::stod(message) / 1e6;
  commit_offsets(kafka_bootstrap(), group, {{orders, 0, newest.offset + 1}});
  const double committed_at =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const double measured = committed_at - sent_at;
  const Labels p0{{"cluster", "it"}, {"consumergroup", group}, {"topic", orders}, {"partition", "0"}};
  const auto metrics = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        return m.value("kafka_canary_group_latency_seconds", p0) ? "" : "no latency for the group yet";
      },
      30s, "the group's latency");
  const double reported = *metrics.value("kafka_canary_group_latency_seconds", p0);
  EXPECT_GE(reported, measured - 0.05) << "measured by the test: " << measured;
  EXPECT_LE(reported, measured + 1.0 + 0.5) << "within one interval (1 s) of the test's " << measured;
  // Partition 1 has no committed offset: no figure.
  EXPECT_FALSE(metrics.value("kafka_canary_group_waiting_seconds",
                             {{"cluster", "it"}, {"consumergroup", group}, {"topic", orders}, {"partition", "1"}}));
  // Newer canary messages wait on partition 0 now that the group stopped there.
  daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        return m.value("kafka_canary_group_waiting_seconds", p0).value_or(0) >= 2 ? "" : "not waiting 2 s yet";
      },
      30s, "canary messages waiting for the group");
  expect_canary_families_documented(metrics);
  daemon.stop();
}

// The transaction coordinator of the transactional canary's id fails in a 3-broker cluster
// (`fail` kills or freezes it): transactions fail while no broker coordinates the id (the
// producer registers each partition with the coordinator before writing to it: the send
// phase times out, then the abort), then the coordinator moves to another broker and the
// canary commits 3 times again within `recovery`, exactly-once intact.
void coordinator_outage(const std::function<void(OwnKafka&, int)>& fail, std::chrono::seconds recovery) {
  OwnKafka kafka(3);
  const auto topic = unique_name("canary-coordinator");
  const auto transactional_id = unique_name("canary-coordinator-id");
  DaemonProcess daemon(canary_config(topic,
                                     "      transactions:\n        enabled: true\n        abort_every: 0\n"
                                     "        transactional_id: " +
                                         transactional_id + "\n",
                                     kafka.bootstrap()));
  daemon.wait_ready();
  const Labels committed{{"cluster", "it"}, {"topic", topic}, {"outcome", "committed"}};
  // Every failure so far, "phase/error" -> count.
  const auto failures = [](const Exposition& m) {
    std::map<std::string, double> out;
    for (const auto& sample : m.samples_named("kafka_canary_transaction_failures_total")) {
      std::string phase;
      std::string error;
      for (const auto& [name, value] : sample.labels) {
        if (name == "phase") phase = value;
        if (name == "error") error = value;
      }
      out[phase + "/" + error] += sample.value;
    }
    return out;
  };
  const auto total = [](const std::map<std::string, double>& counts) {
    double sum = 0;
    for (const auto& [what, count] : counts) sum += count;
    return sum;
  };
  const auto before = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        return m.value("kafka_canary_transactions_total", committed).value_or(0) >= 3 ? "" : "fewer than 3 commits";
      },
      90s, "the transactional canary to commit");
  const auto failures_before = failures(before);
  const auto coordinator = describe_transaction(kafka.bootstrap(), transactional_id).coordinator;
  fail(kafka, coordinator);
  const auto failing = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        return total(failures(m)) >= total(failures_before) + 1 ? "" : "no transaction failed yet";
      },
      60s, "transactions to fail without their coordinator");
  const auto failed_at = std::chrono::steady_clock::now();
  const double commits_then = failing.value("kafka_canary_transactions_total", committed).value_or(0);
  const auto recovered = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        return m.value("kafka_canary_transactions_total", committed).value_or(0) >= commits_then + 3
                   ? ""
                   : "no 3 commits since the failures";
      },
      recovery, "the transactional canary to commit again");
  // Timeouts while nobody coordinates the id, coordinator errors, INVALID_TXN_STATE (the new
  // coordinator no longer holds the transaction the producer still tries to abort), and
  // _FENCED: when the outage outlasts the transaction's timeout, the new coordinator aborts
  // it itself and bumps the epoch (transaction protocol version 1, which librdkafka 2.0.2
  // speaks), which fences the canary's producer; the canary then starts a new one.
  const std::set<std::string> coordinator_errors{
      "_TIMED_OUT", "NOT_COORDINATOR",         "COORDINATOR_NOT_AVAILABLE", "COORDINATOR_LOAD_IN_PROGRESS",
      "_TRANSPORT", "CONCURRENT_TRANSACTIONS", "INVALID_TXN_STATE",         "_FENCED"};
  std::string seen;
  for (const auto& [what, count] : failures(recovered)) {
    const double since = count - (failures_before.count(what) ? failures_before.at(what) : 0);
    if (since <= 0) continue;
    seen += what + " x" + std::to_string(static_cast<int>(since)) + " ";
    EXPECT_EQ(coordinator_errors.count(what.substr(what.find('/') + 1)), 1u) << what;
  }
  std::cout << "failures while the coordinator (broker " << coordinator << ") was away: " << seen << "; 3 commits "
            << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - failed_at).count()
            << " s after the first failure, "
            << log_events(daemon.log(), "transactional canary producer replaced").size() << " producer(s) replaced\n";
  const Labels per_topic{{"cluster", "it"}, {"topic", topic}};
  for (const char* family :
       {"kafka_canary_transaction_messages_lost_total", "kafka_canary_transaction_messages_duplicates_total",
        "kafka_canary_transaction_aborted_messages_seen_total"}) {
    EXPECT_EQ(recovered.value(family, per_topic), 0.0) << family << "; lost, as logged:" << lost_as_logged(daemon);
  }
  daemon.stop();
}

// SIGKILL: its connections close at once.
TEST(Canary, ATransactionCoordinatorKilledFailsTransactionsUntilAnotherBrokerCoordinates) {
  coordinator_outage([](OwnKafka& kafka, int node) { kafka.kill_node(node); }, 120s);
}

// SIGSTOP: its connections stay open and nothing answers on them.
TEST(Canary, ATransactionCoordinatorFrozenFailsTransactionsUntilAnotherBrokerCoordinates) {
  coordinator_outage([](OwnKafka& kafka, int node) { kafka.freeze_node(node); }, 120s);
}

}  // namespace
}  // namespace msgwatch::test
