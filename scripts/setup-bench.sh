#!/usr/bin/env bash
# setup-bench.sh — install what `npm run bench:vs-kafka` needs, idempotently, and cache it under
# ${TRIBUTARY_CACHE:-$HOME/.cache/tributary}:
#   - Apache Kafka 4.x jars (broker + kafka-tools: ProducerPerformance, ConsumerPerformance,
#     EndToEndLatency) from Maven Central, through scripts/kafka-dist.sh;
#   - Debian packages: a JDK to run them, librdkafka-dev (headers + the rdkafka_performance example
#     source in /usr/share/doc/librdkafka-dev/examples), a C compiler, iperf3 (loopback TCP limit),
#     fio is not needed (dd measures the disk);
#   - rdkafka_performance built from Debian's example source. The example is written to build inside
#     librdkafka's source tree and includes three internal headers (rd.h, rdtime.h); the few helpers it
#     uses from them (rd_clock, rd_ts_t, RD_MIN/RD_MAX, rd_snprintf) are supplied by a small header
#     written here.
# Prints the rdkafka_performance path on the last line of stdout.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${TRIBUTARY_CACHE:-$HOME/.cache/tributary}"
perf_dir="$cache/rdkafka-perf"
log() { echo "setup-bench: $*" >&2; }

need_packages=()
command -v java >/dev/null || need_packages+=(default-jre-headless)
command -v mvn >/dev/null || need_packages+=(maven)
command -v cc >/dev/null || need_packages+=(gcc libc6-dev)
command -v iperf3 >/dev/null || need_packages+=(iperf3)
[[ -f /usr/include/librdkafka/rdkafka.h ]] || need_packages+=(librdkafka-dev)
if (( ${#need_packages[@]} > 0 )); then
  log "installing Debian packages: ${need_packages[*]}"
  if [[ $(id -u) -ne 0 ]]; then echo "setup-bench: need root for apt-get install ${need_packages[*]}" >&2; exit 1; fi
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_packages[@]}" >/dev/null
fi

"$root/scripts/kafka-dist.sh" >/dev/null

example=/usr/share/doc/librdkafka-dev/examples/rdkafka_performance.c
[[ -f "$example" ]] || { log "missing $example (librdkafka-dev without examples?)"; exit 1; }
if [[ ! -x "$perf_dir/rdkafka_performance" || "$example" -nt "$perf_dir/rdkafka_performance" ]]; then
  log "building rdkafka_performance from $example"
  rm -rf "$perf_dir"
  mkdir -p "$perf_dir/src" "$perf_dir/examples"
  cp "$example" "$perf_dir/examples/"
  cat >"$perf_dir/src/rd.h" <<'EOF'
/* Written by scripts/setup-bench.sh: the helpers rdkafka_performance.c takes from librdkafka's
 * internal headers, which the Debian package does not ship. */
#ifndef TRIBUTARY_RD_SHIM_H
#define TRIBUTARY_RD_SHIM_H
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
typedef int64_t rd_ts_t;
#define RD_MAX(a, b) ((a) > (b) ? (a) : (b))
#define RD_MIN(a, b) ((a) < (b) ? (a) : (b))
#define rd_snprintf snprintf
/* Monotonic clock in microseconds, like librdkafka's own. */
static inline rd_ts_t rd_clock(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (rd_ts_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
#endif
EOF
  echo '#include "rd.h"' >"$perf_dir/src/rdtime.h"
  (cd "$perf_dir/examples" && cc -O2 -I/usr/include/librdkafka -I../src rdkafka_performance.c \
      -o ../rdkafka_performance -lrdkafka -lpthread -lm)
fi
log "ready: kafka $(basename "$("$root/scripts/kafka-dist.sh")"), $( ("$perf_dir/rdkafka_performance" -h 2>&1 || true) | grep -o 'librdkafka version [^ ]*' | head -n1), iperf3 $(iperf3 --version | head -n1 | awk '{print $2}')"
echo "$perf_dir/rdkafka_performance"
