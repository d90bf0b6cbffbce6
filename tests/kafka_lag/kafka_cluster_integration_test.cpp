// The cluster view against real brokers: a 3-node KRaft cluster losing and regaining a
// broker, open transactions holding back the last stable offset, and group details.

#include "support/daemon_process.hpp"
#include "support/kafka_admin.hpp"
#include "support/kafka_cli.hpp"
#include "support/kafka_group.hpp"
#include "support/kafka_producer.hpp"
#include "support/own_kafka.hpp"
#include "support/process.hpp"
#include "support/test_environment.hpp"

#include <gtest/gtest.h>

#include <map>

namespace msgwatch::test {
namespace {

std::string config_for(const std::string& bootstrap, const std::string& extra_lag_settings = "") {
  return kafka_lag_config(bootstrap, "      topics: {include: ['.*']}\n" + extra_lag_settings);
}

Labels cluster_labels() { return {{"cluster", "it"}}; }

std::string label(const Sample& sample, const std::string& name) {
  for (const auto& [key, value] : sample.labels) {
    if (key == name) return value;
  }
  return "";
}

TEST(KafkaCluster, ThreeBrokersShowReplicasAndIsrAndABrokerLossAndItsRecovery) {
  OwnKafka kafka(3);
  {
    KafkaAdmin admin(kafka.bootstrap());
    admin.create_topic("replicated", 6, 3, {{"min.insync.replicas", "3"}});
    admin.create_topic("lopsided", 4, 2);
  }
  DaemonProcess daemon(config_for(kafka.bootstrap()));
  daemon.wait_ready();
  auto metrics = daemon.wait_for_value("kafka_brokers", cluster_labels(), 3);

  // The active controller is the KRaft quorum's leader, as Kafka's own tool says, in every
  // cycle (Metadata's controller id names a random broker on KRaft); the quorum has 3 voters.
  const auto quorum = describe_quorum_status(kafka.bootstrap());
  ASSERT_EQ(quorum.voters, (std::vector<std::int32_t>{0, 1, 2}));
  metrics = daemon.wait_for_value("kafka_controller_id", cluster_labels(), quorum.leader_id);
  EXPECT_EQ(metrics.value("kafka_metadata_quorum_voters", cluster_labels()), 3.0);
  EXPECT_EQ(metrics.value("kafka_metadata_quorum_leader_epoch", cluster_labels()), quorum.leader_epoch);
  for (const auto voter : quorum.voters) {
    EXPECT_TRUE(metrics.value("kafka_metadata_quorum_replica_lag",
                              {{"cluster", "it"}, {"replica", std::to_string(voter)}, {"role", "voter"}}))
        << voter;
  }
  const Labels probe{{"cluster", "it"}, {"probe", "kafka_lag"}};
  for (int cycle = 0; cycle < 5; ++cycle) {
    const auto previous = metrics.value("msgwatch_probe_last_success_timestamp_seconds", probe);
    metrics = daemon.wait_for_metrics(
        [&](const Exposition& m) -> std::string {
          return m.value("msgwatch_probe_last_success_timestamp_seconds", probe) != previous ? "" : "a new cycle";
        },
        30s, "the next cycle");
    EXPECT_EQ(metrics.value("kafka_controller_id", cluster_labels()), quorum.leader_id) << "cycle " << cycle;
  }
  metrics = daemon.wait_for_value("kafka_cluster_under_replicated_partitions", cluster_labels(), 0);
  const auto partition_value = [&](const Exposition& m, const char* name, const char* topic, int partition) {
    return m.value(name, {{"cluster", "it"}, {"topic", topic}, {"partition", std::to_string(partition)}});
  };
  for (int partition = 0; partition < 6; ++partition) {
    EXPECT_EQ(partition_value(metrics, "kafka_topic_partition_replicas", "replicated", partition), 3.0);
    EXPECT_EQ(partition_value(metrics, "kafka_topic_partition_in_sync_replica", "replicated", partition), 3.0);
    EXPECT_EQ(partition_value(metrics, "kafka_topic_partition_under_min_isr", "replicated", partition), 0.0);
    EXPECT_EQ(partition_value(metrics, "kafka_topic_partition_offline", "replicated", partition), 0.0);
  }
  EXPECT_EQ(metrics.value("kafka_topic_partitions_uneven", {{"cluster", "it"}, {"topic", "replicated"}}), 0.0);
  EXPECT_EQ(metrics.value("kafka_topic_partitions_uneven", {{"cluster", "it"}, {"topic", "lopsided"}}), 1.0);
  EXPECT_EQ(metrics.value("kafka_cluster_offline_partitions", cluster_labels()), 0.0);
  // Each of the three brokers hosts a replica of every "replicated" partition.
  for (const char* broker : {"0", "1", "2"}) {
    EXPECT_GE(metrics.value("kafka_broker_partitions", {{"cluster", "it"}, {"broker", broker}}).value_or(0), 6.0);
  }

  kafka.stop_node(1);
  metrics = daemon.wait_for_metrics(
      [](const Exposition& m) -> std::string {
        const auto under_min_isr = m.value("kafka_cluster_under_min_isr_partitions", {{"cluster", "it"}});
        return m.value("kafka_brokers", {{"cluster", "it"}}) == 2.0 && under_min_isr.value_or(0) >= 6 &&
                       m.value("kafka_broker_leaders", {{"cluster", "it"}, {"broker", "1"}}).value_or(1) == 0
                   ? ""
                   : "2 brokers, 6 partitions under min ISR, none led by broker 1";
      },
      90s, "the broker loss to show");
  for (int partition = 0; partition < 6; ++partition) {
    EXPECT_EQ(partition_value(metrics, "kafka_topic_partition_in_sync_replica", "replicated", partition), 2.0);
    EXPECT_EQ(partition_value(metrics, "kafka_topic_partition_under_replicated_partition", "replicated", partition),
              1.0);
    EXPECT_NE(partition_value(metrics, "kafka_topic_partition_leader", "replicated", partition), 1.0);
  }
  EXPECT_GE(metrics.value("kafka_cluster_under_replicated_partitions", cluster_labels()).value_or(0), 6.0);
  EXPECT_EQ(metrics.value("msgwatch_probe_success", {{"probe", "kafka_lag"}, {"cluster", "it"}}), 1.0);

  kafka.start_node(1);
  daemon.wait_for_metrics(
      [](const Exposition& m) -> std::string {
        return m.value("kafka_brokers", {{"cluster", "it"}}) == 3.0 &&
                       m.value("kafka_cluster_under_replicated_partitions", {{"cluster", "it"}}) == 0.0 &&
                       m.value("kafka_cluster_under_min_isr_partitions", {{"cluster", "it"}}) == 0.0
                   ? ""
                   : "3 brokers and every partition fully in sync";
      },
      120s, "the broker's return to clear the alarms");
  daemon.stop();
}

// A broker that answers nothing (killed, and not yet fenced by the controller, so the
// metadata still names it leader and coordinator) costs only what depends on it: the
// partitions it leads and the groups it coordinates. Everything else keeps its exact value.
// The session timeout is long enough for the daemon to see that state, and short enough for
// the broker to register again when it restarts (a live session blocks that).
TEST(KafkaCluster, ABrokerThatCannotBeReachedCostsOnlyWhatDependsOnIt) {
  OwnKafka kafka(3, {"broker.session.timeout.ms=30000"});
  const std::string topic = "spread";
  constexpr int kPartitions = 6;
  constexpr int kGroups = 24;
  KafkaAdmin(kafka.bootstrap()).create_topic(topic, kPartitions, 1);  // each partition on one broker
  for (int p = 0; p < kPartitions; ++p) produce_messages(kafka.bootstrap(), topic, p, 10 + p);
  const auto committed = [](int g, int p) { return (g + p) % 10; };
  for (int g = 0; g < kGroups; ++g) {
    std::vector<PartitionOffset> offsets;
    for (int p = 0; p < kPartitions; ++p) offsets.push_back({topic, p, committed(g, p)});
    commit_offsets(kafka.bootstrap(), "group-" + std::to_string(g), offsets);
  }
  const auto lag_labels = [&](int g, int p) {
    return Labels{{"cluster", "it"},
                  {"consumergroup", "group-" + std::to_string(g)},
                  {"partition", std::to_string(p)},
                  {"topic", topic}};
  };
  const auto offset_labels = [&](int p) {
    return Labels{{"cluster", "it"}, {"partition", std::to_string(p)}, {"topic", topic}};
  };
  DaemonProcess daemon(config_for(kafka.bootstrap()));
  daemon.wait_ready();
  auto metrics = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        for (int g = 0; g < kGroups; ++g) {
          if (!m.value("kafka_consumergroup_lag", lag_labels(g, kPartitions - 1))) return "every group's lag";
        }
        return "";
      },
      90s, "every group's lag");
  std::map<int, std::string> leader;  // partition -> broker
  for (int p = 0; p < kPartitions; ++p) {
    leader[p] = std::to_string(static_cast<int>(*metrics.value("kafka_topic_partition_leader", offset_labels(p))));
  }
  const auto victim = leader[0];
  // One more group, on a partition the victim does not lead only: nothing of it depends on
  // the victim unless the victim coordinates it.
  int safe_partition = 1;
  while (leader[safe_partition] == victim) ++safe_partition;  // kPartitions > brokers: one exists
  const std::string safe_group = "safe";
  commit_offsets(kafka.bootstrap(), safe_group, {{topic, safe_partition, 1}});
  const Labels safe_labels{{"cluster", "it"}, {"consumergroup", safe_group}};
  metrics = daemon.wait_for_metrics(
      [&](const Exposition& m) { return m.value("kafka_consumergroup_group_sum_lag", safe_labels) ? "" : "its lag"; },
      90s, "the safe group's lag");
  std::map<int, std::string> coordinator;  // group -> broker
  std::string safe_coordinator;
  for (const auto& sample : metrics.samples_named("kafka_consumergroup_info")) {
    const auto group = label(sample, "consumergroup");
    if (group.rfind("group-", 0) == 0) coordinator[std::stoi(group.substr(6))] = label(sample, "coordinator");
    if (group == safe_group) safe_coordinator = label(sample, "coordinator");
  }
  ASSERT_EQ(coordinator.size(), static_cast<std::size_t>(kGroups));
  const bool safe_group_unread = safe_coordinator == victim;

  kafka.kill_node(std::stoi(victim));
  metrics = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        return m.value("msgwatch_kafka_broker_reachable", {{"cluster", "it"}, {"broker", victim}}) == 0.0 &&
                       m.value("msgwatch_probe_success", {{"probe", "kafka_lag"}, {"cluster", "it"}}) == 1.0
                   ? ""
                   : "broker " + victim + " unreachable in a successful cycle";
      },
      90s, "the broker loss to show");
  EXPECT_EQ(metrics.value("msgwatch_kafka_cycle_partial", cluster_labels()), 1.0);
  // Every group-N committed on a partition the victim leads: those it does not coordinate
  // keep their series but not their totals, and are named as not read whole, like the others.
  EXPECT_EQ(metrics.value("msgwatch_kafka_unread_groups", cluster_labels()), kGroups + (safe_group_unread ? 1 : 0));
  for (int g = 0; g < kGroups; ++g) {
    EXPECT_EQ(metrics.value("msgwatch_kafka_group_unread",
                            {{"cluster", "it"}, {"consumergroup", "group-" + std::to_string(g)}}),
              1.0)
        << "group " << g;
  }
  if (safe_group_unread) {
    EXPECT_EQ(metrics.value("msgwatch_kafka_group_unread", safe_labels), 1.0);
  } else {
    EXPECT_FALSE(metrics.value("msgwatch_kafka_group_unread", safe_labels));
    EXPECT_EQ(metrics.value("kafka_consumergroup_group_sum_lag", safe_labels), 10.0 + safe_partition - 1);
  }
  EXPECT_EQ(metrics.value("kafka_brokers", cluster_labels()), 3.0) << "not fenced yet: still in the metadata";
  for (const auto& [broker, name] : std::map<std::string, std::string>{{"0", "0"}, {"1", "1"}, {"2", "2"}}) {
    if (broker != victim) {
      EXPECT_EQ(metrics.value("msgwatch_kafka_broker_reachable", {{"cluster", "it"}, {"broker", name}}), 1.0);
    }
  }
  int unread_partitions = 0;
  for (int p = 0; p < kPartitions; ++p) {
    const bool lost = leader[p] == victim;
    unread_partitions += lost ? 1 : 0;
    const auto offset = metrics.value("kafka_topic_partition_current_offset", offset_labels(p));
    const auto unread = metrics.value("msgwatch_kafka_partition_unread", offset_labels(p));
    if (lost) {
      EXPECT_FALSE(offset) << "partition " << p << " is led by the unreachable broker";
      EXPECT_EQ(unread, 1.0) << "partition " << p;
    } else {
      EXPECT_EQ(offset, 10.0 + p) << "partition " << p;
      EXPECT_FALSE(unread) << "partition " << p;
    }
  }
  EXPECT_EQ(metrics.value("msgwatch_kafka_unread_partitions", cluster_labels()), unread_partitions);
  for (int g = 0; g < kGroups; ++g) {
    const auto info = Labels{{"cluster", "it"}, {"consumergroup", "group-" + std::to_string(g)}};
    if (coordinator[g] == victim) {
      EXPECT_FALSE(metrics.value("kafka_consumergroup_group_sum_lag", info)) << "group " << g;
      continue;
    }
    for (int p = 0; p < kPartitions; ++p) {
      const auto lag = metrics.value("kafka_consumergroup_lag", lag_labels(g, p));
      if (leader[p] == victim) {
        EXPECT_FALSE(lag) << "group " << g << " partition " << p;
      } else {
        EXPECT_EQ(lag, 10.0 + p - committed(g, p)) << "group " << g << " partition " << p;
      }
      EXPECT_EQ(metrics.value("kafka_consumergroup_current_offset", lag_labels(g, p)), committed(g, p));
    }
  }

  kafka.start_node(std::stoi(victim));
  metrics = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        // Until the returning broker leads its partitions again they are offline (no leader):
        // not a partial cycle, but no offsets to read either.
        return m.value("msgwatch_kafka_cycle_partial", cluster_labels()) == 0.0 &&
                       m.value("msgwatch_kafka_broker_reachable", {{"cluster", "it"}, {"broker", victim}}) == 1.0 &&
                       m.value("kafka_cluster_offline_partitions", cluster_labels()) == 0.0
                   ? ""
                   : "a complete cycle with every broker reachable and every partition led";
      },
      120s, "the broker's return");
  for (int g = 0; g < kGroups; ++g) {
    for (int p = 0; p < kPartitions; ++p) {
      EXPECT_EQ(metrics.value("kafka_consumergroup_lag", lag_labels(g, p)), 10.0 + p - committed(g, p));
    }
  }
  EXPECT_TRUE(metrics.samples_named("msgwatch_kafka_partition_unread").empty());
  EXPECT_TRUE(metrics.samples_named("msgwatch_kafka_group_unread").empty());
  EXPECT_EQ(metrics.value("msgwatch_kafka_unread_groups", cluster_labels()), 0.0);
  daemon.stop();
}

TEST(KafkaCluster, AnOpenTransactionHoldsTheLastStableOffsetAndReadCommittedLag) {
  const auto topic = unique_name("txn");
  KafkaAdmin admin(kafka_bootstrap());
  admin.create_topic(topic, 1);
  KafkaProducer producer(kafka_bootstrap(), {unique_name("txn-producer"), {}});
  producer.begin_transaction();
  producer.produce(topic, 0, 5);
  producer.commit_transaction();  // offsets 0-4, commit marker at 5
  producer.begin_transaction();
  producer.produce(topic, 0, 4);  // offsets 6-9, open
  const auto group = unique_name("reader");
  commit_offsets(kafka_bootstrap(), group, {{topic, 0, 6}});

  DaemonProcess daemon(config_for(kafka_bootstrap(), "      read_committed_groups: {include: ['" + group + "']}\n"));
  daemon.wait_ready();
  const Labels partition{{"cluster", "it"}, {"topic", topic}, {"partition", "0"}};
  const auto metrics = daemon.wait_for_value("kafka_topic_partition_current_offset", partition, 10);
  EXPECT_EQ(metrics.value("kafka_topic_partition_last_stable_offset", partition), 6.0);
  EXPECT_EQ(metrics.value("kafka_topic_partition_last_stable_offset", partition),
            static_cast<double>(admin.last_stable_offset(topic, 0)));
  const Labels group_partition{{"cluster", "it"}, {"consumergroup", group}, {"topic", topic}, {"partition", "0"}};
  EXPECT_EQ(metrics.value("kafka_consumergroup_lag", group_partition), 4.0);
  EXPECT_EQ(metrics.value("kafka_consumergroup_lag_stable", group_partition), 0.0);
  producer.abort_transaction();
  daemon.stop();
}

TEST(KafkaCluster, GroupInfoMembersAndAssignments) {
  const auto topic = unique_name("assigned");
  KafkaAdmin admin(kafka_bootstrap());
  admin.create_topic(topic, 4);
  const auto group = unique_name("assignees");
  ActiveConsumer consumer(kafka_bootstrap(), group, {topic});
  consumer.wait_until_assigned(60s, 4);
  consumer.commit({{topic, 0, 0}});

  DaemonProcess daemon(config_for(kafka_bootstrap()));
  daemon.wait_ready();
  const auto metrics =
      daemon.wait_for_value("kafka_consumergroup_members", {{"cluster", "it"}, {"consumergroup", group}}, 1);
  const auto assigned = metrics.series("kafka_consumergroup_member_assigned_partitions");
  double total = 0;
  for (const auto& sample : assigned) {
    for (const auto& [name, value] : sample.labels) {
      if (name == "consumergroup" && value == group) total += sample.value;
    }
  }
  EXPECT_EQ(total, 4.0);
  bool found_info = false;
  for (const auto& sample : metrics.series("kafka_consumergroup_info")) {
    const auto labels = sample.labels;
    const auto label = [&labels](const char* key) {
      for (const auto& [name, value] : labels) {
        if (name == key) return value;
      }
      return std::string();
    };
    if (label("consumergroup") != group) continue;
    found_info = true;
    EXPECT_EQ(label("state"), "Stable");
    EXPECT_EQ(label("type"), "classic");
    EXPECT_EQ(label("protocol_type"), "consumer");
    EXPECT_FALSE(label("protocol").empty());
  }
  EXPECT_TRUE(found_info);
  daemon.stop();
}

// Kafka 4.x serves the new consumer group protocol (KIP-848), which librdkafka 2.0.2 cannot
// speak: Kafka's own console consumer joins with group.protocol=consumer, and the daemon
// must describe the group with ConsumerGroupDescribe. Kafka 3.9 has the protocol only as
// a preview that is off by default, so there the same consumer joins a classic group.
TEST(KafkaCluster, GroupsOfTheNewConsumerProtocolAreDescribed) {
  const bool new_protocol = kafka_version().rfind("3.", 0) != 0;
  const auto topic = unique_name("kip848");
  KafkaAdmin admin(kafka_bootstrap());
  admin.create_topic(topic, 3);
  produce_messages(kafka_bootstrap(), topic, 0, 5);
  const auto group = unique_name("kip848-group");
  const auto log = write_temp_file("console-consumer.log", "");
  auto consumer = ChildProcess::spawn({"bash", (repo_root() / "scripts" / "kafka.sh").string(), "tool", "--version",
                                       kafka_version(), "console-consumer", "--bootstrap-server", kafka_bootstrap(),
                                       "--topic", topic, "--group", group, "--from-beginning", "--consumer-property",
                                       std::string("group.protocol=") + (new_protocol ? "consumer" : "classic")},
                                      log, log);

  DaemonProcess daemon(config_for(kafka_bootstrap()));
  daemon.wait_ready();
  const Labels group_labels{{"cluster", "it"}, {"consumergroup", group}};
  const auto metrics = daemon.wait_for_metrics(
      [&](const Exposition& m) -> std::string {
        double assigned = 0;
        for (const auto& sample : m.series("kafka_consumergroup_member_assigned_partitions")) {
          for (const auto& [name, value] : sample.labels) {
            if (name == "consumergroup" && value == group) assigned += sample.value;
          }
        }
        const auto lag =
            m.value("kafka_consumergroup_lag_sum", {{"cluster", "it"}, {"consumergroup", group}, {"topic", topic}});
        return m.value("kafka_consumergroup_members", group_labels) == 1.0 && assigned == 3.0 && lag == 0.0
                   ? ""
                   : "one member with 3 partitions that has consumed everything";
      },
      120s, "the console consumer's group");
  bool found = false;
  for (const auto& sample : metrics.series("kafka_consumergroup_info")) {
    std::map<std::string, std::string> labels(sample.labels.begin(), sample.labels.end());
    if (labels["consumergroup"] != group) continue;
    found = true;
    EXPECT_EQ(labels["type"], new_protocol ? "consumer" : "classic");
    EXPECT_EQ(labels["state"], "Stable");
    EXPECT_FALSE(labels["protocol"].empty());
  }
  EXPECT_TRUE(found);
  consumer.kill_and_reap();
  daemon.stop();
}

}  // namespace
}  // namespace msgwatch::test
