#!/usr/bin/env bash
# A throw-away redis-server (Debian's) on 127.0.0.1 for tests and the demo.
#
#   redis.sh start [--port P] [--name NAME] [--maxmemory BYTES] [-- REDIS-SERVER-ARGS...]
#   redis.sh stop [--name NAME]
#
# State lives in .run/redis-NAME/ (pid, log); no persistence. "start" always gives a fresh,
# empty server (a running one of that name is stopped first). Arguments after "--" go to
# redis-server, e.g. -- --maxmemory-policy allkeys-lru.
# Environment: MSGWATCH_REDIS_PORT (default 16379).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

port="${MSGWATCH_REDIS_PORT:-16379}"
name="test"
maxmemory=0
extra=()

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit 2; }

parse_opts() {
  while (($#)); do
    case "$1" in
      --port) port=${2:?}; shift 2 ;;
      --name) name=${2:?}; shift 2 ;;
      --maxmemory) maxmemory=${2:?}; shift 2 ;;
      --) shift; extra=("$@"); break ;;
      *) log "unknown option: $1"; usage ;;
    esac
  done
  [[ "$name" =~ ^[A-Za-z0-9_.-]+$ ]] || die "bad --name: $name"
  if ! [[ "$port" =~ ^[0-9]+$ ]] || ((port < 1024 || port > 65535)); then die "bad --port: $port"; fi
  [[ "$maxmemory" =~ ^[0-9]+$ ]] || die "--maxmemory takes bytes"
}

dir() { echo "$RUN_DIR/redis-$name"; }

pong() { [[ "$(redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null)" == PONG ]]; }

cmd_start() {
  parse_opts "$@"
  local d t0
  t0=$(now_ms)
  d=$(dir)
  stop_pids TERM 10 redis-server "$d/pid"
  require_free_port "$port"
  rm -rf "$d"
  mkdir -p "$d"
  # Paths are absolute: redis-server changes into --dir before it writes them.
  redis-server --bind 127.0.0.1 --port "$port" --dir "$d" \
    --daemonize yes --pidfile "$d/pid" --logfile "$d/redis.log" \
    --save '' --appendonly no --maxmemory "$maxmemory" "${extra[@]}" ||
    die "redis-server did not start"
  if ! wait_until 30 "redis on port $port" pong; then
    tail -n 20 "$d/redis.log" >&2 || true
    stop_pids KILL 5 redis-server "$d/pid"
    die "redis-server on port $port does not answer PING"
  fi
  echo "$port" >"$d/port"
  log "redis $name up on 127.0.0.1:$port in $(since "$t0")"
  echo "127.0.0.1:$port"
}

cmd_stop() {
  parse_opts "$@"
  stop_pids TERM 10 redis-server "$(dir)/pid"
  log "redis $name stopped"
}

cmd=${1:-}
(($#)) && shift
case "$cmd" in
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  *) usage ;;
esac
