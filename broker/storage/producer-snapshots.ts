/**
 * Producer snapshots in a partition directory: `<offset>.snapshot` files (format in
 * `producer-state.ts`), each the producer state of every batch below `<offset>`. A roll and
 * `close` write one, the newest `SNAPSHOTS_KEPT` are kept, and producer state is rebuilt from
 * the newest usable snapshot plus a replay of the log after it (on open and after truncation).
 * A snapshot past the log end or one that does not decode is removed (the latter reported).
 */

import type { FileSystem } from '../io/fs.js';
import { joinPath } from '../io/fs.js';
import { type BatchView, lastOffsetOf } from '../protocol/record-batch.js';
import { type LogIssue, reportIssue } from './log-issues.js';
import { type ProducerAppend, ProducerStateManager, isIdempotent } from './producer-state.js';
import { type Segment, offsetFileName, parseOffsetFileName } from './segment.js';

export const SNAPSHOT_SUFFIX = '.snapshot';
const SNAPSHOTS_KEPT = 2;

function snapshotPath(dir: string, offset: number): string {
  return joinPath(dir, offsetFileName(offset, SNAPSHOT_SUFFIX));
}

function snapshotOffsets(fs: FileSystem, dir: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdir(dir)) {
    const offset = parseOffsetFileName(name, SNAPSHOT_SUFFIX);
    if (offset !== undefined) out.push(offset);
  }
  return out;
}

/** Writes the snapshot at `offset` and removes all but the newest `SNAPSHOTS_KEPT`. */
export function takeSnapshot(fs: FileSystem, dir: string, state: ProducerStateManager, offset: number): void {
  fs.writeFileAtomic(snapshotPath(dir, offset), state.encodeSnapshot(offset));
  const offsets = snapshotOffsets(fs, dir).sort((a, b) => b - a);
  for (const old of offsets.slice(SNAPSHOTS_KEPT)) fs.remove(snapshotPath(dir, old));
}

/** Removes the snapshots past `offset` (a truncation cut the log there). */
export function removeSnapshotsAfter(fs: FileSystem, dir: string, offset: number): void {
  for (const at of snapshotOffsets(fs, dir)) if (at > offset) fs.remove(snapshotPath(dir, at));
}

/**
 * Rebuilds producer state for `segments`: the newest snapshot not past the log end, then the
 * batches after it; producers whose last batch is below `logStartOffset` are dropped.
 */
export function loadProducerState(
  log: { fs: FileSystem; dir: string; issues: LogIssue[] },
  segments: readonly Segment[],
  logStartOffset: number,
): ProducerStateManager {
  const { fs, dir } = log;
  const leo = segments[segments.length - 1]!.nextOffset;
  const snapshots = snapshotOffsets(fs, dir).sort((a, b) => b - a);
  let from = segments[0]!.baseOffset;
  let state = new ProducerStateManager();
  for (const offset of snapshots) {
    const path = snapshotPath(dir, offset);
    if (offset > leo) {
      fs.remove(path);
      continue;
    }
    const decoded = ProducerStateManager.decodeSnapshot(fs.readFile(path));
    if (typeof decoded === 'string' || decoded.offset !== offset) {
      reportIssue(log.issues, 'snapshot-invalid', `${path}: ${typeof decoded === 'string' ? decoded : 'offset mismatch'}`);
      fs.remove(path);
      continue;
    }
    state = decoded.state;
    from = Math.max(offset, from);
    break;
  }
  replayProducerState(state, segments, from);
  state.removeBefore(logStartOffset);
  return state;
}

function replayProducerState(state: ProducerStateManager, segments: readonly Segment[], from: number): void {
  for (const segment of segments) {
    if (segment.nextOffset <= from) continue;
    const position = segment.index.lookup(from).position;
    segment.scan(position, segment.readLimit, { checkCrc: false, minOffset: 0 }, (h) => {
      // Most batches carry no producer id: skip building their append record.
      if (h.baseOffset >= from && isIdempotent(h)) state.update(producerAppendOf(h));
      return true;
    });
  }
}

/** A batch read from bytes (offsets already assigned), as producer state records it. */
export function producerAppendOf(view: BatchView): ProducerAppend {
  return { ...view, firstOffset: view.baseOffset, lastOffset: lastOffsetOf(view) };
}
