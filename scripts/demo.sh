#!/usr/bin/env bash
# The daemon's main job on a local default: starts a Kafka broker and a Redis server on
# loopback (the Redis primary with a replica the daemon discovers), a little traffic (a producer, a consumer group that keeps up and one that
# lags, a share group, a Redis stream used as a job queue), the daemon with
# examples/demo.yml, and what turns its series into pages: Prometheus with the shipped
# rules, Alertmanager with the shipped example and a webhook receiver in place of the pager
# and the chat (Debian's packages). Ctrl-C stops everything.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

kafka_port=29092
redis_port=26379
prometheus_port=29090
alertmanager_port=29093
receiver_port=9095 # where alerts/alertmanager.yml sends pages (/pager) and chat (/chat)
demo_dir="$RUN_DIR/demo"
bootstrap="127.0.0.1:$kafka_port"
traffic_pids=()

cleanup() {
  trap - EXIT INT TERM
  log "stopping"
  for pid in "${traffic_pids[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done
  bash scripts/kafka.sh stop --name demo >/dev/null 2>&1 || true
  bash scripts/redis.sh stop --name demo-replica >/dev/null 2>&1 || true
  bash scripts/redis.sh stop --name demo >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bash scripts/setup.sh
configure_build build >/dev/null
cmake --build build -j2 --target msgwatch

bash scripts/kafka.sh start --name demo --port "$kafka_port" >/dev/null
bash scripts/redis.sh start --name demo --port "$redis_port" --maxmemory 67108864 -- --maxmemory-policy allkeys-lru >/dev/null
bash scripts/redis.sh start --name demo-replica --port "$((redis_port + 1))" -- --replicaof 127.0.0.1 "$redis_port" >/dev/null
kafka_tool() { bash scripts/kafka.sh tool "$@"; }
kafka_tool topics --bootstrap-server "$bootstrap" --create --topic orders --partitions 3 >/dev/null
kafka_tool topics --bootstrap-server "$bootstrap" --create --topic payments --partitions 2 >/dev/null

# Each traffic loop runs in its own process group (set -m) so cleanup can end it whole.
set -m
# ~10 messages a second, through one long-lived producer.
(i=0; while true; do echo "order-$i"; i=$((i + 1)); sleep 0.1; done |
  kafka_tool console-producer --bootstrap-server "$bootstrap" --topic orders >/dev/null 2>&1) &
traffic_pids+=($!)
(while true; do date +%s; sleep 1; done |
  kafka_tool console-producer --bootstrap-server "$bootstrap" --topic payments >/dev/null 2>&1) &
traffic_pids+=($!)
# "shipping" keeps up; "billing" reads 100 messages every 30 s, so its lag rises and falls.
(kafka_tool console-consumer --bootstrap-server "$bootstrap" --topic orders --group shipping >/dev/null 2>&1) &
traffic_pids+=($!)
(while true; do
  kafka_tool console-consumer --bootstrap-server "$bootstrap" --topic orders --group billing \
    --from-beginning --max-messages 100 >/dev/null 2>&1 || true
  sleep 30
done) &
traffic_pids+=($!)
# "jobs", a share group (a queue: Kafka 4.1 on), takes 50 orders every 20 s.
(while true; do
  kafka_tool console-share-consumer --bootstrap-server "$bootstrap" --topic orders --group jobs \
    --max-messages 50 >/dev/null 2>&1 || true
  sleep 20
done) &
traffic_pids+=($!)
# A Redis stream as a job queue: a job a second; the "workers" group takes 5 every 10 s and
# acknowledges 4, so its lag and pending entries grow.
redis-cli -p "$redis_port" XGROUP CREATE jobs workers '$' MKSTREAM >/dev/null
(while true; do redis-cli -p "$redis_port" XADD jobs '*' job x >/dev/null; sleep 1; done) &
traffic_pids+=($!)
(while true; do
  mapfile -t ids < <(redis-cli -p "$redis_port" --raw XREADGROUP GROUP workers w1 COUNT 5 STREAMS jobs '>' |
    grep -E '^[0-9]+-[0-9]+$' || true)
  ((${#ids[@]} > 1)) && redis-cli -p "$redis_port" XACK jobs workers "${ids[@]:1}" >/dev/null
  sleep 10
done) &
traffic_pids+=($!)
# A cache that fills with keys that expire after two minutes.
(while true; do
  redis-benchmark -p "$redis_port" -q -n 2000 -r 100000 SET "key:__rand_int__" "$(head -c 200 /dev/zero | tr '\0' x)" EX 120 \
    >/dev/null 2>&1 || true
  sleep 5
done) &
traffic_pids+=($!)

# Prometheus scraping the daemon with the shipped rules, Alertmanager with the shipped
# example, and the receiver writing what reaches the pager and the chat to pages.tsv.
rm -rf "$demo_dir"
mkdir -p "$demo_dir"
cat >"$demo_dir/prometheus.yml" <<EOF
global: {scrape_interval: 5s, evaluation_interval: 5s}
rule_files: ['$ROOT/alerts/msgwatch-alerts.yml']
alerting: {alertmanagers: [{static_configs: [{targets: ['127.0.0.1:$alertmanager_port']}]}]}
scrape_configs: [{job_name: msgwatch, static_configs: [{targets: ['127.0.0.1:9440']}]}]
EOF
require_free_port "$receiver_port"
(exec python3 tests/support/webhook_receiver.py --port "$receiver_port" "$demo_dir/receiver.port" \
  "$demo_dir/pages.tsv" >"$demo_dir/receiver.log" 2>&1) &
traffic_pids+=($!)
(exec prometheus-alertmanager --config.file=alerts/alertmanager.yml --storage.path="$demo_dir/alertmanager" \
  --web.listen-address="127.0.0.1:$alertmanager_port" --cluster.listen-address= >"$demo_dir/alertmanager.log" 2>&1) &
traffic_pids+=($!)
(exec prometheus --config.file="$demo_dir/prometheus.yml" --storage.tsdb.path="$demo_dir/prometheus" \
  --web.listen-address="127.0.0.1:$prometheus_port" >"$demo_dir/prometheus.log" 2>&1) &
traffic_pids+=($!)
set +m

log "metrics: http://127.0.0.1:9440/metrics"
log "alerts: http://127.0.0.1:$prometheus_port/alerts  Alertmanager: http://127.0.0.1:$alertmanager_port"
log "pages and chat messages: tail -f ${demo_dir#"$ROOT/"}/pages.tsv  (Ctrl-C stops everything)"
build/exporter/msgwatch --config.file=examples/demo.yml
