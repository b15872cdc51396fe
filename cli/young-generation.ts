/**
 * Keeps V8's young generation at its start-up size (1 MiB semi-spaces) for the whole process.
 *
 * Why: the broker churns Buffers (socket reads, request frames) at tens of MB/s while its JS heap
 * stays small. V8 counts that Buffer memory against the old generation, so with the default young
 * generation (it grows to 8 MiB and more and never shrinks) the minor GCs that would free those
 * Buffers come only every ~1.5 s and a full mark-compact runs twice a second instead, stalling the
 * event loop 10-35 ms each time: librdkafka's end-to-end p99 at the benchmark's fixed rate was
 * ~13 ms against ~7.5 ms with 1 MiB semi-spaces (Kafka: ~8.5; benchmark issue, W3). Larger
 * semi-spaces lose that at higher rates (4 MiB: 14 ms at 21,000 records/s against 8 ms). Its
 * throughput price (~13 % of pipelined produce) came from mark-compacts triggered by the old
 * generation's limit, which bin/tributary.js's --initial-old-space-size now keeps away (A/B runs in
 * bench/results/2026-11-25-profile-2.md and 2026-11-26-profile-3.md).
 *
 * V8 fixes the semi-space maximum when the heap is set up, so from inside the process the only
 * lever is the growth factor: let the young generation double until it reaches the target (a burst
 * of short-lived survivors makes V8 grow it), then stop further growth. It must run before the rest
 * of the program is loaded (start-up grows the young generation past the target otherwise), hence
 * its own module, imported first by the entry point. Node's own `--max-semi-space-size` /
 * `--semi-space-*` flags (command line or NODE_OPTIONS) win: then this does nothing.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** `new_space` size as V8 reports it for 1 MiB semi-spaces (what `--max-semi-space-size=1` ends at). */
const TARGET_NEW_SPACE_BYTES = 2 * 1024 * 1024;
/** Bounds the growing loop whatever the V8 version does (a few ms at most in practice). */
const MAX_SURVIVORS = 1_000_000;

function newSpaceBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? Number.POSITIVE_INFINITY;
}

const nodeFlags = `${process.execArgv.join(' ')} ${process.env['NODE_OPTIONS'] ?? ''}`;
if (!/--(max-)?semi[-_]space/.test(nodeFlags)) {
  setFlagsFromString('--semi-space-growth-factor=2');
  const survivors: Array<{ n: number }> = [];
  while (newSpaceBytes() < TARGET_NEW_SPACE_BYTES && survivors.length < MAX_SURVIVORS) survivors.push({ n: survivors.length });
  setFlagsFromString('--semi-space-growth-factor=1');
}
