#!/usr/bin/env bash
# Benchmarks the Redis probe's cycle on a Redis Cluster: 6 local redis-server processes
# (3 primaries, 3 replicas) created with redis-cli --cluster, filled by redis-benchmark
# --cluster with MSGWATCH_BENCH_KEYS random SETs (key:NNNNNNNNNNNN), and a daemon seeded with
# one node that discovers the others and samples one key group and reads three queues at the
# default settings.
#
#   bench/redis_cluster_bench.sh
#
# Prints the median and the maximum over MSGWATCH_BENCH_CYCLES cycles of the probe's cycle
# time (msgwatch_probe_duration_seconds: every node read, all at once), the nodes that
# answered, and the daemon's CPU per cycle; one `name value unit` line each.
#
# Environment (defaults in brackets):
#   MSGWATCH_BENCH_KEYS [1000000]  MSGWATCH_BENCH_CYCLES [20]  MSGWATCH_BENCH_INTERVAL [2s]
#   MSGWATCH_BENCH_REDIS_PORT [19500] the first node's port (the others follow; bus ports +100)
#   MSGWATCH_BENCH_HTTP_PORT [19550]
#   MSGWATCH_BENCH_BUILD_DIR [build-bench]; MSGWATCH_BENCH_SKIP_BUILD [0]
# Logs and raw figures: .run/bench/redis-cluster-<time>/
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KEYS=${MSGWATCH_BENCH_KEYS:-1000000}
CYCLES=${MSGWATCH_BENCH_CYCLES:-20}
INTERVAL=${MSGWATCH_BENCH_INTERVAL:-2s}
FIRST_PORT=${MSGWATCH_BENCH_REDIS_PORT:-19500}
HTTP_PORT=${MSGWATCH_BENCH_HTTP_PORT:-19550}
BUILD_DIR=${MSGWATCH_BENCH_BUILD_DIR:-$ROOT/build-bench}
DAEMON=$BUILD_DIR/exporter/msgwatch
OUT="$RUN_DIR/bench/redis-cluster-$(date -u +%Y%m%dT%H%M%SZ)"
NODES=6

started=0
daemon_pid=

cleanup() {
  local status=$? i
  if [[ -n "$daemon_pid" ]] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  for ((i = 0; i < started; i++)); do
    "$ROOT/scripts/redis.sh" stop --name "bench-cluster-$i" >/dev/null 2>&1 || true
  done
  if ((status != 0)) && [[ -d "$OUT" ]]; then log "failed; logs are in $OUT"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cluster_ok() {
  local i
  for ((i = 0; i < NODES; i++)); do
    redis-cli -p $((FIRST_PORT + i)) CLUSTER INFO 2>/dev/null | grep -q '^cluster_state:ok' || return 1
  done
}

start_cluster() {
  local i port addresses=()
  for ((i = 0; i < NODES; i++)); do
    port=$((FIRST_PORT + i))
    "$ROOT/scripts/redis.sh" start --name "bench-cluster-$i" --port "$port" -- --cluster-enabled yes \
      --cluster-port $((port + 100)) --cluster-config-file nodes.conf >/dev/null
    started=$((i + 1))
    addresses+=("127.0.0.1:$port")
  done
  redis-cli --cluster create "${addresses[@]}" --cluster-replicas 1 --cluster-yes >"$OUT/create.log" 2>&1 ||
    die "redis-cli --cluster create failed (log: $OUT/create.log)"
  wait_until 60 "every node says cluster_state:ok" cluster_ok || die "the cluster did not become ok"
}

daemon_config() {
  cat <<CONFIG
redis:
  - name: bench
    address: 127.0.0.1:$FIRST_PORT
    interval: $INTERVAL
    timeout: $INTERVAL
    queues: [jobs:a, "{jobs}:b", jobs:c]
    key_groups:
      - {name: keys, pattern: "key:*"}
CONFIG
}

# The page's samples of NAME whose labels contain LABEL_TEXT, one value a line.
samples() {
  curl -sf "http://127.0.0.1:$HTTP_PORT/metrics" | awk -v n="$1" -v l="$2" 'index($1, n "{") == 1 && index($1, l) { print $NF }'
}

all_nodes_up() { [[ "$(samples redis_up "" | grep -c '^1$')" == "$NODES" ]]; }

main() {
  mkdir -p "$OUT"
  build_daemon "$BUILD_DIR" msgwatch
  start_cluster
  redis-benchmark --cluster -p "$FIRST_PORT" -t set -n "$KEYS" -r "$KEYS" -d 40 -q >"$OUT/load.log" 2>&1 ||
    die "loading the keys failed (log: $OUT/load.log)"
  log "cluster of $NODES nodes up, $KEYS SETs on random keys loaded"

  daemon_config >"$OUT/daemon.yml"
  require_free_port "$HTTP_PORT"
  "$DAEMON" --config.file="$OUT/daemon.yml" --web.listen-address="127.0.0.1:$HTTP_PORT" >"$OUT/daemon.log" 2>&1 &
  daemon_pid=$!
  wait_until 30 "the daemon to see all $NODES nodes" all_nodes_up || die "not every node up (log: $OUT/daemon.log)"

  local interval_s cycle ticks_before ticks_after last="" duration
  interval_s=$(awk -v i="$INTERVAL" 'BEGIN { sub(/s$/, "", i); print i }')
  ticks_before=$(cpu_ticks "$daemon_pid")
  for ((cycle = 1; cycle <= CYCLES; cycle++)); do
    sleep "$interval_s"
    duration=$(samples msgwatch_probe_duration_seconds 'probe="redis"' | head -n 1)
    [[ -n "$duration" && "$duration" != "$last" ]] || continue
    last=$duration
    echo "redis.cluster_cycle $duration s" >>"$OUT/cycles.txt"
    echo "redis.nodes_up $(samples redis_up "" | grep -c '^1$') nodes" >>"$OUT/cycles.txt"
  done
  ticks_after=$(cpu_ticks "$daemon_pid")
  median_figures "$OUT/cycles.txt" | tee "$OUT/summary.txt"
  awk '$1 == "redis.cluster_cycle" && $2 > max { max = $2 } END { printf "redis.cluster_cycle_max %.4g s\n", max }' \
    "$OUT/cycles.txt" | tee -a "$OUT/summary.txt"
  awk -v t=$((ticks_after - ticks_before)) -v hz="$(getconf CLK_TCK)" -v n="$CYCLES" \
    'BEGIN { printf "daemon.cpu_per_cycle %.4g s\n", t / hz / n }' | tee -a "$OUT/summary.txt"
  log "figures in $OUT"
}

main
