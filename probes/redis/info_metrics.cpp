#include "probes/redis/info_metrics.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

namespace msgwatch::redis {

namespace {

using K = MetricKind;
using V = ValueStyle;

// clang-format off
constexpr std::array kInfoMetrics = std::to_array<InfoMetric>({
    // # Server
    {"uptime_in_seconds", "redis_uptime_in_seconds", K::gauge, 1, V::number, "Seconds since the Redis server started.", ""},
    {"process_id", "redis_process_id", K::gauge, 1, V::number, "Process id of the Redis server.", ""},
    {"io_threads_active", "redis_io_threads_active", K::gauge, 1, V::number, "1 when I/O threads are active.", ">= 6.0"},
    {"cluster_enabled", "redis_cluster_enabled", K::gauge, 1, V::number, "1 when Redis Cluster mode is enabled.", ""},

    // # Clients
    {"connected_clients", "redis_connected_clients", K::gauge, 1, V::number, "Client connections, replicas excluded.", ""},
    {"blocked_clients", "redis_blocked_clients", K::gauge, 1, V::number, "Clients blocked in BLPOP, BRPOP, WAIT and the like.", ""},
    {"maxclients", "redis_max_clients", K::gauge, 1, V::number, "The maxclients setting as INFO reports it.", ">= 7.0"},
    {"tracking_clients", "redis_tracking_clients", K::gauge, 1, V::number, "Clients using client-side caching tracking.", ">= 6.0"},
    {"clients_in_timeout_table", "redis_clients_in_timeout_table", K::gauge, 1, V::number, "Blocked clients with a timeout.", ">= 6.0"},
    {"client_recent_max_input_buffer", "redis_client_recent_max_input_buffer_bytes", K::gauge, 1, V::number, "Largest recent client input buffer.", ">= 5.0"},
    {"client_recent_max_output_buffer", "redis_client_recent_max_output_buffer_bytes", K::gauge, 1, V::number, "Largest recent client output buffer.", ">= 5.0"},
    {"client_longest_output_list", "redis_client_longest_output_list", K::gauge, 1, V::number, "Longest client output list.", "< 5.0"},
    {"client_biggest_input_buf", "redis_client_biggest_input_buf", K::gauge, 1, V::number, "Biggest client input buffer.", "< 5.0"},
    {"cluster_connections", "redis_cluster_connections", K::gauge, 1, V::number, "Connections of the cluster bus (Redis Cluster).", ">= 7.0"},

    // # Memory
    {"used_memory", "redis_memory_used_bytes", K::gauge, 1, V::number, "Bytes allocated by Redis (used_memory); maxmemory is compared with this.", ""},
    {"used_memory_rss", "redis_memory_used_rss_bytes", K::gauge, 1, V::number, "Resident set size of the Redis process.", ""},
    {"used_memory_peak", "redis_memory_used_peak_bytes", K::gauge, 1, V::number, "Peak of used_memory.", ""},
    {"used_memory_overhead", "redis_memory_used_overhead_bytes", K::gauge, 1, V::number, "Memory for internal structures rather than data.", ">= 4.0"},
    {"used_memory_startup", "redis_memory_used_startup_bytes", K::gauge, 1, V::number, "Memory used at startup.", ">= 4.0"},
    {"used_memory_dataset", "redis_memory_used_dataset_bytes", K::gauge, 1, V::number, "Memory used by the data set.", ">= 4.0"},
    {"used_memory_lua", "redis_memory_used_lua_bytes", K::gauge, 1, V::number, "Memory used by the Lua engine.", ""},
    {"used_memory_scripts", "redis_memory_used_scripts_bytes", K::gauge, 1, V::number, "Memory used by cached scripts.", ">= 4.0"},
    {"maxmemory", "redis_memory_max_bytes", K::gauge, 1, V::number, "The maxmemory limit in bytes; 0 means no limit.", ""},
    {"allocator_allocated", "redis_allocator_allocated_bytes", K::gauge, 1, V::number, "Bytes allocated by the allocator.", ">= 4.0"},
    {"allocator_active", "redis_allocator_active_bytes", K::gauge, 1, V::number, "Bytes in the allocator's active pages.", ">= 4.0"},
    {"allocator_resident", "redis_allocator_resident_bytes", K::gauge, 1, V::number, "Bytes resident in the allocator.", ">= 4.0"},
    {"allocator_frag_ratio", "redis_allocator_frag_ratio", K::gauge, 1, V::number, "Allocator fragmentation ratio.", ">= 4.0"},
    {"allocator_frag_bytes", "redis_allocator_frag_bytes", K::gauge, 1, V::number, "Allocator fragmentation in bytes.", ">= 4.0"},
    {"allocator_rss_ratio", "redis_allocator_rss_ratio", K::gauge, 1, V::number, "Allocator resident to active ratio.", ">= 4.0"},
    {"allocator_rss_bytes", "redis_allocator_rss_bytes", K::gauge, 1, V::number, "Allocator resident minus active bytes.", ">= 4.0"},
    {"mem_fragmentation_ratio", "redis_mem_fragmentation_ratio", K::gauge, 1, V::number, "Ratio of used_memory_rss to used_memory.", ""},
    {"mem_fragmentation_bytes", "redis_mem_fragmentation_bytes", K::gauge, 1, V::number, "used_memory_rss minus used_memory.", ">= 5.0"},
    {"mem_not_counted_for_evict", "redis_mem_not_counted_for_eviction_bytes", K::gauge, 1, V::number, "Replica and AOF buffers, not counted against maxmemory.", ">= 4.0"},
    {"mem_total_replication_buffers", "redis_mem_total_replication_buffers_bytes", K::gauge, 1, V::number, "Memory of the replication buffers.", ">= 7.0"},
    {"mem_clients_slaves", "redis_mem_clients_slaves", K::gauge, 1, V::number, "Memory used by replica client buffers.", ">= 4.0"},
    {"mem_clients_normal", "redis_mem_clients_normal", K::gauge, 1, V::number, "Memory used by normal client buffers.", ">= 4.0"},
    {"lazyfree_pending_objects", "redis_lazyfree_pending_objects", K::gauge, 1, V::number, "Objects waiting to be freed in the background.", ">= 4.0"},
    {"active_defrag_running", "redis_active_defrag_running", K::gauge, 1, V::number, "1 while active defragmentation runs.", ">= 4.0"},
    {"number_of_cached_scripts", "redis_number_of_cached_scripts", K::gauge, 1, V::number, "Lua scripts cached by SCRIPT LOAD or EVAL.", ""},

    // # Persistence
    {"loading", "redis_loading_dump_file", K::gauge, 1, V::number, "1 while a dump file is loading.", ""},
    {"async_loading", "redis_async_loading", K::gauge, 1, V::number, "1 while loading asynchronously during a replica sync.", ">= 7.0"},
    {"rdb_changes_since_last_save", "redis_rdb_changes_since_last_save", K::gauge, 1, V::number, "Changes since the last RDB save.", ""},
    {"rdb_bgsave_in_progress", "redis_rdb_bgsave_in_progress", K::gauge, 1, V::number, "1 while an RDB save runs in the background.", ""},
    {"rdb_last_save_time", "redis_rdb_last_save_timestamp_seconds", K::gauge, 1, V::number, "Unix time of the last successful RDB save.", ""},
    {"rdb_last_bgsave_status", "redis_rdb_last_bgsave_status", K::gauge, 1, V::status, "1 when the last background RDB save succeeded.", ""},
    {"rdb_saves", "redis_rdb_saves_total", K::counter, 1, V::number, "RDB saves since startup.", ">= 7.0"},
    {"rdb_last_cow_size", "redis_rdb_last_cow_size_bytes", K::gauge, 1, V::number, "Copy-on-write memory of the last RDB save.", ">= 4.0"},
    {"aof_enabled", "redis_aof_enabled", K::gauge, 1, V::number, "1 when AOF persistence is on.", ""},
    {"aof_rewrite_in_progress", "redis_aof_rewrite_in_progress", K::gauge, 1, V::number, "1 while an AOF rewrite runs.", ""},
    {"aof_rewrite_scheduled", "redis_aof_rewrite_scheduled", K::gauge, 1, V::number, "1 when an AOF rewrite waits for an RDB save to end.", ""},
    {"aof_last_bgrewrite_status", "redis_aof_last_bgrewrite_status", K::gauge, 1, V::status, "1 when the last AOF rewrite succeeded.", ""},
    {"aof_last_write_status", "redis_aof_last_write_status", K::gauge, 1, V::status, "1 when the last AOF write succeeded.", ">= 3.0"},
    {"aof_current_size", "redis_aof_current_size_bytes", K::gauge, 1, V::number, "Current AOF size (AOF on only).", ""},
    {"aof_base_size", "redis_aof_base_size_bytes", K::gauge, 1, V::number, "AOF size at the last rewrite (AOF on only).", ""},
    {"aof_delayed_fsync", "redis_aof_delayed_fsync", K::gauge, 1, V::number, "Delayed fsync counter (AOF on only).", ""},
    {"module_fork_in_progress", "redis_module_fork_in_progress", K::gauge, 1, V::number, "1 while a module's fork runs.", ">= 6.0"},
    {"module_fork_last_cow_size", "redis_module_fork_last_cow_size", K::gauge, 1, V::number, "Copy-on-write bytes of the last module fork.", ">= 6.0"},

    // # Stats
    {"total_connections_received", "redis_connections_received_total", K::counter, 1, V::number, "Connections accepted.", ""},
    {"total_commands_processed", "redis_commands_processed_total", K::counter, 1, V::number, "Commands processed.", ""},
    {"rejected_connections", "redis_rejected_connections_total", K::counter, 1, V::number, "Connections rejected because of maxclients.", ""},
    {"total_net_input_bytes", "redis_net_input_bytes_total", K::counter, 1, V::number, "Bytes read from the network.", ""},
    {"total_net_output_bytes", "redis_net_output_bytes_total", K::counter, 1, V::number, "Bytes written to the network.", ""},
    {"total_net_repl_input_bytes", "redis_net_repl_input_bytes_total", K::counter, 1, V::number, "Bytes read from the network for replication.", ">= 7.0"},
    {"total_net_repl_output_bytes", "redis_net_repl_output_bytes_total", K::counter, 1, V::number, "Bytes written to the network for replication.", ">= 7.0"},
    {"expired_keys", "redis_expired_keys_total", K::counter, 1, V::number, "Keys removed because their TTL passed.", ""},
    {"expired_stale_perc", "redis_expired_stale_percentage", K::gauge, 1, V::number, "Estimated percentage of keys already expired but not yet removed.", ">= 5.0"},
    {"expired_time_cap_reached_count", "redis_expired_time_cap_reached_total", K::counter, 1, V::number, "Active expiry cycles stopped by their time limit.", ">= 5.0"},
    {"evicted_keys", "redis_evicted_keys_total", K::counter, 1, V::number, "Keys evicted because of the maxmemory limit.", ""},
    {"evicted_clients", "redis_evicted_clients_total", K::counter, 1, V::number, "Clients evicted because of maxmemory-clients.", ">= 7.0"},
    {"total_eviction_exceeded_time", "redis_eviction_exceeded_seconds_total", K::counter, 1e-3, V::number, "Time used_memory spent above maxmemory since the server started.", ">= 7.0"},
    {"current_eviction_exceeded_time", "redis_eviction_exceeded_current_seconds", K::gauge, 1e-3, V::number, "Time since used_memory last rose above maxmemory; 0 while below.", ">= 7.0"},
    {"keyspace_hits", "redis_keyspace_hits_total", K::counter, 1, V::number, "Successful key lookups.", ""},
    {"keyspace_misses", "redis_keyspace_misses_total", K::counter, 1, V::number, "Failed key lookups.", ""},
    {"pubsub_channels", "redis_pubsub_channels", K::gauge, 1, V::number, "Pub/Sub channels with subscribers.", ""},
    {"pubsub_patterns", "redis_pubsub_patterns", K::gauge, 1, V::number, "Pub/Sub patterns with subscribers.", ""},
    {"latest_fork_usec", "redis_latest_fork_seconds", K::gauge, 1e-6, V::number, "Duration of the latest fork.", ""},
    {"active_defrag_hits", "redis_defrag_hits_total", K::counter, 1, V::number, "Value reallocations done by active defragmentation.", ">= 4.0"},
    {"active_defrag_misses", "redis_defrag_misses_total", K::counter, 1, V::number, "Value reallocations active defragmentation skipped.", ">= 4.0"},
    {"active_defrag_key_hits", "redis_defrag_key_hits_total", K::counter, 1, V::number, "Keys active defragmentation worked on.", ">= 4.0"},
    {"active_defrag_key_misses", "redis_defrag_key_misses_total", K::counter, 1, V::number, "Keys active defragmentation skipped.", ">= 4.0"},
    {"tracking_total_keys", "redis_tracking_total_keys", K::gauge, 1, V::number, "Keys tracked for client-side caching.", ">= 6.0"},
    {"tracking_total_items", "redis_tracking_total_items", K::gauge, 1, V::number, "Client-key pairs tracked for client-side caching.", ">= 6.0"},
    {"tracking_total_prefixes", "redis_tracking_total_prefixes", K::gauge, 1, V::number, "Prefixes tracked for client-side caching (broadcast mode).", ">= 6.0"},
    {"io_threaded_reads_processed", "redis_io_threaded_reads_processed_total", K::counter, 1, V::number, "Reads done by I/O threads.", ">= 6.0"},
    {"io_threaded_writes_processed", "redis_io_threaded_writes_processed_total", K::counter, 1, V::number, "Writes done by I/O threads.", ">= 6.0"},
    {"client_query_buffer_limit_disconnections", "redis_client_query_buffer_limit_disconnections_total", K::counter, 1, V::number, "Clients disconnected for exceeding the query buffer limit.", "> 7.0"},
    {"client_output_buffer_limit_disconnections", "redis_client_output_buffer_limit_disconnections_total", K::counter, 1, V::number, "Clients disconnected for exceeding the output buffer limit.", "> 7.0"},
    {"acl_access_denied_auth", "redis_acl_access_denied_auth_total", K::counter, 1, V::number, "Failed authentications.", "> 7.0"},
    {"acl_access_denied_cmd", "redis_acl_access_denied_cmd_total", K::counter, 1, V::number, "Commands denied by ACL.", "> 7.0"},
    {"acl_access_denied_key", "redis_acl_access_denied_key_total", K::counter, 1, V::number, "Key accesses denied by ACL.", "> 7.0"},
    {"acl_access_denied_channel", "redis_acl_access_denied_channel_total", K::counter, 1, V::number, "Channel accesses denied by ACL.", "> 7.0"},

    // # Replication
    {"connected_slaves", "redis_connected_slaves", K::gauge, 1, V::number, "Connected replicas.", ""},
    {"repl_backlog_size", "redis_replication_backlog_bytes", K::gauge, 1, V::number, "Size of the replication backlog.", ""},
    {"repl_backlog_active", "redis_repl_backlog_is_active", K::gauge, 1, V::number, "1 when the replication backlog is active.", ""},
    {"repl_backlog_first_byte_offset", "redis_repl_backlog_first_byte_offset", K::gauge, 1, V::number, "Replication offset of the backlog's first byte.", ""},
    {"repl_backlog_histlen", "redis_repl_backlog_history_bytes", K::gauge, 1, V::number, "Bytes of data in the replication backlog.", ""},
    {"master_repl_offset", "redis_master_repl_offset", K::gauge, 1, V::number, "Replication offset of this server.", ""},
    {"second_repl_offset", "redis_second_repl_offset", K::gauge, 1, V::number, "Offset up to which the previous replication id is accepted.", ">= 4.0"},
    {"slave_expires_tracked_keys", "redis_slave_expires_tracked_keys", K::gauge, 1, V::number, "Keys tracked for expiry on a writable replica.", ">= 4.0"},
    {"slave_priority", "redis_slave_priority", K::gauge, 1, V::number, "Replica priority for failover (replicas only).", ""},
    {"sync_full", "redis_replica_resyncs_full", K::gauge, 1, V::number, "Full resynchronisations with replicas.", ""},
    {"sync_partial_ok", "redis_replica_partial_resync_accepted", K::gauge, 1, V::number, "Partial resynchronisations accepted.", ""},
    {"sync_partial_err", "redis_replica_partial_resync_denied", K::gauge, 1, V::number, "Partial resynchronisations denied.", ""},

    // # CPU
    {"used_cpu_sys", "redis_cpu_sys_seconds_total", K::counter, 1, V::number, "System CPU time of the Redis server.", ""},
    {"used_cpu_user", "redis_cpu_user_seconds_total", K::counter, 1, V::number, "User CPU time of the Redis server.", ""},
    {"used_cpu_sys_children", "redis_cpu_sys_children_seconds_total", K::counter, 1, V::number, "System CPU time of background processes.", ""},
    {"used_cpu_user_children", "redis_cpu_user_children_seconds_total", K::counter, 1, V::number, "User CPU time of background processes.", ""},
    {"used_cpu_sys_main_thread", "redis_cpu_sys_main_thread_seconds_total", K::counter, 1, V::number, "System CPU time of the main thread.", ">= 6.2"},
    {"used_cpu_user_main_thread", "redis_cpu_user_main_thread_seconds_total", K::counter, 1, V::number, "User CPU time of the main thread.", ">= 6.2"},
});

// CLUSTER INFO, each node's own view of the cluster (redis_exporter's names).
constexpr std::array kClusterInfoMetrics = std::to_array<InfoMetric>({
    {"cluster_state", "redis_cluster_state", K::gauge, 1, V::status, "1 when this node says the cluster is ok (every slot served), 0 when it says fail.", ""},
    {"cluster_slots_assigned", "redis_cluster_slots_assigned", K::gauge, 1, V::number, "Slots assigned to a primary, as this node sees it.", ""},
    {"cluster_slots_ok", "redis_cluster_slots_ok", K::gauge, 1, V::number, "Slots whose primary is neither failing nor suspected.", ""},
    {"cluster_slots_pfail", "redis_cluster_slots_pfail", K::gauge, 1, V::number, "Slots whose primary this node suspects of failing.", ""},
    {"cluster_slots_fail", "redis_cluster_slots_fail", K::gauge, 1, V::number, "Slots whose primary the cluster agreed has failed.", ""},
    {"cluster_known_nodes", "redis_cluster_known_nodes", K::gauge, 1, V::number, "Nodes this node knows, handshakes included.", ""},
    {"cluster_size", "redis_cluster_size", K::gauge, 1, V::number, "Primaries serving at least one slot.", ""},
    {"cluster_current_epoch", "redis_cluster_current_epoch", K::gauge, 1, V::number, "The cluster's current epoch.", ""},
    {"cluster_my_epoch", "redis_cluster_my_epoch", K::gauge, 1, V::number, "This node's config epoch.", ""},
    {"cluster_stats_messages_sent", "redis_cluster_messages_sent_total", K::counter, 1, V::number, "Messages sent on the cluster bus.", ""},
    {"cluster_stats_messages_received", "redis_cluster_messages_received_total", K::counter, 1, V::number, "Messages received on the cluster bus.", ""},
});

constexpr std::array kConfigMetrics = std::to_array<ConfigMetric>({
    {"maxmemory", "redis_config_maxmemory", "The maxmemory setting from CONFIG GET; 0 means no limit."},
    {"maxclients", "redis_config_maxclients", "The maxclients setting from CONFIG GET."},
    {"io-threads", "redis_config_io_threads", "The io-threads setting from CONFIG GET (1: the main thread only)."},
});
// clang-format on

std::optional<double> field_value(const std::string& text, ValueStyle style) {
  if (style == ValueStyle::status) {
    if (text == "ok" || text == "true") return 1.0;
    if (text == "err" || text == "fail" || text == "false") return 0.0;
    return std::nullopt;
  }
  return parse_number(text);
}

void write_table_metrics(std::span<const InfoMetric> table, const Info& info, SeriesSet& out) {
  for (const auto& metric : table) {
    const auto* text = info.find(metric.field);
    if (text == nullptr) continue;
    const auto value = field_value(*text, metric.style);
    if (!value || (metric.kind == MetricKind::counter && *value < 0)) continue;  // counters never go below 0
    const Family family{
        metric.name, metric.help, metric.kind == MetricKind::counter ? MetricType::counter : MetricType::gauge, {}};
    out.add(family, {}, *value * metric.scale);
  }
}

void write_derived_metrics(const Info& info, std::chrono::system_clock::time_point now, SeriesSet& out) {
  static constexpr auto kStart =
      gauge_family("redis_start_time_seconds", "Start time of the Redis server since the Unix epoch.");
  static constexpr auto kUsedRatio =
      gauge_family("redis_memory_used_ratio",
                   "used_memory / maxmemory; only while maxmemory is set. Eviction or OOM errors start at 1.");
  if (const auto uptime = info.number("uptime_in_seconds")) {
    const double now_seconds =
        static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
    out.add(kStart, {}, now_seconds - *uptime);
  }
  static constexpr auto kEvictionPressure =
      gauge_family("redis_memory_eviction_pressure_ratio",
                   "(used_memory - mem_not_counted_for_evict) / maxmemory: what Redis compares with its limit "
                   "before it evicts; only while maxmemory is set.");
  const auto used = info.number("used_memory");
  const auto max = info.number("maxmemory");
  if (used && max && *max > 0) {
    out.add(kUsedRatio, {}, *used / *max);
    if (const auto not_counted = info.number("mem_not_counted_for_evict")) {
      out.add(kEvictionPressure, {}, std::max(0.0, *used - *not_counted) / *max);
    }
  }
}

void write_instance_info(const Info& info, SeriesSet& out) {
  static constexpr auto kInstance =
      gauge_family("redis_instance_info", "Information about the Redis instance.",
                   {"role", "redis_version", "redis_build_id", "redis_mode", "os", "maxmemory_policy", "tcp_port",
                    "run_id", "process_id", "master_replid"});
  std::string mode = info.text("redis_mode");
  if (mode.empty()) mode = info.text("server_mode");
  out.add(kInstance,
          {info.text("role"), info.text("redis_version"), info.text("redis_build_id"), mode, info.text("os"),
           info.text("maxmemory_policy"), info.text("tcp_port"), info.text("run_id"), info.text("process_id"),
           info.text("master_replid")},
          1);
}

void write_keyspace_metrics(const Info& info, SeriesSet& out) {
  static constexpr auto kKeys = gauge_family("redis_db_keys", "Keys in the database.", {"db"});
  static constexpr auto kExpiring = gauge_family("redis_db_keys_expiring", "Keys with a TTL in the database.", {"db"});
  static constexpr auto kAvgTtl =
      gauge_family("redis_db_avg_ttl_seconds", "Average TTL of the keys with a TTL (an estimate by Redis).", {"db"});
  for (const auto& db : info.keyspace) out.add(kKeys, {db.db}, db.keys);
  for (const auto& db : info.keyspace) out.add(kExpiring, {db.db}, db.expires);
  for (const auto& db : info.keyspace) {
    if (db.avg_ttl_ms) out.add(kAvgTtl, {db.db}, *db.avg_ttl_ms / 1000.0);
  }
}

// The link of a replica to its master (fields only replicas have), its connected replicas
// (`slaveN:ip=...,port=...,state=...,offset=...,lag=...` on a master).
void write_replication_metrics(const Info& info, SeriesSet& out) {
  static constexpr LabelNames kMaster{"master_host", "master_port"};
  static constexpr auto kLinkUp =
      gauge_family("redis_master_link_up", "1 when the replica's link to its master is up.", kMaster);
  static constexpr std::array<std::pair<std::string_view, Family>, 3> kReplicaFields{{
      {"master_last_io_seconds_ago",
       gauge_family("redis_master_last_io_seconds_ago",
                    "Seconds since the replica last heard from its master; -1 when the link is down.", kMaster)},
      {"master_sync_in_progress",
       gauge_family("redis_master_sync_in_progress", "1 while the replica synchronises with its master.", kMaster)},
      {"slave_repl_offset", gauge_family("redis_slave_repl_offset", "Replication offset of the replica.", kMaster)},
  }};
  static constexpr auto kSlaveInfo = gauge_family("redis_slave_info", "Information about the replica's master.",
                                                  {"master_host", "master_port", "read_only"});
  static constexpr LabelNames kReplica{"slave_ip", "slave_port", "slave_state"};
  static constexpr auto kOffset = gauge_family("redis_connected_slave_offset_bytes",
                                               "Replication offset acknowledged by a connected replica.", kReplica);
  static constexpr auto kLag = gauge_family("redis_connected_slave_lag_seconds",
                                            "Seconds since a connected replica last acknowledged.", kReplica);

  const auto master_host = info.text("master_host");
  const auto master_port = info.text("master_port");
  if (const auto* status = info.find("master_link_status")) {
    out.add(kLinkUp, {master_host, master_port}, *status == "up" ? 1 : 0);
  }
  for (const auto& [field, family] : kReplicaFields) {
    if (const auto value = info.number(field)) out.add(family, {master_host, master_port}, *value);
  }
  if (info.text("role") == "slave") {
    out.add(kSlaveInfo, {master_host, master_port, info.text("slave_read_only")}, 1);
  }
  for (auto& fields : connected_replicas(info)) {
    const auto acked = parse_number(fields["offset"]);
    if (!acked) continue;
    out.add(kOffset, {fields["ip"], fields["port"], fields["state"]}, *acked);
    if (const auto seconds = parse_number(fields["lag"])) {
      out.add(kLag, {fields["ip"], fields["port"], fields["state"]}, *seconds);
    }
  }
}

// One `cmdstat_get:calls=21,usec=175,usec_per_call=8.33[,rejected_calls=0,failed_calls=0]`
// line of Commandstats.
struct CommandStat {
  std::string_view command;  // "get", "config|set"
  double calls = 0;
  double usec = 0;
  std::optional<double> rejected_calls;
  std::optional<double> failed_calls;
};

// The Commandstats lines that have calls and usec, in text order.
std::vector<CommandStat> command_stats(const Info& info) {
  std::vector<CommandStat> stats;
  const auto* section = info.section("Commandstats");
  if (section == nullptr) return stats;
  for (const auto& [key, value] : section->fields) {
    if (key.rfind("cmdstat_", 0) != 0 || key.size() == 8) continue;
    const auto parts = parse_key_value_list(value);
    if (!parts) continue;
    std::map<std::string, std::string> fields(parts->begin(), parts->end());
    const auto calls = parse_number(fields["calls"]);
    const auto usec = parse_number(fields["usec"]);
    if (!calls || !usec) continue;
    stats.push_back({std::string_view(key).substr(8), *calls, *usec, parse_number(fields["rejected_calls"]),
                     parse_number(fields["failed_calls"])});
  }
  return stats;
}

// Commandstats and `errorstat_ERR:count=1`.
void write_command_metrics(const Info& info, SeriesSet& out) {
  static constexpr auto kCalls = counter_family("redis_commands_total", "Calls per command.", {"cmd"});
  static constexpr auto kSeconds =
      counter_family("redis_commands_duration_seconds_total", "Time spent per command.", {"cmd"});
  static constexpr auto kRejected =
      counter_family("redis_commands_rejected_calls_total", "Calls rejected before execution per command.", {"cmd"});
  static constexpr auto kFailed =
      counter_family("redis_commands_failed_calls_total", "Calls failed during execution per command.", {"cmd"});
  static constexpr auto kErrors = counter_family("redis_errors_total", "Error replies per error prefix.", {"err"});
  for (const auto& stat : command_stats(info)) {
    out.add(kCalls, {stat.command}, stat.calls);
    out.add(kSeconds, {stat.command}, stat.usec / 1e6);
    if (stat.rejected_calls) out.add(kRejected, {stat.command}, *stat.rejected_calls);
    if (stat.failed_calls) out.add(kFailed, {stat.command}, *stat.failed_calls);
  }
  if (const auto* section = info.section("Errorstats")) {
    bool oom_listed = false;
    for (const auto& [key, value] : section->fields) {
      if (key.rfind("errorstat_", 0) != 0 || key.size() == 10) continue;
      const auto parts = parse_key_value_list(value);
      if (!parts || parts->empty() || (*parts)[0].first != "count") continue;
      const auto prefix = std::string_view(key).substr(10);
      oom_listed = oom_listed || prefix == "OOM";
      if (const auto n = parse_number((*parts)[0].second)) out.add(kErrors, {prefix}, *n);
    }
    // Redis lists an error prefix only once it has replied with it; OOM (a write refused at
    // maxmemory) is exported at 0 before that, so that increase() sees the first rejection.
    if (!oom_listed) out.add(kErrors, {"OOM"}, 0);
  }
}

// A decimal number (digits and at most one '.') times 10^exponent, read from the text as one
// decimal so that it is the double nearest the exact result (2.007 µs is 2.007e-6 s, not the
// product of two rounded numbers).
std::optional<double> scaled_decimal(std::string_view text, int exponent) {
  const auto dot = text.find('.');
  const auto digits = [](std::string_view part) {
    return part.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (text.empty() || text.front() == '.' || !digits(text.substr(0, dot)) ||
      (dot != std::string_view::npos && !digits(text.substr(dot + 1)))) {
    return std::nullopt;
  }
  return parse_number(std::string(text) + "e" + std::to_string(exponent));
}

// "p99.9" -> 0.999.
std::optional<double> quantile_of(std::string_view percentile) {
  if (percentile.size() < 2 || percentile.front() != 'p') return std::nullopt;
  const auto quantile = scaled_decimal(percentile.substr(1), -2);
  if (!quantile || *quantile > 1) return std::nullopt;
  return quantile;
}

// INFO latencystats (Redis >= 7.0):
// `latency_percentiles_usec_get:p50=0.001,p99=1.003,p99.9=4.015`, the percentiles of the
// server's `latency-tracking-info-percentiles` setting (any list: p0, p99.99, p100, ...). One
// summary per command, in seconds, whose `_sum` and `_count` are the command's time and
// calls from Commandstats; a command without a Commandstats line, or with a part that does
// not parse, has none.
void write_latency_metrics(const Info& info, SeriesSet& out) {
  static constexpr auto kLatency =
      summary_family("redis_latency_percentiles_seconds",
                     "Latency percentiles per command (INFO latencystats); _sum and _count are the command's "
                     "time and calls from Commandstats.",
                     {"cmd"});
  static constexpr std::string_view kPrefix = "latency_percentiles_usec_";
  const auto* section = info.section("Latencystats");
  if (section == nullptr) return;
  const auto stats = command_stats(info);
  std::map<std::string_view, const CommandStat*> unwritten;  // a command's second line finds nothing
  for (const auto& stat : stats) unwritten.try_emplace(stat.command, &stat);
  std::vector<Quantile> quantiles;
  for (const auto& [key, value] : section->fields) {
    if (key.rfind(kPrefix, 0) != 0 || key.size() == kPrefix.size()) continue;
    const auto command = std::string_view(key).substr(kPrefix.size());
    const auto found = unwritten.find(command);
    if (found == unwritten.end()) continue;
    const auto& stat = *found->second;
    if (stat.calls < 0 || stat.usec < 0) continue;
    const auto parts = parse_key_value_list(value);
    if (!parts) continue;
    quantiles.clear();
    for (const auto& [percentile, usec] : *parts) {
      const auto quantile = quantile_of(percentile);
      const auto seconds = scaled_decimal(usec, -6);
      if (!quantile || !seconds) break;
      quantiles.push_back({*quantile, *seconds});
    }
    if (quantiles.size() != parts->size()) continue;
    // In the order of the setting, which Redis does not sort; a percentile listed twice is one.
    std::sort(quantiles.begin(), quantiles.end(), [](const auto& a, const auto& b) { return a.quantile < b.quantile; });
    quantiles.erase(std::unique(quantiles.begin(), quantiles.end(),
                                [](const auto& a, const auto& b) { return a.quantile == b.quantile; }),
                    quantiles.end());
    out.family(kLatency).add_summary({command}, quantiles, stat.usec / 1e6, stat.calls);
    unwritten.erase(found);
  }
}

void write_config_metrics(const std::map<std::string, std::string>& config, SeriesSet& out) {
  for (const auto& metric : kConfigMetrics) {
    const auto it = config.find(std::string(metric.parameter));
    if (it == config.end()) continue;
    if (const auto value = parse_number(it->second)) out.add(gauge_family(metric.name, metric.help), {}, *value);
  }
}

}  // namespace

std::span<const InfoMetric> info_metric_table() { return kInfoMetrics; }

std::span<const InfoMetric> cluster_info_metric_table() { return kClusterInfoMetrics; }

std::span<const ConfigMetric> config_metric_table() { return kConfigMetrics; }

void write_info_metrics(const Info& info, const std::map<std::string, std::string>& config,
                        std::chrono::system_clock::time_point now, SeriesSet& out) {
  write_table_metrics(kInfoMetrics, info, out);
  write_derived_metrics(info, now, out);
  write_instance_info(info, out);
  write_keyspace_metrics(info, out);
  write_replication_metrics(info, out);
  write_command_metrics(info, out);
  write_latency_metrics(info, out);
  write_config_metrics(config, out);
}

void write_cluster_info_metrics(const Info& cluster_info, SeriesSet& out) {
  write_table_metrics(kClusterInfoMetrics, cluster_info, out);
}

}  // namespace msgwatch::redis
