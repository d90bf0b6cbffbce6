#!/usr/bin/env bash
# The Debian package from a build directory whose daemon is built: makes it with CPack,
# checks its contents, conffiles and dependencies, installs it with dpkg, checks the
# installed configuration, starts the installed daemon as its systemd unit would (its
# ExecStart, the flags of /etc/default/msgwatch, an unprivileged user; no systemd needed)
# on a loopback port the kernel picks, scrapes it, stops it, and purges the package.
# Needs root (dpkg) and a machine where msgwatch is not installed. Takes a few seconds.
#
#   tests/packaging/deb_test.sh build
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../../scripts source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

(($# == 1)) || { echo "usage: $0 <build-dir>" >&2; exit 2; }
build_dir=$(cd "$1" && pwd)
[[ -x "$build_dir/exporter/msgwatch" ]] || die "$build_dir/exporter/msgwatch is not built"
((EUID == 0)) || die "must run as root (dpkg -i)"

unit=/lib/systemd/system/msgwatch.service
config=/etc/msgwatch/msgwatch.yml
defaults=/etc/default/msgwatch
# Every file the package must hold (directories aside), as dpkg-deb -c names them.
expected=(
  ./usr/bin/msgwatch ".$unit" ".$config" ".$defaults"
  ./usr/share/msgwatch/dashboards/msgwatch-overview.json
  ./usr/share/msgwatch/alerts/msgwatch-alerts.yml
  ./usr/share/msgwatch/alerts/alertmanager.yml
  ./usr/share/msgwatch/alerts/runbooks/README.md
  ./usr/share/doc/msgwatch/README.md ./usr/share/doc/msgwatch/ARCHITECTURE.md
)

status=$(dpkg-query -W -f='${db:Status-Status}' msgwatch 2>/dev/null || true)
[[ -z "$status" || "$status" == not-installed ]] ||
  die "package msgwatch is $status here; this test installs and purges it: remove it first"
[[ ! -e /etc/msgwatch && ! -e "$defaults" ]] ||
  die "/etc/msgwatch or $defaults exists without the package; move it away first"

work=$(mktemp -d)
installed=0
cleanup() {
  stop_pids TERM 10 /usr/bin/msgwatch "$work/daemon.pid"
  if ((installed)); then dpkg --purge msgwatch >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  if [[ -s "$work/daemon.log" ]]; then tail -n 20 "$work/daemon.log" >&2; fi
  die "$@"
}

started=$(now_ms)
cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; die "cpack failed"; }
debs=("$work"/msgwatch_*.deb)
[[ -f "${debs[0]}" && ${#debs[@]} -eq 1 ]] || die "cpack made no single msgwatch_*.deb in $work"
deb=${debs[0]}
log "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB) in $(since "$started")"

# Contents: the paths, nothing of the tests, the conffiles.
dpkg-deb -c "$deb" | awk '{print $NF}' >"$work/contents"
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $NF}' >"$work/files"
for path in "${expected[@]}"; do
  grep -qxF "$path" "$work/contents" || die "the package lacks $path"
done
if grep -E '/(tests?|bench)/|_test$' "$work/contents" >&2; then die "the package holds tests"; fi
dpkg-deb -I "$deb" conffiles >"$work/conffiles"
for path in "$config" "$defaults"; do
  grep -qxF "$path" "$work/conffiles" || die "$path is not a conffile"
done
version=$(sed -n 's/^project(msgwatch VERSION \([0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt")
for field in Package=msgwatch Version="$version" Section=net Priority=optional; do
  value=$(dpkg-deb -f "$deb" "${field%%=*}")
  [[ "$value" == "${field#*=}" ]] || die "control field ${field%%=*} is '$value', not '${field#*=}'"
done
[[ -n "$(dpkg-deb -f "$deb" Maintainer)" && -n "$(dpkg-deb -f "$deb" Description)" ]] ||
  die "control lacks Maintainer or Description"

# Dependencies: the package of every library the binary needs is in Depends (dpkg-shlibdeps),
# by its name or by a name it provides (libspdlog1.10 as libspdlog1.10-fmt9).
depends=$(dpkg-deb -f "$deb" Depends)
mapfile -t needed < <(readelf -d "$build_dir/exporter/msgwatch" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
((${#needed[@]} > 0)) || die "readelf found no NEEDED library"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
patterns=()
for lib in "${needed[@]}"; do patterns+=("*/$multiarch/$lib"); done
mapfile -t owners < <(dpkg -S "${patterns[@]}" | sed 's/[:,].*//' | sort -u)
depends_on() { [[ ", $depends," == *", $1 "* || ", $depends," == *", $1,"* ]]; }
for package in "${owners[@]}"; do
  found=0
  for name in "$package" $(dpkg-query -W -f='${Provides}' "$package" | sed 's/([^)]*)//g; s/,/ /g'); do
    if depends_on "$name"; then found=1; fi
  done
  ((found)) || die "Depends lacks $package (a library of it is NEEDED): $depends"
done
log "contents, conffiles and Depends (${#owners[@]} packages for ${#needed[@]} libraries) as expected"

# Install; on a machine without the runtime libraries, apt brings them.
installed=1
if ! dpkg -i "$deb" >"$work/dpkg.log" 2>&1; then
  log "dpkg -i left dependencies missing; apt-get install -f"
  DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=60 install -y -f >>"$work/dpkg.log" 2>&1 ||
    { cat "$work/dpkg.log" >&2; die "installing $deb failed"; }
fi
for path in "${expected[@]}"; do
  [[ -f "${path#.}" ]] || die "${path#.} is not installed"
done
[[ "$(dpkg-query -W -f='${Conffiles}' msgwatch)" == *"$config "* ]] || die "dpkg does not list $config as a conffile"
systemd-analyze verify "$unit" || die "systemd-analyze verify $unit failed"
log "systemd-analyze verify: $unit is valid"

# The daemon as the unit starts it, as an unprivileged user (the unit's DynamicUser).
as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups --no-new-privs)
"${as_user[@]}" /usr/bin/msgwatch --config.check --config.file="$config" >"$work/check.log" 2>&1 ||
  { cat "$work/check.log" >&2; die "the installed configuration does not pass --config.check"; }
grep -q 'configuration OK' "$work/check.log" || die "--config.check said: $(cat "$work/check.log")"
# ExecStart with $ARGS taken from the EnvironmentFile, both read from the installed unit;
# the port comes from ARGS, as an administrator would set it.
sed -i 's|^ARGS=.*|ARGS="--web.listen-address=127.0.0.1:0"|' "$defaults"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
env_file=$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$unit")
[[ "$env_file" == "$defaults" ]] || die "the unit reads EnvironmentFile $env_file, not $defaults"
args=$(sed -n 's/^ARGS=//p' "$env_file" | tail -n 1)
args=${args#\"}
args=${args%\"}
exec_words=()
read -r -a words <<<"$exec_start"
for word in "${words[@]}"; do
  # shellcheck disable=SC2016 # the unit's literal words
  case "$word" in
    '$ARGS' | '${ARGS}') read -r -a extra <<<"$args" && exec_words+=("${extra[@]}") ;;
    *[\$\"\'%]*) die "ExecStart word '$word' needs more of systemd than this test emulates" ;;
    *) exec_words+=("$word") ;;
  esac
done
[[ "${exec_words[0]}" == /usr/bin/msgwatch ]] || die "ExecStart runs ${exec_words[0]}, not /usr/bin/msgwatch"
log "starting: ${exec_words[*]}"
started=$(now_ms)
# In a session of its own, as systemd runs it; setsid and setpriv exec, so $! is the daemon.
setsid "${as_user[@]}" "${exec_words[@]}" </dev/null >"$work/daemon.log" 2>&1 &
pid=$!
disown "$pid"
echo "$pid" >"$work/daemon.pid"

serving_port() { sed -n 's/.*msg="serving metrics".* port=\([0-9]*\).*/\1/p' "$work/daemon.log" | grep -q .; }
wait_until 30 "the daemon to serve" serving_port || fail "the daemon did not start serving"
port=$(sed -n 's/.*msg="serving metrics".* port=\([0-9]*\).*/\1/p' "$work/daemon.log" | head -n 1)
url=http://127.0.0.1:$port
scraped() { curl -fsS --max-time 5 "$url/metrics" >"$work/metrics" 2>/dev/null && grep -q '^msgwatch_build_info{' "$work/metrics"; }
wait_until 30 "msgwatch_build_info on $url/metrics" scraped || fail "no msgwatch_build_info on $url/metrics"
grep -q "^msgwatch_build_info{.*version=\"$version\".*} 1$" "$work/metrics" ||
  fail "msgwatch_build_info does not say version $version: $(grep '^msgwatch_build_info' "$work/metrics")"
[[ "$(curl -fsS --max-time 5 "$url/-/healthy")" == Healthy ]] || fail "$url/-/healthy is not Healthy"
ready() { curl -fsS --max-time 5 "$url/-/ready" >/dev/null 2>&1; }
wait_until 30 "$url/-/ready" ready || fail "$url/-/ready did not answer 200"
# Every configured probe has run, whether or not its target answers (nothing need listen).
curl -fsS --max-time 5 "$url/metrics" >"$work/metrics"
for probe in kafka_lag redis; do
  grep -qE "^msgwatch_probe_success\{.*probe=\"$probe\".*\} [01]$" "$work/metrics" ||
    fail "no msgwatch_probe_success for probe $probe"
done
uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")
[[ "$uid" == "$(id -u nobody)" ]] || fail "the daemon runs as uid $uid, not nobody"
log "installed daemon (pid $pid, user nobody) served $url/metrics, /-/healthy and /-/ready in $(since "$started")"

# `systemctl reload` as the unit does it (ExecReload: SIGHUP): the unchanged file is read
# again and every target kept.
# shellcheck disable=SC2016 # the unit's literal words
[[ "$(sed -n 's/^ExecReload=//p' "$unit")" == '/bin/kill -HUP $MAINPID' ]] || fail "the unit reloads otherwise"
kill -HUP "$pid"
reloaded() { grep -q 'msg="configuration reloaded" targets_kept=2 targets_started=0 targets_stopped=0' "$work/daemon.log"; }
wait_until 10 "the reload" reloaded || fail "SIGHUP did not reload the configuration"
log "SIGHUP reloaded the installed configuration"

stop_pids TERM 10 /usr/bin/msgwatch "$work/daemon.pid"
grep -q 'msg="stopped"' "$work/daemon.log" || fail "the daemon did not stop cleanly on SIGTERM"

dpkg --purge msgwatch >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; die "dpkg --purge failed"; }
installed=0
mapfile -t files <"$work/files"
for path in "${files[@]}" /etc/msgwatch /usr/share/msgwatch /usr/share/doc/msgwatch; do
  [[ ! -e "${path#.}" ]] || die "${path#.} is left after dpkg --purge"
done
log "purged: none of its ${#files[@]} files is left"
