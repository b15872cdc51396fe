#!/usr/bin/env bash
# test-other-nodes.sh — runs `npm test` (ava) again under the other Node.js majors the project
# supports: 22, and 24 (the broker image's Node). The machine's own node (20, the floor) runs the
# suite in `npm test`. The binaries come from the npm registry (the official builds, published as
# node-linux-<arch> packages), cached under ${TRIBUTARY_CACHE:-$HOME/.cache/tributary}/node.
# The versions are pinned so a run is reproducible; move them forward deliberately.
# Usage: scripts/test-other-nodes.sh [version ...]   (default: the pinned list below)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${TRIBUTARY_CACHE:-$HOME/.cache/tributary}/node"
versions=("$@")
(( ${#versions[@]} > 0 )) || versions=(22.23.3 24.21.0)
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "test-other-nodes: no node-linux package for $(uname -m)" >&2; exit 1 ;;
esac

status=0
for version in "${versions[@]}"; do
  dir="$cache/$version"
  if [[ ! -x "$dir/package/bin/node" ]]; then
    echo "test-other-nodes: fetching node-linux-$arch@$version from the npm registry" >&2
    rm -rf "$dir" && mkdir -p "$dir"
    tarball=$(cd "$dir" && npm pack --silent "node-linux-$arch@$version")
    tar xzf "$dir/$tarball" -C "$dir" && rm -f "$dir/$tarball"
  fi
  echo "== npm test on Node $("$dir/package/bin/node" --version)"
  # The suite spawns `node` for brokers and CLI runs: PATH makes them the same version.
  if ! (cd "$root" && PATH="$dir/package/bin:$PATH" node "$root/node_modules/ava/entrypoints/cli.mjs"); then
    echo "test-other-nodes: the suite failed on Node $version" >&2
    status=1
  fi
done
exit $status
