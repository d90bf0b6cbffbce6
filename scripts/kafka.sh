#!/usr/bin/env bash
# Local Apache Kafka clusters in KRaft mode (the nodes a cluster starts with are each broker
# and controller; nodes added later are brokers only) for tests and the demo, run from the
# jars scripts/setup.sh put in .cache/kafka/<version>/libs/.
#
#   kafka.sh start [--version V] [--name NAME] [--brokers N] [--port P] [--set KEY=VALUE]...
#   kafka.sh stop [--name NAME] [--kill]
#   kafka.sh stop-node [--name NAME] --node I [--kill]
#   kafka.sh start-node [--name NAME] --node I
#   kafka.sh freeze-node|thaw-node [--name NAME] --node I
#   kafka.sh add-broker [--name NAME] [--set KEY=VALUE]...
#   kafka.sh bootstrap [--name NAME]
#   kafka.sh tool [--version V] TOOL [ARGS...]
#
# Node I (0-based) serves clients on 127.0.0.1:P+I and the controller quorum on
# 127.0.0.1:P+100+I. State lives in .run/kafka-NAME/node-I/ (config, data, logs, pid).
# "start" always makes a fresh cluster (a running one of that name is stopped and wiped)
# and prints the bootstrap list on stdout. "--set" adds or overrides a broker property.
# "add-broker" grows a running cluster by one node that is a broker only (the controller
# quorum stays nodes 0..N-1): the next free id I, clients on P+I, the settings the cluster
# was started with (and any "--set" given here, for this node only); it prints I. "stop"
# takes such brokers down before the other nodes.
# "--kill" stops with SIGKILL (a crash) instead of a controlled shutdown. "freeze-node"
# stops node I with SIGSTOP (a hung process: its connections stay open and nothing answers)
# until "thaw-node" (SIGCONT); "stop" and "stop-node" end a frozen node too.
# TOOL: consumer-groups, share-groups, transactions, topics, console-producer,
# console-consumer, console-share-consumer,
# get-offsets, configs, acls, metadata-quorum, delete-records, leader-election,
# producer-perf-test, consumer-perf-test, storage (as Kafka's bin/kafka-TOOL.sh).
#
# Environment: MSGWATCH_KAFKA_VERSION (default 4.3.1), MSGWATCH_KAFKA_PORT (19092),
# MSGWATCH_KAFKA_START_TIMEOUT (90 s), MSGWATCH_KAFKA_JVM_OPTS (broker JVM flags).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Lean JVM for a 2-core machine: serial GC, and the C1 compiler only (about 10-30 % quicker
# start on a busy machine, and fast enough for test traffic; a benchmark that wants peak
# broker throughput can drop it through MSGWATCH_KAFKA_JVM_OPTS).
BROKER_JVM_OPTS="${MSGWATCH_KAFKA_JVM_OPTS:--Xms256m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
TOOL_JVM_OPTS=(-Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1)
START_TIMEOUT="${MSGWATCH_KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT=30
# The broker logs this once it has caught up with the metadata log and is unfenced.
READY_LINE='Kafka Server started'
PROC_MARK='kafka.Kafka'

version=$KAFKA_DEFAULT_VERSION
name="test"
brokers=1
port="${MSGWATCH_KAFKA_PORT:-19092}"
node=
kill_flag=0
overrides=()

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit 2; }

parse_opts() {
  while (($#)); do
    case "$1" in
      --version) version=${2:?}; shift 2 ;;
      --name) name=${2:?}; shift 2 ;;
      --brokers) brokers=${2:?}; shift 2 ;;
      --port) port=${2:?}; shift 2 ;;
      --node) node=${2:?}; shift 2 ;;
      --set) overrides+=("${2:?}"); shift 2 ;;
      --kill) kill_flag=1; shift ;;
      *) log "unknown option: $1"; usage ;;
    esac
  done
  [[ "$name" =~ ^[A-Za-z0-9_.-]+$ ]] || die "bad --name: $name"
  [[ "$brokers" =~ ^[1-9]$ ]] || die "--brokers must be 1..9"
  if ! [[ "$port" =~ ^[0-9]+$ ]] || ((port < 1024 || port + 109 > 65535)); then die "bad --port: $port"; fi
}

cluster_dir() { echo "$RUN_DIR/kafka-$name"; }
node_dir() { echo "$(cluster_dir)/node-$1"; }

# log4j 1 (reload4j) for 3.x, log4j 2 for 4.x; $1 = version, $2 = "" or "tools-".
log_config_opt() {
  case "$1" in
    3.*) echo "-Dlog4j.configuration=file:$ROOT/rig/kafka/${2}log4j.properties" ;;
    *) echo "-Dlog4j2.configurationFile=$ROOT/rig/kafka/${2}log4j2.properties" ;;
  esac
}

# write_node_config I [ROLES]: ROLES "broker,controller" (the default) or "broker".
write_node_config() {
  local i=$1 roles=${2:-broker,controller} dir voters="" j rf min_isr listeners
  dir=$(node_dir "$i")
  for ((j = 0; j < brokers; j++)); do voters+="${voters:+,}$j@127.0.0.1:$((port + 100 + j))"; done
  rf=$((brokers < 3 ? brokers : 3))
  min_isr=$((rf < 3 ? 1 : 2))
  listeners="PLAINTEXT://127.0.0.1:$((port + i))"
  if [[ "$roles" == *controller* ]]; then listeners+=",CONTROLLER://127.0.0.1:$((port + 100 + i))"; fi
  mkdir -p "$dir/data" "$dir/logs"
  {
    echo "process.roles=$roles"
    echo "node.id=$i"
    echo "controller.quorum.voters=$voters"
    echo "listeners=$listeners"
    echo "advertised.listeners=PLAINTEXT://127.0.0.1:$((port + i))"
    echo "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
    echo "controller.listener.names=CONTROLLER"
    echo "inter.broker.listener.name=PLAINTEXT"
    echo "log.dirs=$dir/data"
    # Nothing may appear that a test did not create.
    echo "auto.create.topics.enable=false"
    echo "num.partitions=1"
    echo "default.replication.factor=$rf"
    echo "offsets.topic.replication.factor=$rf"
    # Fewer internal partitions: the first group or transaction comes up much faster.
    echo "offsets.topic.num.partitions=10"
    echo "transaction.state.log.num.partitions=10"
    echo "transaction.state.log.replication.factor=$rf"
    echo "transaction.state.log.min.isr=$min_isr"
    echo "group.initial.rebalance.delay.ms=0"
    echo "num.network.threads=2"
    echo "num.io.threads=4"
    if [[ "$version" != 3.* ]]; then
      echo "share.coordinator.state.topic.replication.factor=$rf"
      echo "share.coordinator.state.topic.min.isr=$min_isr"
    fi
    # Later lines win when Kafka reads the file.
    local kv
    for kv in "${overrides[@]}"; do echo "$kv"; done
  } >"$dir/server.properties"
}

# A Kafka cluster id: 16 random bytes, URL-safe base64 without padding; one that starts
# with "-" would read as an option on the format tool's command line.
new_cluster_id() {
  local id
  while id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '='); [[ "$id" == -* ]]; do :; done
  echo "$id"
}

# format_node I CLUSTER_ID: formats node I's log directory as a member of that cluster.
format_node() {
  "$(java_bin)" "${TOOL_JVM_OPTS[@]}" "$(log_config_opt "$version" tools-)" \
    -cp "$(kafka_libs "$version")/*" kafka.tools.StorageTool format \
    --cluster-id "$2" --config "$(node_dir "$1")/server.properties" \
    >"$(node_dir "$1")/logs/format.log" 2>&1
}

launch_node() {
  local i=$1 dir opts
  dir=$(node_dir "$i")
  read -r -a opts <<<"$BROKER_JVM_OPTS"
  daemonize "$dir/pid" "$dir/logs/stdout.log" "$(java_bin)" "${opts[@]}" \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    "-Dkafka.logs.dir=$dir/logs" "$(log_config_opt "$version" "")" \
    -cp "$(kafka_libs "$version")/*" "$PROC_MARK" "$dir/server.properties"
}

node_dead() { ! pid_of "$(node_dir "$1")/pid" "$PROC_MARK" >/dev/null; }

# node_ready I OFFSET: node I has logged readiness after byte OFFSET of its log.
# (No grep -q: quitting early would fail the pipeline with SIGPIPE under pipefail.)
node_ready() {
  tail -c +"$(($2 + 1))" "$(node_dir "$1")/logs/server.log" 2>/dev/null | grep -F "$READY_LINE" >/dev/null
}

# nodes_settled OFFSET I...: true once one of the nodes died, or all are ready.
nodes_settled() {
  local offset=$1 i
  shift
  for i in "$@"; do node_dead "$i" && return 0; done
  for i in "$@"; do node_ready "$i" "$offset" || return 1; done
}

nodes_up() {
  local offset=$1 i
  shift
  for i in "$@"; do node_ready "$i" "$offset" && ! node_dead "$i" || return 1; done
}

show_logs() {
  local i=$1 dir f shown=0
  dir=$(node_dir "$i")
  for f in "$dir/logs/stdout.log" "$dir/logs/server.log"; do
    [[ -s "$f" ]] || continue
    log "---- last lines of $f"
    tail -n 40 "$f" >&2
    shown=1
  done
  ((shown)) || log "node $i has logged nothing yet"
}

load_cluster() {
  local f
  f="$(cluster_dir)/cluster.env"
  [[ -f "$f" ]] || die "no Kafka cluster named $name (start it first)"
  # shellcheck source=/dev/null
  source "$f"
}

# node_pidfiles [broker]: the PID files of all nodes, or of the broker-only ones.
node_pidfiles() {
  local d
  for d in "$(cluster_dir)"/node-*/; do
    [[ -d "$d" ]] || continue
    [[ "${1:-}" != broker ]] || grep -qx 'process.roles=broker' "${d}server.properties" 2>/dev/null || continue
    echo "${d}pid"
  done
}

cmd_start() {
  parse_opts "$@"
  require_kafka_libs "$version"
  local t0 dir i cid pids=() p
  t0=$(now_ms)
  dir=$(cluster_dir)
  if [[ -d "$dir" ]]; then
    # Its data is wiped next, so a clean shutdown buys nothing.
    mapfile -t p < <(node_pidfiles)
    ((${#p[@]} == 0)) || stop_pids KILL "$STOP_TIMEOUT" "$PROC_MARK" "${p[@]}"
  fi
  for ((i = 0; i < brokers; i++)); do
    require_free_port $((port + i))
    require_free_port $((port + 100 + i))
  done
  rm -rf "$dir"
  mkdir -p "$dir"
  cid=$(new_cluster_id)
  for ((i = 0; i < brokers; i++)); do write_node_config "$i"; done
  # Format every node's storage in parallel (one JVM each).
  for ((i = 0; i < brokers; i++)); do
    format_node "$i" "$cid" &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { cat "$(node_dir "$i")/logs/format.log" >&2; die "formatting node $i failed"; }
  done
  # What add-broker needs to make a node that joins this cluster.
  {
    echo "version=$version"
    echo "port=$port"
    echo "brokers=$brokers"
    echo "cluster_id=$cid"
  } >"$dir/cluster.env"
  : >"$dir/settings"
  ((${#overrides[@]} == 0)) || printf '%s\n' "${overrides[@]}" >"$dir/settings"
  write_bootstrap "$brokers"
  local ids=()
  for ((i = 0; i < brokers; i++)); do launch_node "$i"; ids+=("$i"); done
  wait_until "$START_TIMEOUT" "Kafka cluster $name" nodes_settled 0 "${ids[@]}" || true
  if ! nodes_up 0 "${ids[@]}"; then
    for i in "${ids[@]}"; do show_logs "$i"; done
    mapfile -t p < <(node_pidfiles)
    stop_pids KILL 5 "$PROC_MARK" "${p[@]}"
    die "Kafka $version cluster $name did not start"
  fi
  log "Kafka $version cluster $name ($brokers node(s)) up in $(since "$t0"): $(cat "$dir/bootstrap")"
  cat "$dir/bootstrap"
}

# --kill: an abrupt loss, as when a machine dies (no controlled shutdown). Also the quick
# way to drop a whole multi-node cluster: with SIGTERM the last controller spends ~5 s
# trying to hand over leadership to voters that are already gone.
stop_signal() { if ((kill_flag)); then echo KILL; else echo TERM; fi; }

cmd_stop() {
  parse_opts "$@"
  local p
  [[ -d "$(cluster_dir)" ]] || return 0
  # Added brokers first, as an operator would: their controlled shutdown needs the
  # controller quorum, which the other nodes take down with them.
  if ((!kill_flag)); then
    mapfile -t p < <(node_pidfiles broker)
    ((${#p[@]} == 0)) || stop_pids TERM "$STOP_TIMEOUT" "$PROC_MARK" "${p[@]}"
  fi
  mapfile -t p < <(node_pidfiles)
  ((${#p[@]} == 0)) || stop_pids "$(stop_signal)" "$STOP_TIMEOUT" "$PROC_MARK" "${p[@]}"
  log "Kafka cluster $name stopped"
}

# write_bootstrap N: the client addresses of nodes 0..N-1, as "bootstrap" prints them
# (replaced in one step, so a reader never sees half a list).
write_bootstrap() {
  local n
  for ((n = 0; n < $1; n++)); do echo "127.0.0.1:$((port + n))"; done | paste -sd, >"$(cluster_dir)/bootstrap.new"
  mv "$(cluster_dir)/bootstrap.new" "$(cluster_dir)/bootstrap"
}

# Nodes 0..N-1 came with "start"; added brokers follow, so the ids have no gaps.
node_count() {
  local n=0
  while [[ -f "$(node_dir "$n")/server.properties" ]]; do n=$((n + 1)); done
  echo "$n"
}

require_node() {
  [[ -n "$node" ]] || die "--node is required"
  load_cluster
  if ! [[ "$node" =~ ^[0-9]+$ && -f "$(node_dir "$node")/server.properties" ]]; then
    die "cluster $name has nodes 0..$(($(node_count) - 1))"
  fi
}

cmd_stop_node() {
  parse_opts "$@"
  require_node
  stop_pids "$(stop_signal)" "$STOP_TIMEOUT" "$PROC_MARK" "$(node_dir "$node")/pid"
  log "Kafka node $node of cluster $name stopped"
}

# signal_node SIGNAL: to node I's process.
signal_node() {
  local pid
  pid=$(pid_of "$(node_dir "$node")/pid" "$PROC_MARK") || die "Kafka node $node of cluster $name is not running"
  kill -"$1" "$pid"
}

cmd_freeze_node() {
  parse_opts "$@"
  require_node
  signal_node STOP
  log "Kafka node $node of cluster $name frozen"
}

cmd_thaw_node() {
  parse_opts "$@"
  require_node
  signal_node CONT
  log "Kafka node $node of cluster $name thawed"
}

# launch_and_wait I: starts node I and waits until it is up; the caller checked its ports.
launch_and_wait() {
  local i=$1 dir offset
  dir=$(node_dir "$i")
  offset=$(stat -c %s "$dir/logs/server.log" 2>/dev/null || echo 0)
  launch_node "$i"
  wait_until "$START_TIMEOUT" "Kafka node $i" nodes_settled "$offset" "$i" || true
  if ! nodes_up "$offset" "$i"; then
    show_logs "$i"
    stop_pids KILL 5 "$PROC_MARK" "$dir/pid"
    die "Kafka node $i of cluster $name did not start"
  fi
}

cmd_start_node() {
  parse_opts "$@"
  require_node
  local t0
  t0=$(now_ms)
  if pid_of "$(node_dir "$node")/pid" "$PROC_MARK" >/dev/null; then
    log "Kafka node $node of cluster $name is already running"
    return 0
  fi
  require_free_port $((port + node))
  launch_and_wait "$node"
  log "Kafka node $node of cluster $name up in $(since "$t0")"
}

# A new broker-only node, formatted with the cluster's id and configured like the others.
# Node directories are claimed with mkdir, so concurrent calls get different ids. A node
# that fails to start keeps its directory (and id): its logs explain, start-node retries.
cmd_add_broker() {
  local extra=()
  parse_opts "$@"
  extra=("${overrides[@]}")
  load_cluster
  require_kafka_libs "$version"
  [[ -n "${cluster_id:-}" ]] || die "cluster $name predates add-broker; start it again"
  overrides=()
  [[ ! -f "$(cluster_dir)/settings" ]] || mapfile -t overrides <"$(cluster_dir)/settings"
  overrides+=("${extra[@]}")
  local i=$brokers t0 dir
  t0=$(now_ms)
  # Client ports P+I must stay below the controllers' P+100.
  until mkdir "$(node_dir "$i")" 2>/dev/null; do
    [[ -d "$(node_dir "$i")" ]] || die "cannot create $(node_dir "$i")"
    i=$((i + 1))
    ((i < 100)) || die "cluster $name has no free node id below 100"
  done
  dir=$(node_dir "$i")
  if ! wait_until 10 "port $((port + i)) to be free" port_free $((port + i)); then
    rm -rf "$dir"
    die "port $((port + i)) on 127.0.0.1 is already in use"
  fi
  write_node_config "$i" broker
  if ! format_node "$i" "$cluster_id"; then
    cat "$dir/logs/format.log" >&2
    rm -rf "$dir"
    die "formatting node $i failed"
  fi
  launch_and_wait "$i"
  write_bootstrap "$(node_count)"
  log "Kafka broker $i added to cluster $name in $(since "$t0")"
  echo "$i"
}

cmd_bootstrap() {
  parse_opts "$@"
  load_cluster
  local p alive=0 f
  mapfile -t p < <(node_pidfiles)
  for f in "${p[@]}"; do pid_of "$f" "$PROC_MARK" >/dev/null && alive=1; done
  ((alive)) || die "Kafka cluster $name is not running"
  cat "$(cluster_dir)/bootstrap"
}

# tool_class TOOL TOOLS_VERSION: the CLI class, by the name of its kafka-*.sh script.
tool_class() {
  case "$1" in
    consumer-groups) echo org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
    share-groups) echo org.apache.kafka.tools.consumer.group.ShareGroupCommand ;;
    console-share-consumer) echo org.apache.kafka.tools.consumer.ConsoleShareConsumer ;;
    transactions) echo org.apache.kafka.tools.TransactionsCommand ;;
    topics) echo org.apache.kafka.tools.TopicCommand ;;
    console-producer) [[ "$2" == 3.* ]] && echo kafka.tools.ConsoleProducer || echo org.apache.kafka.tools.ConsoleProducer ;;
    console-consumer) echo org.apache.kafka.tools.consumer.ConsoleConsumer ;;
    get-offsets) echo org.apache.kafka.tools.GetOffsetShell ;;
    configs) echo kafka.admin.ConfigCommand ;;
    acls) [[ "$2" == 3.* ]] && echo kafka.admin.AclCommand || echo org.apache.kafka.tools.AclCommand ;;
    metadata-quorum) echo org.apache.kafka.tools.MetadataQuorumCommand ;;
    delete-records) echo org.apache.kafka.tools.DeleteRecordsCommand ;;
    leader-election) echo org.apache.kafka.tools.LeaderElectionCommand ;;
    producer-perf-test) echo org.apache.kafka.tools.ProducerPerformance ;;
    consumer-perf-test) echo org.apache.kafka.tools.ConsumerPerformance ;;
    storage) echo kafka.tools.StorageTool ;;
    *) return 1 ;;
  esac
}

cmd_tool() {
  if [[ "${1:-}" == --version ]]; then version=${2:?}; shift 2; fi
  local tool=${1:-} cls
  [[ -n "$tool" ]] || usage
  shift
  cls=$(tool_class "$tool" "$version") || die "unknown tool: $tool"
  require_kafka_libs "$version"
  exec "$(java_bin)" "${TOOL_JVM_OPTS[@]}" "$(log_config_opt "$version" tools-)" \
    -cp "$(kafka_libs "$version")/*" "$cls" "$@"
}

cmd=${1:-}
(($#)) && shift
case "$cmd" in
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  stop-node) cmd_stop_node "$@" ;;
  start-node) cmd_start_node "$@" ;;
  freeze-node) cmd_freeze_node "$@" ;;
  thaw-node) cmd_thaw_node "$@" ;;
  add-broker) cmd_add_broker "$@" ;;
  bootstrap) cmd_bootstrap "$@" ;;
  tool) cmd_tool "$@" ;;
  *) usage ;;
esac
