#!/usr/bin/env bash
# The container image, built from the Dockerfile with podman and run: the base image the
# Dockerfile names (debian:12-slim) is made here when missing, with debootstrap from the
# machine's own Debian sources, since no registry of images is reached; the build uses the
# host's network, so that apt in the build reaches the same sources. The image must start
# as a user other than root, serve /metrics with a Redis probe that succeeds (a
# redis-server this test starts) and report healthy through its own HEALTHCHECK. Needs
# root, podman, runc, debootstrap and redis-server (scripts/setup.sh installs them).
#
#   tests/packaging/image_test.sh
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../../scripts source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
cd "$ROOT"

((EUID == 0)) || die "must run as root (podman, debootstrap)"
# (Podman schedules health checks with systemd timers; without systemd it says so on every
# start and stop, into run.log here; `podman healthcheck run` runs the check itself.)
# runc: podman's default runtime (crun) fails to set resource limits on some machines, and
# runc too when the limits a container gets by default are above what the machine allows:
# containers run here get limits below it.
podman=(podman --runtime runc)
limits=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
base=debian:12-slim
# Bounds on the two long steps, several times what they take beside the tests at idle
# priority (debootstrap 2.5 min, the build 11 min): a stalled download fails this test
# rather than holding the test command.
debootstrap_bound=15m
build_bound=40m
image=localhost/msgwatch:test
name=msgwatch-image-test-$$

work=$(mktemp -d)
redis_pid=
cleanup() {
  "${podman[@]}" rm -f "$name" >/dev/null 2>&1 || true
  if [[ -n "$redis_pid" ]]; then kill "$redis_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The first Debian archive of the machine's apt sources (deb822 or one-line format).
debian_mirror() {
  local uri
  uri=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n 1)
  [[ -n "$uri" ]] || uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
  [[ -n "$uri" ]] || die "no Debian archive in /etc/apt/sources.list*"
  echo "$uri"
}

make_base_image() {
  local rootfs="$work/rootfs" started
  started=$(now_ms)
  timeout --kill-after=30s "$debootstrap_bound" debootstrap --variant=minbase bookworm "$rootfs" "$(debian_mirror)" \
    >"$work/debootstrap.log" 2>&1 ||
    { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed or took over $debootstrap_bound"; }
  # The machine's sources (updates, security) rather than the single one debootstrap wrote.
  if compgen -G "/etc/apt/sources.list.d/debian.sources" >/dev/null; then
    rm -f "$rootfs/etc/apt/sources.list"
    cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/"
  fi
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | "${podman[@]}" import - "$base" >/dev/null
  rm -rf "$rootfs"
  log "base image $base made with debootstrap in $(since "$started")"
}

"${podman[@]}" image exists "$base" || make_base_image

# The sources at their path here, the compile cache mounted and the revision given: what the
# test command built is compiled again byte for byte, so its objects come from the cache.
# No layer cache: the image is built as on a fresh machine, whatever earlier builds left (and
# the one this test made before is removed rather than left untagged).
"${podman[@]}" rmi -f "$image" >/dev/null 2>&1 || true
started=$(now_ms)
mkdir -p "$CCACHE_DIR"
revision=$(git describe --always --dirty --tags 2>/dev/null || echo unknown)
if ! timeout --kill-after=30s "$build_bound" "${podman[@]}" build --layers=false --network host --pull=never \
  --format docker -v "$CCACHE_DIR:/ccache" \
  --build-arg SRC="$ROOT" --build-arg MSGWATCH_REVISION="$revision" \
  -t "$image" -f Dockerfile . >"$work/build.log" 2>&1; then
  tail -n 40 "$work/build.log" >&2
  die "podman build failed or took over $build_bound"
fi
log "image built in $(since "$started") ($("${podman[@]}" image inspect --format '{{.Size}}' "$image") bytes)"

user=$("${podman[@]}" image inspect --format '{{.Config.User}}' "$image")
[[ -n "$user" && "$user" != root && "$user" != 0 ]] || die "the image runs as '$user', not an unprivileged user"

# A Redis for the image's daemon to watch, and a configuration naming it.
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
redis_pid=$!
redis_up() { kill -0 "$redis_pid" 2>/dev/null && grep -q "Ready to accept connections" "$work/redis.log"; }
wait_until 10 "redis-server on port $redis_port" redis_up || { cat "$work/redis.log" >&2; die "redis-server did not start"; }
metrics_port=$(free_port)
cat >"$work/msgwatch.yml" <<EOF
redis:
  - name: image-test
    address: 127.0.0.1:$redis_port
    interval: 1s
    timeout: 1s
EOF
chmod 644 "$work/msgwatch.yml"
"${podman[@]}" run -d "${limits[@]}" --name "$name" --network host \
  -v "$work/msgwatch.yml:/etc/msgwatch/msgwatch.yml:ro" "$image" \
  --web.listen-address="127.0.0.1:$metrics_port" --config.file=/etc/msgwatch/msgwatch.yml >/dev/null 2>>"$work/run.log"

scraped() {
  curl -fsS "http://127.0.0.1:$metrics_port/metrics" >"$work/metrics" 2>/dev/null &&
    grep -q '^msgwatch_probe_success{.*cluster="image-test".*} 1$' "$work/metrics"
}
if ! wait_until 30 "the image's /metrics with the Redis probe succeeding" scraped; then
  cat "$work/run.log" >&2
  "${podman[@]}" logs "$name" 2>&1 | tail -n 20 >&2
  die "the image's daemon did not serve a succeeding Redis probe on port $metrics_port"
fi
grep -q '^redis_up{.*} 1$' "$work/metrics" || die "redis_up is not 1 on the image's /metrics"
[[ "$("${podman[@]}" exec "$name" id -u)" != 0 ]] || die "the daemon in the image runs as root"

# The image's own HEALTHCHECK, on the image's default port 9440: in a container of its own
# network (loopback only), where the daemon's probes fail and its endpoints answer.
"${podman[@]}" rm -f "$name" >/dev/null 2>>"$work/run.log"
"${podman[@]}" run -d "${limits[@]}" --name "$name" --network none \
  -v "$work/msgwatch.yml:/etc/msgwatch/msgwatch.yml:ro" "$image" >/dev/null 2>>"$work/run.log"
healthy() { "${podman[@]}" healthcheck run "$name" >/dev/null 2>&1; }
if ! wait_until 20 "the image's health check" healthy; then
  cat "$work/run.log" >&2
  "${podman[@]}" logs "$name" 2>&1 | tail -n 20 >&2
  die "the image's HEALTHCHECK did not pass"
fi
log "image ok: runs as $user, serves /metrics (Redis probe succeeding), reports healthy"
