#!/usr/bin/env bash
# Benchmarks what the Redis probe's key-group sampling costs Redis itself, on a local
# redis-server it starts with 1,000,000 keys of three patterns (500,000 dedup:N with a one-hour
# TTL, 300,000 session:N with ten minutes, 200,000 queue:N without).
#
#   bench/redis_key_groups_bench.sh
#
# MSGWATCH_BENCH_RUNS times: redis-benchmark (GET and SET on random keys, 50 clients) first
# with no daemon, then with a daemon whose Redis probe samples three key groups at the default
# key_sampling settings, every MSGWATCH_BENCH_INTERVAL (the probe's default, 15 s; each
# redis-benchmark test lasts about half a minute, so it spans two cycles or more).
# Prints the median over the runs of Redis's p50 and p99 latency both ways and their ratios
# (with / without), the daemon's Redis cycle time, and how many cycles a SCAN pass took; one
# `name value unit` line each.
#
# Environment (defaults in brackets):
#   MSGWATCH_BENCH_RUNS [3]   MSGWATCH_BENCH_REQUESTS [1500000] per redis-benchmark test
#   MSGWATCH_BENCH_INTERVAL [15s] the Redis probe's interval
#   MSGWATCH_BENCH_REDIS_PORT [19400]  MSGWATCH_BENCH_HTTP_PORT [19450]
#   MSGWATCH_BENCH_BUILD_DIR [build-bench]; MSGWATCH_BENCH_SKIP_BUILD [0]
# Logs and raw figures: .run/bench/redis-key-groups-<time>/
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUNS=${MSGWATCH_BENCH_RUNS:-3}
REQUESTS=${MSGWATCH_BENCH_REQUESTS:-1500000}
INTERVAL=${MSGWATCH_BENCH_INTERVAL:-15s}
REDIS_PORT=${MSGWATCH_BENCH_REDIS_PORT:-19400}
HTTP_PORT=${MSGWATCH_BENCH_HTTP_PORT:-19450}
BUILD_DIR=${MSGWATCH_BENCH_BUILD_DIR:-$ROOT/build-bench}
REDIS_NAME=bench-key-groups
DAEMON=$BUILD_DIR/exporter/msgwatch
OUT="$RUN_DIR/bench/redis-key-groups-$(date -u +%Y%m%dT%H%M%SZ)"

redis_started=0
daemon_pid=

cleanup() {
  local status=$?
  if [[ -n "$daemon_pid" ]] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  if ((redis_started)); then "$ROOT/scripts/redis.sh" stop --name "$REDIS_NAME" >/dev/null 2>&1 || true; fi
  if ((status != 0)) && [[ -d "$OUT" ]]; then log "failed; logs are in $OUT"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The million keys, written as one RESP stream through redis-cli --pipe.
load_keys() {
  awk 'function cmd(n, a, b, c, d, e,   s) {
         s = "*" n "\r\n$" length(a) "\r\n" a "\r\n$" length(b) "\r\n" b "\r\n$" length(c) "\r\n" c "\r\n"
         if (n == 5) s = s "$" length(d) "\r\n" d "\r\n$" length(e) "\r\n" e "\r\n"
         printf "%s", s }
       BEGIN {
         v = "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"
         for (i = 0; i < 500000; i++) cmd(5, "SET", "dedup:" i, v, "EX", "3600")
         for (i = 0; i < 300000; i++) cmd(5, "SET", "session:" i, v, "EX", "600")
         for (i = 0; i < 200000; i++) cmd(3, "SET", "queue:" i, v)
       }' | redis-cli -p "$REDIS_PORT" --pipe >"$OUT/load.log" 2>&1 || die "loading the keys failed (log: $OUT/load.log)"
}

# latencies: "get_p50 get_p99 set_p50 set_p99" in ms from one redis-benchmark run.
latencies() {
  redis-benchmark -p "$REDIS_PORT" -t get,set -n "$REQUESTS" -r 1000000 --csv -q 2>/dev/null | awk -F'","' '
    $1 == "\"GET" { gsub(/"/, "", $5); gsub(/"/, "", $7); get50 = $5; get99 = $7 }
    $1 == "\"SET" { gsub(/"/, "", $5); gsub(/"/, "", $7); set50 = $5; set99 = $7 }
    END { print get50, get99, set50, set99 }'
}

daemon_config() {
  cat <<CONFIG
redis:
  - name: bench
    address: 127.0.0.1:$REDIS_PORT
    interval: $INTERVAL
    key_groups:
      - {name: dedup, pattern: "dedup:*"}
      - {name: sessions, pattern: "session:*"}
      - {name: queues, pattern: "queue:*"}
CONFIG
}

# metric NAME LABEL_TEXT: the first sample of NAME whose labels contain LABEL_TEXT.
metric() {
  curl -sf "http://127.0.0.1:$HTTP_PORT/metrics" | awk -v n="$1" -v l="$2" 'index($1, n "{") == 1 && index($1, l) { print $NF; exit }'
}

redis_cycle_done() { [[ -n "$(metric redis_up "")" ]]; }

main() {
  mkdir -p "$OUT"
  build_daemon "$BUILD_DIR" msgwatch
  "$ROOT/scripts/redis.sh" start --name "$REDIS_NAME" --port "$REDIS_PORT" >/dev/null
  redis_started=1
  load_keys
  log "1,000,000 keys loaded; $RUNS runs of $REQUESTS GET and SET each way"
  local run figures g50 g99 s50 s99 passes
  for ((run = 1; run <= RUNS; run++)); do
    figures="$OUT/run$run.txt"
    read -r g50 g99 s50 s99 <<<"$(latencies)"
    printf 'redis.get_p50_without %s ms\nredis.get_p99_without %s ms\nredis.set_p50_without %s ms\nredis.set_p99_without %s ms\n' \
      "$g50" "$g99" "$s50" "$s99" >>"$figures"
    daemon_config >"$OUT/run$run.yml"
    require_free_port "$HTTP_PORT"
    "$DAEMON" --config.file="$OUT/run$run.yml" --web.listen-address="127.0.0.1:$HTTP_PORT" \
      >"$OUT/run$run.daemon.log" 2>&1 &
    daemon_pid=$!
    wait_until 30 "the daemon's first Redis cycle" redis_cycle_done ||
      die "no Redis cycle (log: $OUT/run$run.daemon.log)"
    read -r g50 g99 s50 s99 <<<"$(latencies)"
    printf 'redis.get_p50_with %s ms\nredis.get_p99_with %s ms\nredis.set_p50_with %s ms\nredis.set_p99_with %s ms\n' \
      "$g50" "$g99" "$s50" "$s99" >>"$figures"
    echo "daemon.redis_cycle $(metric msgwatch_probe_duration_seconds 'probe="redis"') s" >>"$figures"
    passes=$(metric msgwatch_redis_key_groups_pass_complete "")
    echo "daemon.pass_complete ${passes:-0} bool" >>"$figures"
    kill -TERM "$daemon_pid"
    wait "$daemon_pid" || die "the daemon exited with an error after run $run"
    daemon_pid=
    log "run $run: $(tr '\n' ' ' <"$figures")"
  done
  median_figures "$OUT"/run*.txt | tee "$OUT/summary.txt"
  awk '{ v[$1] = $2 } END {
    split("get_p50 get_p99 set_p50 set_p99", k, " ")
    for (i = 1; i <= 4; i++) if (v["redis." k[i] "_without"] > 0)
      printf "redis.%s_ratio %.2f with/without\n", k[i], v["redis." k[i] "_with"] / v["redis." k[i] "_without"]
  }' "$OUT/summary.txt" | tee -a "$OUT/summary.txt"
  log "figures in $OUT"
}

main
