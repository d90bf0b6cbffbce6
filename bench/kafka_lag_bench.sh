#!/usr/bin/env bash
# Benchmarks the kafka_lag probe at scale against a local broker that it starts itself.
#
#   bench/kafka_lag_bench.sh [tenth|full|both]        (default: both)
#
# TENTH: 50 topics x 10 partitions and 200 consumer groups (2,000 lag series);
# FULL:  500 topics x 10 partitions and 2,000 consumer groups (20,000 lag series).
# For each size: a fresh single-node Kafka, the workload (bench/build_workload), then
# MSGWATCH_BENCH_RUNS daemon starts, each measured by bench/measure. Prints, one
# `name value unit` line each, the median over the runs of every figure, then the FULL/TENTH
# ratios and the targets. Everything it starts is stopped on exit.
#
# Environment (defaults in brackets):
#   MSGWATCH_BENCH_RUNS [3]            daemon starts per size
#   MSGWATCH_BENCH_CYCLES [6]          measured cycles per run, after one warm-up cycle
#   MSGWATCH_BENCH_WARMUP_CYCLES [4]   cycles of a first, uncounted daemon run per size (0: none)
#   MSGWATCH_BENCH_SCRAPES [200]       GETs of /metrics per run, plain and gzip each
#   MSGWATCH_BENCH_INTERVAL_MS [5000]  lag.interval of the daemon
#   MSGWATCH_BENCH_TIMEOUT_MS [4000]   lag.timeout of the daemon
#   MSGWATCH_BENCH_KAFKA_PORT [19300]  the broker; its controller listens on this + 100
#   MSGWATCH_BENCH_HTTP_PORT [19350]   the daemon
#   MSGWATCH_BENCH_BUILD_DIR [build-bench]; MSGWATCH_BENCH_SKIP_BUILD [0]
#   MSGWATCH_KAFKA_JVM_OPTS [-Xms1g -Xmx2g -XX:+UseSerialGC]  broker JVM flags
# Logs, the raw figures and the last /metrics page of every run: .run/bench/kafka_lag-<time>/
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

mode=${1:-both}
case "$mode" in
  tenth) sizes=(tenth) ;;
  full) sizes=(full) ;;
  both) sizes=(tenth full) ;;
  *) die "usage: $0 [tenth|full|both]" ;;
esac

RUNS=${MSGWATCH_BENCH_RUNS:-3}
CYCLES=${MSGWATCH_BENCH_CYCLES:-6}
# A fresh broker answers the first cycles' requests slower (its JIT has not yet compiled
# those paths), which would show up as run-to-run drift in the daemon's figures.
WARMUP_CYCLES=${MSGWATCH_BENCH_WARMUP_CYCLES:-4}
SCRAPES=${MSGWATCH_BENCH_SCRAPES:-200}
INTERVAL_MS=${MSGWATCH_BENCH_INTERVAL_MS:-5000}
TIMEOUT_MS=${MSGWATCH_BENCH_TIMEOUT_MS:-4000}
KAFKA_PORT=${MSGWATCH_BENCH_KAFKA_PORT:-19300}
HTTP_PORT=${MSGWATCH_BENCH_HTTP_PORT:-19350}
BUILD_DIR=${MSGWATCH_BENCH_BUILD_DIR:-$ROOT/build-bench}
# 5,000 partitions need more than the rig's 512 MB test heap. C2 stays on (the rig turns it
# off for quicker starts): the broker should answer at its steady-state speed.
export MSGWATCH_KAFKA_JVM_OPTS="${MSGWATCH_KAFKA_JVM_OPTS:--Xms1g -Xmx2g -XX:+UseSerialGC}"
KAFKA_NAME=bench-kafka-lag
CLUSTER=bench
# Topics in the workload are named bench-topic-NNNN, groups bench-group-NNNNN.
PREFIX=bench

DAEMON=$BUILD_DIR/exporter/msgwatch
BUILD_WORKLOAD=$BUILD_DIR/bench/build_workload
MEASURE=$BUILD_DIR/bench/measure
OUT="$RUN_DIR/bench/kafka_lag-$(date -u +%Y%m%dT%H%M%SZ)"

kafka_started=0
daemon_pid=
measure_pid=

cleanup() {
  local status=$?
  if [[ -n "$measure_pid" ]]; then kill -TERM "$measure_pid" 2>/dev/null || true; fi
  if [[ -n "$daemon_pid" ]] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  if ((kafka_started)); then "$ROOT/scripts/kafka.sh" stop --name "$KAFKA_NAME" >/dev/null 2>&1 || true; fi
  if ((status != 0)) && [[ -d "$OUT" ]]; then log "failed; logs are in $OUT"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# workload_of SIZE: topics and groups (10 partitions per topic and per group).
workload_of() {
  case "$1" in
    tenth) echo "50 200" ;;
    full) echo "500 2000" ;;
  esac
}

build() {
  if [[ "${MSGWATCH_BENCH_SKIP_BUILD:-0}" == 1 ]]; then return; fi
  [[ -f "$BUILD_DIR/CMakeCache.txt" ]] ||
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
  ninja -C "$BUILD_DIR" msgwatch bench_build_workload bench_measure >&2
}

# A broker holds one open file per partition (its active segment) plus sockets; leave room.
raise_open_files() {
  local need=$1 hard
  hard=$(ulimit -Hn)
  if [[ "$hard" == unlimited ]]; then
    ulimit -n "$need"
  elif ((hard < need)); then
    die "open files limit is $hard; a broker with this many partitions needs about $need"
  else
    ulimit -n "$hard"
  fi
}

broker_pid() { pid_of "$RUN_DIR/kafka-$KAFKA_NAME/node-0/pid" kafka.Kafka; }

daemon_config() {
  cat <<EOF
kafka:
  - name: $CLUSTER
    bootstrap_servers: [$1]
    lag:
      interval: ${INTERVAL_MS}ms
      timeout: ${TIMEOUT_MS}ms
      topics:
        include: ["$PREFIX-topic-.*"]
      groups:
        include: ["$PREFIX-group-.*"]
EOF
}

# cpu_ticks PID: user + system CPU of the process so far, in clock ticks.
cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

# settle_broker PID FIGURES: after building the workload the broker keeps busy for a while
# (checkpoints, the last log creations); a daemon measured then gets slower answers. Waits
# (at most 90 s) until the broker uses under 15 % of a core over 2 s.
settle_broker() {
  local pid=$1 t0 before after tick i
  t0=$(now_ms)
  tick=$(getconf CLK_TCK)
  for ((i = 0; i < 45; i++)); do
    before=$(cpu_ticks "$pid")
    sleep 2
    after=$(cpu_ticks "$pid")
    (((after - before) * 100 < 15 * 2 * tick)) && break
  done
  echo "broker.settle $((($(now_ms) - t0) / 1000)) s" >>"$2"
}

# run_daemon SIZE RUN BOOTSTRAP BROKER_PID CYCLES SCRAPES: one daemon start, measured;
# figures to OUT/SIZE.runRUN.txt.
run_daemon() {
  local size=$1 run=$2 bootstrap=$3 broker=$4 cycles=$5 scrapes=$6 figures log status warnings
  figures="$OUT/$size.run$run.txt"
  log="$OUT/$size.run$run.daemon.log"
  daemon_config "$bootstrap" >"$OUT/$size.yml"
  require_free_port "$HTTP_PORT"
  "$DAEMON" --config.file="$OUT/$size.yml" --web.listen-address="127.0.0.1:$HTTP_PORT" >"$log" 2>&1 &
  daemon_pid=$!
  # In the background, so that a signal to this script is handled at once (bash runs traps
  # only between commands, and `wait` is one), not after the minute measuring takes.
  "$MEASURE" --port "$HTTP_PORT" --pid "$daemon_pid" --broker-pid "$broker" --cluster "$CLUSTER" \
    --interval-ms "$INTERVAL_MS" --timeout-ms "$TIMEOUT_MS" --cycles "$cycles" --scrapes "$scrapes" \
    --save-page "$OUT/$size.run$run.metrics.txt" >"$figures" 2>"$OUT/$size.run$run.measure.log" &
  measure_pid=$!
  status=0
  wait "$measure_pid" || status=$?
  measure_pid=
  if ((status != 0)); then
    cat "$OUT/$size.run$run.measure.log" >&2
    log "---- last lines of $log"
    tail -n 20 "$log" >&2
    die "measuring $size run $run failed"
  fi
  kill -TERM "$daemon_pid"
  status=0
  wait "$daemon_pid" || status=$?
  daemon_pid=
  ((status == 0)) || die "the daemon exited with status $status after $size run $run (log: $log)"
  # The daemon must have seen exactly the workload: every committed partition, exact lag.
  local want got bad=0 key
  for key in lag_series lag_sum; do
    want=$(awk -v k="workload.$key" '$1 == k { print $2 }' "$OUT/$size.workload.txt")
    got=$(awk -v k="$key" '$1 == k { print $2 }' "$figures")
    if [[ "$want" != "$got" ]]; then
      log "$size run $run: the daemon reports $key ${got:-none}, the workload has $want"
      bad=1
    fi
  done
  echo "lag_check_failed $bad flag" >>"$figures"
  # Warnings are failed attempts, refused requests and the like: worth a look every time.
  warnings=$(grep -cE 'level=(warn|warning|error|critical)' "$log" || true)
  echo "daemon_log_warnings $warnings lines" >>"$figures"
  if ((warnings > 0)); then
    log "daemon log of $size run $run has $warnings warning(s):"
    grep -E 'level=(warn|warning|error|critical)' "$log" | head -n 5 >&2
  fi
}

# median_figures FILE...: per figure name (first-seen order), the median of its values.
median_figures() {
  awk '
    function fmt(x) { return (x == int(x) && x < 1e15 && x > -1e15) ? sprintf("%.0f", x) : sprintf("%.4g", x) }
    NF >= 3 && $1 !~ /^#/ {
      if (!($1 in count)) { order[++names] = $1; unit[$1] = $3 }
      values[$1, ++count[$1]] = $2 + 0
    }
    END {
      for (i = 1; i <= names; i++) {
        name = order[i]; n = count[name]
        for (a = 1; a <= n; a++) v[a] = values[name, a]
        for (a = 2; a <= n; a++) { x = v[a]; for (b = a - 1; b >= 1 && v[b] > x; b--) v[b + 1] = v[b]; v[b + 1] = x }
        m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
        print name, fmt(m), unit[name]
      }
    }' "$@"
}

bench_size() {
  local size=$1 topics groups bootstrap run t0 pid
  read -r topics groups <<<"$(workload_of "$size")"
  t0=$(now_ms)
  raise_open_files $((topics * 10 * 2 + 4096))
  log "$size: starting Kafka on 127.0.0.1:$KAFKA_PORT"
  kafka_started=1
  bootstrap=$("$ROOT/scripts/kafka.sh" start --name "$KAFKA_NAME" --port "$KAFKA_PORT" 2>"$OUT/$size.kafka-start.log") ||
    { cat "$OUT/$size.kafka-start.log" >&2; die "Kafka did not start"; }
  log "$size: building $topics topics x 10 partitions, $groups groups"
  "$BUILD_WORKLOAD" --bootstrap "$bootstrap" --topics "$topics" --partitions 10 --groups "$groups" \
    --group-partitions 10 --messages 20 --prefix "$PREFIX" >"$OUT/$size.workload.txt" 2>"$OUT/$size.workload.log" ||
    { cat "$OUT/$size.workload.log" >&2; die "building the $size workload failed"; }
  pid=$(broker_pid) || die "the broker is gone"
  settle_broker "$pid" "$OUT/$size.workload.txt"
  {
    echo "broker.open_files $(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l) files"
    echo "broker.rss $(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status") MiB"
  } >>"$OUT/$size.workload.txt"
  if ((WARMUP_CYCLES > 0)); then
    log "$size: warm-up run ($WARMUP_CYCLES cycles, not counted)"
    run_daemon "$size" warmup "$bootstrap" "$pid" "$WARMUP_CYCLES" 1
  fi
  for ((run = 1; run <= RUNS; run++)); do
    log "$size: daemon run $run of $RUNS"
    run_daemon "$size" "$run" "$bootstrap" "$pid" "$CYCLES" "$SCRAPES"
  done
  "$ROOT/scripts/kafka.sh" stop --name "$KAFKA_NAME" >/dev/null 2>&1
  kafka_started=0
  echo "bench.seconds $((($(now_ms) - t0) / 1000)) s" >>"$OUT/$size.workload.txt"
  {
    median_figures "$OUT/$size.workload.txt"
    median_figures "$OUT/$size".run[0-9]*.txt
  } | sed "s/^/$size./" | tee "$OUT/$size.summary.txt"
  grep -h '^# ' "$OUT/$size.run1.txt" | sed "s/^# /# $size daemon:/" || true
}

# The same figure from both sizes: FULL/TENTH, measured in this run.
ratios() {
  awk 'NR == FNR { tenth[$1] = $2; next }
       { sub(/^full\./, "", $1); t = tenth["tenth." $1]
         if (t != "" && t + 0 != 0) printf "full_over_tenth.%s %.3g x\n", $1, $2 / t }' \
    "$OUT/tenth.summary.txt" "$OUT/full.summary.txt"
}

# verdict NAME VALUE LIMIT UNIT: one line per target.
verdict() {
  awk -v name="$1" -v value="$2" -v limit="$3" -v unit="$4" 'BEGIN {
    if (value == "") { printf "target.%s unknown (no figure)\n", name; exit }
    printf "target.%s %s (%s %s, limit %s %s)\n", name, (value + 0 < limit + 0) ? "met" : "MISSED", value, unit, limit, unit }'
}

figure_of() { awk -v n="$1" '$1 == n { print $2 }' "$OUT/full.summary.txt"; }

targets() {
  verdict full.cycle_wall.median "$(figure_of full.cycle_wall.median)" 1000 ms
  verdict full.metrics_plain.p90 "$(figure_of full.metrics_plain.p90)" 50 ms
  verdict full.metrics_gzip.p90 "$(figure_of full.metrics_gzip.p90)" 50 ms
  verdict full.rss_peak "$(figure_of full.rss_peak)" 64 MiB
  # One broker, which is also the only coordinator: a handful of requests, whatever the
  # number of groups and partitions.
  verdict full.requests_per_cycle.total "$(figure_of full.requests_per_cycle.total)" 10 requests
  if [[ -f "$OUT/tenth.summary.txt" ]]; then
    verdict full_over_tenth.requests_per_cycle.total \
      "$(awk '$1 == "full_over_tenth.requests_per_cycle.total" { print $2 }' "$OUT/ratios.txt")" 1.1 x
  fi
}

main() {
  local t0 size
  t0=$(now_ms)
  mkdir -p "$RUN_DIR/bench"
  # Two runs at once would share the broker's name and ports, and kafka.sh start wipes a
  # running cluster of the same name: the second run would kill the first one's broker.
  exec 9>"$RUN_DIR/bench/kafka_lag.lock"
  flock -n 9 || die "another kafka_lag bench is running on this machine (lock $RUN_DIR/bench/kafka_lag.lock)"
  mkdir -p "$OUT"
  build
  for f in "$DAEMON" "$BUILD_WORKLOAD" "$MEASURE"; do [[ -x "$f" ]] || die "$f is missing (build it first)"; done
  require_kafka_libs "$KAFKA_DEFAULT_VERSION"
  echo "# kafka_lag bench, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, Kafka $KAFKA_DEFAULT_VERSION," \
    "revision $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    "+ $(git -C "$ROOT" --no-optional-locks status --porcelain 2>/dev/null | wc -l) changed files," \
    "$RUNS runs x $CYCLES cycles, interval ${INTERVAL_MS}ms" | tee "$OUT/header.txt"
  for size in "${sizes[@]}"; do bench_size "$size"; done
  if [[ -f "$OUT/tenth.summary.txt" && -f "$OUT/full.summary.txt" ]]; then ratios | tee "$OUT/ratios.txt"; fi
  if [[ -f "$OUT/full.summary.txt" ]]; then targets | tee "$OUT/targets.txt"; fi
  echo "bench.total_seconds $((($(now_ms) - t0) / 1000)) s"
  log "figures and logs: $OUT"
}

main
