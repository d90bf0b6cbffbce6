#!/usr/bin/env bash
# The test command's fuzz stage: builds every fuzz target with clang into build-fuzz, then
# runs each for SECONDS (run_all.sh). The test command runs it at idle priority beside the
# tests, where an input may wait for the processor: the time one input may take before it
# counts as a hang is then a minute (MSGWATCH_FUZZ_TIMEOUT, 10 s by default).
#
#   tests/fuzz/build_and_run.sh 10
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../../scripts source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
cd "$ROOT"

(($# == 1)) || { echo "usage: $0 <seconds-per-target>" >&2; exit 2; }
started=$(now_ms)
CC=clang CXX=clang++ configure_build build-fuzz -DMSGWATCH_FUZZ=ON >/dev/null
cmake --build build-fuzz -j2 --target fuzz_targets
log "fuzz build took $(since "$started")"
started=$(now_ms)
bash tests/fuzz/run_all.sh build-fuzz "$1"
log "fuzzing took $(since "$started")"
