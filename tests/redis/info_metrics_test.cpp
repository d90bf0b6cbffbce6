// The INFO-to-metrics table and the families built in code, with exact values from the
// fixtures, and the whole output checked by promtool.

#include "probes/redis/info_metrics.hpp"
#include "tests/redis/test_support.hpp"

#include <gtest/gtest.h>
#include "exporter/runtime/exposition.hpp"

#include <cstdio>
#include <fstream>
#include <set>

namespace msgwatch::redis {
namespace {

using test::find_family;
using test::labels_of;
using test::read_fixture;
using test::value_of;

// 2024-01-01T00:00:00Z
const std::chrono::system_clock::time_point kNow{std::chrono::seconds(1704067200)};

SeriesSet build(const std::string& fixture, const std::map<std::string, std::string>& config = {}) {
  SeriesSet out;
  write_info_metrics(parse_info(read_fixture(fixture)), config, kNow, out);
  return out;
}

TEST(InfoMetricTable, NamesFollowTheRules) {
  const auto valid_name = [](std::string_view name) {
    return name.rfind("redis_", 0) == 0 &&
           name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string_view::npos;
  };
  std::set<std::string_view> fields;
  std::set<std::string_view> names;
  for (const auto& metric : info_metric_table()) {
    EXPECT_TRUE(valid_name(metric.name)) << metric.name;
    EXPECT_TRUE(fields.insert(metric.field).second) << "field twice: " << metric.field;
    EXPECT_TRUE(names.insert(metric.name).second) << "name twice: " << metric.name;
    const bool total = metric.name.size() > 6 && metric.name.substr(metric.name.size() - 6) == "_total";
    EXPECT_EQ(total, metric.kind == MetricKind::counter) << metric.name << ": _total exactly on counters";
    EXPECT_FALSE(metric.help.empty()) << metric.name;
    EXPECT_GT(metric.scale, 0) << metric.name;
    // promtool refuses abbreviated units as whole words of the name.
    const std::string name(metric.name);
    for (const char* abbreviation : {"s", "ms", "us", "ns", "sec", "usec", "b", "kb", "mb", "gb", "m", "h", "d"}) {
      const std::string word = std::string("_") + abbreviation;
      EXPECT_EQ(name.find(word + "_"), std::string::npos) << name;
      const bool suffix = name.size() > word.size() && name.compare(name.size() - word.size(), word.size(), word) == 0;
      EXPECT_FALSE(suffix) << name;
    }
  }
  EXPECT_GE(info_metric_table().size(), 80U);
}

TEST(InfoMetrics, Redis7MasterExactValues) {
  const auto families = build("info_redis7_master_all.txt", {{"maxmemory", "104857600"}, {"maxclients", "10000"}});
  EXPECT_EQ(value_of(families, "redis_uptime_in_seconds"), 10);
  EXPECT_EQ(value_of(families, "redis_start_time_seconds"), 1704067200 - 10);
  EXPECT_EQ(value_of(families, "redis_connected_clients"), 1);
  EXPECT_EQ(value_of(families, "redis_blocked_clients"), 0);
  EXPECT_EQ(value_of(families, "redis_max_clients"), 10000);
  EXPECT_EQ(value_of(families, "redis_memory_used_bytes"), 1229040);
  EXPECT_EQ(value_of(families, "redis_memory_used_rss_bytes"), 7557120);
  EXPECT_EQ(value_of(families, "redis_memory_used_peak_bytes"), 1287528);
  EXPECT_EQ(value_of(families, "redis_memory_max_bytes"), 104857600);
  EXPECT_EQ(value_of(families, "redis_memory_used_ratio"), 1229040.0 / 104857600.0);
  EXPECT_EQ(value_of(families, "redis_mem_fragmentation_ratio"), 6.36);
  EXPECT_EQ(value_of(families, "redis_config_maxmemory"), 104857600);
  EXPECT_EQ(value_of(families, "redis_config_maxclients"), 10000);
  EXPECT_EQ(value_of(families, "redis_evicted_keys_total"), 0);
  EXPECT_EQ(value_of(families, "redis_expired_keys_total"), 0);
  EXPECT_EQ(value_of(families, "redis_keyspace_hits_total"), 1);
  EXPECT_EQ(value_of(families, "redis_keyspace_misses_total"), 1);
  EXPECT_EQ(value_of(families, "redis_commands_processed_total"), 262);
  EXPECT_EQ(value_of(families, "redis_connections_received_total"), 13);
  EXPECT_EQ(value_of(families, "redis_rejected_connections_total"), 0);
  EXPECT_EQ(value_of(families, "redis_net_input_bytes_total"), 10604);
  EXPECT_EQ(value_of(families, "redis_net_output_bytes_total"), 357421);
  EXPECT_EQ(value_of(families, "redis_connected_slaves"), 1);
  EXPECT_EQ(value_of(families, "redis_latest_fork_seconds"), 518e-6);
  EXPECT_EQ(value_of(families, "redis_rdb_last_bgsave_status"), 1);
  EXPECT_EQ(value_of(families, "redis_rdb_last_save_timestamp_seconds"), 1795309170);
  EXPECT_EQ(value_of(families, "redis_cpu_user_seconds_total"), 0.019389);
  EXPECT_EQ(value_of(families, "redis_replica_resyncs_full"), 1);
  EXPECT_EQ(value_of(families, "redis_cluster_enabled"), 0);
  EXPECT_EQ(value_of(families, "redis_master_link_up"), std::nullopt) << "masters have no link to a master";
  EXPECT_EQ(find_family(families, "redis_slave_info"), nullptr);
}

TEST(InfoMetrics, Redis7MasterLabelledFamilies) {
  const auto families = build("info_redis7_master_all.txt");
  EXPECT_EQ(labels_of(families, "redis_instance_info"),
            (test::LabelMap{{"role", "master"},
                            {"redis_version", "7.0.15"},
                            {"redis_build_id", "ae4d7c971a948f0"},
                            {"redis_mode", "standalone"},
                            {"os", "Linux 6.18.44-fc-v669 x86_64"},
                            {"maxmemory_policy", "allkeys-lru"},
                            {"tcp_port", "16390"},
                            {"run_id", "eec70e2c2efac058721ea63ab52865c84c8ad20d"},
                            {"process_id", "10561"},
                            {"master_replid", "6547b7d36a4aeb84b1633ecaa12d27919d368888"}}));
  EXPECT_EQ(value_of(families, "redis_db_keys", {{"db", "db0"}}), 240);
  EXPECT_EQ(value_of(families, "redis_db_keys", {{"db", "db3"}}), 2);
  EXPECT_EQ(value_of(families, "redis_db_keys", {{"db", "db1"}}), std::nullopt) << "empty databases have no series";
  EXPECT_EQ(value_of(families, "redis_db_keys_expiring", {{"db", "db0"}}), 40);
  EXPECT_EQ(value_of(families, "redis_db_keys_expiring", {{"db", "db3"}}), 1);
  EXPECT_EQ(value_of(families, "redis_db_avg_ttl_seconds", {{"db", "db0"}}), 3594.195);
  EXPECT_EQ(value_of(families, "redis_db_avg_ttl_seconds", {{"db", "db3"}}), 7194.245);
  const test::LabelMap replica{{"slave_ip", "127.0.0.1"}, {"slave_port", "16391"}, {"slave_state", "online"}};
  EXPECT_EQ(value_of(families, "redis_connected_slave_offset_bytes", replica), 10394);
  EXPECT_EQ(value_of(families, "redis_connected_slave_lag_seconds", replica), 0);
  EXPECT_EQ(value_of(families, "redis_commands_total", {{"cmd", "set"}}), 242);
  EXPECT_EQ(value_of(families, "redis_commands_total", {{"cmd", "config|set"}}), 2);
  EXPECT_EQ(value_of(families, "redis_commands_duration_seconds_total", {{"cmd", "command|docs"}}), 1354e-6);
  EXPECT_EQ(value_of(families, "redis_commands_failed_calls_total", {{"cmd", "lpush"}}), 1);
  EXPECT_EQ(value_of(families, "redis_commands_rejected_calls_total", {{"cmd", "lpush"}}), 0);
  EXPECT_EQ(find_family(families, "redis_commands_total")->size(), 10U);
  EXPECT_EQ(value_of(families, "redis_errors_total", {{"err", "ERR"}}), 1);
  EXPECT_EQ(value_of(families, "redis_errors_total", {{"err", "WRONGTYPE"}}), 1);
  EXPECT_EQ(value_of(families, "redis_errors_total", {{"err", "OOM"}}), 0)
      << "at 0 before the first rejection, so that an alert on increase() sees it";
}

TEST(InfoMetrics, NoClusterLabelAndNoEmptyFamilies) {
  for (const char* fixture : {"info_redis7_master_all.txt", "info_redis7_replica_all.txt", "info_redis3_style.txt",
                              "info_junk.txt", "info_missing_fields.txt", "info_redis24_no_sections.txt"}) {
    const auto families = build(fixture);
    for (const auto& family : families.families()) {
      EXPECT_FALSE(family.empty()) << fixture << " " << family.family().name;
      const auto& labels = family.family().labels;
      for (std::size_t i = 0; i < labels.size(); ++i) {
        EXPECT_NE(labels[i], "cluster") << fixture << " " << family.family().name;
      }
    }
  }
}

// Eviction pressure leaves out what Redis does not count against maxmemory (replica output
// buffers, the AOF buffer): a primary with big replica buffers is less close to evicting than
// used_memory says. The time over the limit comes in milliseconds.
TEST(InfoMetrics, EvictionPressureAsRedisComputesItAndTimeOverTheLimit) {
  SeriesSet out;
  write_info_metrics(parse_info("# Memory\r\nused_memory:900\r\nmaxmemory:1000\r\nmem_not_counted_for_evict:300\r\n"
                                "# Stats\r\ntotal_eviction_exceeded_time:2500\r\ncurrent_eviction_exceeded_time:0\r\n"),
                     {}, kNow, out);
  EXPECT_EQ(value_of(out, "redis_memory_used_ratio"), 0.9);
  EXPECT_EQ(value_of(out, "redis_memory_eviction_pressure_ratio"), 0.6);
  EXPECT_EQ(value_of(out, "redis_eviction_exceeded_seconds_total"), 2.5);
  EXPECT_EQ(value_of(out, "redis_eviction_exceeded_current_seconds"), 0);

  SeriesSet unlimited;
  write_info_metrics(parse_info("# Memory\r\nused_memory:900\r\nmaxmemory:0\r\nmem_not_counted_for_evict:300\r\n"), {},
                     kNow, unlimited);
  EXPECT_EQ(find_family(unlimited, "redis_memory_eviction_pressure_ratio"), nullptr) << "no limit, no pressure";
}

TEST(InfoMetrics, Redis7ReplicaLinkUp) {
  const auto families = build("info_redis7_replica_all.txt");
  const test::LabelMap master{{"master_host", "127.0.0.1"}, {"master_port", "16390"}};
  EXPECT_EQ(value_of(families, "redis_master_link_up", master), 1);
  EXPECT_EQ(value_of(families, "redis_master_last_io_seconds_ago", master), 5);
  EXPECT_EQ(value_of(families, "redis_master_sync_in_progress", master), 0);
  EXPECT_EQ(value_of(families, "redis_slave_repl_offset", master), 10394);
  EXPECT_EQ(value_of(families, "redis_slave_info",
                     {{"master_host", "127.0.0.1"}, {"master_port", "16390"}, {"read_only", "1"}}),
            1);
  EXPECT_EQ(labels_of(families, "redis_instance_info").at("role"), "slave");
  EXPECT_EQ(value_of(families, "redis_memory_max_bytes"), 0);
  EXPECT_EQ(find_family(families, "redis_memory_used_ratio"), nullptr) << "no ratio without a maxmemory limit";
  EXPECT_EQ(value_of(families, "redis_db_avg_ttl_seconds", {{"db", "db0"}}), 0);
  EXPECT_EQ(find_family(families, "redis_connected_slave_offset_bytes"), nullptr);
}

TEST(InfoMetrics, Redis7ReplicaLinkDown) {
  const auto families = build("info_redis7_replica_link_down.txt");
  const test::LabelMap master{{"master_host", "127.0.0.1"}, {"master_port", "16390"}};
  EXPECT_EQ(value_of(families, "redis_master_link_up", master), 0);
  EXPECT_EQ(value_of(families, "redis_master_last_io_seconds_ago", master), -1);
}

TEST(InfoMetrics, HandMadeReplica) {
  const auto families = build("info_replica_hand_made.txt");
  const test::LabelMap master{{"master_host", "10.0.0.5"}, {"master_port", "6379"}};
  EXPECT_EQ(value_of(families, "redis_master_link_up", master), 0);
  EXPECT_EQ(value_of(families, "redis_master_sync_in_progress", master), 1);
  EXPECT_EQ(value_of(families, "redis_slave_repl_offset", master), 5000);
  EXPECT_EQ(value_of(families, "redis_memory_used_ratio"), 0.5);
  EXPECT_EQ(value_of(families, "redis_evicted_keys_total"), 12);
  EXPECT_EQ(labels_of(families, "redis_instance_info").at("maxmemory_policy"), "volatile-ttl");
  EXPECT_EQ(find_family(families, "redis_db_keys"), nullptr);
}

TEST(InfoMetrics, Redis3Style) {
  const auto families = build("info_redis3_style.txt");
  EXPECT_EQ(value_of(families, "redis_client_longest_output_list"), 3);
  EXPECT_EQ(value_of(families, "redis_client_biggest_input_buf"), 17);
  EXPECT_EQ(find_family(families, "redis_client_recent_max_input_buffer_bytes"), nullptr);
  EXPECT_EQ(value_of(families, "redis_memory_used_bytes"), 52428800);
  EXPECT_EQ(value_of(families, "redis_memory_max_bytes"), 0);
  EXPECT_EQ(find_family(families, "redis_memory_used_ratio"), nullptr);
  EXPECT_EQ(value_of(families, "redis_aof_last_write_status"), 0);  // "err"
  EXPECT_EQ(value_of(families, "redis_aof_last_bgrewrite_status"), 1);
  EXPECT_EQ(value_of(families, "redis_rejected_connections_total"), 5);
  EXPECT_EQ(value_of(families, "redis_db_keys", {{"db", "db0"}}), 10000);
  EXPECT_EQ(value_of(families, "redis_db_keys_expiring", {{"db", "db0"}}), 2500);
  EXPECT_EQ(value_of(families, "redis_db_avg_ttl_seconds", {{"db", "db0"}}), 123.456);
  EXPECT_EQ(value_of(families, "redis_db_keys", {{"db", "db2"}}), 7);
  EXPECT_EQ(find_family(families, "redis_commands_total"), nullptr) << "plain INFO has no Commandstats";
  EXPECT_EQ(labels_of(families, "redis_instance_info").at("master_replid"), "");
}

TEST(InfoMetrics, Redis24WithoutSections) {
  const auto families = build("info_redis24_no_sections.txt");
  EXPECT_EQ(value_of(families, "redis_memory_used_bytes"), 1048576);
  EXPECT_EQ(value_of(families, "redis_db_keys", {{"db", "db0"}}), 30);
  EXPECT_EQ(value_of(families, "redis_db_avg_ttl_seconds", {{"db", "db0"}}), std::nullopt);
  EXPECT_EQ(labels_of(families, "redis_instance_info").at("redis_version"), "2.4.18");
}

TEST(InfoMetrics, JunkIsSkippedNeverExportedAsZero) {
  const auto families = build("info_junk.txt", {{"maxmemory", "lots"}, {"maxclients", "12"}});
  for (const char* absent :
       {"redis_uptime_in_seconds", "redis_start_time_seconds", "redis_connected_clients", "redis_blocked_clients",
        "redis_memory_used_bytes", "redis_memory_used_rss_bytes", "redis_memory_used_peak_bytes",
        "redis_memory_max_bytes", "redis_memory_used_ratio", "redis_rdb_last_bgsave_status", "redis_evicted_keys_total",
        "redis_expired_keys_total", "redis_config_maxmemory"}) {
    EXPECT_EQ(find_family(families, absent), nullptr) << absent;
  }
  EXPECT_EQ(value_of(families, "redis_mem_fragmentation_ratio"), 1.25);
  EXPECT_EQ(value_of(families, "redis_aof_last_write_status"), 1);
  EXPECT_EQ(value_of(families, "redis_keyspace_hits_total"), 1000);
  EXPECT_EQ(value_of(families, "redis_keyspace_misses_total"), 12);
  EXPECT_EQ(value_of(families, "redis_commands_processed_total"), 1e20);
  EXPECT_EQ(value_of(families, "redis_config_maxclients"), 12);
  EXPECT_EQ(find_family(families, "redis_connected_slave_offset_bytes")->size(), 1U);
  const test::LabelMap slave1{{"slave_ip", "10.1.1.2"}, {"slave_port", "6380"}, {"slave_state", "online"}};
  EXPECT_EQ(value_of(families, "redis_connected_slave_offset_bytes", slave1), 500);
  EXPECT_EQ(find_family(families, "redis_connected_slave_lag_seconds"), nullptr);
  EXPECT_EQ(find_family(families, "redis_commands_total")->size(), 1U);
  EXPECT_EQ(value_of(families, "redis_commands_duration_seconds_total", {{"cmd", "set"}}), 6);
  EXPECT_EQ(find_family(families, "redis_errors_total")->size(), 1U);
  EXPECT_EQ(value_of(families, "redis_errors_total", {{"err", "OOM"}}), 9);
  EXPECT_EQ(find_family(families, "redis_db_keys")->size(), 2U);
  EXPECT_EQ(value_of(families, "redis_db_keys", {{"db", "db1"}}), 5);
  EXPECT_EQ(value_of(families, "redis_db_keys", {{"db", "db3"}}), 8);
  EXPECT_EQ(value_of(families, "redis_db_avg_ttl_seconds", {{"db", "db3"}}), 2.5);
  EXPECT_EQ(find_family(families, "redis_db_avg_ttl_seconds")->size(), 1U);
}

TEST(InfoMetrics, AServerThatHasRefusedNothingYetSaysOomZero) {
  SeriesSet out;
  write_info_metrics(parse_info("# Server\r\nredis_version:7.0.15\r\n\r\n# Errorstats\r\n"), {}, kNow, out);
  EXPECT_EQ(value_of(out, "redis_errors_total", {{"err", "OOM"}}), 0);
}

TEST(InfoMetrics, MissingFieldsExportOnlyWhatIsThere) {
  const auto families = build("info_missing_fields.txt");
  std::set<std::string> names;
  for (const auto& family : families.families()) names.emplace(family.family().name);
  EXPECT_EQ(names, std::set<std::string>{"redis_instance_info"});
  EXPECT_EQ(labels_of(families, "redis_instance_info").at("redis_mode"), "cluster");
  EXPECT_EQ(labels_of(families, "redis_instance_info").at("maxmemory_policy"), "");
}

TEST(InfoMetrics, CountersAreTypedAsCounters) {
  const auto families = build("info_redis7_master_all.txt");
  for (const char* name : {"redis_evicted_keys_total", "redis_expired_keys_total", "redis_keyspace_hits_total",
                           "redis_commands_processed_total", "redis_commands_total", "redis_errors_total"}) {
    ASSERT_NE(find_family(families, name), nullptr) << name;
    EXPECT_EQ(find_family(families, name)->family().type, MetricType::counter) << name;
  }
  for (const char* name :
       {"redis_memory_used_bytes", "redis_connected_clients", "redis_instance_info", "redis_db_keys"}) {
    EXPECT_EQ(find_family(families, name)->family().type, MetricType::gauge) << name;
  }
}

// The README's metric reference documents every family the probe can export.
TEST(InfoMetrics, EveryFamilyIsDocumented) {
  std::ifstream in(MSGWATCH_REDIS_METRICS_DOC);
  ASSERT_TRUE(in) << MSGWATCH_REDIS_METRICS_DOC;
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::set<std::string> names{"redis_up"};
  for (const auto& metric : info_metric_table()) names.emplace(metric.name);
  for (const auto& metric : config_metric_table()) names.emplace(metric.name);
  for (const char* fixture : {"info_redis7_master_all.txt", "info_redis7_replica_all.txt", "info_redis3_style.txt"}) {
    const auto families = build(fixture);
    for (const auto& family : families.families()) names.emplace(family.family().name);
  }
  for (const auto& name : names) EXPECT_NE(doc.find("`" + name + "`"), std::string::npos) << name;
}

// The real text exposition of every fixture, with the scheduler's `cluster` label added, passes
// `promtool check metrics` (Prometheus's own naming and format rules).
TEST(InfoMetrics, PromtoolAcceptsTheExposition) {
  for (const char* fixture :
       {"info_redis7_master_all.txt", "info_redis7_replica_all.txt", "info_redis3_style.txt", "info_junk.txt"}) {
    auto families = build(fixture, {{"maxmemory", "0"}, {"maxclients", "10000"}});
    families.set_cluster("cache");
    const std::string text = render_text(families);
    const std::string path = ::testing::TempDir() + "redis_exposition.prom";
    std::ofstream(path) << text;
    const std::string command = "promtool check metrics < " + path + " 2>&1";
    std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(command.c_str(), "r"), &pclose);
    ASSERT_NE(pipe, nullptr);
    std::string output;
    char buffer[512];
    while (fgets(buffer, sizeof buffer, pipe.get()) != nullptr) output += buffer;
    const int status = pclose(pipe.release());
    EXPECT_EQ(status, 0) << fixture << ": promtool check metrics (is promtool installed?):\n" << output;
  }
}

}  // namespace
}  // namespace msgwatch::redis
