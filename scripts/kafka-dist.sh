#!/usr/bin/env bash
# kafka-dist.sh — fetch an Apache Kafka 4.x "distribution" (its jars and their runtime dependencies)
# from Maven Central into a cache directory, and print that directory.
#
# Why: the compat harness and the benchmark harness run a real Apache Kafka broker and Kafka's own
# CLI tools beside Tributary. The only registry this project may download from is Maven Central, so
# instead of the release tarball we resolve the same artifacts (kafka_2.13 = the broker, kafka-tools =
# the CLI tools, kafka-clients) with Maven and copy them into one libs/ directory that
# `java -cp "<dist>/libs/*" <main class>` can use.
#
# Layout produced (idempotent; an existing complete layout is reused as is):
#   ${TRIBUTARY_CACHE:-$HOME/.cache/tributary}/kafka-<version>/
#     libs/                 every runtime jar
#     config/log4j2.properties   logging to stderr at WARN (callers may override)
#     pom.xml               the throwaway pom used to resolve libs/
#     .complete             marker written last
#
# Usage: scripts/kafka-dist.sh            prints the dist dir on stdout (logs go to stderr)
# Env:   KAFKA_VERSION   (default 4.4.0)  any 4.x served by Maven Central
#        TRIBUTARY_CACHE (default $HOME/.cache/tributary)
set -euo pipefail

KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
SCALA_BINARY="2.13"
LOG4J_VERSION="2.24.3"
SLF4J_VERSION="2.0.16"
CACHE_DIR="${TRIBUTARY_CACHE:-$HOME/.cache/tributary}"
DIST_DIR="$CACHE_DIR/kafka-$KAFKA_VERSION"

log() { echo "kafka-dist: $*" >&2; }

is_complete() { [[ -f "$DIST_DIR/.complete" && -n "$(ls -A "$DIST_DIR/libs" 2>/dev/null)" ]]; }

write_pom() {
  local pom="$1"
  cat >"$pom" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Throwaway pom written by scripts/kafka-dist.sh: only used to resolve Kafka's runtime jars. -->
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 http://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.tributary.tools</groupId>
  <artifactId>kafka-dist</artifactId>
  <version>$KAFKA_VERSION</version>
  <packaging>pom</packaging>
  <dependencies>
    <!-- slf4j 2 first so it wins over the 1.7 that Kafka's poms name (2.x serves 1.7 callers). -->
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>$SLF4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_$SCALA_BINARY</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-clients</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-server</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-storage</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-metadata</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-raft</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-api</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
EOF
}

write_log4j_config() {
  cat >"$1" <<'EOF'
# Written by scripts/kafka-dist.sh. Kafka logs WARN and above to stderr; start-apache-kafka.sh
# redirects stderr to its own log file.
status = warn
appender.stderr.type = Console
appender.stderr.name = STDERR
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = ${sys:tributary.kafka.loglevel:-WARN}
rootLogger.appenderRef.stderr.ref = STDERR
EOF
}

fetch_dist() {
  command -v mvn >/dev/null || { log "mvn not found (apt-get install -y maven)"; exit 1; }
  local staging
  staging="$(mktemp -d "$CACHE_DIR/.kafka-$KAFKA_VERSION.XXXXXX")"
  mkdir -p "$staging/libs" "$staging/config"
  write_pom "$staging/pom.xml"
  write_log4j_config "$staging/config/log4j2.properties"
  log "resolving org.apache.kafka:kafka_$SCALA_BINARY:$KAFKA_VERSION and friends from Maven Central"
  if ! mvn -B -f "$staging/pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$staging/libs" >"$staging/mvn.log" 2>&1; then
    tail -n 40 "$staging/mvn.log" >&2
    rm -rf "$staging"
    log "maven failed"
    exit 1
  fi
  # Sanity: the broker, the tools and the storage formatter must all be present.
  local jar
  for jar in "kafka_$SCALA_BINARY-$KAFKA_VERSION.jar" "kafka-tools-$KAFKA_VERSION.jar" \
             "kafka-clients-$KAFKA_VERSION.jar" "kafka-storage-$KAFKA_VERSION.jar"; do
    [[ -f "$staging/libs/$jar" ]] || { rm -rf "$staging"; log "missing $jar after resolve"; exit 1; }
  done
  date -u +%FT%TZ >"$staging/.complete"
  rm -rf "$DIST_DIR"
  mv "$staging" "$DIST_DIR"
  log "$(find "$DIST_DIR/libs" -name "*.jar" | wc -l) jars in $DIST_DIR/libs"
}

main() {
  mkdir -p "$CACHE_DIR"
  if ! is_complete; then
    # One resolver at a time per cache (compat and bench may start together).
    exec 9>"$CACHE_DIR/.kafka-dist.lock"
    flock 9
    is_complete || fetch_dist
  fi
  echo "$DIST_DIR"
}

main "$@"
