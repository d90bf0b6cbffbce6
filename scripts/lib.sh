# shellcheck shell=bash
# Helpers shared by the scripts (setup, build, kafka.sh, redis.sh, benchmarks). Source it; it sets
# ROOT to the repository root and defines the pinned Kafka versions.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck disable=SC2034 # used by the scripts that source this file
RUN_DIR="$ROOT/.run"
CACHE_DIR="$ROOT/.cache"

# Kafka releases the rig resolves (first one is the default): the newest 4.x whose
# artifacts are all on Maven Central (4.4.0 lacks kafka-tools there), and the last 3.x.
KAFKA_VERSIONS=(4.3.1 3.9.2)
# shellcheck disable=SC2034
KAFKA_DEFAULT_VERSION="${MSGWATCH_KAFKA_VERSION:-${KAFKA_VERSIONS[0]}}"

log() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
die() { log "error: $*"; exit 1; }

kafka_libs() { echo "$CACHE_DIR/kafka/$1/libs"; }

# Fails unless setup.sh has resolved the jars of that version.
require_kafka_libs() {
  [[ -f "$CACHE_DIR/kafka/$1/complete" ]] ||
    die "Kafka $1 jars missing in $(kafka_libs "$1"); run scripts/setup.sh (or MSGWATCH_KAFKA_VERSIONS=$1 scripts/setup.sh)"
}

java_bin() { if [[ -n "${JAVA_HOME:-}" ]]; then echo "$JAVA_HOME/bin/java"; else echo java; fi; }

# wait_until SECONDS WHAT CMD...: polls CMD until it succeeds; returns 1 after SECONDS.
wait_until() {
  local secs=$1 what=$2 deadline
  shift 2
  deadline=$((SECONDS + secs))
  until "$@"; do
    if ((SECONDS >= deadline)); then
      log "timed out after ${secs}s waiting for $what"
      return 1
    fi
    sleep 0.2
  done
}

# Configures build directory $1 (more cmake arguments may follow) as every script here and
# the image (Dockerfile) build: optimised (-O2) without debug information, which would cost a
# third of the compile time and which no test or benchmark reads.
# With ccache installed, compiles go through it, cached in .cache/ccache: the image build
# (tests/packaging/image_test.sh) compiles the same sources at the same path with the same
# compiler and flags, and takes its objects from there.
configure_build() {
  local launcher=()
  if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  cmake -S "$ROOT" -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
    "${launcher[@]}" "${@:2}"
}
export CCACHE_DIR="${CCACHE_DIR:-$CACHE_DIR/ccache}"
export CCACHE_SLOPPINESS=locale  # the locale changes no object; the image has none set
export CCACHE_DEPEND=1            # includes from the compiler's -MD output: no extra preprocessor run

# now_ms / since MS: wall-clock milliseconds, and seconds elapsed since then ("2.4s").
now_ms() { local t=${EPOCHREALTIME//[!0-9]/}; echo $((t / 1000)); }
since() { local d=$(($(now_ms) - $1)); printf '%d.%01ds' $((d / 1000)) $((d % 1000 / 100)); }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port_free() { ! port_open "$1"; }

# A loopback port free now (the kernel's pick); whoever binds it must check it got it.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Waits a little: a process we just stopped may still be closing its sockets.
require_free_port() {
  wait_until 10 "port $1 to be free" port_free "$1" || die "port $1 on 127.0.0.1 is already in use"
}

# pid_of PIDFILE: prints the PID if the file names a live process whose command line
# contains the given pattern (guards against a recycled PID after a reboot).
pid_of() {
  local pidfile=$1 pattern=$2 pid cmdline
  [[ -f "$pidfile" ]] || return 1
  read -r pid <"$pidfile" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [[ "$cmdline" == *"$pattern"* ]] || return 1
  echo "$pid"
}

# stop_pids SIGNAL SECONDS PATTERN PIDFILE...: SIGNAL (TERM, or KILL for an abrupt loss)
# to every live process at once, SIGKILL to those still alive after SECONDS, then removes
# the PID files. Safe if nothing runs; a process stopped by SIGSTOP is continued.
stop_pids() {
  local sig=$1 secs=$2 pattern=$3 f pid pids=()
  shift 3
  for f in "$@"; do
    if pid=$(pid_of "$f" "$pattern"); then
      kill -"$sig" "$pid" 2>/dev/null || true
      kill -CONT "$pid" 2>/dev/null || true  # a stopped (frozen) process handles it too
      pids+=("$pid")
    fi
  done
  if ((${#pids[@]})) && ! wait_until "$secs" "PIDs ${pids[*]} to exit" none_alive "${pids[@]}"; then
    log "sending SIGKILL to ${pids[*]}"
    kill -KILL "${pids[@]}" 2>/dev/null || true
    wait_until 10 "PIDs ${pids[*]} to die" none_alive "${pids[@]}" || true
  fi
  rm -f "$@"
}

none_alive() {
  local pid tasks
  for pid in "$@"; do
    kill -0 "$pid" 2>/dev/null || continue
    # A zombie not yet reaped by its parent counts as gone once its last thread has exited
    # (and so closed its files and sockets); before that the main thread alone may be Z.
    tasks=(/proc/"$pid"/task/*)
    [[ "$(proc_state "$pid")" == Z && ${#tasks[@]} -le 1 ]] || return 1
  done
}

# proc_state PID: the one-letter state from /proc (procps may be absent on a bare image).
proc_state() {
  local stat
  stat=$(cat 2>/dev/null <"/proc/$1/stat") || return 0
  stat=${stat##*) }
  echo "${stat%% *}"
}

# daemonize PIDFILE OUTFILE CMD...: runs CMD in its own session, detached from the
# caller's terminal and file descriptors (so a caller reading our output through a pipe
# is not kept waiting by the daemon), and writes its PID.
daemonize() {
  local pidfile=$1 out=$2 fd
  shift 2
  (
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    exec setsid "$@" </dev/null >>"$out" 2>&1
  ) &
  local pid=$!
  # Not our job any more: no "Killed" notice from bash if we stop it ourselves.
  disown "$pid"
  echo "$pid" >"$pidfile"
  # Return once the child runs CMD, so that pid_of can recognise it by its command line.
  wait_until 10 "$1 to start" exec_done "$pid" "$1" || true
}

exec_done() {
  local first=
  kill -0 "$1" 2>/dev/null || return 0
  IFS= read -r -d '' first 2>/dev/null <"/proc/$1/cmdline" || true
  [[ "$first" == "$2" ]]
}
