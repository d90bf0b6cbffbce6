#!/usr/bin/env bash
# Benchmarks the kafka_canary probe against a local one-broker Kafka cluster it starts itself.
#
#   bench/canary_bench.sh [small|large|both]        (default: both)
#
# SMALL: 100 canary partitions, one message to each every second;
# LARGE: 1,000 canary partitions, one message to each every minute.
# For each size, on a fresh cluster, MSGWATCH_BENCH_RUNS times: Kafka's producer-perf-test
# writes MSGWATCH_BENCH_RATE records a second (100 bytes, acks=all) to a topic of its own for
# a window, first with no daemon running, then with a daemon whose canary has already made a
# round trip on every partition. Figures of the daemon over that window: CPU (user + system,
# per second of the window), RSS at its end and its peak; of the producer both times: its
# average and 99th-percentile latency, and their ratio (with / without the canary). Prints
# the median over the runs of each, one `name value unit` line each. The daemon's lag probe
# runs too, on nothing (no topic, no group matched) every minute.
#
# Environment (defaults in brackets):
#   MSGWATCH_BENCH_RUNS [3]            runs per size
#   MSGWATCH_BENCH_RATE [1000]         producer-perf-test records a second
#   MSGWATCH_BENCH_WINDOW_S            the measured window [SMALL 60, LARGE 120: two rounds]
#   MSGWATCH_BENCH_KAFKA_PORT [19300]  MSGWATCH_BENCH_HTTP_PORT [19350]
#   MSGWATCH_BENCH_BUILD_DIR [build-bench]; MSGWATCH_BENCH_SKIP_BUILD [0]
# Logs and raw figures: .run/bench/canary-<time>/
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mode=${1:-both}
case "$mode" in
  small | large) sizes=("$mode") ;;
  both) sizes=(small large) ;;
  *) die "usage: $0 [small|large|both]" ;;
esac

RUNS=${MSGWATCH_BENCH_RUNS:-3}
RATE=${MSGWATCH_BENCH_RATE:-1000}
KAFKA_PORT=${MSGWATCH_BENCH_KAFKA_PORT:-19300}
HTTP_PORT=${MSGWATCH_BENCH_HTTP_PORT:-19350}
BUILD_DIR=${MSGWATCH_BENCH_BUILD_DIR:-$ROOT/build-bench}
export MSGWATCH_KAFKA_JVM_OPTS="${MSGWATCH_KAFKA_JVM_OPTS:--Xms1g -Xmx2g -XX:+UseSerialGC}"
KAFKA_NAME=bench-canary
DAEMON=$BUILD_DIR/exporter/msgwatch
OUT="$RUN_DIR/bench/canary-$(date -u +%Y%m%dT%H%M%SZ)"
LOCK="$RUN_DIR/bench/canary.lock"

kafka_started=0
daemon_pid=

cleanup() {
  local status=$?
  if [[ -n "$daemon_pid" ]] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  if ((kafka_started)); then "$ROOT/scripts/kafka.sh" stop --name "$KAFKA_NAME" --kill >/dev/null 2>&1 || true; fi
  if ((status != 0)) && [[ -d "$OUT" ]]; then log "failed; logs are in $OUT"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# settings_of SIZE: canary partitions, interval in seconds, window in seconds.
settings_of() {
  case "$1" in
    small) echo "100 1 ${MSGWATCH_BENCH_WINDOW_S:-60}" ;;
    large) echo "1000 60 ${MSGWATCH_BENCH_WINDOW_S:-120}" ;;
  esac
}

daemon_config() {
  local bootstrap=$1 partitions=$2 interval=$3
  cat <<CONFIG
kafka:
  - name: bench
    bootstrap_servers: [$bootstrap]
    lag:
      interval: 60s
      timeout: 30s
      topics: {include: ["^$"]}
      groups: {include: ["^$"]}
    canary:
      enabled: true
      topic: bench-canary
      interval: ${interval}s
      partitions_per_broker: $partitions
CONFIG
}

# perf LOG SECONDS: producer-perf-test for about SECONDS at RATE; prints "avg p99" in ms.
perf() {
  local log=$1 seconds=$2
  "$ROOT/scripts/kafka.sh" tool producer-perf-test --topic bench-load --num-records $((RATE * seconds)) \
    --throughput "$RATE" --record-size 100 \
    --producer-props "bootstrap.servers=127.0.0.1:$KAFKA_PORT" acks=all linger.ms=0 >"$log" 2>&1 ||
    die "producer-perf-test failed (log: $log)"
  # The last line: "N records sent, ..., A ms avg latency, M ms max latency, p50 ms 50th,
  # p95 ms 95th, p99 ms 99th, p999 ms 99.9th."
  awk '/records sent/ { line = $0 } END {
    n = split(line, f, ", ")
    for (i = 1; i <= n; i++) {
      if (f[i] ~ /ms avg latency/) { split(f[i], a, " "); avg = a[1] }
      if (f[i] ~ /ms 99th/) { split(f[i], b, " "); p99 = b[1] }
    }
    print avg, p99 }' "$log"
}

# metric NAME: the sum of a family's samples on the daemon's page.
metric() {
  curl -sf "http://127.0.0.1:$HTTP_PORT/metrics" | awk -v n="$1" 'index($1, n "{") == 1 || $1 == n { s += $NF } END { print s + 0 }'
}

# round_trip_everywhere PARTITIONS LOG: whether every canary partition has made a round
# trip; stops the bench at once if the daemon has exited.
round_trip_everywhere() {
  kill -0 "$daemon_pid" 2>/dev/null || die "the daemon exited: $(tail -n 3 "$2")"
  [[ $(curl -sf "http://127.0.0.1:$HTTP_PORT/metrics" | grep -c '^kafka_canary_partition_last_round_trip') -ge $1 ]]
}

bench_size() {
  local size=$1 partitions interval window bootstrap broker run figures tick
  read -r partitions interval window <<<"$(settings_of "$size")"
  log "$size: $partitions partitions every ${interval}s, windows of ${window}s, $RUNS runs"
  "$ROOT/scripts/kafka.sh" stop --name "$KAFKA_NAME" --kill >/dev/null 2>&1 || true
  bootstrap=$("$ROOT/scripts/kafka.sh" start --name "$KAFKA_NAME" --port "$KAFKA_PORT" 2>"$OUT/$size.kafka.log")
  kafka_started=1
  broker=$(pid_of "$RUN_DIR/kafka-$KAFKA_NAME/node-0/pid" kafka.Kafka)
  "$ROOT/scripts/kafka.sh" tool topics --bootstrap-server "$bootstrap" --create --topic bench-load \
    --partitions 10 >/dev/null 2>&1
  perf "$OUT/$size.warmup.perf.log" 20 >/dev/null  # a fresh broker's JIT
  tick=$(getconf CLK_TCK)
  for ((run = 1; run <= RUNS; run++)); do
    figures="$OUT/$size.run$run.txt"
    read -r avg p99 <<<"$(perf "$OUT/$size.run$run.without.perf.log" "$window")"
    echo "producer.avg_without $avg ms" >>"$figures"
    echo "producer.p99_without $p99 ms" >>"$figures"
    daemon_config "$bootstrap" "$partitions" "$interval" >"$OUT/$size.run$run.yml"
    require_free_port "$HTTP_PORT"
    "$DAEMON" --config.file="$OUT/$size.run$run.yml" --web.listen-address="127.0.0.1:$HTTP_PORT" \
      >"$OUT/$size.run$run.daemon.log" 2>&1 &
    daemon_pid=$!
    # Measured once every partition has made a round trip: the topic exists, the readers
    # follow it, and the start's one-off work is done.
    wait_until $((interval * 3 + 60)) "a round trip on every canary partition" \
      round_trip_everywhere "$partitions" "$OUT/$size.run$run.daemon.log" ||
      die "no round trip on every partition (log: $OUT/$size.run$run.daemon.log)"
    local cpu0 cpu1 t0 t1 received0
    received0=$(metric kafka_canary_partition_received_total)
    cpu0=$(cpu_ticks "$daemon_pid")
    t0=$(now_ms)
    read -r avg p99 <<<"$(perf "$OUT/$size.run$run.with.perf.log" "$window")"
    cpu1=$(cpu_ticks "$daemon_pid")
    t1=$(now_ms)
    echo "producer.avg_with $avg ms" >>"$figures"
    echo "producer.p99_with $p99 ms" >>"$figures"
    awk -v c=$((cpu1 - cpu0)) -v t=$((t1 - t0)) -v k="$tick" \
      'BEGIN { printf "daemon.cpu %.2f %%_of_a_core\n", 100 * c / k / (t / 1000) }' >>"$figures"
    echo "daemon.rss $(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$daemon_pid/status") MiB" >>"$figures"
    echo "daemon.rss_peak $(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$daemon_pid/status") MiB" >>"$figures"
    echo "canary.round_trips $(($(metric kafka_canary_partition_received_total) - received0)) messages" >>"$figures"
    echo "canary.lost $(metric kafka_canary_partition_lost_total) messages" >>"$figures"
    echo "canary.send_failures $(metric kafka_canary_partition_send_failures_total) messages" >>"$figures"
    kill -TERM "$daemon_pid"
    wait "$daemon_pid" || die "the daemon exited with an error after $size run $run"
    daemon_pid=
    log "$size run $run: $(tr '\n' ' ' <"$figures")"
  done
  median_figures "$OUT/$size".run*.txt | sed "s/^/$size./" | tee "$OUT/$size.summary.txt"
  awk '$1 ~ /producer.(avg|p99)_(with|without)$/ { v[$1] = $2 } END {
    if (v["'"$size"'.producer.avg_without"] > 0) printf "'"$size"'.producer.avg_ratio %.2f with/without\n", v["'"$size"'.producer.avg_with"] / v["'"$size"'.producer.avg_without"]
    if (v["'"$size"'.producer.p99_without"] > 0) printf "'"$size"'.producer.p99_ratio %.2f with/without\n", v["'"$size"'.producer.p99_with"] / v["'"$size"'.producer.p99_without"]
  }' "$OUT/$size.summary.txt" | tee -a "$OUT/$size.summary.txt"
  "$ROOT/scripts/kafka.sh" stop --name "$KAFKA_NAME" --kill >/dev/null 2>&1 || true
  kafka_started=0
}

main() {
  mkdir -p "$OUT"
  exec 9>"$LOCK"
  flock -n 9 || die "another canary bench runs on this machine"
  build_daemon "$BUILD_DIR" msgwatch
  local size
  for size in "${sizes[@]}"; do bench_size "$size"; done
  log "figures in $OUT"
}

main
