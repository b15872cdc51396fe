/**
 * Recovery of a partition's segments for `Log.open`: lists the segment files, removes stray
 * ones, loads or CRC-scans each segment according to the recovery point, and cuts the log at
 * the first bad batch or lost tail. `Log.open` owns the rest of opening (checkpoints, leader
 * epochs, producer state, the high watermark) and keeps the segments this returns.
 *
 * Segments wholly below the recovery point are loaded cheaply (index consistency + a CRC scan
 * of the batches after the last index entry; a full CRC scan with `verifyClosedSegments`); a
 * bad index is rebuilt; such a segment with bad data is reported in `issues` and reads of that
 * data answer CORRUPT_MESSAGE, never the bytes. After an unclean shutdown the segment holding
 * the recovery point keeps its index entries below it and is CRC-scanned from the last of them;
 * later segments are scanned in full; the log is cut at the first bad batch or lost tail (see
 * `recoverSegments`). The recovery point comes from the owner's checkpoint
 * (`LogOpenOptions.recoveryPoint`); without one it is the active segment's base. After a clean
 * shutdown (`cleanShutdown`, from the log dir's marker, see `log-manager.ts`) the active segment
 * is loaded like a closed one (its indexes and size are trusted after the same cheap checks)
 * and scanned only if those fail; `activeSegmentRecovery` says which happened and
 * `recoveryScannedBytes` how much was CRC-checked.
 *
 * Runs once per `open`, before the log has an owner; problems go to the log's `issues`.
 */

import type { FileSystem } from '../io/fs.js';
import { joinPath } from '../io/fs.js';
import { type LogIssue, type LogIssueKind, reportIssue } from './log-issues.js';
import { INDEX_SUFFIX, LOG_SUFFIX, type RecoveryScan, Segment, TIME_INDEX_SUFFIX, parseOffsetFileName } from './segment.js';

/**
 * How `open` found the active segment: new; trusted after a clean shutdown; scanned from the
 * recovery point (only the batches after its last index entry below that point); or CRC-scanned
 * in full.
 */
export type ActiveSegmentRecovery = 'created' | 'trusted' | 'from-recovery-point' | 'scanned';

/** The partition being opened and where recovery reports what it found. */
export interface RecoveryTarget {
  fs: FileSystem;
  dir: string;
  indexIntervalBytes: number;
  issues: LogIssue[];
}

export interface SegmentLoadOptions {
  nowMs: number;
  checkpointedStart: number | undefined;
  verifyClosed: boolean;
  created: boolean;
  clean: boolean;
  recoveryPoint?: number;
}

export interface RecoveredSegments {
  /** Sorted by base offset, at least one; the last is the active segment. */
  segments: Segment[];
  /** The recovery point recovery went by: offsets below it were synced before. */
  recoveredBelow: number;
  activeSegmentRecovery: ActiveSegmentRecovery;
  /** Bytes CRC-checked (index tails of trusted segments included). */
  scannedBytes: number;
}

/** Lists segment files, removes strays and recovers the segments (see `recoverSegments`). */
export function loadSegments(target: RecoveryTarget, options: SegmentLoadOptions): RecoveredSegments {
  const recovery = new SegmentRecovery(target);
  const recoveredBelow = recovery.load(options);
  return { segments: recovery.segments, recoveredBelow, activeSegmentRecovery: recovery.recovery, scannedBytes: recovery.scannedBytes };
}

/**
 * The log start checkpoint is past the recovered end (records deleted, then unflushed data
 * lost): like Kafka, drop every segment and restart empty at the checkpointed start. Returns
 * the new segment list.
 */
export function restartAtLogStart(target: RecoveryTarget, segments: readonly Segment[], startOffset: number, nowMs: number): Segment[] {
  const logEndOffset = segments[segments.length - 1]!.nextOffset;
  reportIssue(target.issues, 'log-start-beyond-end', `log start offset ${startOffset} is past the recovered log end ${logEndOffset}; restarting the log there`);
  for (const segment of segments) segment.delete(target.fs);
  return [Segment.open(target.fs, target.dir, startOffset, nowMs, true)];
}

/** One recovery's working state: the segments found so far and what scanning them cost. */
class SegmentRecovery {
  readonly segments: Segment[] = [];
  recovery: ActiveSegmentRecovery = 'created';
  scannedBytes = 0;
  private readonly fs: FileSystem;
  private readonly dir: string;

  constructor(private readonly target: RecoveryTarget) {
    this.fs = target.fs;
    this.dir = target.dir;
  }

  /** Returns the recovery point recovery went by: offsets below it were synced before. */
  load(options: SegmentLoadOptions): number {
    const { nowMs, checkpointedStart } = options;
    const names = options.created ? [] : this.fs.readdir(this.dir);
    const bases = new Set<number>();
    for (const name of names) {
      const base = parseOffsetFileName(name, LOG_SUFFIX);
      if (base !== undefined) bases.add(base);
    }
    this.removeStrayFiles(names, bases);
    const sorted = [...bases].sort((a, b) => a - b);
    if (sorted.length === 0) {
      this.segments.push(Segment.open(this.fs, this.dir, checkpointedStart ?? 0, nowMs, true, !options.created));
      return this.segments[0]!.baseOffset;
    }
    for (const base of sorted) this.segments.push(Segment.open(this.fs, this.dir, base, nowMs, false));
    const recoveredBelow = this.recoverSegments(options);
    for (let i = 1; i < this.segments.length; i++) {
      const prev = this.segments[i - 1]!;
      const next = this.segments[i]!;
      if (prev.nextOffset > next.baseOffset) {
        this.issue('segment-overlap', `segment ${prev.baseOffset} ends at ${prev.nextOffset}, after the next segment's base ${next.baseOffset}`, prev.baseOffset);
      }
    }
    return recoveredBelow;
  }

  /** Removes index files without their log, `.tmp` and `.deleted` files. */
  private removeStrayFiles(names: readonly string[], bases: ReadonlySet<number>): void {
    for (const name of names) {
      const orphanIndex = [INDEX_SUFFIX, TIME_INDEX_SUFFIX].some((s) => {
        const base = parseOffsetFileName(name, s);
        return base !== undefined && !bases.has(base);
      });
      if (orphanIndex || name.endsWith('.tmp') || name.endsWith('.deleted')) {
        const path = joinPath(this.dir, name);
        // An empty index without its log is what a crash leaves while a new segment's files
        // are being created (their entries are not synced one by one): nothing to report.
        if (!(orphanIndex && this.fs.sizeOf(path) === 0)) this.issue('stray-file', `removed stray file ${name}`);
        this.fs.remove(path);
      }
    }
  }

  /**
   * Recovers the opened segments in order. After a clean shutdown every segment loads cheaply.
   * Otherwise a segment wholly below the recovery point loads cheaply (it was synced), the one
   * holding it is scanned from its last index entry below it, and every later one is scanned in
   * full; the first bad batch in any of those is cut off with everything after it (later
   * segments are deleted: offsets must stay contiguous), as Kafka does. Without a recovery point
   * it is taken to be the active segment's base (see `LogOpenOptions.recoveryPoint`). A
   * recovery point past the recovered end means the checkpoint does not describe these files:
   * the active segment is then scanned in full. Returns the recovery point actually relied on.
   */
  private recoverSegments(options: { verifyClosed: boolean; clean: boolean; recoveryPoint?: number }): number {
    const activeBase = this.segments[this.segments.length - 1]!.baseOffset;
    let recoveryPoint = options.clean ? Number.POSITIVE_INFINITY : (options.recoveryPoint ?? activeBase);
    for (let i = 0; i < this.segments.length; i++) {
      const segment = this.segments[i]!;
      const isLast = i === this.segments.length - 1;
      if (!isLast && this.segments[i + 1]!.baseOffset <= recoveryPoint) {
        this.loadClosed(segment, options.verifyClosed);
      } else if (options.clean) {
        this.loadActiveAfterCleanShutdown(segment);
      } else {
        const done = segment.baseOffset < recoveryPoint ? this.scanFrom(segment, recoveryPoint) : this.scanFully(segment);
        if (!isLast && (done.cut || this.lostTail(segment, this.segments[i + 1]!))) this.dropSegmentsAfter(i);
        if (this.isActive(segment)) this.recovery = done.how;
      }
    }
    const active = this.active;
    if (!options.clean && active.nextOffset < recoveryPoint) {
      // The active segment was scanned from a point past its end: the checkpoint does not
      // describe these files (or synced data was lost), so nothing in the segment is trusted.
      this.issue('checkpoint-invalid', `recovery point ${recoveryPoint} is past the log end ${active.nextOffset}; scanned the active segment in full`, active.baseOffset);
      this.recovery = this.scanFully(active).how;
      recoveryPoint = active.baseOffset;
    }
    return recoveryPoint;
  }

  /** Scans a segment in full, cutting a bad tail. */
  private scanFully(segment: Segment): { cut: boolean; how: ActiveSegmentRecovery } {
    const result = segment.rebuild(this.indexIntervalBytes, true);
    this.scannedBytes += result.scannedBytes;
    return { cut: this.reportCut(segment, result), how: 'scanned' };
  }

  /** Scans the segment holding the recovery point from its last index entry below that point. */
  private scanFrom(segment: Segment, recoveryPoint: number): { cut: boolean; how: ActiveSegmentRecovery } {
    const result = segment.recoverFrom(recoveryPoint, this.indexIntervalBytes);
    if (typeof result === 'string') {
      this.issue('index-rebuilt', `recovery from offset ${recoveryPoint}: ${result}; scanned the segment in full`, segment.baseOffset);
      return this.scanFully(segment);
    }
    this.scannedBytes += result.scannedBytes;
    return { cut: this.reportCut(segment, result), how: 'from-recovery-point' };
  }

  /**
   * A segment at or past the recovery point that ends before the next one starts lost its
   * unsynced tail at a batch boundary (its roll's sync had not completed). A roll that leaves a
   * gap on purpose checkpoints a recovery point past it first (see `roll`), so no real gap is
   * ever found here.
   */
  private lostTail(segment: Segment, next: Segment): boolean {
    if (segment.nextOffset >= next.baseOffset) return false;
    this.issue('truncated-tail', `segment ends at offset ${segment.nextOffset}, before the next segment's base ${next.baseOffset}: its unsynced tail was lost`, segment.baseOffset);
    return true;
  }

  private reportCut(segment: Segment, result: RecoveryScan): boolean {
    if (result.problem === undefined || result.truncatedBytes === 0) return false;
    this.issue('truncated-tail', `truncated ${result.truncatedBytes} bytes at position ${result.end} (${result.problem})`, segment.baseOffset, result.end);
    return true;
  }

  /** Recovery cut segment `index` short: the segments after it would leave a gap in the offsets. */
  private dropSegmentsAfter(index: number): void {
    const dropped = this.segments.splice(index + 1);
    for (const segment of dropped) segment.delete(this.fs);
    const bases = dropped.map((s) => s.baseOffset).join(', ');
    this.issue('truncated-tail', `deleted ${dropped.length} segment(s) after the cut (base offsets ${bases})`, this.segments[index]!.baseOffset);
  }

  private isActive(segment: Segment): boolean {
    return segment === this.segments[this.segments.length - 1];
  }


  /** Clean shutdown: the cheap checks of a closed segment, a full scan only if they fail. */
  private loadActiveAfterCleanShutdown(segment: Segment): void {
    const problem = segment.loadClosed();
    if (problem === undefined) {
      this.recovery = 'trusted';
      this.scannedBytes += segment.tailBytes;
      return;
    }
    this.issue('index-rebuilt', `clean shutdown, but the active segment does not check out (${problem}); scanned it`, segment.baseOffset);
    this.recovery = this.scanFully(segment).how;
  }

  private loadClosed(segment: Segment, verify: boolean): void {
    const problem = verify ? 'verification requested' : segment.loadClosed();
    if (problem === undefined) {
      this.scannedBytes += segment.tailBytes;
      return;
    }
    const result = segment.rebuild(this.indexIntervalBytes, false);
    this.scannedBytes += result.scannedBytes;
    if (!verify) this.issue('index-rebuilt', `rebuilt indexes: ${problem}`, segment.baseOffset);
    if (result.problem !== undefined) {
      this.issue('corrupt-segment', `closed segment has bad data at position ${result.end} (${result.problem})`, segment.baseOffset, result.end);
    }
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  private get indexIntervalBytes(): number {
    return this.target.indexIntervalBytes;
  }

  private issue(kind: LogIssueKind, message: string, segmentBaseOffset?: number, position?: number): void {
    reportIssue(this.target.issues, kind, message, segmentBaseOffset, position);
  }
}
