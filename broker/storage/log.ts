/**
 * `Log`: one partition's replica on disk, in `<logDir>/<topic>-<partition>/`.
 *
 * Files: segments (`<base>.log`, `.index`, `.timeindex`, see `segment.ts`), `leader-epoch-checkpoint`,
 * `log-start-offset-checkpoint` (`log-start-checkpoint.ts`), producer snapshots
 * `<offset>.snapshot` (`producer-snapshots.ts`) and `partition.metadata` (`partition-metadata.ts`).
 *
 * This module owns the log's state and its operations: appends, reads, retention and
 * truncation, flushes (synchronous and background) and closing. How `open` recovers the
 * segments is in `log-recovery.ts`; problems found are `LogIssue`s (`log-issues.ts`).
 *
 * Invariants (checked after recovery and kept by every method):
 * - segments are sorted by base offset; only the last (active) one takes appends;
 * - offsets are strictly increasing across the log; leader appends are contiguous;
 * - logStartOffset <= highWatermark <= logEndOffset, and logStartOffset lies in the first segment;
 * - the recovery point (`flushedOffset`, Kafka's recoveryPoint): every offset below it is in a
 *   segment whose log and index files were synced (index entries included: recovery trusts the
 *   ones below it). Only segments at or past it can hold unsynced bytes. Without
 *   `syncInBackground`, additionally every closed segment was synced before the next was created.
 *
 * Durability and flush policy:
 * - An append writes to the file (page cache) and returns; it is not synced unless
 *   `flush.messages` records accumulated since the last flush. `maybeFlush(nowMs)` flushes once
 *   the oldest unflushed append is `flush.ms` old; `flush()` and `close()` always sync, on the
 *   spot, every segment at or past the recovery point (so also one whose background sync is
 *   still running), then move the recovery point to the log end.
 * - Rolling a segment writes a producer snapshot and syncs the old segment with its indexes:
 *   before the new one is created, or with `syncInBackground` (LogManager's logs) off the event
 *   loop after (`FileHandle.syncAsync`), like the flush.ms flush; the recovery point moves when
 *   that sync completes (`backgroundFlushDone`/`backgroundFlushFailed` are the completion
 *   callbacks, the only state changes they make). A truncation in between voids it; close()
 *   overtakes it; a failure takes the log offline as a synchronous one would; a segment deleted
 *   meanwhile is not waited for. Checkpoints are written atomically (tmp + fsync + rename).
 * - A brand-new partition (its directory did not exist) is created without any fsync: its
 *   directory, segment files, `partition.metadata` and `leader-epoch-checkpoint` are written with
 *   `{ durable: false }`. The metadata log is the durable record that the partition exists and
 *   the broker recreates a missing partition on start, so a crash before the first record may
 *   leave no directory, some files, or empty/torn small files; `open` turns each into a valid
 *   empty log. The log is "unsettled" until, before its first record (or any other durable
 *   step: flush, roll, truncation, log start move, close with records), `settle()` fsyncs those
 *   files, the partition directory and the log dir. A log opened after an unclean shutdown, or
 *   holding no records, starts unsettled too (its entries may only be in the page cache), but
 *   only a log created by this `open` writes its checkpoints without fsync.
 * - kill -9 of the broker loses nothing that was appended (the OS keeps the page cache).
 * - Power failure loses appends after the last sync (`flushedOffset`); a torn tail is found on
 *   open (framing + CRC scan) and cut off. Kafka's default is the same: durability comes from
 *   replication, not fsync.
 *
 * Opening (`open`): the segments are recovered as `log-recovery.ts` describes (cheap loads below
 * the recovery point, CRC scans from it, a cut at the first bad batch or lost tail); producer
 * state is loaded from the newest snapshot and the log after it (`producer-snapshots.ts`).
 *
 * Departures from Kafka: the high watermark is not persisted here (the caller passes it to
 * `open` and sets it); segment.ms counts from the segment's first append, not the first batch's
 * timestamp; retention never deletes the active segment; the time index and `offsetForTimestamp`
 * work at batch granularity (offset of the batch, its max timestamp).
 *
 * Not re-entrant; one owner calls it from the broker's single thread. Any file-system failure
 * takes the log offline (every later call answers KAFKA_STORAGE_ERROR) until it is reopened.
 */

import type { LogConfig } from '../config/topic-config.js';
import type { FileSystem } from '../io/fs.js';
import { joinPath, parentPath } from '../io/fs.js';
import {
  type BatchView,
  checkStoredBatch,
  crcMatches,
  isFramingProblem,
  lastOffsetOf,
  nextOffsetOf,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
} from '../protocol/record-batch.js';
import { CORRUPT_MESSAGE, KAFKA_STORAGE_ERROR, LogStorageError, OFFSET_OUT_OF_RANGE } from './error-codes.js';
import { type EpochEndOffset, LeaderEpochCache } from './leader-epoch-cache.js';
import { type LogIssue, type LogIssueKind, reportIssue } from './log-issues.js';
import { type ActiveSegmentRecovery, loadSegments, restartAtLogStart } from './log-recovery.js';
import { LOG_START_OFFSET_CHECKPOINT, readLogStartCheckpoint, writeLogStartCheckpoint } from './log-start-checkpoint.js';
import { PARTITION_METADATA, checkTopicId } from './partition-metadata.js';
import { ProducerStateManager } from './producer-state.js';
import { loadProducerState, producerAppendOf, removeSnapshotsAfter, takeSnapshot } from './producer-snapshots.js';
import { type IndexedBatch, Segment, indexedBatchOf } from './segment.js';

// Moved out of this module; still importable from here.
export type { LogIssue, LogIssueKind } from './log-issues.js';
export type { ActiveSegmentRecovery } from './log-recovery.js';
export { LOG_START_OFFSET_CHECKPOINT } from './log-start-checkpoint.js';
export { PARTITION_METADATA } from './partition-metadata.js';
export { SNAPSHOT_SUFFIX } from './producer-snapshots.js';

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';

/** What the produce path knows about each batch in `records` (positions relative to it). */
export interface AppendBatchInfo {
  position: number;
  size: number;
  lastOffsetDelta: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export interface AppendOptions {
  leaderEpoch: number;
  nowMs: number;
  /** Stamp LogAppendTime; defaults to the topic's message.timestamp.type. */
  logAppendTime?: boolean;
}

export type AppendResult =
  | { kind: 'appended'; baseOffset: number; lastOffset: number; logAppendTimeMs: number }
  | { kind: 'duplicate'; baseOffset: number; lastOffset: number }
  | { kind: 'error'; errorCode: number; message: string };

export interface ReadOptions {
  fetchOffset: number;
  maxBytes: number;
  /** Exclusive upper bound on returned offsets (e.g. the high watermark); default: log end. */
  maxOffset?: number;
  /** Return the first batch even if it is bigger than maxBytes. */
  minOneBatch: boolean;
  /**
   * Where the bytes are read into: a buffer of at least `length` bytes (default: a fresh one). The
   * fetch path lends pooled buffers; the records returned are a view of it.
   */
  allocate?: (length: number) => Buffer;
}

export type ReadResult =
  /** `recordCount`: from the batch headers (compressed batches are not opened). */
  | { kind: 'records'; records: Buffer; recordCount: number; firstOffset: number; nextOffset: number }
  | { kind: 'error'; errorCode: number; message: string };

export interface StorageErrorResult {
  kind: 'error';
  errorCode: number;
  message: string;
}

export interface LogOpenOptions {
  fs: FileSystem;
  /** The partition directory, `<logDir>/<topic>-<partition>`. */
  dir: string;
  topic: string;
  partition: number;
  topicId?: string;
  config: LogConfig;
  nowMs: number;
  /** Last known high watermark (clamped to the recovered log); default: log start offset. */
  highWatermark?: number;
  /** CRC-check every closed segment on open instead of only their tails. */
  verifyClosedSegments?: boolean;
  /**
   * The log was closed cleanly (every byte synced) and not written since: trust the active
   * segment instead of CRC-scanning it. Default false (scan, as after a crash).
   */
  cleanShutdown?: boolean;
  /**
   * After an unclean shutdown: the recovery point the owner checkpointed for this log (offsets
   * below it were synced, with their index entries). Segments wholly below it load cheaply, the
   * one holding it is scanned from its last index entry below it, later ones in full. Undefined:
   * no checkpoint to go by, so every closed segment is taken as synced and only the active one is
   * scanned in full (how recovery worked before recovery points; right for a log whose rolls
   * synced the old segment before creating the next). Ignored with `cleanShutdown`.
   */
  recoveryPoint?: number;
  /**
   * Called (synchronously, before the call that caused it returns) when the recovery point must
   * be checkpointed at once: a truncation moved it down (new data will land below the old value,
   * and a crash must not trust it), or a roll left a gap in the offsets (recovery takes a gap
   * at or past the checkpointed point for a lost tail, see `recoverSegments` in
   * `log-recovery.ts`). Errors it throws take the log offline.
   */
  onRecoveryPointCheckpointNeeded?: (log: Log) => void;
  /**
   * Sync rolled segments and run the flush.ms flush off the event loop (`FileHandle.syncAsync`);
   * the recovery point moves when the sync completes. Only for an owner that checkpoints
   * `recoveryPoint` and passes it back to `open` (LogManager does): a crash may then leave a
   * closed segment unsynced, and only the recovery point tells recovery to scan it. Default
   * false: a roll syncs the old segment before the next is created, so a log opened without a
   * recovery point can trust its closed segments.
   */
  syncInBackground?: boolean;
}

export class Log {
  readonly issues: LogIssue[] = [];
  producerState = new ProducerStateManager();
  leaderEpochCache: LeaderEpochCache;
  private segments: Segment[] = [];
  private startOffset = 0;
  private hw = 0;
  private isOffline = false;
  private unflushedMessages = 0;
  private firstUnflushedMs: number | undefined;
  private flushed = 0;
  /** Directory entries and small metadata files are known durable (see the header). */
  private settled = true;
  /** `partition.metadata` holds a whole topic id (checked or written). */
  private topicIdChecked = false;
  private recovery: ActiveSegmentRecovery = 'created';
  private scannedBytes = 0;
  private onRecoveryPointCheckpointNeeded: ((log: Log) => void) | undefined;
  private syncInBackground = false;
  /** Background flushes started and not settled (see `startBackgroundFlush`). */
  private backgroundFlushes = 0;
  /** Bumped by every truncation: a background flush started before one must not move the recovery point. */
  private truncations = 0;
  private isClosed = false;

  private constructor(
    readonly fs: FileSystem,
    readonly dir: string,
    readonly topic: string,
    readonly partition: number,
    public config: LogConfig,
  ) {
    this.leaderEpochCache = LeaderEpochCache.inMemory();
  }

  // ---- opening and recovery ---------------------------------------------------------------

  static open(options: LogOpenOptions): Log {
    const { fs, dir } = options;
    const log = new Log(fs, dir, options.topic, options.partition, options.config);
    const created = !fs.exists(dir);
    if (created && !fs.exists(parentPath(dir))) fs.mkdirp(parentPath(dir));
    fs.mkdirp(dir, { durable: !created });
    log.topicIdChecked = checkTopicId(fs, dir, options.topicId, !created, log.issues);
    const checkpointed = readLogStartCheckpoint(fs, dir, log.issues);
    const clean = options.cleanShutdown ?? false;
    const target = { fs, dir, indexIntervalBytes: options.config.indexIntervalBytes, issues: log.issues };
    const recovered = loadSegments(target, {
      nowMs: options.nowMs,
      checkpointedStart: checkpointed,
      verifyClosed: options.verifyClosedSegments ?? false,
      created,
      clean,
      ...(options.recoveryPoint === undefined ? {} : { recoveryPoint: options.recoveryPoint }),
    });
    log.segments = recovered.segments;
    log.recovery = recovered.activeSegmentRecovery;
    log.scannedBytes = recovered.scannedBytes;
    const recoveredBelow = recovered.recoveredBelow;
    if (checkpointed !== undefined && checkpointed > log.logEndOffset) {
      log.segments = restartAtLogStart(target, log.segments, checkpointed, options.nowMs);
    }
    const leo = log.logEndOffset;
    log.startOffset = Math.min(Math.max(checkpointed ?? 0, log.segments[0]!.baseOffset), leo);
    log.deleteSegmentsBelowStart();
    log.settled = (options.cleanShutdown ?? false) && !log.holdsNoRecords;
    const loaded = LeaderEpochCache.load(fs, joinPath(dir, LEADER_EPOCH_CHECKPOINT));
    if (loaded.problem) log.issue('checkpoint-invalid', loaded.problem);
    log.leaderEpochCache = loaded.cache;
    log.leaderEpochCache.durable = !created;
    log.leaderEpochCache.truncateFromEnd(leo);
    log.leaderEpochCache.truncateFromStart(log.startOffset);
    if (!created) log.producerState = loadProducerState(log, log.segments, log.startOffset);
    log.hw = Math.min(Math.max(options.highWatermark ?? log.startOffset, log.startOffset), leo);
    // Like Kafka, recovery does not move the recovery point: what it read after it may still be
    // only in the page cache (kill -9), so it is synced by the next flush, not trusted now.
    log.flushed = clean || created ? leo : Math.min(recoveredBelow, leo);
    if (log.flushed < leo) log.firstUnflushedMs = options.nowMs;
    log.onRecoveryPointCheckpointNeeded = options.onRecoveryPointCheckpointNeeded;
    log.syncInBackground = options.syncInBackground ?? false;
    return log;
  }

  /**
   * The owner learned the partition's topic id (from metadata) after `open`: check
   * `partition.metadata` against it, or write it if a crash lost it. Cheap once checked.
   */
  adoptTopicId(topicId: string): void {
    if (this.topicIdChecked || this.isOffline) return;
    this.guard(() => {
      this.topicIdChecked = checkTopicId(this.fs, this.dir, topicId, this.settled, this.issues);
    });
  }

  // ---- properties -------------------------------------------------------------------------

  get logStartOffset(): number {
    return this.startOffset;
  }

  get logEndOffset(): number {
    return this.active.nextOffset;
  }

  get highWatermark(): number {
    return this.hw;
  }

  /** Sets the high watermark; clamped up to the log start offset, must not pass the log end. */
  set highWatermark(offset: number) {
    if (offset > this.logEndOffset) throw new Error(`high watermark ${offset} beyond log end ${this.logEndOffset}`);
    this.hw = Math.max(offset, this.startOffset);
  }

  /** Offsets below this were synced to disk, with their index entries. */
  get flushedOffset(): number {
    return this.flushed;
  }

  /** Kafka's name for `flushedOffset`: where recovery after a crash starts scanning. */
  get recoveryPoint(): number {
    return this.flushed;
  }

  /** Background flushes (roll or flush.ms syncs) not completed yet. */
  get backgroundFlushesInFlight(): number {
    return this.backgroundFlushes;
  }

  /** Bytes `open` CRC-checked while recovering (index tails of trusted segments included). */
  get recoveryScannedBytes(): number {
    return this.scannedBytes;
  }

  get sizeBytes(): number {
    return this.segments.reduce((sum, s) => sum + s.sizeBytes, 0);
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  get segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  get offline(): boolean {
    return this.isOffline;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  /** How `open` loaded the active segment (see `ActiveSegmentRecovery`). */
  get activeSegmentRecovery(): ActiveSegmentRecovery {
    return this.recovery;
  }

  private get holdsNoRecords(): boolean {
    return this.segments.every((s) => s.isEmpty);
  }

  // ---- appends ----------------------------------------------------------------------------

  /**
   * Appends batches produced by a client: idempotence check, then offsets, leader epoch and
   * (LogAppendTime) timestamps are stamped in place in `records`, which is written in one go.
   */
  appendAsLeader(records: Buffer, batches: readonly AppendBatchInfo[], options: AppendOptions): AppendResult {
    assertContiguous(records, batches);
    if (this.isOffline) return this.offlineError();
    const check = this.producerState.check(batches);
    if (check.kind === 'duplicate') return { kind: 'duplicate', baseOffset: check.firstOffset, lastOffset: check.lastOffset };
    if (check.kind === 'error') return { kind: 'error', errorCode: check.errorCode, message: check.message };
    const logAppendTime = options.logAppendTime ?? this.config.messageTimestampType === 'LogAppendTime';
    const baseOffset = this.logEndOffset;
    const indexed: IndexedBatch[] = [];
    let next = baseOffset;
    for (const b of batches) {
      setBaseOffset(records, b.position, next);
      setPartitionLeaderEpoch(records, b.position, options.leaderEpoch);
      if (logAppendTime) setLogAppendTime(records, b.position, options.nowMs);
      const maxTimestamp = logAppendTime ? options.nowMs : b.maxTimestamp;
      indexed.push({ position: b.position, size: b.size, baseOffset: next, lastOffset: next + b.lastOffsetDelta, maxTimestamp });
      next += b.lastOffsetDelta + 1;
    }
    const lastOffset = next - 1;
    return this.guard(() => {
      this.settle();
      this.maybeRoll(records.length, baseOffset, lastOffset, options.nowMs);
      this.leaderEpochCache.assign(options.leaderEpoch, baseOffset);
      this.writeBatches(records, indexed, options.nowMs);
      batches.forEach((b, i) => {
        const at = indexed[i]!;
        this.producerState.update({ ...b, firstOffset: at.baseOffset, lastOffset: at.lastOffset, maxTimestamp: at.maxTimestamp });
      });
      this.afterAppend(batches.reduce((n, b) => n + b.recordCount, 0), options.nowMs);
      return { kind: 'appended' as const, baseOffset, lastOffset, logAppendTimeMs: logAppendTime ? options.nowMs : -1 };
    });
  }

  /** Appends batches copied from the leader (offsets and epochs already assigned). */
  appendAsFollower(records: Buffer, nowMs: number): AppendResult {
    if (this.isOffline) return this.offlineError();
    const headers: BatchView[] = [];
    let expected = this.logEndOffset;
    for (let at = 0; at < records.length; ) {
      const h = checkStoredBatch(records, at);
      if (isFramingProblem(h) || !crcMatches(records, at)) {
        return { kind: 'error', errorCode: CORRUPT_MESSAGE, message: `batch at ${at}: ${isFramingProblem(h) ? h : 'bad-crc'}` };
      }
      if (h.baseOffset < expected) {
        return { kind: 'error', errorCode: OFFSET_OUT_OF_RANGE, message: `batch offset ${h.baseOffset} below expected ${expected}` };
      }
      headers.push(h);
      expected = nextOffsetOf(h);
      at += h.size;
    }
    if (headers.length === 0) return { kind: 'appended', baseOffset: this.logEndOffset, lastOffset: this.logEndOffset - 1, logAppendTimeMs: -1 };
    const first = headers[0]!;
    const last = headers[headers.length - 1]!;
    return this.guard(() => {
      this.settle();
      this.maybeRoll(records.length, first.baseOffset, lastOffsetOf(last), nowMs);
      for (const h of headers) this.leaderEpochCache.assign(h.partitionLeaderEpoch, h.baseOffset);
      this.writeBatches(records, headers.map(indexedBatchOf), nowMs);
      for (const h of headers) this.producerState.update(producerAppendOf(h));
      this.afterAppend(headers.reduce((n, h) => n + h.recordCount, 0), nowMs);
      return { kind: 'appended' as const, baseOffset: first.baseOffset, lastOffset: lastOffsetOf(last), logAppendTimeMs: -1 };
    });
  }

  private writeBatches(records: Buffer, batches: readonly IndexedBatch[], nowMs: number): void {
    const segment = this.active;
    if (segment.isEmpty) segment.rollStartMs = nowMs;
    segment.append(records, batches, this.config.indexIntervalBytes);
  }

  private afterAppend(recordCount: number, nowMs: number): void {
    this.unflushedMessages += recordCount;
    this.firstUnflushedMs ??= nowMs;
    if (this.unflushedMessages >= this.config.flushMessages) this.flushActive();
  }

  /** Rolls when the active segment is non-empty and the append would break a limit. */
  private maybeRoll(appendBytes: number, firstOffset: number, lastOffset: number, nowMs: number): void {
    const segment = this.active;
    const c = this.config;
    const needsNewBase = !segment.canHoldOffset(lastOffset);
    if (segment.isEmpty) {
      if (needsNewBase || firstOffset > segment.baseOffset) this.replaceEmptyActive(firstOffset, nowMs);
      return;
    }
    const full =
      segment.sizeBytes + appendBytes > c.segmentBytes ||
      nowMs - segment.rollStartMs >= c.segmentMs ||
      segment.index.isFull(c.segmentIndexBytes) ||
      needsNewBase;
    if (full) this.roll(firstOffset, nowMs);
  }

  /**
   * Closes the active segment and starts a new one at `baseOffset`. The old segment is synced
   * before the new one is created, or with `syncInBackground` after, off the event loop (the
   * recovery point moves when that completes). A roll past the log end (a follower's gap) always
   * syncs first and has the recovery point checkpointed at once: recovery must be able to tell
   * this gap from a lost tail.
   */
  roll(baseOffset: number, nowMs: number): void {
    const old = this.active;
    if (baseOffset < old.nextOffset) throw new Error(`roll to ${baseOffset} below log end ${old.nextOffset}`);
    this.settle();
    old.markInactive();
    const gap = baseOffset > old.nextOffset;
    const background = this.syncInBackground && !gap;
    if (!background) {
      this.syncUnflushedSegments();
      this.flushed = Math.max(this.flushed, baseOffset);
    }
    this.unflushedMessages = 0;
    this.firstUnflushedMs = undefined;
    takeSnapshot(this.fs, this.dir, this.producerState, old.nextOffset);
    this.segments.push(Segment.open(this.fs, this.dir, baseOffset, nowMs, true));
    if (background) this.startBackgroundFlush(baseOffset);
    else if (gap) this.onRecoveryPointCheckpointNeeded?.(this);
  }

  /** A follower gap: an empty active segment is re-created at the new base offset. */
  private replaceEmptyActive(baseOffset: number, nowMs: number): void {
    if (this.segments.length === 1) {
      this.truncateFullyAndStartAt(baseOffset, nowMs);
      return;
    }
    this.active.delete(this.fs);
    this.segments.pop();
    // The new base leaves a gap after the closed segments: as in `roll`, sync and checkpoint.
    this.syncUnflushedSegments();
    this.flushed = Math.max(this.flushed, baseOffset);
    this.segments.push(Segment.open(this.fs, this.dir, baseOffset, nowMs, true));
    this.onRecoveryPointCheckpointNeeded?.(this);
  }

  // ---- reads ------------------------------------------------------------------------------

  /**
   * Reads whole batches from one segment, starting with the batch holding `fetchOffset`.
   * OFFSET_OUT_OF_RANGE outside [logStartOffset, logEndOffset]; CORRUPT_MESSAGE if the data
   * there fails its CRC.
   */
  read(options: ReadOptions): ReadResult {
    if (this.isOffline) return this.offlineError();
    const { fetchOffset, maxBytes, minOneBatch } = options;
    const maxOffset = Math.min(options.maxOffset ?? this.logEndOffset, this.logEndOffset);
    if (fetchOffset < this.startOffset || fetchOffset > this.logEndOffset) {
      return { kind: 'error', errorCode: OFFSET_OUT_OF_RANGE, message: `offset ${fetchOffset} outside [${this.startOffset}, ${this.logEndOffset}]` };
    }
    const empty: ReadResult = { kind: 'records', records: Buffer.alloc(0), recordCount: 0, firstOffset: -1, nextOffset: fetchOffset };
    if (fetchOffset >= maxOffset) return empty;
    return this.guard(() => {
      for (let i = this.floorSegmentIndex(fetchOffset); i < this.segments.length; i++) {
        const segment = this.segments[i]!;
        const got = segment.read(fetchOffset, maxBytes, maxOffset, minOneBatch, options.allocate);
        if (got === undefined) continue;
        if (typeof got === 'string') {
          this.issue('corrupt-segment', `read at offset ${fetchOffset}: ${got}`, segment.baseOffset);
          return { kind: 'error', errorCode: CORRUPT_MESSAGE, message: `stored batch at offset ${fetchOffset} in segment ${segment.baseOffset} is corrupt (${got})` };
        }
        if (!got.first || !got.last) return empty;
        return { kind: 'records', records: got.records, recordCount: got.recordCount, firstOffset: got.first.baseOffset, nextOffset: nextOffsetOf(got.last) };
      }
      return empty;
    });
  }

  /** The first batch with a timestamp >= `timestampMs`: its base offset and max timestamp. */
  offsetForTimestamp(timestampMs: number): { offset: number; timestamp: number } | undefined {
    if (this.isOffline) throw this.offlineException();
    for (const segment of this.segments) {
      const found = segment.findByTimestamp(timestampMs);
      if (found && lastOffsetOf(found) >= this.startOffset) {
        return { offset: Math.max(found.baseOffset, this.startOffset), timestamp: found.maxTimestamp };
      }
    }
    return undefined;
  }

  /** The largest timestamp in the log and the base offset of the (first) batch holding it. */
  maxTimestampOffset(): { offset: number; timestamp: number } {
    let best = { offset: -1, timestamp: -1 };
    for (const segment of this.segments) {
      if (segment.maxTimestamp > best.timestamp) best = { offset: segment.offsetOfMaxTimestamp, timestamp: segment.maxTimestamp };
    }
    return best;
  }

  /** OffsetForLeaderEpoch for this replica. */
  endOffsetForEpoch(leaderEpoch: number): EpochEndOffset {
    return this.leaderEpochCache.endOffsetFor(leaderEpoch, this.logEndOffset);
  }

  private floorSegmentIndex(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  // ---- deletion, retention, truncation ----------------------------------------------------

  /** DeleteRecords: moves the log start offset up to `offset` (<= high watermark). */
  deleteRecordsBefore(offset: number): { kind: 'ok'; logStartOffset: number } | StorageErrorResult {
    if (this.isOffline) return this.offlineError();
    if (offset > this.hw || offset < 0) {
      return { kind: 'error', errorCode: OFFSET_OUT_OF_RANGE, message: `offset ${offset} outside [0, high watermark ${this.hw}]` };
    }
    return this.guard(() => {
      if (offset > this.startOffset) this.advanceLogStart(offset);
      return { kind: 'ok' as const, logStartOffset: this.startOffset };
    });
  }

  /**
   * Deletes closed segments past retention.ms (by their newest timestamp) or beyond retention.bytes,
   * oldest first, only below the high watermark. Returns the number of segments deleted.
   */
  applyRetention(nowMs: number): number {
    if (this.isOffline) throw this.offlineException();
    let count = 0;
    this.guardOrThrow(() => {
      const c = this.config;
      let excessBytes = c.retentionBytes < 0 ? 0 : this.sizeBytes - c.retentionBytes;
      while (count < this.segments.length - 1) {
        const segment = this.segments[count]!;
        const nextBase = this.segments[count + 1]!.baseOffset;
        if (nextBase > this.hw) break;
        const expired = c.retentionMs >= 0 && segment.maxTimestamp >= 0 && nowMs - segment.maxTimestamp > c.retentionMs;
        const oversize = excessBytes >= segment.sizeBytes;
        if (!expired && !oversize) break;
        excessBytes -= segment.sizeBytes;
        count += 1;
      }
      if (count > 0) this.advanceLogStart(this.segments[count]!.baseOffset);
    });
    return count;
  }

  /** Checkpoints the new log start offset, then deletes whole segments below it. */
  private advanceLogStart(offset: number): void {
    this.settle();
    this.startOffset = offset;
    this.hw = Math.max(this.hw, offset);
    writeLogStartCheckpoint(this.fs, this.dir, this.topic, this.partition, offset);
    if (offset >= this.logEndOffset && !this.active.isEmpty) this.roll(this.logEndOffset, this.active.rollStartMs);
    this.deleteSegmentsBelowStart();
    this.leaderEpochCache.truncateFromStart(offset);
    this.producerState.removeBefore(offset);
  }

  private deleteSegmentsBelowStart(): void {
    while (this.segments.length > 1 && this.segments[1]!.baseOffset <= this.startOffset) {
      this.segments.shift()!.delete(this.fs);
    }
  }

  /** Follower truncation: removes the batch holding `offset` and everything after. */
  truncateTo(offset: number): void {
    if (this.isOffline) throw this.offlineException();
    if (offset >= this.logEndOffset) return;
    this.guardOrThrow(() => {
      this.settle();
      if (offset <= this.startOffset) {
        this.truncateFullyAndStartAt(offset, this.active.rollStartMs);
        return;
      }
      while (this.segments.length > 1 && this.active.baseOffset >= offset) this.segments.pop()!.delete(this.fs);
      this.active.truncateTo(offset);
      // The cut batch may have started below the log start: then nothing readable is left.
      if (this.logEndOffset < this.startOffset) this.truncateFullyAndStartAt(this.startOffset, this.active.rollStartMs);
      else this.afterTruncation();
    });
  }

  /** Deletes everything and restarts the log empty at `offset`. */
  truncateFullyAndStartAt(offset: number, nowMs: number): void {
    if (this.isOffline) throw this.offlineException();
    this.guardOrThrow(() => {
      this.settle();
      for (const segment of this.segments) segment.delete(this.fs);
      this.segments = [Segment.open(this.fs, this.dir, offset, nowMs, true)];
      this.startOffset = offset;
      writeLogStartCheckpoint(this.fs, this.dir, this.topic, this.partition, offset);
      this.leaderEpochCache.clear();
      this.afterTruncation();
    });
  }

  private afterTruncation(): void {
    this.truncations += 1;
    const leo = this.logEndOffset;
    const lowered = leo < this.flushed;
    this.hw = Math.min(this.hw, leo);
    this.flushed = Math.min(this.flushed, leo);
    this.leaderEpochCache.truncateFromEnd(leo);
    removeSnapshotsAfter(this.fs, this.dir, leo);
    this.producerState = loadProducerState(this, this.segments, this.startOffset);
    if (lowered) this.onRecoveryPointCheckpointNeeded?.(this);
  }

  // ---- flushing and lifecycle -------------------------------------------------------------

  /** Syncs everything appended so far. */
  flush(): void {
    if (this.isOffline) throw this.offlineException();
    this.guardOrThrow(() => this.flushActive());
  }

  /** Syncs if the oldest unflushed append is at least flush.ms old. */
  /**
   * Flushes if the oldest unflushed append is at least flush.ms old: in the background (one such
   * flush at a time) with `syncInBackground`, else synchronously.
   */
  maybeFlush(nowMs: number): void {
    if (this.firstUnflushedMs === undefined || nowMs - this.firstUnflushedMs < this.config.flushMs) return;
    if (!this.syncInBackground) {
      this.flush();
      return;
    }
    if (this.isOffline) throw this.offlineException();
    if (this.backgroundFlushes > 0) return;
    this.guardOrThrow(() => this.settle());
    this.unflushedMessages = 0;
    this.firstUnflushedMs = undefined;
    this.startBackgroundFlush(this.logEndOffset);
  }

  /**
   * Syncs, off the event loop, every segment with data at or past the recovery point (or
   * unsynced writes), with its indexes; when all are durable the recovery point moves to
   * `target` (every offset below it is then in a synced segment). Completions arrive as
   * callbacks: `backgroundFlushDone` and `backgroundFlushFailed` are the only state changes.
   */
  private startBackgroundFlush(target: number): void {
    const segments = this.segments.filter((s) => s.baseOffset < target && (s.nextOffset > this.flushed || s.hasUnsyncedWrites));
    const truncations = this.truncations;
    this.backgroundFlushes += 1;
    void Promise.all(segments.map((s) => s.flushAsync())).then(
      () => this.backgroundFlushDone(truncations, target),
      (err: unknown) => this.backgroundFlushFailed(err),
    );
  }

  private backgroundFlushDone(truncations: number, target: number): void {
    this.backgroundFlushes -= 1;
    // A truncation since the start may have replaced bytes below `target` with unsynced ones;
    // close() and the offline path already decided what is durable.
    if (this.isClosed || this.isOffline || truncations !== this.truncations) return;
    this.flushed = Math.max(this.flushed, target);
  }

  private backgroundFlushFailed(err: unknown): void {
    this.backgroundFlushes -= 1;
    if (this.isClosed || this.isOffline) return;
    this.goOffline(err);
  }

  private flushActive(): void {
    // An unsettled log with no records has nothing to make durable (see the header).
    if (this.settled || !this.holdsNoRecords) {
      this.settle();
      this.syncUnflushedSegments();
    }
    this.flushed = this.logEndOffset;
    this.unflushedMessages = 0;
    this.firstUnflushedMs = undefined;
  }

  /**
   * Syncs every segment holding data at or past the recovery point (after an unclean start
   * there may be several: recovery read them from the page cache) or written since its last
   * sync (the final time index entry of a rolled segment), each with its index files.
   */
  private syncUnflushedSegments(): void {
    for (const segment of this.segments) {
      if (segment.nextOffset > this.flushed || segment.hasUnsyncedWrites) segment.flush();
    }
  }

  updateConfig(config: LogConfig): void {
    this.config = config;
  }

  /**
   * Syncs, snapshots producer state and closes every file. An unsettled log with no records
   * only closes its files: it stays unsettled (it settles before its first record after reopening).
   */
  close(): void {
    // Background flushes still in flight are overtaken by the synchronous sync below; their
    // completions find the log closed and change nothing.
    this.isClosed = true;
    if (!this.isOffline && (this.settled || !this.holdsNoRecords)) {
      this.guardOrThrow(() => {
        this.settle();
        this.syncUnflushedSegments();
        this.flushed = this.logEndOffset;
        takeSnapshot(this.fs, this.dir, this.producerState, this.logEndOffset);
      });
    }
    for (const segment of this.segments) {
      try {
        segment.close();
      } catch {
        // closing after a failure: nothing more to save
      }
    }
  }

  /**
   * Closes and removes the partition directory. With `renameTo`, the directory is first renamed
   * there (atomically) so a crash mid-removal leaves no half partition under its real name.
   */
  deleteAll(renameTo?: string): void {
    for (const segment of this.segments) {
      try {
        segment.close();
      } catch {
        // already failed; removing anyway
      }
    }
    this.segments = [];
    this.isOffline = true;
    this.isClosed = true;
    let target = this.dir;
    if (renameTo !== undefined) {
      this.fs.remove(renameTo);
      this.fs.rename(this.dir, renameTo);
      target = renameTo;
    }
    this.fs.remove(target);
  }

  /**
   * Makes the partition durable as a whole before it takes its first record: fsyncs the small
   * metadata files (written without fsync while the log was new), the partition directory and
   * the log dir holding it. Idempotent; a no-op once settled.
   */
  private settle(): void {
    if (this.settled) return;
    for (const name of [PARTITION_METADATA, LEADER_EPOCH_CHECKPOINT, LOG_START_OFFSET_CHECKPOINT]) {
      const path = joinPath(this.dir, name);
      if (!this.fs.exists(path)) continue;
      const handle = this.fs.open(path);
      try {
        handle.sync();
      } finally {
        handle.close();
      }
    }
    this.fs.syncDirectory(this.dir);
    this.fs.syncDirectory(parentPath(this.dir));
    this.leaderEpochCache.durable = true;
    this.settled = true;
  }

  // ---- failures ---------------------------------------------------------------------------

  private issue(kind: LogIssueKind, message: string, segmentBaseOffset?: number, position?: number): void {
    reportIssue(this.issues, kind, message, segmentBaseOffset, position);
  }

  /** Runs a file-system step; a failure takes the log offline and answers KAFKA_STORAGE_ERROR. */
  private guard<T>(step: () => T): T | StorageErrorResult {
    try {
      return step();
    } catch (err) {
      return { kind: 'error', errorCode: KAFKA_STORAGE_ERROR, message: this.goOffline(err) };
    }
  }

  /** Like `guard`, but a failure throws `LogStorageError` (for methods without a result). */
  private guardOrThrow(step: () => void): void {
    try {
      step();
    } catch (err) {
      throw new LogStorageError(KAFKA_STORAGE_ERROR, this.goOffline(err));
    }
  }

  private goOffline(err: unknown): string {
    if (!isFsError(err)) throw err;
    this.isOffline = true;
    const message = `${this.topic}-${this.partition} offline: ${(err as Error).message}`;
    this.issue('storage-error', message);
    return message;
  }

  private offlineError(): StorageErrorResult {
    return { kind: 'error', errorCode: KAFKA_STORAGE_ERROR, message: `${this.topic}-${this.partition} is offline` };
  }

  private offlineException(): LogStorageError {
    return new LogStorageError(KAFKA_STORAGE_ERROR, `${this.topic}-${this.partition} is offline`);
  }
}

function isFsError(err: unknown): boolean {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string';
}

function assertContiguous(records: Buffer, batches: readonly AppendBatchInfo[]): void {
  let at = 0;
  for (const b of batches) {
    if (b.position !== at || b.size <= 0) throw new Error(`batch at ${b.position} (size ${b.size}) is not contiguous with ${at}`);
    at += b.size;
  }
  if (at !== records.length || batches.length === 0) throw new Error(`batches cover ${at} of ${records.length} bytes`);
}
