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

// One summary of a family with these labels (`quantile` aside), as its quantile label values,
// "sum" and "count" with their values; empty when there is none.
std::map<std::string, double> summary_of(const SeriesSet& families, const std::string& name,
                                         const test::LabelMap& labels) {
  std::map<std::string, double> parts;
  const auto* family = find_family(families, name);
  if (family == nullptr) return parts;
  for (std::size_t i = 0; i < family->size(); ++i) {
    auto series = test::labels_at(*family, i);
    const auto quantile = series.extract("quantile");
    if (series != labels) continue;
    const auto part = family->part(i);
    parts[part == SeriesPart::sum ? "sum" : part == SeriesPart::count ? "count" : quantile.mapped()] = family->value(i);
  }
  return parts;
}

constexpr const char* kLatency = "redis_latency_percentiles_seconds";

TEST(InfoMetricTable, NamesFollowTheRules) {
  const auto valid_name = [](std::string_view name) {
    return name.rfind("redis_", 0) == 0 &&
           name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string_view::npos;
  };
  std::set<std::string_view> fields;
  std::set<std::string_view> names;
  std::vector<InfoMetric> tables(info_metric_table().begin(), info_metric_table().end());
  tables.insert(tables.end(), cluster_info_metric_table().begin(), cluster_info_metric_table().end());
  for (const auto& metric : tables) {
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

// INFO latencystats as a summary in seconds, `_sum` and `_count` from Commandstats.
TEST(InfoMetrics, Redis7LatencyPercentilesAsASummaryInSeconds) {
  const auto families = build("info_redis7_master_all.txt");
  const auto* latency = find_family(families, kLatency);
  ASSERT_NE(latency, nullptr);
  EXPECT_EQ(latency->family().type, MetricType::summary);
  ASSERT_EQ(latency->family().labels.size(), 2U);
  EXPECT_EQ(latency->family().labels[0], "cmd");
  EXPECT_EQ(latency->family().labels[1], "quantile");
  EXPECT_EQ(latency->size(), 10U * 5U) << "ten commands: three quantiles, sum and count";
  // latency_percentiles_usec_get:p50=2.007,p99=4.015,p99.9=4.015 and cmdstat_get:calls=2,usec=6
  EXPECT_EQ(summary_of(families, kLatency, {{"cmd", "get"}}),
            (std::map<std::string, double>{
                {"0.5", 2.007e-6}, {"0.99", 4.015e-6}, {"0.999", 4.015e-6}, {"sum", 6e-6}, {"count", 2}}));
  // latency_percentiles_usec_config|set:p50=7.007,p99=9.023,p99.9=9.023; calls=2,usec=16
  EXPECT_EQ(summary_of(families, kLatency, {{"cmd", "config|set"}}),
            (std::map<std::string, double>{
                {"0.5", 7.007e-6}, {"0.99", 9.023e-6}, {"0.999", 9.023e-6}, {"sum", 16e-6}, {"count", 2}}));
  // latency_percentiles_usec_select:p50=0.001,...; calls=2,usec=1
  EXPECT_EQ(summary_of(families, kLatency, {{"cmd", "select"}}),
            (std::map<std::string, double>{
                {"0.5", 1e-9}, {"0.99", 1.003e-6}, {"0.999", 1.003e-6}, {"sum", 1e-6}, {"count", 2}}));
  // The sum is the very value of redis_commands_duration_seconds_total.
  EXPECT_EQ(summary_of(families, kLatency, {{"cmd", "command|docs"}}).at("sum"),
            value_of(families, "redis_commands_duration_seconds_total", {{"cmd", "command|docs"}}));
  EXPECT_EQ(summary_of(build("info_redis7_replica_all.txt"), kLatency, {{"cmd", "info"}}),
            (std::map<std::string, double>{
                {"0.5", 130.047e-6}, {"0.99", 130.047e-6}, {"0.999", 130.047e-6}, {"sum", 130e-6}, {"count", 1}}));
  EXPECT_EQ(find_family(build("info_redis3_style.txt"), kLatency), nullptr) << "no Latencystats before Redis 7";
}

// latency-tracking-info-percentiles "99.99 0 50 100": Redis lists them in the setting's order.
TEST(InfoMetrics, Redis7LatencyPercentilesOfAnotherSettingInIncreasingOrder) {
  const auto families = build("info_redis7_latency_percentiles_all.txt");
  // latency_percentiles_usec_set:p99.99=9.023,p0=1.000,p50=3.007,p100=9.023; calls=50,usec=200
  EXPECT_EQ(
      summary_of(families, kLatency, {{"cmd", "set"}}),
      (std::map<std::string, double>{
          {"0", 1e-6}, {"0.5", 3.007e-6}, {"0.9999", 9.023e-6}, {"1", 9.023e-6}, {"sum", 200e-6}, {"count", 50}}));
  const auto* latency = find_family(families, kLatency);
  ASSERT_NE(latency, nullptr);
  EXPECT_EQ(latency->size(), 10U * 6U);
  const std::vector<std::string> order{"0", "0.5", "0.9999", "1", "_sum", "_count"};
  for (std::size_t i = 0; i < order.size(); ++i) {
    EXPECT_EQ(latency->label(i, 0), "lpush");
    EXPECT_EQ(latency->label(i, 1), order[i]);
  }
  EXPECT_EQ(
      summary_of(families, kLatency, {{"cmd", "config|get"}}),
      (std::map<std::string, double>{
          {"0", 4.992e-6}, {"0.5", 5.023e-6}, {"0.9999", 15.039e-6}, {"1", 15.039e-6}, {"sum", 20e-6}, {"count", 2}}));
}

// A summary needs its sum and count: a command that Commandstats does not list has none, and
// a line that does not parse whole is left out, never half exported.
TEST(InfoMetrics, LatencyPercentilesWithoutCommandstatsOrUnreadableHaveNoSummary) {
  SeriesSet out;
  write_info_metrics(parse_info("# Commandstats\r\n"
                                "cmdstat_get:calls=4,usec=10,usec_per_call=2.50\r\n"
                                "cmdstat_set:calls=1,usec=3,usec_per_call=3.00\r\n"
                                "cmdstat_del:calls=1,usec=3,usec_per_call=3.00\r\n"
                                "cmdstat_incr:calls=-1,usec=3,usec_per_call=3.00\r\n"
                                "cmdstat_hset:calls=1,usec=5,usec_per_call=5.00\r\n"
                                "cmdstat_lpop:calls=1,usec=5,usec_per_call=5.00\r\n"
                                "\r\n# Latencystats\r\n"
                                "latency_percentiles_usec_get:p50=1.003,p50=1.003,p99=2.007\r\n"
                                "latency_percentiles_usec_ping:p50=1.003,p99=2.007\r\n"
                                "latency_percentiles_usec_set:p50=1.003,p99=fast\r\n"
                                "latency_percentiles_usec_del:p50=1.003,p101=2.007\r\n"
                                "latency_percentiles_usec_incr:p50=1.003\r\n"
                                "latency_percentiles_usec_hset:p50=-1.003\r\n"
                                "latency_percentiles_usec_lpop:p50=1e3\r\n"
                                "latency_percentiles_usec_get:p50=9.000\r\n"
                                "latency_percentiles_usec_:p50=1.003\r\n"),
                     {}, kNow, out);
  const auto* latency = find_family(out, kLatency);
  ASSERT_NE(latency, nullptr);
  EXPECT_EQ(latency->size(), 4U) << "get only, once";
  EXPECT_EQ(summary_of(out, kLatency, {{"cmd", "get"}}),
            (std::map<std::string, double>{{"0.5", 1.003e-6}, {"0.99", 2.007e-6}, {"sum", 10e-6}, {"count", 4}}));
}

TEST(InfoMetrics, NoClusterLabelAndNoEmptyFamilies) {
  for (const char* fixture :
       {"info_redis7_master_all.txt", "info_redis7_replica_all.txt", "info_redis3_style.txt", "info_junk.txt",
        "info_missing_fields.txt", "info_redis24_no_sections.txt", "info_redis7_latency_percentiles_all.txt"}) {
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

TEST(InfoMetrics, ClusterInfoAsEachNodeSeesIt) {
  SeriesSet out;
  write_cluster_info_metrics(parse_info(read_fixture("cluster_info_redis7_pfail.txt")), out);
  EXPECT_EQ(value_of(out, "redis_cluster_state"), 1);
  EXPECT_EQ(value_of(out, "redis_cluster_slots_assigned"), 16384);
  EXPECT_EQ(value_of(out, "redis_cluster_slots_ok"), 10923);
  EXPECT_EQ(value_of(out, "redis_cluster_slots_pfail"), 5461);
  EXPECT_EQ(value_of(out, "redis_cluster_slots_fail"), 0);
  EXPECT_EQ(value_of(out, "redis_cluster_known_nodes"), 6);
  EXPECT_EQ(value_of(out, "redis_cluster_size"), 3);
  EXPECT_TRUE(value_of(out, "redis_cluster_messages_sent_total").has_value());
  EXPECT_EQ(out.find("redis_cluster_messages_sent_total")->family().type, MetricType::counter);

  SeriesSet down;
  write_cluster_info_metrics(parse_info("cluster_state:fail\r\ncluster_slots_fail:5461\r\n"), down);
  EXPECT_EQ(value_of(down, "redis_cluster_state"), 0);
  EXPECT_EQ(value_of(down, "redis_cluster_slots_fail"), 5461);
}

// The README's metric reference documents every family the probe can export.
TEST(InfoMetrics, EveryFamilyIsDocumented) {
  std::ifstream in(MSGWATCH_REDIS_METRICS_DOC);
  ASSERT_TRUE(in) << MSGWATCH_REDIS_METRICS_DOC;
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::set<std::string> names{"redis_up", "redis_node_info"};
  for (const auto& metric : info_metric_table()) names.emplace(metric.name);
  for (const auto& metric : cluster_info_metric_table()) names.emplace(metric.name);
  for (const auto& metric : config_metric_table()) names.emplace(metric.name);
  for (const char* fixture : {"info_redis7_master_all.txt", "info_redis7_replica_all.txt", "info_redis3_style.txt"}) {
    const auto families = build(fixture);
    for (const auto& family : families.families()) names.emplace(family.family().name);
  }
  for (const auto& name : names) EXPECT_NE(doc.find("`" + name + "`"), std::string::npos) << name;
}

// The real text exposition of every fixture, labelled `node` as the probe labels each server's
// series and with the scheduler's `cluster` label added, passes `promtool check metrics`
// (Prometheus's own naming and format rules), the latency summaries included.
TEST(InfoMetrics, PromtoolAcceptsTheExposition) {
  for (const char* fixture : {"info_redis7_master_all.txt", "info_redis7_replica_all.txt", "info_redis3_style.txt",
                              "info_junk.txt", "info_redis7_latency_percentiles_all.txt"}) {
    const auto families = build(fixture, {{"maxmemory", "0"}, {"maxclients", "10000"}});
    SeriesSet page;
    page.add_labelled(families, "node", "127.0.0.1:6379");
    page.set_cluster("cache");
    const std::string text = render_text(page);
    if (std::string_view(fixture).find("redis7") != std::string_view::npos) {
      EXPECT_NE(text.find("# TYPE redis_latency_percentiles_seconds summary\n"), std::string::npos) << fixture;
      EXPECT_NE(text.find("redis_latency_percentiles_seconds_count{cluster=\"cache\",node=\"127.0.0.1:6379\","
                          "cmd=\"info\"}"),
                std::string::npos)
          << fixture;
    }
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
