#!/usr/bin/env bash
# start-apache-kafka.sh — run a real, single-node Apache Kafka 4.x (KRaft, combined broker+controller)
# on loopback only, from the jars that scripts/kafka-dist.sh caches.
#
# It is the reference broker: the compat harness proves its tests against it, and the benchmarks run
# it side by side with Tributary. Every listener binds 127.0.0.1; nothing else is opened (no JMX).
#
# Usage:
#   scripts/start-apache-kafka.sh start  [--port 19092] [--controller-port PORT+1] [--dir DIR]
#                                        [--heap 1g] [--set key=value]... [--foreground]
#   scripts/start-apache-kafka.sh stop   [--port 19092] [--dir DIR]
#   scripts/start-apache-kafka.sh status [--port 19092] [--dir DIR]
#
# start: wipes DIR, writes DIR/server.properties, formats DIR/data with kafka.tools.StorageTool,
#        starts `java -cp "libs/*" kafka.Kafka DIR/server.properties` in the background (its pid in
#        DIR/kafka.pid, output in DIR/kafka.log), waits until the broker answers a topic listing, and
#        prints the bootstrap address (127.0.0.1:PORT) on stdout. --foreground execs Kafka instead.
# stop:  SIGTERM the pid in DIR/kafka.pid, SIGKILL after 30 s; keeps DIR for post-mortems.
#
# Env: KAFKA_VERSION, TRIBUTARY_CACHE (see kafka-dist.sh); JAVA (default: java on PATH);
#      KAFKA_START_TIMEOUT_S (default 90).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAVA="${JAVA:-java}"
START_TIMEOUT_S="${KAFKA_START_TIMEOUT_S:-90}"

log() { echo "start-apache-kafka: $*" >&2; }
die() { log "$*"; exit 1; }

command="${1:-}"
[[ -n "$command" ]] && shift
port=19092
controller_port=""
run_dir=""
heap="1g"
foreground=0
extra_props=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --controller-port) controller_port="$2"; shift 2 ;;
    --dir) run_dir="$2"; shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --set) extra_props+=("$2"); shift 2 ;;
    --foreground) foreground=1; shift ;;
    *) die "unknown argument: $1" ;;
  esac
done
controller_port="${controller_port:-$((port + 1))}"
run_dir="${run_dir:-${TMPDIR:-/tmp}/tributary-apache-kafka-$port}"
pid_file="$run_dir/kafka.pid"

is_running() { [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }

port_is_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

write_server_properties() {
  cat >"$run_dir/server.properties" <<EOF
# Written by scripts/start-apache-kafka.sh: one node, combined roles, loopback only.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$run_dir/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=5
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  local prop
  for prop in "${extra_props[@]+"${extra_props[@]}"}"; do echo "$prop" >>"$run_dir/server.properties"; done
}

java_opts() {
  echo "-Xms$heap -Xmx$heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true"
  echo "-Dlog4j2.configurationFile=$dist/config/log4j2.properties"
}

wait_until_ready() {
  local deadline=$((SECONDS + START_TIMEOUT_S))
  while ! port_is_open "$port"; do
    is_running || { tail -n 40 "$run_dir/kafka.log" >&2; die "kafka exited during startup"; }
    (( SECONDS < deadline )) || die "port $port not open after ${START_TIMEOUT_S}s (see $run_dir/kafka.log)"
    sleep 0.3
  done
  # An open port is not yet a working broker: wait until metadata requests are answered.
  until timeout 30 "$JAVA" -cp "$dist/libs/*" -Dlog4j2.configurationFile="$dist/config/log4j2.properties" \
      org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$port" --list >/dev/null 2>&1; do
    is_running || die "kafka exited during startup (see $run_dir/kafka.log)"
    (( SECONDS < deadline )) || die "broker not ready after ${START_TIMEOUT_S}s (see $run_dir/kafka.log)"
    sleep 0.5
  done
}

start() {
  is_running && die "already running with pid $(cat "$pid_file") in $run_dir"
  port_is_open "$port" && die "127.0.0.1:$port is already in use"
  port_is_open "$controller_port" && die "127.0.0.1:$controller_port is already in use"
  dist="$("$SCRIPT_DIR/kafka-dist.sh")"
  rm -rf "$run_dir"
  mkdir -p "$run_dir/data"
  write_server_properties
  local cluster_id
  cluster_id="$("$JAVA" -cp "$dist/libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
  "$JAVA" -cp "$dist/libs/*" -Dlog4j2.configurationFile="$dist/config/log4j2.properties" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$run_dir/server.properties" >"$run_dir/format.log" 2>&1 \
    || { cat "$run_dir/format.log" >&2; die "storage format failed"; }
  # shellcheck disable=SC2046
  if (( foreground )); then
    exec "$JAVA" $(java_opts) -cp "$dist/libs/*" kafka.Kafka "$run_dir/server.properties"
  fi
  # setsid: Kafka gets its own process group so a terminal's ^C or a parent's group kill is explicit.
  # shellcheck disable=SC2046
  setsid "$JAVA" $(java_opts) -cp "$dist/libs/*" kafka.Kafka "$run_dir/server.properties" \
    >"$run_dir/kafka.log" 2>&1 </dev/null &
  echo $! >"$pid_file"
  log "pid $(cat "$pid_file"), logs in $run_dir/kafka.log, waiting for 127.0.0.1:$port"
  wait_until_ready
  log "ready after ${SECONDS}s"
  echo "127.0.0.1:$port"
}

stop() {
  if ! is_running; then log "not running ($run_dir)"; rm -f "$pid_file"; return 0; fi
  local pid
  pid="$(cat "$pid_file")"
  kill -TERM "$pid"
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    if (( SECONDS >= deadline )); then log "pid $pid ignored SIGTERM for 30s, SIGKILL"; kill -KILL "$pid"; fi
    sleep 0.2
  done
  rm -f "$pid_file"
  log "stopped pid $pid"
}

case "$command" in
  start) start ;;
  stop) stop ;;
  status) if is_running; then echo "running pid $(cat "$pid_file") 127.0.0.1:$port"; else echo "stopped"; exit 1; fi ;;
  *) die "usage: $0 start|stop|status [--port N] [--dir DIR] ..." ;;
esac
