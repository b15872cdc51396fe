#!/usr/bin/env bash
# Runs a command against a fresh Tributary broker started from this checkout on loopback, then
# stops the broker (SIGTERM) whatever the command's outcome. The command sees COMPAT_BOOTSTRAP and
# TRIBUTARY_BOOTSTRAP. Usage: scripts/with-tributary.sh [--port P] -- command args...
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
port=19092
http_port=19644
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --http-port) http_port=$2; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
data=$(mktemp -d "${TMPDIR:-/tmp}/tributary-with.XXXXXX")
log="$data.log"
# The node flags the tributary command ships with (bin/tributary.js's `env -S` shebang); the sources
# through tsx rather than the command, which would run a possibly stale dist/ bundle.
read -r -a node_flags <<<"$(head -n 1 "$root/bin/tributary.js" | sed 's|^#!/usr/bin/env -S node||')"
node "${node_flags[@]}" --import tsx "$root/cli/main.ts" broker start \
  --override "listeners=PLAINTEXT://127.0.0.1:$port" \
  --override "log.dirs=$data" \
  --override "tributary.http.listener=http://127.0.0.1:$http_port" \
  --override "group.initial.rebalance.delay.ms=0" \
  >"$log" 2>&1 &
pid=$!
cleanup() {
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
for _ in $(seq 1 300); do
  if curl -fsS "http://127.0.0.1:$http_port/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "Tributary exited during start:"; cat "$log"; exit 1; fi
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$http_port/readyz" >/dev/null || { echo "Tributary not ready after 30 s:"; cat "$log"; exit 1; }
echo "Tributary ready on 127.0.0.1:$port (log: $log)"
export COMPAT_BOOTSTRAP="127.0.0.1:$port" TRIBUTARY_BOOTSTRAP="127.0.0.1:$port"
set +e
"$@"
status=$?
set -e
if [[ $status -ne 0 ]]; then echo "--- broker log (tail) ---"; tail -n 80 "$log"; fi
exit $status
