#!/usr/bin/env bash
# setup-compat.sh — install everything the third-party-client compat suite needs. Idempotent: each
# step checks what is already there, so a second run takes seconds.
#
#   kcat                     Debian package (librdkafka)
#   Apache Kafka jars        scripts/kafka-dist.sh (broker, CLI tools, kafka-clients) from Maven Central
#   Python clients           venv at $CACHE/compat-venv with pinned confluent-kafka and kafka-python
#   Java client program      test/compat/java/CompatClient.java compiled into
#                            $CACHE/compat-java/<first 16 hex of the source's sha256>/
#   franz-go                 the module and its dependencies, pre-fetched from the Go module proxy
#
# Env: TRIBUTARY_CACHE (default $HOME/.cache/tributary), KAFKA_VERSION (see kafka-dist.sh),
#      CONFLUENT_KAFKA_VERSION, KAFKA_PYTHON_VERSION, FRANZ_GO_VERSION (default latest).
# Needs: root for apt-get (or kcat already installed), java 17+, mvn, python3 with venv, go, node.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
CACHE_DIR="${TRIBUTARY_CACHE:-$HOME/.cache/tributary}"
CONFLUENT_KAFKA_VERSION="${CONFLUENT_KAFKA_VERSION:-2.16.1}"
KAFKA_PYTHON_VERSION="${KAFKA_PYTHON_VERSION:-3.0.12}"
FRANZ_GO_VERSION="${FRANZ_GO_VERSION:-latest}"

log() { echo "setup-compat: $*" >&2; }
step_started_s=0
begin() { step_started_s=$SECONDS; log "$1"; }
done_step() { log "  done in $((SECONDS - step_started_s))s"; }

apt_install() {
  # Only asks apt when something is missing; `apt-get update` first, as this machine requires.
  local missing=()
  local pkg
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  (( ${#missing[@]} == 0 )) && return 0
  log "  apt-get install ${missing[*]}"
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

require() { command -v "$1" >/dev/null || { log "$1 is required but not installed ($2)"; exit 1; }; }

setup_debian_packages() {
  begin "Debian packages (kcat)"
  apt_install kcat
  kcat -V 2>&1 | sed -n '1p;/librdkafka/p' | sed 's/^/  /' >&2
  done_step
}

setup_kafka_dist() {
  begin "Apache Kafka jars from Maven Central"
  require java "apt-get install -y openjdk-17-jdk-headless"
  require mvn "apt-get install -y maven"
  KAFKA_DIST_DIR="$("$SCRIPT_DIR/kafka-dist.sh")"
  log "  $KAFKA_DIST_DIR"
  done_step
}

setup_python_clients() {
  begin "Python venv (confluent-kafka $CONFLUENT_KAFKA_VERSION, kafka-python $KAFKA_PYTHON_VERSION)"
  require python3 "apt-get install -y python3 python3-venv"
  local venv="$CACHE_DIR/compat-venv"
  local want="confluent-kafka==$CONFLUENT_KAFKA_VERSION kafka-python==$KAFKA_PYTHON_VERSION"
  if [[ -x "$venv/bin/python" && "$(cat "$venv/.tributary-requirements" 2>/dev/null)" == "$want" ]]; then
    log "  already installed"
  else
    python3 -m venv "$venv" || { apt_install python3-venv; python3 -m venv "$venv"; }
    # shellcheck disable=SC2086
    "$venv/bin/pip" install -q --disable-pip-version-check $want
    echo "$want" >"$venv/.tributary-requirements"
  fi
  "$venv/bin/python" -c 'import confluent_kafka, kafka; print("  confluent-kafka", confluent_kafka.__version__, "librdkafka", confluent_kafka.libversion()[0], "kafka-python", kafka.__version__)' >&2
  done_step
}

setup_java_client() {
  begin "Java client program (kafka-clients from $KAFKA_DIST_DIR)"
  require javac "apt-get install -y openjdk-17-jdk-headless"
  local source="$REPO_DIR/test/compat/java/CompatClient.java"
  local hash
  hash="$(sha256sum "$source" | cut -c1-16)"
  local classes="$CACHE_DIR/compat-java/$hash"
  if [[ -f "$classes/CompatClient.class" ]]; then
    log "  already built: $classes"
  else
    local staging
    staging="$(mktemp -d "$CACHE_DIR/compat-java.XXXXXX")"
    javac -Xlint:all -Werror -cp "$KAFKA_DIST_DIR/libs/*" -d "$staging" "$source"
    mkdir -p "$CACHE_DIR/compat-java"
    rm -rf "$classes"
    mv "$staging" "$classes"
    log "  built $classes"
  fi
  done_step
}

setup_franz_go() {
  begin "franz-go module ($FRANZ_GO_VERSION) from the Go module proxy"
  require go "a Go toolchain as new as franz-go's go.mod asks"
  local dir
  dir="$(go mod download -json "github.com/twmb/franz-go@$FRANZ_GO_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  # Its test dependencies, so the first test run needs no network.
  (cd "$dir" && go mod download)
  log "  $dir"
  done_step
}

main() {
  local started_s=$SECONDS
  mkdir -p "$CACHE_DIR"
  require node "the project's Node.js"
  setup_debian_packages
  setup_kafka_dist
  setup_python_clients
  setup_java_client
  setup_franz_go
  log "all compat tools ready in $((SECONDS - started_s))s (cache: $CACHE_DIR)"
}

main "$@"
