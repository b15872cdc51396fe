#!/usr/bin/env bash
# franz-go-tests.sh — run franz-go's own integration tests (package pkg/kgo) against a broker.
#
# franz-go's kgo tests create topics and groups on a live broker named by KGO_SEEDS and check
# produce ordering, contiguous offsets, group rebalances with every balancer, pausing, regex
# subscriptions, large messages and more. They are an independent, demanding client-side judge.
#
# The module comes from the Go module proxy (`go mod download`), is copied to a writable temp dir
# (the module cache is read-only) and tested there; nothing is kept in the repository.
#
# Usage: scripts/franz-go-tests.sh [--bootstrap HOST:PORT] [--out FILE] [--timeout 30m]
#                                  [--records N] [--run REGEX] [--with-transactions]
#   --bootstrap          broker to test (default $COMPAT_BOOTSTRAP, else localhost:9092)
#   --out                per-test summary file (default test-results/franz-go-summary.txt);
#                        the raw `go test -json` stream is written beside it (.jsonl)
#   --timeout            go test -timeout (default 30m)
#   --records            KGO_TEST_RECORDS, records per ETL test (default 20000; franz-go's own: 500000)
#   --run                only tests matching this go test -run regex
#   --with-transactions  also run TestTxnEtl, the only test that needs transactions (skipped by default)
# Env: FRANZ_GO_VERSION (default latest), KGO_TEST_RF (default 1: a single broker),
#      KGO_LOG_LEVEL (default none).
# Exit status: 0 when no test failed, 1 otherwise (the summary lists each test's result).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"

bootstrap="${COMPAT_BOOTSTRAP:-localhost:9092}"
out="$REPO_DIR/test-results/franz-go-summary.txt"
go_timeout="30m"
records=20000
run_regex=""
with_txn=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bootstrap) bootstrap="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --timeout) go_timeout="$2"; shift 2 ;;
    --records) records="$2"; shift 2 ;;
    --run) run_regex="$2"; shift 2 ;;
    --with-transactions) with_txn=1; shift ;;
    *) echo "franz-go-tests: unknown argument $1" >&2; exit 2 ;;
  esac
done

log() { echo "franz-go-tests: $*" >&2; }
command -v go >/dev/null || { log "go not found"; exit 2; }
host="${bootstrap%:*}"; port="${bootstrap##*:}"
if ! (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
  log "nothing accepts connections at $bootstrap (start the broker, or pass --bootstrap)"
  exit 2
fi

version="${FRANZ_GO_VERSION:-latest}"
module_json="$(go mod download -json "github.com/twmb/franz-go@$version")"
module_dir="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$module_json")"
resolved="$(sed -n 's/^[[:space:]]*"Version": "\(.*\)",$/\1/p' <<<"$module_json")"
[[ -d "$module_dir" ]] || { log "go mod download gave no Dir: $module_json"; exit 2; }

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/franz-go-XXXXXX")"
trap 'rm -rf "$work_dir"' EXIT
cp -r "$module_dir/." "$work_dir/"
chmod -R u+w "$work_dir"

mkdir -p "$(dirname "$out")"
json_out="${out%.txt}.jsonl"
skip_args=()
(( with_txn )) || skip_args=(-skip '^TestTxnEtl$')
run_args=()
[[ -n "$run_regex" ]] && run_args=(-run "$run_regex")

log "franz-go $resolved against $bootstrap (records=$records, timeout=$go_timeout, transactions=$with_txn)"
started_s=$SECONDS
set +e
(
  cd "$work_dir"
  KGO_SEEDS="$bootstrap" KGO_TEST_RF="${KGO_TEST_RF:-1}" KGO_TEST_RECORDS="$records" \
  KGO_LOG_LEVEL="${KGO_LOG_LEVEL:-none}" \
    go test -json -count=1 -timeout "$go_timeout" "${skip_args[@]+"${skip_args[@]}"}" \
      "${run_args[@]+"${run_args[@]}"}" ./pkg/kgo/
) >"$json_out" 2>"${out%.txt}.stderr"
go_status=$?
set -e

# One line per top-level test and subtest: RESULT name seconds. Then totals.
node - "$json_out" "$resolved" "$bootstrap" "$go_status" "$((SECONDS - started_s))" >"$out" <<'EOF'
const [jsonPath, version, bootstrap, goStatus, wallS] = process.argv.slice(2);
const fs = require('node:fs');
const results = new Map();
const output = new Map();
for (const line of fs.readFileSync(jsonPath, 'utf8').split('\n')) {
  if (!line.startsWith('{')) continue;
  const ev = JSON.parse(line);
  if (!ev.Test) continue;
  if (ev.Action === 'output') output.set(ev.Test, (output.get(ev.Test) ?? '') + ev.Output);
  if (['pass', 'fail', 'skip'].includes(ev.Action)) results.set(ev.Test, { action: ev.Action, s: ev.Elapsed ?? 0 });
}
const counts = { pass: 0, fail: 0, skip: 0 };
const lines = [];
for (const [name, r] of [...results].sort(([a], [b]) => a.localeCompare(b))) {
  counts[r.action]++;
  lines.push(`${r.action.toUpperCase().padEnd(4)} ${name} ${r.s.toFixed(2)}s`);
}
// Tests that started but never finished (timeout or panic) count as failures.
for (const name of output.keys()) {
  if (!results.has(name)) { counts.fail++; lines.push(`FAIL ${name} (did not finish)`); }
}
console.log(`franz-go ${version} pkg/kgo against ${bootstrap}: ${counts.pass} passed, ${counts.fail} failed, ${counts.skip} skipped; go test exit ${goStatus}; ${wallS}s`);
console.log(lines.join('\n'));
const failed = [...results].filter(([, r]) => r.action === 'fail').map(([n]) => n);
for (const name of failed) {
  console.log(`\n--- output of ${name} (last 40 lines) ---`);
  console.log((output.get(name) ?? '').split('\n').slice(-40).join('\n'));
}
EOF
head -n 1 "$out" >&2
log "summary: $out (raw: $json_out)"
grep -q '^FAIL' "$out" && exit 1
[[ "$go_status" -eq 0 ]] || { log "go test exited $go_status (see ${out%.txt}.stderr)"; exit 1; }
exit 0
