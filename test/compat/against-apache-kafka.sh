#!/usr/bin/env bash
# against-apache-kafka.sh — prove the compat harness itself: start a real Apache Kafka 4.x on
# loopback (scripts/start-apache-kafka.sh), run the compat suite against it, optionally franz-go's
# tests too, and stop Kafka whatever happens. Every check that fails here is a harness bug, not a
# Tributary bug.
#
# Usage: test/compat/against-apache-kafka.sh [--port 19092] [--franz-go] [ava args...]
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
port=19092
with_franz_go=0
ava_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --franz-go) with_franz_go=1; shift ;;
    *) ava_args+=("$1"); shift ;;
  esac
done

cd "$REPO_DIR"
started_s=$SECONDS
bootstrap="$(scripts/start-apache-kafka.sh start --port "$port")"
trap 'scripts/start-apache-kafka.sh stop --port "$port"' EXIT
echo "against-apache-kafka: Apache Kafka up at $bootstrap in $((SECONDS - started_s))s" >&2

status=0
suite_started_s=$SECONDS
COMPAT_BOOTSTRAP="$bootstrap" npx ava --config ava.compat.config.js "${ava_args[@]+"${ava_args[@]}"}" || status=1
echo "against-apache-kafka: compat suite took $((SECONDS - suite_started_s))s" >&2
if (( with_franz_go )); then
  franz_started_s=$SECONDS
  scripts/franz-go-tests.sh --bootstrap "$bootstrap" || status=1
  echo "against-apache-kafka: franz-go took $((SECONDS - franz_started_s))s" >&2
fi
exit "$status"
