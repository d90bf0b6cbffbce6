# Shell functions the benchmarks share. Sourced after scripts/lib.sh.

# cpu_ticks PID...: user + system CPU of the processes so far, in clock ticks.
cpu_ticks() {
  local pid total=0
  for pid in "$@"; do total=$((total + $(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat"))); done
  echo "$total"
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

# build_daemon BUILD_DIR TARGET...: builds the targets (msgwatch and what the benchmark needs)
# in BUILD_DIR, configured as the test script configures its builds, unless
# MSGWATCH_BENCH_SKIP_BUILD=1 (an existing build is used as it is). MSGWATCH_BENCH_BUILD_JOBS
# limits the parallel jobs.
build_daemon() {
  local dir=$1
  shift
  if [[ "${MSGWATCH_BENCH_SKIP_BUILD:-0}" == 1 ]]; then return; fi
  [[ -f "$dir/CMakeCache.txt" ]] || configure_build "$dir" >&2
  ninja -C "$dir" ${MSGWATCH_BENCH_BUILD_JOBS:+-j "$MSGWATCH_BENCH_BUILD_JOBS"} "$@" >&2
}
