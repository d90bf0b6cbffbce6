#include "probes/kafka/kafka_config.hpp"

#include "exporter/sdk/log_event.hpp"
#include "probes/kafka/canary/canary_probe.hpp"
#include "probes/kafka/lag/kafka_lag_probe.hpp"
#include "probes/kafka/rdkafka/rdkafka_client.hpp"

namespace msgwatch::kafka {
namespace {

std::unique_ptr<ProbeTarget> parse(config::MapReader& item) {
  return std::make_unique<KafkaCluster>(parse_kafka_cluster(item));
}

}  // namespace

KafkaCluster parse_kafka_cluster(config::MapReader& reader) {
  KafkaCluster cluster;
  reader.reject_unknown({"name", "bootstrap_servers", "client_id", "sasl", "tls", "lag", "transactions", "canary"});
  reader.read("name", cluster.name);
  config::check_name(reader, cluster.name);
  reader.read("bootstrap_servers", cluster.bootstrap_servers);
  if (cluster.bootstrap_servers.empty()) reader.fail("bootstrap_servers", "is required");
  for (const auto& server : cluster.bootstrap_servers) config::check_host_port(reader, "bootstrap_servers", server);
  reader.read("client_id", cluster.client_id);
  if (reader.has("sasl")) {
    auto sasl_reader = reader.section("sasl");
    KafkaSasl sasl;
    std::string mechanism(to_string(sasl.mechanism));
    sasl_reader.read("mechanism", mechanism);
    if (const auto known = parse_sasl_mechanism(mechanism)) {
      sasl.mechanism = *known;
    } else {
      sasl_reader.fail("mechanism", "\"" + mechanism + "\" is not one of " + sasl_mechanism_names());
    }
    sasl_reader.read("username", sasl.username);
    if (sasl.username.empty()) sasl_reader.fail("username", "is required");
    sasl.password = config::read_secret(sasl_reader, "password");
    if (sasl.password.empty()) sasl_reader.fail("password_file", "password_file or password_env is required");
    sasl_reader.finish();
    cluster.sasl = sasl;
  }
  cluster.tls = read_tls_client(reader);
  auto lag = reader.section("lag");
  cluster.lag_schedule = config::read_schedule(lag, cluster.lag_schedule);
  cluster.topics = config::read_filter(lag, "topics", cluster.topics);
  cluster.groups = config::read_filter(lag, "groups", cluster.groups);
  cluster.read_committed_groups = config::read_filter(lag, "read_committed_groups", cluster.read_committed_groups);
  std::string granularity = "partition";
  lag.read("granularity", granularity);
  if (granularity == "topic") {
    cluster.granularity = Granularity::topic;
  } else if (granularity != "partition") {
    lag.fail("granularity", "\"" + granularity + "\" is not one of partition, topic");
  }
  lag.read("max_series", cluster.max_series, 1, 100'000'000);
  lag.read("status_window", cluster.status_window, 2, 1000);
  lag.read("commit_window", cluster.commit_window);
  lag.read("timestamp_reads", cluster.timestamp_reads, 0, 100'000);
  lag.finish();
  auto transactions = reader.section("transactions");
  transactions.read("enabled", cluster.transactions);
  transactions.read("long_running_after", cluster.long_running_after);
  transactions.read("max_long_running", cluster.max_long_running, 0, 10'000);
  transactions.read("lso_stall_after", cluster.lso_stall_after);
  transactions.finish();
  auto canary = reader.section("canary");
  canary.read("enabled", cluster.canary.enabled);
  canary.read("topic", cluster.canary.topic);
  if (cluster.canary.topic.empty()) canary.fail("topic", "must not be empty");
  canary.read("interval", cluster.canary.interval);
  if (cluster.canary.interval < std::chrono::seconds(1)) canary.fail("interval", "must be at least 1s");
  canary.read("ack_sla", cluster.canary.ack_sla);
  if (cluster.canary.ack_sla < std::chrono::milliseconds(10)) canary.fail("ack_sla", "must be at least 10ms");
  canary.read("round_trip_sla", cluster.canary.round_trip_sla);
  if (cluster.canary.round_trip_sla < std::chrono::milliseconds(10)) {
    canary.fail("round_trip_sla", "must be at least 10ms");
  }
  canary.read("manage_topic", cluster.canary.manage_topic);
  canary.read("partitions_per_broker", cluster.canary.partitions_per_broker, 1, 1000);
  canary.read("replication_factor", cluster.canary.replication_factor, 0, 10);
  canary.read("broker_removed_after", cluster.canary.broker_removed_after);
  if (cluster.canary.broker_removed_after < std::chrono::seconds(1)) {
    canary.fail("broker_removed_after", "must be at least 1s");
  }
  auto canary_transactions = canary.section("transactions");
  canary_transactions.read("enabled", cluster.canary.transactions);
  canary_transactions.read("transactional_id", cluster.canary.transactional_id);
  canary_transactions.read("abort_every", cluster.canary.abort_every, 0, 1'000'000);
  canary_transactions.finish();
  auto production = canary.section("production");
  cluster.canary.production_topics = config::read_filter(production, "topics", cluster.canary.production_topics);
  production.read("groups", cluster.canary.production_groups);
  production.read("header", cluster.canary.production_header);
  if (cluster.canary.production_header.empty()) production.fail("header", "must not be empty");
  production.finish();
  auto share = canary.section("share");
  share.read("enabled", cluster.canary.share);
  share.read("group", cluster.canary.share_group);
  share.read("session_timeout", cluster.canary.share_session_timeout);
  if (cluster.canary.share_session_timeout < std::chrono::seconds(6)) {
    share.fail("session_timeout", "must be at least 6s (the broker's group.min.session.timeout.ms)");
  }
  share.finish();
  if (cluster.canary.share_group.empty()) cluster.canary.share_group = cluster.client_id + "-canary-" + cluster.name;
  if (cluster.canary.transactional_id.empty()) {
    cluster.canary.transactional_id = cluster.client_id + "-canary-" + cluster.name;
  }
  canary.finish();
  reader.finish();
  return cluster;
}

ConnectionOptions connection_options(const KafkaCluster& cluster) {
  ConnectionOptions options;
  options.client_id = cluster.client_id;
  if (cluster.sasl) {
    options.sasl =
        SaslCredentials{cluster.sasl->username, [secret = cluster.sasl->password] { return secret.resolve(); },
                        cluster.sasl->mechanism};
  }
  options.tls = cluster.tls;
  return options;
}

void KafkaCluster::check_secrets() const {
  if (sasl) (void)sasl->password.resolve();
}

void KafkaCluster::log() const {
  std::string servers;
  for (const auto& server : bootstrap_servers) servers += (servers.empty() ? "" : ",") + server;
  log_event(spdlog::level::info, "kafka cluster",
            {{"cluster", name},
             {"bootstrap", servers},
             {"tls", tls_mode(tls)},
             {"sasl", sasl ? std::string(to_string(sasl->mechanism)) : "off"},
             {"user", sasl ? sasl->username : ""},
             {"password", sasl ? sasl->password.describe() : "none"},
             {"interval", log_duration(lag_schedule.interval)},
             {"timeout", log_duration(lag_schedule.timeout)},
             {"stale_after", log_duration(lag_schedule.effective_stale_after())}});
  if (tls && !tls->files.verify) {
    log_event(spdlog::level::warn,
              "insecure_skip_verify: the brokers' certificates are not verified, anyone in between can read and "
              "change the traffic",
              {{"cluster", name}});
  }
  if (sasl && sasl->mechanism != SaslMechanism::plain && rdkafka_repeats_scram_nonce()) {
    log_event(spdlog::level::warn,
              "this librdkafka's SCRAM is refused by Kafka 4.0 and later: the canary and the transaction log "
              "follower cannot authenticate to such brokers (fixed in librdkafka 2.6.1)",
              {{"cluster", name}, {"librdkafka", rd_kafka_version_str()}});
  }
  if (canary.enabled) {
    log_event(spdlog::level::info, "kafka canary",
              {{"cluster", name},
               {"topic", canary.topic},
               {"interval", log_duration(canary.interval)},
               {"ack_sla", log_duration(canary.ack_sla)},
               {"round_trip_sla", log_duration(canary.round_trip_sla)},
               {"manage_topic", canary.manage_topic ? "true" : "false"},
               {"transactional_id", canary.transactions ? canary.transactional_id : "off"},
               {"share_group", canary.share ? canary.share_group : "off"}});
  }
}

std::vector<std::unique_ptr<Probe>> KafkaCluster::make_probes(const ProbeContext& context) const {
  std::vector<std::unique_ptr<Probe>> probes;
  probes.push_back(make_kafka_lag_probe(*this, context));
  if (canary.enabled) probes.push_back(make_kafka_canary_probe(*this, context));
  return probes;
}

const ProbeFamily kafka_family{"kafka", "Kafka cluster(s)", &parse};

}  // namespace msgwatch::kafka
