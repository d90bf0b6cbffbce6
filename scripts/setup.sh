#!/usr/bin/env bash
# Prepares a fresh Debian 12 machine for building and testing msgwatch: installs the
# Debian packages and resolves the pinned Kafka releases into .cache/kafka/<version>/libs/.
# Idempotent: a re-run on a prepared machine only checks and returns in a second or two.
#
#   scripts/setup.sh               everything the test command needs
#   scripts/setup.sh --build-only  what building the daemon and its package needs (the image)
#
# MSGWATCH_KAFKA_VERSIONS="4.3.1 3.9.2" overrides which Kafka releases are resolved.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BUILD_PACKAGES=(
  cmake ninja-build g++ pkg-config librdkafka-dev prometheus-cpp-dev libhiredis-dev
  libboost-dev libspdlog-dev libfmt-dev libyaml-cpp-dev libssl-dev zlib1g-dev libcrypt-dev
  # the Debian package (dpkg-shlibdeps, which needs file); compiles cached (scripts/lib.sh)
  dpkg-dev file ccache
)
TEST_PACKAGES=(
  libgtest-dev libgmock-dev
  # systemd-analyze checks the package's unit
  systemd
  # fuzzing and formatting
  clang libclang-rt-14-dev clang-format git
  # servers and tools used by the tests and the demo
  redis-server redis-tools prometheus prometheus-alertmanager openjdk-17-jre-headless
  maven curl openssl python3 python3-yaml
  # the container image, built and run (tests/packaging/image_test.sh)
  podman runc debootstrap
)

build_only=0
case "${1:-}" in
  "") ;;
  --build-only) build_only=1 ;;
  *) die "usage: $0 [--build-only]" ;;
esac
PACKAGES=("${BUILD_PACKAGES[@]}")
((build_only)) || PACKAGES+=("${TEST_PACKAGES[@]}")

missing_packages() {
  local p status
  for p in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [[ "$status" == installed ]] || echo "$p"
  done
}

install_packages() {
  local missing
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]} == 0)); then
    log "Debian packages: all ${#PACKAGES[@]} installed"
    return
  fi
  log "installing: ${missing[*]}"
  local sudo=()
  ((EUID == 0)) || sudo=(sudo)
  # The rig runs its own redis/prometheus/alertmanager on its own ports; keep the packages'
  # services from starting (and taking default ports) while they are installed, the way
  # Debian container images do. Only a policy file we created is removed again.
  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    own_policy=1
  fi
  # Wait for, rather than fail on, another apt run holding the lock.
  local rc=0 apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300)
  "${apt[@]}" update || rc=$?
  if ((rc == 0)); then
    "${apt[@]}" install -y --no-install-recommends "${missing[@]}" || rc=$?
  fi
  if ((own_policy)); then "${sudo[@]}" rm -f "$policy"; fi
  ((rc == 0)) || die "apt-get failed (exit $rc)"
  mapfile -t missing < <(missing_packages)
  ((${#missing[@]} == 0)) || die "still missing after install: ${missing[*]}"
}

# resolve_kafka VERSION [tools]: copies the broker's (and with "tools", the CLI tools')
# runtime jars to .cache/kafka/VERSION/libs/. The marker file records the pom's hash and
# the profiles, so it is written only after a complete copy and a pom change re-resolves.
resolve_kafka() {
  local version=$1 with_tools=${2:-} dir profiles stamp
  dir="$CACHE_DIR/kafka/$version"
  case "$version" in
    3.*) profiles=log4j1 ;;
    *) profiles=log4j2 ;;
  esac
  [[ -z "$with_tools" ]] || profiles="tools,$profiles"
  stamp="$(sha256sum "$ROOT/rig/kafka/pom.xml" | cut -d' ' -f1) $profiles"
  if [[ -f "$dir/complete" && "$(cat "$dir/complete")" == "$stamp" ]]; then
    log "Kafka $version ($profiles): jars present"
    return
  fi
  log "resolving Kafka $version ($profiles) from Maven Central"
  rm -rf "$dir/libs.tmp" "$dir/complete"
  mkdir -p "$dir"
  if ! mvn -B -f "$ROOT/rig/kafka/pom.xml" -Dkafka.version="$version" -P "$profiles" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dir/libs.tmp" \
    >"$dir/mvn.log" 2>&1; then
    tail -n 30 "$dir/mvn.log" >&2
    die "could not resolve Kafka $version (full output: $dir/mvn.log)"
  fi
  [[ -f "$dir/libs.tmp/kafka_2.13-$version.jar" ]] || die "kafka_2.13-$version.jar not resolved"
  # Swap directories rather than copy into a live one: a running broker keeps its jars.
  rm -rf "$dir/libs.old"
  if [[ -d "$dir/libs" ]]; then mv "$dir/libs" "$dir/libs.old"; fi
  mv "$dir/libs.tmp" "$dir/libs"
  rm -rf "$dir/libs.old"
  echo "$stamp" >"$dir/complete"
}

install_packages
if ((build_only)); then
  log "done (build only)"
  exit 0
fi

read -r -a versions <<<"${MSGWATCH_KAFKA_VERSIONS:-${KAFKA_VERSIONS[*]}}"
for v in "${versions[@]}"; do
  resolve_kafka "$v" tools
done
log "done"
