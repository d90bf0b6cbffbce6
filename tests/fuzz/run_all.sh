#!/usr/bin/env bash
# Runs every libFuzzer target of a -DMSGWATCH_FUZZ=ON build for a bounded time each, starting
# from a corpus seeded with valid encodings of every response version. First each target runs
# once over its regression inputs, tests/fuzz/regressions/<target>/ (inputs that once broke
# it). Exits non-zero if any target finds a crash, leak, sanitizer report or timeout; the
# reproducer is kept under <build-dir>/fuzz-artifacts/<target>/ and copied into the target's
# regression directory, to be committed with the fix.
#
#   CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DMSGWATCH_FUZZ=ON
#   cmake --build build-fuzz -j2 --target fuzz_targets
#   tests/fuzz/run_all.sh build-fuzz 30
#   tests/fuzz/run_all.sh build-fuzz 0 10000000    # the long run: 10 million inputs each, no time limit
# MSGWATCH_FUZZ_TIMEOUT: seconds one input may take before it counts as a hang (10).
set -euo pipefail

if [[ $# -ne 2 && $# -ne 3 ]]; then
  echo "usage: $0 <build-dir> <seconds-per-target (0: no limit)> [inputs-per-target]" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
seconds=$2
runs=${3:--1}  # libFuzzer's -runs; -1: until the time is up
timeout=${MSGWATCH_FUZZ_TIMEOUT:-10}  # seconds one input may take before it is a hang
if [[ $seconds == 0 && $runs == -1 ]]; then
  echo "$0: no time limit needs a number of inputs" >&2
  exit 2
fi
fuzz_bin="$build_dir/tests/fuzz"
regression_root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/regressions"
corpus_root="$build_dir/fuzz-corpus"
artifact_root="$build_dir/fuzz-artifacts"

"$fuzz_bin/kafka_protocol_fuzz_seeds" "$corpus_root"

targets=("$fuzz_bin"/fuzz_*)
if [[ ! -x "${targets[0]}" ]]; then
  echo "no fuzz targets in $fuzz_bin: build with -DMSGWATCH_FUZZ=ON first" >&2
  exit 2
fi

# One target's run; prints its verdict, returns non-zero if it found something.
run_target() {
  local target=$1 name log execs regressions reproducer
  name=$(basename "$target")
  mkdir -p "$corpus_root/$name" "$artifact_root/$name"
  log="$artifact_root/$name/last-run.log"
  regressions=("$regression_root/$name"/*)
  if [[ -f "${regressions[0]}" ]] && ! "$target" -timeout="$timeout" -rss_limit_mb=2048 "${regressions[@]}" >"$log" 2>&1; then
    echo "FAILED  $name: a regression input breaks it again (log: $log)"
    tail -n 40 "$log"
    return 1
  fi
  if "$target" "$corpus_root/$name" \
      -max_total_time="$seconds" -runs="$runs" -timeout="$timeout" -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$artifact_root/$name/" >"$log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "ok      $name: ${execs:-?} executions in $(sed -n 's/^Done .* in \([0-9]*\) second.*/\1/p' "$log")s"
  else
    echo "FAILED  $name (log: $log)"
    tail -n 40 "$log"
    for reproducer in "$artifact_root/$name"/{crash,leak,timeout,oom,slow-unit}-*; do
      [[ -f "$reproducer" ]] || continue
      mkdir -p "$regression_root/$name"
      cp "$reproducer" "$regression_root/$name/"
      echo "        kept as tests/fuzz/regressions/$name/$(basename "$reproducer"): commit it with the fix"
    done
    return 1
  fi
}

# As many targets at once as there are cores; each writes only its own directories.
jobs_at_once=$(nproc)
declare -A running=()  # pid -> target name
failed=()
collect_one() {
  local pid
  wait -n -p pid || failed+=("${running[$pid]}")
  unset "running[$pid]"
}
for target in "${targets[@]}"; do
  [[ -x "$target" ]] || continue
  while ((${#running[@]} >= jobs_at_once)); do collect_one; done
  run_target "$target" &
  running[$!]=$(basename "$target")
done
while ((${#running[@]} > 0)); do collect_one; done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "${#failed[@]} fuzz target(s) failed: ${failed[*]}" >&2
  exit 1
fi
echo "all fuzz targets passed"
