#!/usr/bin/env bash
# The daemon under AddressSanitizer (LeakSanitizer at exit) and UBSan with every probe at
# work (kafka_lag with transactions, the canary and the transactional canary, Redis with key
# groups and queues), against a Kafka and a Redis of its own, scraped: the kafka_lag bench at
# TENTH with MSGWATCH_BENCH_SANITIZE=1 and MSGWATCH_BENCH_EVERY_PROBE=1. Any sanitizer report
# stops the daemon and fails the soak.
#
#   bench/sanitizer_soak.sh short   20 soak cycles, then one run scraped by 10 clients for
#                                   10 s: the test command's stage
#   bench/sanitizer_soak.sh long    300 soak cycles (10 minutes), then the usual measured
#                                   run (50 scrapers for 60 s)
#
# Only the daemon is built with the sanitizers, into the bench's build-bench-sanitize, at -O0
# (the sanitizers' instrumentation makes -O2 much slower to compile); the bench's workload
# and measuring tools come from the test command's build/ (built there if missing). The
# short soak listens on ports below those the tests' own servers take (Kafka 9300, its
# controller 9400, Redis 9380, the daemon 9350), so that it can run beside them.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

(($# == 1)) || die "usage: $0 short|long"
export MSGWATCH_BENCH_SANITIZE=1 MSGWATCH_BENCH_EVERY_PROBE=1 MSGWATCH_BENCH_RUNS=1 MSGWATCH_BENCH_TOOLS_DIR=$ROOT/build
case "$1" in
  short)
    export MSGWATCH_BENCH_SOAK_CYCLES=20 MSGWATCH_BENCH_CYCLES=2 MSGWATCH_BENCH_SCRAPES=20 \
      MSGWATCH_BENCH_LOAD_CLIENTS=10 MSGWATCH_BENCH_LOAD_SECONDS=10 MSGWATCH_BENCH_KAFKA_PORT=9300 \
      MSGWATCH_BENCH_REDIS_PORT=9380 MSGWATCH_BENCH_HTTP_PORT=9350
    ;;
  long) export MSGWATCH_BENCH_SOAK_CYCLES=300 ;;
  *) die "usage: $0 short|long" ;;
esac
exec bash "$ROOT/bench/kafka_lag_bench.sh" tenth
