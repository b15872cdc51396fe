#!/bin/sh
# Drift check for generated protocol codecs: regenerate in place, then fail if the result differs
# from what git has (changed, deleted or new files under broker/protocol/generated).
# Usage: sh tools/check-generated.sh   (from anywhere inside the repository)
set -eu
cd "$(dirname "$0")/.."
node --import tsx tools/gen-protocol.ts
if ! git diff --exit-code --stat -- broker/protocol/generated; then
  echo "broker/protocol/generated is out of date: run 'npm run gen:protocol' and commit the result." >&2
  exit 1
fi
untracked=$(git ls-files --others --exclude-standard -- broker/protocol/generated)
if [ -n "$untracked" ]; then
  echo "untracked generated files (commit them):" >&2
  echo "$untracked" >&2
  exit 1
fi
echo "broker/protocol/generated is up to date."
