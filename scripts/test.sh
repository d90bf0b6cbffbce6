#!/usr/bin/env bash
# Runs every test on a fresh machine: installs what is missing (setup.sh), builds, starts
# the servers the integration tests need (Kafka in KRaft mode, Redis), runs the unit and
# integration tests against the default Kafka, the integration tests again against the
# other pinned Kafka, then every fuzz target for a bounded time. Servers are stopped on
# exit, whatever happened.
#
#   scripts/test.sh                 everything
#   MSGWATCH_TEST_KAFKA_VERSIONS="3.9.2" scripts/test.sh   one broker version only
#   MSGWATCH_FUZZ_SECONDS=0 scripts/test.sh                skip the fuzz stage
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

read -r -a kafka_versions <<<"${MSGWATCH_TEST_KAFKA_VERSIONS:-${KAFKA_VERSIONS[*]}}"
fuzz_seconds="${MSGWATCH_FUZZ_SECONDS:-10}"
build_dir=build
kafka_port=19092
redis_port=16379

stop_servers() {
  bash scripts/kafka.sh stop --name test >/dev/null 2>&1 || true
  bash scripts/redis.sh stop --name test >/dev/null 2>&1 || true
}
trap stop_servers EXIT

bash scripts/setup.sh
# The code is kept as .clang-format says; a diff fails the run before anything is built.
git ls-files -z '*.cpp' '*.hpp' | xargs -0 clang-format --dry-run -Werror
started=$(now_ms)
configure_build "$build_dir" >/dev/null
cmake --build "$build_dir" -j2
log "build took $(since "$started")"

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
  # Unit tests once; integration tests against every broker version.
  labels=()
  if ((!first)); then labels=(-L integration); fi
  ctest --test-dir "$build_dir" --output-on-failure --timeout 600 -j2 "${labels[@]}"
  bash scripts/kafka.sh stop --name test
  log "tests against Kafka $version took $(since "$started")"
  first=0
done

if ((fuzz_seconds > 0)); then
  started=$(now_ms)
  CC=clang CXX=clang++ configure_build build-fuzz -DMSGWATCH_FUZZ=ON >/dev/null
  cmake --build build-fuzz -j2 --target fuzz_targets
  bash tests/fuzz/run_all.sh build-fuzz "$fuzz_seconds"
  log "fuzzing took $(since "$started")"
fi
