/**
 * Leader epoch cache: which leader epoch started writing at which offset, as Kafka keeps in
 * `leader-epoch-checkpoint`. Answers OffsetForLeaderEpoch so a follower can truncate to the point
 * where its log diverges from the leader's.
 *
 * Invariants: entries are sorted with strictly increasing epochs and non-decreasing start
 * offsets. Every change is checkpointed at once (atomically); changes are rare (leader changes,
 * truncation, log start moves). While `durable` is false (a brand-new partition with no records
 * yet, see `log.ts`) the checkpoint is written without fsync; the log syncs it before its first
 * record and then sets `durable`. After recovery the owner calls `truncateFromEnd(logEndOffset)`
 * because the checkpoint may name offsets that were appended but lost in a crash.
 */

import type { FileSystem } from '../io/fs.js';
import { parseOffset, readCheckpoint, writeCheckpoint } from './checkpoint-file.js';

export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export interface EpochEndOffset {
  epoch: number;
  endOffset: number;
}

export class LeaderEpochCache {
  private entries: EpochEntry[] = [];
  /** Whether checkpoint writes are fsynced (false only before a new partition's first record). */
  durable = true;

  /** `path` undefined keeps the cache in memory only. */
  private constructor(private readonly fs: FileSystem | undefined, private readonly path: string | undefined) {}

  static inMemory(entries: readonly EpochEntry[] = []): LeaderEpochCache {
    const cache = new LeaderEpochCache(undefined, undefined);
    for (const e of entries) cache.assign(e.epoch, e.startOffset);
    return cache;
  }

  /** Loads the checkpoint at `path` (missing = empty). Returns the cache and a problem, if any. */
  static load(fs: FileSystem, path: string): { cache: LeaderEpochCache; problem?: string } {
    const cache = new LeaderEpochCache(fs, path);
    const parsed = readCheckpoint(fs, path);
    if (parsed === undefined) return { cache };
    if (typeof parsed === 'string') return { cache, problem: `${path}: ${parsed}` };
    for (const fields of parsed) {
      const epoch = parseOffset(fields[0]);
      const startOffset = parseOffset(fields[1]);
      if (epoch === undefined || startOffset === undefined || fields.length !== 2) {
        cache.entries = [];
        return { cache, problem: `${path}: bad entry '${fields.join(' ')}'` };
      }
      cache.entries.push({ epoch, startOffset });
    }
    if (!isSorted(cache.entries)) {
      cache.entries = [];
      return { cache, problem: `${path}: entries out of order` };
    }
    return { cache };
  }

  get all(): readonly EpochEntry[] {
    return this.entries;
  }

  get latestEpoch(): number {
    return this.entries.at(-1)?.epoch ?? UNDEFINED_EPOCH;
  }

  /**
   * Records that `epoch` starts at `startOffset`. Ignored if `epoch` is not newer than the latest
   * (re-assigning the latest epoch keeps its first start offset). A new entry whose start offset
   * is below earlier entries replaces them (they were never committed under a later epoch).
   */
  assign(epoch: number, startOffset: number): boolean {
    if (epoch < 0) return false;
    const latest = this.entries.at(-1);
    if (latest && epoch <= latest.epoch) return false;
    this.entries = this.entries.filter((e) => e.startOffset < startOffset);
    this.entries.push({ epoch, startOffset });
    this.persist();
    return true;
  }

  /**
   * OffsetForLeaderEpoch: the largest epoch <= `requestedEpoch` and the start offset of the next
   * epoch (or `logEndOffset` if `requestedEpoch` is the latest).
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): EpochEndOffset {
    const undefinedAnswer = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (requestedEpoch === UNDEFINED_EPOCH || this.entries.length === 0) return undefinedAnswer;
    if (requestedEpoch === this.latestEpoch) return { epoch: requestedEpoch, endOffset: logEndOffset };
    const higherAt = this.entries.findIndex((e) => e.epoch > requestedEpoch);
    if (higherAt < 0) return undefinedAnswer;
    const higher = this.entries[higherAt]!;
    if (higherAt === 0) return { epoch: requestedEpoch, endOffset: higher.startOffset };
    return { epoch: this.entries[higherAt - 1]!.epoch, endOffset: higher.startOffset };
  }

  /** Drops entries starting at or after `endOffset` (log truncated to `endOffset`). */
  truncateFromEnd(endOffset: number): void {
    const kept = this.entries.filter((e) => e.startOffset < endOffset);
    if (kept.length === this.entries.length) return;
    this.entries = kept;
    this.persist();
  }

  /** Log start moved to `startOffset`: drops older entries, clamps the one covering it. */
  truncateFromStart(startOffset: number): void {
    let lastBelow = -1;
    this.entries.forEach((e, i) => {
      if (e.startOffset <= startOffset) lastBelow = i;
    });
    if (lastBelow < 0) return;
    const covering = this.entries[lastBelow]!;
    if (lastBelow === 0 && covering.startOffset === startOffset) return;
    this.entries = [{ epoch: covering.epoch, startOffset }, ...this.entries.slice(lastBelow + 1)];
    this.persist();
  }

  clear(): void {
    this.entries = [];
    this.persist();
  }

  private persist(): void {
    if (this.fs && this.path) {
      writeCheckpoint(this.fs, this.path, this.entries.map((e) => [e.epoch, e.startOffset]), { durable: this.durable });
    }
  }
}

function isSorted(entries: readonly EpochEntry[]): boolean {
  for (let i = 1; i < entries.length; i++) {
    if (entries[i]!.epoch <= entries[i - 1]!.epoch || entries[i]!.startOffset < entries[i - 1]!.startOffset) return false;
  }
  return true;
}
