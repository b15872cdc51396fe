#!/usr/bin/env bash
# setup-k8s.sh — build and cache the Kubernetes control-plane binaries the operator's tests run
# (`npm run test:k8s`): kube-apiserver, kubectl, etcd and helm, all from the Go module proxy.
# Idempotent: each binary carries a stamp of the version it was built from, so a second run only
# reads four small files and exits.
#
#   kube-apiserver, kubectl  k8s.io/kubernetes cmd/kube-apiserver and cmd/kubectl. `go install` refuses
#                            the module (its go.mod has replace directives pointing at ./staging), so a
#                            throwaway module requires it and maps every staging module `k8s.io/X v0.0.0`
#                            to the published `k8s.io/X v0.N.P` that matches `v1.N.P`. The list of
#                            staging modules is read from the downloaded go.mod, not hard-coded.
#   etcd                     go.etcd.io/etcd/server/v3 (its main package is the module root): the same
#                            throwaway-module trick, since its go.mod has replaces too.
#   helm                     helm.sh/helm/v3/cmd/helm with `go install`; a throwaway module if refused.
#
# Layout: ${TRIBUTARY_CACHE:-$HOME/.cache/tributary}/k8s-<K8S_VERSION>/
#           bin/{kube-apiserver,kubectl,etcd,helm}   the binaries
#           bin/.<name>.version                     what each was built from (the idempotence key)
#           src/{kubernetes,etcd,helm}/             the throwaway modules (go.mod + go.sum)
# The Go build cache ($(go env GOCACHE)) and module cache are shared, so a rebuild after a version
# bump only compiles what changed.
#
# Env: TRIBUTARY_CACHE, K8S_VERSION (default 1.36.3), ETCD_VERSION (3.6.16), HELM_VERSION (3.22.0),
#      SETUP_K8S_NICE (default 10: these builds share 2 cores with everything else).
# Prints the cache's bin directory on stdout; progress and timings go to stderr.
# Needs: go >= the `go` line of k8s.io/kubernetes' go.mod (1.26.0 for v1.36.x), ~4 GiB of memory for
# the kube-apiserver link, about 1 GiB of disk for modules and binaries plus the build cache.
set -euo pipefail

CACHE_DIR="${TRIBUTARY_CACHE:-$HOME/.cache/tributary}"
K8S_VERSION="${K8S_VERSION:-1.36.3}"
ETCD_VERSION="${ETCD_VERSION:-3.6.16}"
HELM_VERSION="${HELM_VERSION:-3.22.0}"
NICE="${SETUP_K8S_NICE:-10}"

K8S_DIR="$CACHE_DIR/k8s-$K8S_VERSION"
BIN_DIR="$K8S_DIR/bin"
SRC_DIR="$K8S_DIR/src"
# Build flags: strip symbols (smaller cache), no VCS stamping (the throwaway module has no VCS).
GO_BUILD_FLAGS=(-trimpath -buildvcs=false)

log() { echo "setup-k8s: $*" >&2; }
die() { log "$*"; exit 1; }
gobuild() { GOTOOLCHAIN=local GOFLAGS=-mod=mod nice -n "$NICE" go "$@"; }

# --- idempotence -----------------------------------------------------------------------------------
stamp_of() { echo "$BIN_DIR/.$1.version"; }
is_built() { # name want
  [[ -x "$BIN_DIR/$1" && "$(cat "$(stamp_of "$1")" 2>/dev/null)" == "$2" ]]
}
mark_built() { echo "$2" >"$(stamp_of "$1")"; }

# Runs "build_<name>" unless the binary is already there for the wanted version; reports the time.
ensure() { # name want
  local name="$1" want="$2"
  if is_built "$name" "$want"; then
    log "$name: cached ($want)"
    return 0
  fi
  local started_s=$SECONDS
  log "$name: building $want ..."
  rm -f "$(stamp_of "$name")"
  "build_${name//-/_}"
  [[ -x "$BIN_DIR/$name" ]] || die "$name: build produced no binary"
  mark_built "$name" "$want"
  log "$name: built in $((SECONDS - started_s))s ($(du -h "$BIN_DIR/$name" | cut -f1))"
}

# --- kubernetes ------------------------------------------------------------------------------------
k8s_module_dir() { echo "$SRC_DIR/kubernetes"; }

# Writes the throwaway module that requires k8s.io/kubernetes and replaces its staging modules.
prepare_k8s_module() {
  local dir minor staging_version gomod
  dir="$(k8s_module_dir)"
  [[ -f "$dir/.ready-v$K8S_VERSION" ]] && return 0
  mkdir -p "$dir"
  gomod="$(cd "$dir" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" |
    sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  [[ -f "$gomod" ]] || die "could not download k8s.io/kubernetes@v$K8S_VERSION"
  local go_line
  go_line="$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$gomod")"
  log "  k8s.io/kubernetes@v$K8S_VERSION wants go $go_line; this is $(go env GOVERSION)"
  staging_version="v0.${K8S_VERSION#*.}"
  {
    echo "// Throwaway module written by tributary scripts/setup-k8s.sh; safe to delete."
    echo "module tributary.local/k8s-build"
    echo
    echo "go $go_line"
    echo
    echo "require k8s.io/kubernetes v$K8S_VERSION"
    echo
    echo "replace ("
    # Every `k8s.io/X => ./staging/src/k8s.io/X` of the real go.mod becomes `k8s.io/X => k8s.io/X v0.N.P`.
    sed -n 's#^[[:space:]]*\(k8s\.io/[A-Za-z0-9._-]*\) => \./staging/src/.*$#\t\1 => \1 '"$staging_version"'#p' "$gomod"
    echo ")"
  } >"$dir/go.mod"
  log "  $(grep -c '=> k8s.io/' "$dir/go.mod") staging modules mapped to $staging_version"
  (cd "$dir" && gobuild get "k8s.io/kubernetes/cmd/kube-apiserver@v$K8S_VERSION" \
    "k8s.io/kubernetes/cmd/kubectl@v$K8S_VERSION" >&2)
  touch "$dir/.ready-v$K8S_VERSION"
}

k8s_ldflags() {
  local minor="${K8S_VERSION#*.}"
  minor="${minor%%.*}"
  local v pkg flags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    for v in "gitVersion=v$K8S_VERSION" "gitMajor=1" "gitMinor=$minor" "gitTreeState=clean"; do
      flags+=" -X $pkg.$v"
    done
  done
  echo "$flags"
}

build_kube_apiserver() {
  prepare_k8s_module
  (cd "$(k8s_module_dir)" && gobuild build "${GO_BUILD_FLAGS[@]}" -ldflags "$(k8s_ldflags)" \
    -o "$BIN_DIR/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver)
}

build_kubectl() {
  prepare_k8s_module
  (cd "$(k8s_module_dir)" && gobuild build "${GO_BUILD_FLAGS[@]}" -ldflags "$(k8s_ldflags)" \
    -o "$BIN_DIR/kubectl" k8s.io/kubernetes/cmd/kubectl)
}

# --- etcd ------------------------------------------------------------------------------------------
build_etcd() {
  local dir="$SRC_DIR/etcd"
  mkdir -p "$dir"
  if [[ ! -f "$dir/.ready-v$ETCD_VERSION" ]]; then
    printf '// Throwaway module written by tributary scripts/setup-k8s.sh; safe to delete.\nmodule tributary.local/etcd-build\n\ngo 1.24\n' >"$dir/go.mod"
    rm -f "$dir/go.sum" "$dir"/.ready-v*
    (cd "$dir" && gobuild get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" >&2)
    touch "$dir/.ready-v$ETCD_VERSION"
  fi
  (cd "$dir" && gobuild build "${GO_BUILD_FLAGS[@]}" -ldflags "-s -w" \
    -o "$BIN_DIR/etcd" go.etcd.io/etcd/server/v3)
}

# --- helm ------------------------------------------------------------------------------------------
build_helm() {
  local ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION"
  if GOBIN="$BIN_DIR" gobuild install "${GO_BUILD_FLAGS[@]}" -ldflags "$ldflags" \
    "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION" >&2; then
    return 0
  fi
  log "  go install refused helm; building through a throwaway module"
  local dir="$SRC_DIR/helm"
  mkdir -p "$dir"
  printf '// Throwaway module written by tributary scripts/setup-k8s.sh; safe to delete.\nmodule tributary.local/helm-build\n\ngo 1.24\n' >"$dir/go.mod"
  rm -f "$dir/go.sum"
  (cd "$dir" && gobuild get "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION" >&2 &&
    gobuild build "${GO_BUILD_FLAGS[@]}" -ldflags "$ldflags" -o "$BIN_DIR/helm" helm.sh/helm/v3/cmd/helm)
}

main() {
  local started_s=$SECONDS
  command -v go >/dev/null || die "go is required (a toolchain as new as k8s.io/kubernetes' go.mod asks)"
  mkdir -p "$BIN_DIR" "$SRC_DIR"
  ensure etcd "go.etcd.io/etcd/server/v3@v$ETCD_VERSION"
  ensure kubectl "k8s.io/kubernetes@v$K8S_VERSION"
  ensure kube-apiserver "k8s.io/kubernetes@v$K8S_VERSION"
  ensure helm "helm.sh/helm/v3@v$HELM_VERSION"
  log "ready in $((SECONDS - started_s))s: $BIN_DIR ($(du -sh "$K8S_DIR" | cut -f1) incl. module files)"
  echo "$BIN_DIR"
}

main "$@"
