#!/usr/bin/env bash
# Benchmarks the kafka_lag probe at scale against a local Kafka cluster that it starts itself.
#
#   bench/kafka_lag_bench.sh [tenth|full|large|both|all]        (default: both)
#
# TENTH: 50 topics x 10 partitions and 200 consumer groups (2,000 lag series), one broker;
# FULL:  500 topics x 10 partitions and 2,000 consumer groups (20,000 lag series), one broker;
# LARGE: 2,000 topics x 10 partitions and 8,000 consumer groups (80,000 lag series) on three
#        brokers, replication factor 1 (a broker keeps an open file per partition segment,
#        and one process may not hold 20,000 partitions under the usual hard limit).
# both: TENTH and FULL; all: the three. For each size: a fresh KRaft cluster, the workload
# (bench/build_workload), one uncounted daemon run of MSGWATCH_BENCH_SOAK_CYCLES short cycles
# (it warms the brokers, and its RSS gives the soak figures), then MSGWATCH_BENCH_RUNS daemon
# starts, each measured by bench/measure: cycles, single GETs, then many scrapers at once.
# Prints, one `name value unit` line each, the median over the runs of every figure, then the
# FULL/TENTH and LARGE/FULL ratios measured in the same run and whether each target is met.
# Everything it starts is stopped on exit.
#
# Environment (defaults in brackets):
#   MSGWATCH_BENCH_RUNS [3]            daemon starts per size
#   MSGWATCH_BENCH_CYCLES [6]          measured cycles per run, after one warm-up cycle
#   MSGWATCH_BENCH_SOAK_CYCLES [30]    cycles of a first, uncounted daemon run per size (0: none)
#   MSGWATCH_BENCH_SOAK_INTERVAL_MS    lag.interval of that run [TENTH 2000, FULL 3000, LARGE 6000]
#   MSGWATCH_BENCH_SCRAPES [200]       single GETs of /metrics per run, plain and gzip each
#   MSGWATCH_BENCH_LOAD_CLIENTS [50]   concurrent gzip scrapers per run, after the single GETs
#   MSGWATCH_BENCH_LOAD_SECONDS [60]   how long they scrape (0: no such phase)
#   MSGWATCH_BENCH_LOAD_PAUSE_MS [0]   pause of each scraper between two of its requests
#   MSGWATCH_BENCH_INTERVAL_MS [5000]  lag.interval of the daemon in the measured runs
#   MSGWATCH_BENCH_TIMEOUT_MS [4000]   lag.timeout of the daemon in the measured runs
#   MSGWATCH_BENCH_EVERY_PROBE [0]     1: every probe runs beside kafka_lag (its transactions
#                                      included): the canary and the transactional canary
#                                      (every 10 s) and a Redis (key groups over 100,000
#                                      keys, a list and a stream as queues, every 5 s), so the
#                                      scrapers load a daemon doing all of its work; each run
#                                      fails unless every probe succeeds on the saved page
#   MSGWATCH_BENCH_SANITIZE [0]        1: every binary built with AddressSanitizer (and its
#                                      LeakSanitizer at exit) and UBSan, in build-bench-sanitize;
#                                      a run fails on any sanitizer report, so with
#                                      MSGWATCH_BENCH_EVERY_PROBE=1 the soak run is a sanitizer
#                                      soak of every probe. Timings and memory are then the
#                                      sanitizers' own: no target is judged
#   MSGWATCH_BENCH_REDIS_PORT [19380]  that Redis
#   MSGWATCH_BENCH_KAFKA_PORT [19300]  broker I listens on this + I, its controller on + 100 + I
#   MSGWATCH_BENCH_HTTP_PORT [19350]   the daemon
#   MSGWATCH_BENCH_BUILD_DIR [build-bench]; MSGWATCH_BENCH_SKIP_BUILD [0];
#   MSGWATCH_BENCH_TOOLS_DIR [the build dir]: a build whose bench/build_workload and
#   bench/measure to use, such as an unsanitized one beside a sanitized daemon;
#   MSGWATCH_BENCH_BUILD_JOBS [ninja's default]
#   MSGWATCH_KAFKA_JVM_OPTS [-Xms1g -Xmx2g -XX:+UseSerialGC]  JVM flags of every broker
# Logs, the raw figures and the last /metrics page of every run: .run/bench/kafka_lag-<time>/
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mode=${1:-both}
case "$mode" in
  tenth | full | large) sizes=("$mode") ;;
  both) sizes=(tenth full) ;;
  all) sizes=(tenth full large) ;;
  *) die "usage: $0 [tenth|full|large|both|all]" ;;
esac

RUNS=${MSGWATCH_BENCH_RUNS:-3}
CYCLES=${MSGWATCH_BENCH_CYCLES:-6}
# A fresh broker answers the first cycles' requests slower (its JIT has not yet compiled
# those paths), which would show up as run-to-run drift in the daemon's figures; the soak
# run, first on every fresh cluster, is also its warm-up.
SOAK_CYCLES=${MSGWATCH_BENCH_SOAK_CYCLES:-30}
SCRAPES=${MSGWATCH_BENCH_SCRAPES:-200}
LOAD_CLIENTS=${MSGWATCH_BENCH_LOAD_CLIENTS:-50}
LOAD_SECONDS=${MSGWATCH_BENCH_LOAD_SECONDS:-60}
LOAD_PAUSE_MS=${MSGWATCH_BENCH_LOAD_PAUSE_MS:-0}
INTERVAL_MS=${MSGWATCH_BENCH_INTERVAL_MS:-5000}
TIMEOUT_MS=${MSGWATCH_BENCH_TIMEOUT_MS:-4000}
KAFKA_PORT=${MSGWATCH_BENCH_KAFKA_PORT:-19300}
EVERY_PROBE=${MSGWATCH_BENCH_EVERY_PROBE:-0}
REDIS_PORT=${MSGWATCH_BENCH_REDIS_PORT:-19380}
REDIS_NAME=bench-every-probe
HTTP_PORT=${MSGWATCH_BENCH_HTTP_PORT:-19350}
SANITIZE=${MSGWATCH_BENCH_SANITIZE:-0}
if ((SANITIZE)); then
  BUILD_DIR=${MSGWATCH_BENCH_BUILD_DIR:-$ROOT/build-bench-sanitize}
  export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
else
  BUILD_DIR=${MSGWATCH_BENCH_BUILD_DIR:-$ROOT/build-bench}
fi
# 5,000 partitions need more than the rig's 512 MB test heap. C2 stays on (the rig turns it
# off for quicker starts): the broker should answer at its steady-state speed. Per broker:
# LARGE's three brokers may take 3 x 2 GiB of heap, which a 24 GiB machine holds with room
# for the daemon (check_memory refuses to start where it does not fit).
export MSGWATCH_KAFKA_JVM_OPTS="${MSGWATCH_KAFKA_JVM_OPTS:--Xms1g -Xmx2g -XX:+UseSerialGC}"
KAFKA_NAME=bench-kafka-lag
CLUSTER=bench
# Topics in the workload are named bench-topic-NNNN, groups bench-group-NNNNN.
PREFIX=bench

DAEMON=$BUILD_DIR/exporter/msgwatch
TOOLS_DIR=${MSGWATCH_BENCH_TOOLS_DIR:-$BUILD_DIR}
BUILD_WORKLOAD=$TOOLS_DIR/bench/build_workload
MEASURE=$TOOLS_DIR/bench/measure
OUT="$RUN_DIR/bench/kafka_lag-$(date -u +%Y%m%dT%H%M%SZ)"

kafka_started=0
redis_started=0
daemon_pid=
measure_pid=

cleanup() {
  local status=$?
  if [[ -n "$measure_pid" ]]; then kill -TERM "$measure_pid" 2>/dev/null || true; fi
  if [[ -n "$daemon_pid" ]] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  if ((kafka_started)); then stop_kafka; fi
  if ((redis_started)); then "$ROOT/scripts/redis.sh" stop --name "$REDIS_NAME" >/dev/null 2>&1 || true; fi
  if ((status != 0)) && [[ -d "$OUT" ]]; then log "failed; logs are in $OUT"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# workload_of SIZE: topics, groups (10 partitions per topic and per group), brokers.
workload_of() {
  case "$1" in
    tenth) echo "50 200 1" ;;
    full) echo "500 2000 1" ;;
    large) echo "2000 8000 3" ;;
  esac
}

# soak_interval_ms SIZE: short enough that 30 cycles take one to three minutes, long enough
# for the cycle (slower on a fresh broker), the rendering after it and the measuring tool's
# read of the page. lag.timeout is four fifths of it.
soak_interval_ms() {
  if [[ -n "${MSGWATCH_BENCH_SOAK_INTERVAL_MS:-}" ]]; then
    echo "$MSGWATCH_BENCH_SOAK_INTERVAL_MS"
    return
  fi
  case "$1" in
    tenth) echo 2000 ;;
    full) echo 3000 ;;
    large) echo 6000 ;;
  esac
}

# check_open_files PARTITIONS BROKERS: a broker holds one open file per partition (its
# active segment; the index files are memory-mapped, two maps per partition) plus sockets.
# The limits are per process, so what counts is the partitions of the busiest broker; with
# replication factor 1 the cluster spreads them evenly. Raises `ulimit -n` to the hard
# limit, or refuses to start a cluster that could not hold the workload.
check_open_files() {
  local partitions=$1 brokers=$2 per_broker need hard maps need_maps
  # The workload's partitions and the 10 of __consumer_offsets.
  per_broker=$(((partitions + 10 + brokers - 1) / brokers))
  need=$((per_broker * 2 + 4096))
  hard=$(ulimit -Hn)
  if [[ "$hard" == unlimited ]]; then
    ulimit -n "$need"
  elif ((hard < need)); then
    die "open files: the hard limit is $hard per process; a broker with about $per_broker partitions" \
      "($partitions over $brokers broker(s)) needs about $need. Raise the hard limit, or use more brokers"
  else
    ulimit -n "$hard"
  fi
  maps=$(cat /proc/sys/vm/max_map_count 2>/dev/null || echo 65530)
  need_maps=$((per_broker * 2 + 8192))
  if ((maps < need_maps)); then
    die "vm.max_map_count is $maps; a broker with about $per_broker partitions maps two index files" \
      "per partition and needs about $need_maps"
  fi
}

# heap_mib: the -Xmx of the broker JVM flags, in MiB (the JVM's default of a quarter of the
# memory if there is none).
heap_mib() {
  local flag value mem
  for flag in $MSGWATCH_KAFKA_JVM_OPTS; do [[ "$flag" == -Xmx* ]] && value=${flag#-Xmx}; done
  if [[ -z "${value:-}" ]]; then
    mem=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
    echo $((mem / 4))
    return
  fi
  case "$value" in
    *[gG]) echo $((${value%[gG]} * 1024)) ;;
    *[mM]) echo "${value%[mM]}" ;;
    *[kK]) echo $((${value%[kK]} / 1024)) ;;
    *) echo $((value / 1048576)) ;;
  esac
}

# check_memory PARTITIONS BROKERS: every broker may grow to its heap plus about 1 GiB
# outside it (metaspace, code, thread stacks, page cache of its index maps), and the daemon
# took about 400 MiB per 5,000 partitions of this workload; refuses to start if the
# machine's available memory cannot hold that, rather than have the kernel kill a broker
# in the middle of a run.
check_memory() {
  local partitions=$1 brokers=$2 need available
  need=$((brokers * ($(heap_mib) + 1024) + (partitions / 5000 + 1) * 512 + 1024))
  available=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
  if ((available < need)); then
    die "memory: $brokers broker(s) with heap limit $(heap_mib) MiB each and the daemon need about" \
      "$need MiB; $available MiB are available. Lower -Xmx in MSGWATCH_KAFKA_JVM_OPTS or free memory"
  fi
}

# broker_pids BROKERS: the brokers' PIDs, comma-separated.
broker_pids() {
  local i pid pids=()
  for ((i = 0; i < $1; i++)); do
    pid=$(pid_of "$RUN_DIR/kafka-$KAFKA_NAME/node-$i/pid" kafka.Kafka) || return 1
    pids+=("$pid")
  done
  local IFS=,
  echo "${pids[*]}"
}

# start_kafka BROKERS LOG: prints the bootstrap list. Run in a command substitution, so the
# caller sets kafka_started.
start_kafka() {
  local brokers=$1 log=$2 sets=()
  if ((brokers > 1)); then
    # Replication factor 1 throughout: every partition on one broker, no replication
    # traffic, and each broker's open files a third of the cluster's.
    local key
    for key in offsets.topic.replication.factor=1 default.replication.factor=1 \
      transaction.state.log.replication.factor=1 transaction.state.log.min.isr=1 \
      share.coordinator.state.topic.replication.factor=1 share.coordinator.state.topic.min.isr=1; do
      sets+=(--set "$key")
    done
  fi
  "$ROOT/scripts/kafka.sh" start --name "$KAFKA_NAME" --port "$KAFKA_PORT" --brokers "$brokers" "${sets[@]}" 2>"$log"
}

# The cluster's data is wiped at the next start: a controlled shutdown (tens of seconds for
# thousands of partitions) buys nothing.
stop_kafka() {
  "$ROOT/scripts/kafka.sh" stop --name "$KAFKA_NAME" --kill >/dev/null 2>&1 || true
  kafka_started=0
}

# daemon_config BOOTSTRAP INTERVAL_MS TIMEOUT_MS. max_series: LARGE has about 524,000 series,
# over the daemon's default cap of 500,000; the bench measures the whole workload.
daemon_config() {
  cat <<CONFIG
kafka:
  - name: $CLUSTER
    bootstrap_servers: [$1]
    lag:
      interval: ${2}ms
      timeout: ${3}ms
      max_series: 2000000
      topics:
        include: ["$PREFIX-topic-.*"]
      groups:
        include: ["$PREFIX-group-.*"]
CONFIG
  ((EVERY_PROBE)) || return 0
  cat <<CONFIG
    canary:
      enabled: true
      topic: $PREFIX-canary
      interval: 10s
      transactions: {enabled: true}
redis:
  - name: $CLUSTER
    address: 127.0.0.1:$REDIS_PORT
    interval: 5s
    timeout: 4s
    queues: [$PREFIX:jobs, $PREFIX:events]
    key_groups:
      - {name: sessions, pattern: "$PREFIX:session:*"}
      - {name: dedup, pattern: "$PREFIX:dedup:*"}
CONFIG
}

# start_redis: the Redis of MSGWATCH_BENCH_EVERY_PROBE, with 100,000 keys in two key groups
# (half of them with a TTL), a list of 1,000 jobs and a stream of 1,000 entries read by a
# consumer group.
start_redis() {
  require_free_port "$REDIS_PORT"
  redis_started=1
  "$ROOT/scripts/redis.sh" start --name "$REDIS_NAME" --port "$REDIS_PORT" >/dev/null
  awk -v p="$PREFIX" 'BEGIN {
    for (i = 0; i < 50000; i++) printf "SET %s:session:%d v EX 86400\r\n", p, i
    for (i = 0; i < 50000; i++) printf "SET %s:dedup:%d 1\r\n", p, i
    for (i = 0; i < 1000; i++) printf "RPUSH %s:jobs job-%d\r\n", p, i
    for (i = 0; i < 1000; i++) printf "XADD %s:events * n %d\r\n", p, i
    printf "XGROUP CREATE %s:events workers 0\r\n", p }' |
    redis-cli -p "$REDIS_PORT" --pipe >"$OUT/redis.load.log" 2>&1 || die "loading Redis failed (log: $OUT/redis.load.log)"
}

# every_probe_succeeded PAGE: with MSGWATCH_BENCH_EVERY_PROBE, every probe's last attempt
# succeeded and the canaries made round trips.
every_probe_succeeded() {
  local probe
  ((EVERY_PROBE)) || return 0
  for probe in kafka_lag kafka_canary redis; do
    grep -qE "^msgwatch_probe_success\{probe=\"$probe\",cluster=\"$CLUSTER\"\} 1$" "$1" ||
      die "probe $probe did not succeed (page: $1)"
  done
  grep -qE '^kafka_canary_end_to_end_latency_seconds_count\{.*\} [1-9]' "$1" || die "no canary round trip (page: $1)"
}

# settle_brokers PIDS FIGURES: after building the workload the brokers keep busy for a while
# (checkpoints, the last log creations); a daemon measured then gets slower answers. Waits
# (at most 90 s) until they use under 15 % of a core each over 2 s.
settle_brokers() {
  local pids t0 before after tick i
  IFS=, read -r -a pids <<<"$1"
  t0=$(now_ms)
  tick=$(getconf CLK_TCK)
  for ((i = 0; i < 45; i++)); do
    before=$(cpu_ticks "${pids[@]}")
    sleep 2
    after=$(cpu_ticks "${pids[@]}")
    (((after - before) * 100 < 15 * 2 * tick * ${#pids[@]})) && break
  done
  echo "broker.settle $((($(now_ms) - t0) / 1000)) s" >>"$2"
}

# broker_figures PIDS: per-process limits apply per broker, so files and maps are those of
# the busiest broker; RSS is that of all brokers together.
broker_figures() {
  local pids pid files=0 maps=0 rss=0 n
  IFS=, read -r -a pids <<<"$1"
  for pid in "${pids[@]}"; do
    n=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l)
    ((n > files)) && files=$n
    n=$(wc -l <"/proc/$pid/maps")
    ((n > maps)) && maps=$n
    rss=$((rss + $(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")))
  done
  echo "broker.count ${#pids[@]} brokers"
  echo "broker.open_files $files files"
  echo "broker.open_files_limit $(ulimit -n) files"
  echo "broker.maps $maps maps"
  echo "broker.rss $((rss / 1024)) MiB"
}

# run_daemon SIZE RUN BOOTSTRAP BROKER_PIDS INTERVAL_MS TIMEOUT_MS [MEASURE ARGS...]: one
# daemon start, measured; figures to OUT/SIZE.runRUN.txt.
run_daemon() {
  local size=$1 run=$2 bootstrap=$3 brokers=$4 interval=$5 timeout=$6 figures log status warnings
  shift 6
  figures="$OUT/$size.run$run.txt"
  log="$OUT/$size.run$run.daemon.log"
  daemon_config "$bootstrap" "$interval" "$timeout" >"$OUT/$size.run$run.yml"
  require_free_port "$HTTP_PORT"
  "$DAEMON" --config.file="$OUT/$size.run$run.yml" --web.listen-address="127.0.0.1:$HTTP_PORT" >"$log" 2>&1 &
  daemon_pid=$!
  # In the background, so that a signal to this script is handled at once (bash runs traps
  # only between commands, and `wait` is one), not after the minutes measuring takes.
  "$MEASURE" --port "$HTTP_PORT" --pid "$daemon_pid" --broker-pid "$brokers" --cluster "$CLUSTER" \
    --interval-ms "$interval" --timeout-ms "$timeout" "$@" \
    --save-page "$OUT/$size.run$run.metrics.txt" >"$figures" 2>"$OUT/$size.run$run.measure.log" &
  measure_pid=$!
  status=0
  wait "$measure_pid" || status=$?
  measure_pid=
  if ((status == 0)) && [[ "$run" != soak ]]; then every_probe_succeeded "$OUT/$size.run$run.metrics.txt"; fi
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
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log"; then
    grep -E -A 12 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log" | head -n 40 >&2
    die "sanitizer report in $size run $run (log: $log)"
  fi
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

bench_size() {
  local size=$1 topics groups brokers bootstrap run t0 pids soak_interval
  read -r topics groups brokers <<<"$(workload_of "$size")"
  t0=$(now_ms)
  check_open_files $((topics * 10)) "$brokers"
  check_memory $((topics * 10)) "$brokers"
  log "$size: starting Kafka, $brokers broker(s) from 127.0.0.1:$KAFKA_PORT"
  kafka_started=1
  bootstrap=$(start_kafka "$brokers" "$OUT/$size.kafka-start.log") ||
    { cat "$OUT/$size.kafka-start.log" >&2; die "Kafka did not start"; }
  log "$size: building $topics topics x 10 partitions, $groups groups"
  "$BUILD_WORKLOAD" --bootstrap "$bootstrap" --topics "$topics" --partitions 10 --groups "$groups" \
    --group-partitions 10 --messages 20 --prefix "$PREFIX" --transactional-ids $((groups / 2)) \
    >"$OUT/$size.workload.txt" 2>"$OUT/$size.workload.log" ||
    { cat "$OUT/$size.workload.log" >&2; die "building the $size workload failed"; }
  pids=$(broker_pids "$brokers") || die "a broker is gone"
  settle_brokers "$pids" "$OUT/$size.workload.txt"
  broker_figures "$pids" >>"$OUT/$size.workload.txt"
  : >"$OUT/$size.soak.txt"
  if ((SOAK_CYCLES > 0)); then
    soak_interval=$(soak_interval_ms "$size")
    log "$size: soak and warm-up run ($SOAK_CYCLES cycles every $soak_interval ms, cycles not counted)"
    run_daemon "$size" soak "$bootstrap" "$pids" "$soak_interval" $((soak_interval * 4 / 5)) \
      --cycles "$SOAK_CYCLES" --scrapes 0 --load-seconds 0 --soak
    grep '^soak\.' "$OUT/$size.runsoak.txt" >"$OUT/$size.soak.txt" || true
  fi
  for ((run = 1; run <= RUNS; run++)); do
    log "$size: daemon run $run of $RUNS"
    run_daemon "$size" "$run" "$bootstrap" "$pids" "$INTERVAL_MS" "$TIMEOUT_MS" --cycles "$CYCLES" \
      --scrapes "$SCRAPES" --load-clients "$LOAD_CLIENTS" --load-seconds "$LOAD_SECONDS" \
      --load-pause-ms "$LOAD_PAUSE_MS"
  done
  stop_kafka
  echo "bench.seconds $((($(now_ms) - t0) / 1000)) s" >>"$OUT/$size.workload.txt"
  {
    median_figures "$OUT/$size.workload.txt"
    median_figures "$OUT/$size.soak.txt"
    median_figures "$OUT/$size".run[0-9]*.txt
  } | sed "s/^/$size./" | tee "$OUT/$size.summary.txt"
  grep -h '^# ' "$OUT/$size.run1.txt" | sed "s/^# /# $size daemon: /" || true
}

# ratios SMALL LARGE: every figure of both sizes, LARGE/SMALL, measured in this run.
ratios() {
  awk -v small="$1" -v large="$2" '
    NR == FNR { base[$1] = $2; next }
    { name = $1; sub("^" large "\\.", "", name); b = base[small "." name]
      if (b != "" && b + 0 != 0) printf "%s_over_%s.%s %.3g x\n", large, small, name, $2 / b }' \
    "$OUT/$1.summary.txt" "$OUT/$2.summary.txt"
}

# marginal SMALL LARGE: bytes of peak RSS per series added between the two sizes, without
# the process's fixed cost that bytes_per_series includes.
marginal() {
  awk -v small="$1" -v large="$2" '
    { v[$1] = $2 }
    END {
      ds = v[large ".series"] - v[small ".series"]
      if (ds > 0) printf "%s.bytes_per_series_marginal %.0f bytes\n", large,
        (v[large ".rss_peak"] - v[small ".rss_peak"]) * 1048576 / ds }' \
    "$OUT/$1.summary.txt" "$OUT/$2.summary.txt"
}

# verdict NAME VALUE OP LIMIT UNIT: one line per target; OP is < or <=.
verdict() {
  awk -v name="$1" -v value="$2" -v op="$3" -v limit="$4" -v unit="$5" 'BEGIN {
    if (value == "") { printf "target.%s unknown (no figure)\n", name; exit }
    met = (op == "<") ? value + 0 < limit + 0 : value + 0 <= limit + 0
    printf "target.%s %s (%s %s, limit %s %s %s)\n", name, met ? "met" : "MISSED", value, unit, op, limit, unit }'
}

figure_of() { cat "$OUT"/*.summary.txt "$OUT/derived.txt" 2>/dev/null | awk -v n="$1" '$1 == n { print $2; exit }'; }

targets() {
  local size brokers
  if ((SANITIZE)); then
    echo "target.all not judged (sanitizer build; every run passed: no report)"
    return
  fi
  if [[ -f "$OUT/full.summary.txt" ]]; then
    verdict full.cycle_wall.median "$(figure_of full.cycle_wall.median)" "<" 1000 ms
    verdict full.metrics_plain.p90 "$(figure_of full.metrics_plain.p90)" "<" 50 ms
    verdict full.metrics_gzip.p90 "$(figure_of full.metrics_gzip.p90)" "<" 50 ms
    verdict full.rss_peak "$(figure_of full.rss_peak)" "<" 64 MiB
  fi
  for size in full large; do
    [[ -f "$OUT/$size.summary.txt" ]] || continue
    read -r _ _ brokers <<<"$(workload_of "$size")"
    # A handful of requests per broker and coordinator, whatever the number of groups and
    # partitions.
    verdict "$size.requests_per_cycle.total" "$(figure_of "$size.requests_per_cycle.total")" "<" $((10 * brokers)) \
      requests
    if ((LOAD_SECONDS > 0)); then
      verdict "$size.metrics_gzip_load.p99" "$(figure_of "$size.metrics_gzip_load.p99")" "<=" 20 ms
      verdict "$size.metrics_gzip_load.errors" "$(figure_of "$size.metrics_gzip_load.errors")" "<=" 0 requests
    fi
    if ((SOAK_CYCLES > 0)); then
      verdict "$size.soak.rss_second_half_over_first" "$(figure_of "$size.soak.rss_second_half_over_first")" \
        "<=" 1.05 x
    fi
  done
  if [[ -f "$OUT/tenth.summary.txt" && -f "$OUT/full.summary.txt" ]]; then
    verdict full_over_tenth.requests_per_cycle.total "$(figure_of full_over_tenth.requests_per_cycle.total)" \
      "<" 1.1 x
  fi
  if [[ -f "$OUT/full.summary.txt" && -f "$OUT/large.summary.txt" ]]; then
    verdict large_over_full.cycle_wall.median "$(figure_of large_over_full.cycle_wall.median)" "<=" 4.4 x
    verdict large_over_full.rss_peak "$(figure_of large_over_full.rss_peak)" "<=" 4.4 x
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
  if ((SANITIZE)) && [[ "${MSGWATCH_BENCH_SKIP_BUILD:-0}" != 1 && ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
    # -O0: the sanitizers' instrumentation makes -O2 much slower to compile.
    configure_build "$BUILD_DIR" -DMSGWATCH_SANITIZE=ON -DCMAKE_CXX_FLAGS_RELEASE="-O0 -DNDEBUG" >&2
  fi
  if [[ "$TOOLS_DIR" == "$BUILD_DIR" ]]; then
    build_daemon "$BUILD_DIR" msgwatch bench_build_workload bench_measure
  else
    build_daemon "$BUILD_DIR" msgwatch
    build_daemon "$TOOLS_DIR" bench_build_workload bench_measure
  fi
  for f in "$DAEMON" "$BUILD_WORKLOAD" "$MEASURE"; do [[ -x "$f" ]] || die "$f is missing (build it first)"; done
  require_kafka_libs "$KAFKA_DEFAULT_VERSION"
  echo "# kafka_lag bench, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, Kafka $KAFKA_DEFAULT_VERSION," \
    "revision $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    "+ $(git -C "$ROOT" --no-optional-locks status --porcelain 2>/dev/null | wc -l) changed files," \
    "$RUNS runs x $CYCLES cycles, interval ${INTERVAL_MS}ms, soak $SOAK_CYCLES cycles," \
    "load $LOAD_CLIENTS clients x ${LOAD_SECONDS}s (pause ${LOAD_PAUSE_MS}ms), every probe: $EVERY_PROBE," \
    "sanitizers: $SANITIZE," \
    "brokers: $MSGWATCH_KAFKA_JVM_OPTS" | tee "$OUT/header.txt"
  if ((EVERY_PROBE)); then start_redis; fi
  for size in "${sizes[@]}"; do bench_size "$size"; done
  : >"$OUT/derived.txt"
  if [[ -f "$OUT/tenth.summary.txt" && -f "$OUT/full.summary.txt" ]]; then
    ratios tenth full
    marginal tenth full
  fi >>"$OUT/derived.txt"
  if [[ -f "$OUT/full.summary.txt" && -f "$OUT/large.summary.txt" ]]; then
    ratios full large
    marginal full large
  fi >>"$OUT/derived.txt"
  cat "$OUT/derived.txt"
  targets | tee "$OUT/targets.txt"
  echo "bench.total_seconds $((($(now_ms) - t0) / 1000)) s"
  log "figures and logs: $OUT"
}

main
