#!/usr/bin/env bash
# Runs every test on a fresh machine: installs what is missing (setup.sh), builds, makes
# and tests the Debian package (installed, run and purged), starts the servers the
# integration tests need (Kafka in KRaft mode, Redis), runs the unit and integration tests
# against the default Kafka, the integration tests again against the other pinned Kafka.
# Beside those, at idle priority (they get only the processor time the tests leave, which
# mostly wait on brokers and timers): every fuzz target for a bounded time, the container
# image built with podman and run, and the short sanitizer soak (the daemon built with
# AddressSanitizer, LeakSanitizer and UBSan, every probe at work against a Kafka and a Redis
# of its own, scraped; any report fails it). Servers are stopped on exit, whatever happened.
#
#   scripts/test.sh                 everything
#   MSGWATCH_TEST_KAFKA_VERSIONS="3.9.2" scripts/test.sh   one broker version only
#   MSGWATCH_FUZZ_SECONDS=0 scripts/test.sh                skip the fuzz stage
#   MSGWATCH_TEST_IMAGE=0 scripts/test.sh                  skip the image stage
#   MSGWATCH_TEST_SOAK=0 scripts/test.sh                   skip the sanitizer soak
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

read -r -a kafka_versions <<<"${MSGWATCH_TEST_KAFKA_VERSIONS:-${KAFKA_VERSIONS[*]}}"
fuzz_seconds="${MSGWATCH_FUZZ_SECONDS:-10}"
test_image="${MSGWATCH_TEST_IMAGE:-1}"
test_soak="${MSGWATCH_TEST_SOAK:-1}"
build_dir=build
kafka_port=19092
redis_port=16379

declare -A background=()  # stage name -> pid
stop_servers() {
  local pid
  for pid in "${background[@]}"; do kill -- -"$pid" 2>/dev/null || true; done
  bash scripts/kafka.sh stop --name test >/dev/null 2>&1 || true
  bash scripts/redis.sh stop --name test >/dev/null 2>&1 || true
}
trap stop_servers EXIT

# in_background NAME CMD...: runs CMD at idle priority in a process group of its own, its
# output in $build_dir/NAME.log; finish_background reports it.
in_background() {
  local name=$1
  shift
  setsid --wait chrt --idle 0 "$@" >"$build_dir/$name.log" 2>&1 &
  background[$name]=$!
  log "$name: started beside the tests (log: $build_dir/$name.log)"
}

# Waits for every background stage; prints each one's log, those of failed stages last (a
# reader of the output's end sees why); fails if one failed.
finish_background() {
  local name started failed=()
  for name in "${!background[@]}"; do
    started=$(now_ms)
    if wait "${background[$name]}"; then
      log "$name: waited $(since "$started") for it after the tests; its log:"
      cat "$build_dir/$name.log"
    else
      failed+=("$name")
    fi
    unset "background[$name]"
  done
  for name in "${failed[@]}"; do
    log "$name: FAILED; its log:"
    cat "$build_dir/$name.log"
  done
  ((${#failed[@]} == 0)) || die "failed beside the tests: ${failed[*]}"
}

run_started=$(now_ms)
bash scripts/setup.sh
# The code is kept as .clang-format says; a diff fails the run before anything is built.
git ls-files -z '*.cpp' '*.hpp' | xargs -0 clang-format --dry-run -Werror
started=$(now_ms)
configure_build "$build_dir" >/dev/null
cmake --build "$build_dir" -j2
log "build took $(since "$started")"

started=$(now_ms)
bash tests/packaging/deb_test.sh "$build_dir"
log "Debian package test took $(since "$started")"

if ((fuzz_seconds > 0)); then
  in_background fuzz env MSGWATCH_FUZZ_TIMEOUT=60 bash tests/fuzz/build_and_run.sh "$fuzz_seconds"
fi
if ((test_image)); then in_background image bash tests/packaging/image_test.sh; fi
if ((test_soak)); then in_background sanitizer_soak bash bench/sanitizer_soak.sh short; fi

export MSGWATCH_REPO_ROOT="$ROOT"
export MSGWATCH_BINARY="$ROOT/$build_dir/exporter/msgwatch"
export MSGWATCH_TEST_REDIS_ADDRESS
MSGWATCH_TEST_REDIS_ADDRESS=$(bash scripts/redis.sh start --name test --port "$redis_port")

first=1
for version in "${kafka_versions[@]}"; do
  started=$(now_ms)
  export MSGWATCH_TEST_KAFKA_VERSION="$version"
  export MSGWATCH_TEST_KAFKA_BOOTSTRAP
  MSGWATCH_TEST_KAFKA_BOOTSTRAP=$(bash scripts/kafka.sh start --name test --version "$version" --port "$kafka_port")
  log "Kafka $version up at $MSGWATCH_TEST_KAFKA_BOOTSTRAP"
  # Unit tests once; the integration tests that speak to Kafka against every broker version.
  labels=()
  if ((!first)); then labels=(-L integration -LE without_kafka); fi
  ctest --test-dir "$build_dir" --output-on-failure --timeout 600 -j2 "${labels[@]}"
  bash scripts/kafka.sh stop --name test
  log "tests against Kafka $version took $(since "$started")"
  first=0
done

finish_background
log "every test passed in $(since "$run_started")"
