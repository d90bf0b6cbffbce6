#pragma once
// A Kafka cluster's configuration section (an item of the `kafka:` list) and the family
// that parses it. The probes of a cluster share it.

#include "exporter/sdk/config_reader.hpp"
#include "exporter/sdk/probe_family.hpp"
#include "exporter/sdk/tls_client.hpp"
#include "probes/kafka/client/broker_connection.hpp"
#include "probes/kafka/client/sasl_mechanism.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace msgwatch::kafka {

struct KafkaSasl {
  SaslMechanism mechanism = SaslMechanism::plain;
  std::string username;
  config::Secret password;
};

enum class Granularity { partition, topic };

// The canary (section `canary:`): one message to every partition of its topic every interval.
struct CanarySettings {
  bool enabled = false;  // it writes to the cluster: the operator turns it on
  std::string topic = "msgwatch-canary";
  std::chrono::milliseconds interval{std::chrono::minutes(1)};
  // A message not acknowledged within this fails (the producer's message timeout); the
  // acknowledgement latency buckets derive from it.
  std::chrono::milliseconds ack_sla{std::chrono::seconds(5)};
  // An acknowledged message not read back within this is overdue; the end-to-end latency
  // buckets derive from it.
  std::chrono::milliseconds round_trip_sla{std::chrono::seconds(20)};
  // Create the topic when it is missing and keep every broker the preferred leader of one of
  // its partitions (canary_plan.hpp); false: only report what is there.
  bool manage_topic = true;
  std::int64_t partitions_per_broker = 1;
  std::int64_t replication_factor = 0;  // 0: min(3, brokers)
  // A broker missing from the metadata this long is removed: its canary replicas move to
  // the other brokers. Shorter absences (restarts) move nothing.
  std::chrono::milliseconds broker_removed_after{std::chrono::minutes(30)};
  // The transactional canary: every interval a transaction writes one message to every
  // partition and commits, every abort_every-th aborts instead; a read_committed consumer
  // checks that committed messages arrive exactly once and aborted ones never.
  bool transactions = false;
  std::string transactional_id;   // empty: <client_id>-canary-<cluster name>
  std::int64_t abort_every = 10;  // 0: never abort
  // Several daemons share the topic: each sends to the partitions the group assigns it.
  bool share = false;
  std::string share_group;  // empty: <client_id>-canary-<cluster name>
  std::chrono::milliseconds share_session_timeout{std::chrono::seconds(10)};
  // Canary messages in production topics (none unless named), and the groups whose
  // processing latency they measure.
  config::NameFilter production_topics{{}, {}};
  std::vector<std::string> production_groups;
  std::string production_header = "msgwatch-canary";
};

struct KafkaCluster final : ProbeTarget {
  std::string name;                            // the `cluster` label
  std::vector<std::string> bootstrap_servers;  // host:port
  std::string client_id = "msgwatch";
  std::optional<KafkaSasl> sasl;
  // TLS to every broker (section `tls:`), for the daemon's own client and librdkafka's (which
  // has no server_name: it verifies the advertised host); present when enabled.
  std::optional<TlsClient> tls;
  ProbeSchedule lag_schedule;
  config::NameFilter topics{{".*"}, {"__.*"}};
  config::NameFilter groups;
  // Groups whose consumers read committed data also get lag against the last stable offset.
  config::NameFilter read_committed_groups{{}, {}};
  // topic: no per-partition series, only per-topic and per-group aggregates.
  Granularity granularity = Granularity::partition;
  // A hard cap on the cluster's series; the excess is dropped and counted.
  std::int64_t max_series = 500'000;
  // Consumer status: observations per evaluation window, and how long a group with lag
  // may go without moving its committed offset before it counts as stopped.
  std::int64_t status_window = 10;
  std::chrono::milliseconds commit_window{std::chrono::minutes(5)};
  // Lag in seconds where the end-offset history cannot tell: records whose timestamp is read
  // per cycle (Fetch at the committed offset); 0 turns it off.
  std::int64_t timestamp_reads = 200;
  // Transaction coordinators' state and hanging transactions, read in the same cycle.
  bool transactions = true;
  // Open transactions older than this get a series of their own, at most max_long_running.
  std::chrono::milliseconds long_running_after{std::chrono::minutes(1)};
  std::int64_t max_long_running = 100;
  // A last stable offset stuck below the high watermark for longer than this is frozen:
  // read_committed groups waiting at it are BLOCKED.
  std::chrono::milliseconds lso_stall_after{std::chrono::minutes(2)};
  CanarySettings canary;

  [[nodiscard]] const std::string& cluster_label() const override { return name; }
  void check_secrets() const override;
  void log() const override;
  [[nodiscard]] std::vector<std::unique_ptr<Probe>> make_probes(const ProbeContext& context) const override;
};

KafkaCluster parse_kafka_cluster(config::MapReader& reader);

// How the daemon's own protocol client connects to the cluster: its client id, TLS and SASL
// credentials, the password read again at every new connection (a rotated secret file is
// picked up at the next reconnect).
ConnectionOptions connection_options(const KafkaCluster& cluster);

extern const ProbeFamily kafka_family;

}  // namespace msgwatch::kafka
