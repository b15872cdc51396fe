/**
 * One log segment: `<base>.log` (raw record batches, back to back), `<base>.index` and
 * `<base>.timeindex`, where `<base>` is the 20-digit zero-padded offset of its first batch.
 *
 * Invariants: batches in the file are whole, their offsets strictly increase and stay within
 * [baseOffset, baseOffset + 2^31); `nextOffset` is one past the last batch's last offset (or
 * `baseOffset` when empty); index entries point at batch starts. Only the active segment is
 * written; a segment becomes closed with `markInactive` (its final time index entry), after which
 * only recovery and truncation touch its files.
 *
 * Durability: nothing here syncs on its own except truncation. `flush()` syncs the log and both
 * index files together, because recovery trusts index entries below the log's recovery point
 * (see `recoverFrom`); `flushAsync()` does the same off the event loop (one in flight per state
 * of the files: a second call with no write in between joins the first); `hasUnsyncedWrites`
 * says whether any file was written since the last completed flush. The owning `Log` decides
 * when to flush (see its header). After `close()`/`delete()` a flush still in flight settles
 * quietly: a failure to sync files nobody will read again is not a storage error.
 */

import type { FileHandle, FileSystem } from '../io/fs.js';
import { joinPath } from '../io/fs.js';
import {
  BATCH_OVERHEAD,
  type BatchView,
  type FramingProblem,
  checkStoredBatch,
  crcMatches,
  isFramingProblem,
  lastOffsetOf,
} from '../protocol/record-batch.js';
import { type IndexPosition, OffsetIndex } from './offset-index.js';
import { type TimeEntry, TimeIndex } from './time-index.js';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
const RECOVERY_CHUNK_BYTES = 1024 * 1024;
const LOCATE_CHUNK_BYTES = 16 * 1024;
/**
 * A scan without CRC checks needs only batch headers: once batches are this big, it reads one
 * small window per header instead of whole chunks (producer state replay after a crash reads
 * every header since the last snapshot; with 16 KiB batches this reads a quarter of the bytes).
 */
const HEADER_ONLY_BATCH_BYTES_MIN = 8 * 1024;
const HEADER_WINDOW_BYTES = 4 * 1024;
const INT32_MAX = 0x7fffffff;

/**
 * The scan buffer shared by every segment: storage runs on one thread, and a scan never outlives
 * its call. A nested scan (none today) finds it taken and uses a buffer of its own. A buffer grown
 * past the recovery chunk size for one huge batch is not kept.
 */
let scratch: Buffer | undefined = Buffer.allocUnsafe(LOCATE_CHUNK_BYTES);

function takeScratch(): Buffer {
  const taken = scratch ?? Buffer.allocUnsafe(LOCATE_CHUNK_BYTES);
  scratch = undefined;
  return taken;
}

function giveBackScratch(buf: Buffer): void {
  if (buf.length <= RECOVERY_CHUNK_BYTES && (scratch === undefined || scratch.length < buf.length)) scratch = buf;
}

export function offsetFileName(offset: number, suffix: string): string {
  return String(offset).padStart(20, '0') + suffix;
}

/** Parses `<20 digits><suffix>`; undefined if the name is not one. */
export function parseOffsetFileName(name: string, suffix: string): number | undefined {
  if (!name.endsWith(suffix)) return undefined;
  const digits = name.slice(0, -suffix.length);
  if (!/^\d{20}$/.test(digits)) return undefined;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A batch's place and offsets, enough to index it. */
export interface IndexedBatch {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

/** The index fields of a batch read from bytes (its position is where it was read). */
export function indexedBatchOf(view: BatchView): IndexedBatch {
  return { position: view.position, size: view.size, baseOffset: view.baseOffset, lastOffset: lastOffsetOf(view), maxTimestamp: view.maxTimestamp };
}

export type ScanProblem = FramingProblem | 'offset-order' | 'offset-range';

export interface ScanResult {
  /** Position after the last good batch visited (where a problem starts, if any). */
  end: number;
  problem?: ScanProblem;
}

/** What a recovery scan did: where it stopped, what it cut off, how many bytes it CRC-checked. */
export interface RecoveryScan extends ScanResult {
  truncatedBytes: number;
  scannedBytes: number;
}

interface IndexAdditions {
  offsets: IndexPosition[];
  times: TimeEntry[];
}

export class Segment {
  nextOffset: number;
  maxTimestamp = -1;
  offsetOfMaxTimestamp = -1;
  /** First position of bad data in a closed segment (reads stop there). */
  corruptFrom: number | undefined;
  /**
   * Every batch in [0, verifiedPrefixEnd) and in [verifiedTailStart, verifiedTailEnd) is known to
   * pass its CRC: appended by this process (the produce path checked the CRC before the bytes
   * reached the file), scanned by recovery, or served once already. Reads re-check only bytes
   * outside both, so the steady-state fetch path, which reads what was just written, does no CRC
   * work (Kafka never checks on fetch); data that sat on disk while the broker was down is still
   * checked once before it is served. Two ranges are enough: sequential reads grow the prefix;
   * recovery verifies a tail that appends then extend.
   */
  private verifiedPrefixEnd = 0;
  private verifiedTailStart = 0;
  private verifiedTailEnd = 0;
  private bytesSinceIndexEntry = 0;
  private lastTimeIndexTimestamp = -1;
  /** Writes to any of the three files, and the count the last completed flush covered. */
  private writes = 0;
  private flushedWrites = 0;
  private asyncFlush: { writes: number; done: Promise<void> } | undefined;
  private isClosed = false;

  private constructor(
    readonly baseOffset: number,
    readonly log: FileHandle,
    readonly index: OffsetIndex,
    readonly timeIndex: TimeIndex,
    readonly paths: readonly string[],
    /** When the segment started taking appends (for segment.ms). */
    public rollStartMs: number,
  ) {
    this.nextOffset = baseOffset;
  }

  /**
   * Opens (creating if missing, emptying if `fresh`) the three files of a segment. `durable:
   * false` leaves created files' directory entries unsynced (a brand-new partition, see `log.ts`).
   */
  static open(fs: FileSystem, dir: string, baseOffset: number, nowMs: number, fresh: boolean, durable = true): Segment {
    const paths = [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX].map((s) => joinPath(dir, offsetFileName(baseOffset, s)));
    const opts = { create: true, truncate: fresh, durable };
    const log = fs.open(paths[0]!, opts);
    const index = new OffsetIndex(fs.open(paths[1]!, opts), baseOffset);
    const timeIndex = new TimeIndex(fs.open(paths[2]!, opts), baseOffset);
    return new Segment(baseOffset, log, index, timeIndex, paths, nowMs);
  }

  get sizeBytes(): number {
    return this.log.size();
  }

  get isEmpty(): boolean {
    return this.log.size() === 0;
  }

  /** Whether `lastOffset` can be stored with a 32-bit offset relative to this segment. */
  canHoldOffset(lastOffset: number): boolean {
    return lastOffset - this.baseOffset <= INT32_MAX;
  }

  /**
   * Appends contiguous batches (already stamped) in one write and indexes them. The caller has
   * checked every batch's CRC (produce validation, follower append, or batches it built itself).
   */
  append(records: Buffer, batches: readonly IndexedBatch[], indexIntervalBytes: number): void {
    const start = this.log.size();
    this.writes += 1;
    this.log.append(records);
    this.addVerifiedAppend(start, start + records.length);
    const added: IndexAdditions = { offsets: [], times: [] };
    for (const b of batches) this.track({ ...b, position: start + b.position }, indexIntervalBytes, added);
    for (const e of added.offsets) this.index.append(e.offset, e.position);
    for (const t of added.times) this.timeIndex.maybeAppend(t.timestamp, t.offset);
  }

  /** Kafka's indexing rule: an entry when more than `indexIntervalBytes` passed since the last. */
  private track(b: IndexedBatch, indexIntervalBytes: number, added: IndexAdditions): void {
    if (b.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = b.maxTimestamp;
      this.offsetOfMaxTimestamp = b.baseOffset;
    }
    if (this.bytesSinceIndexEntry > indexIntervalBytes) {
      added.offsets.push({ offset: b.lastOffset, position: b.position });
      if (this.maxTimestamp > this.lastTimeIndexTimestamp) {
        added.times.push({ timestamp: this.maxTimestamp, offset: this.offsetOfMaxTimestamp });
        this.lastTimeIndexTimestamp = this.maxTimestamp;
      }
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += b.size;
    this.nextOffset = b.lastOffset + 1;
  }

  /**
   * Walks batch headers from `from` to `to`, checking framing, offset order (starting at
   * `minOffset`) and, if `checkCrc`, the CRC. `visit` returns false to stop early.
   */
  scan(from: number, to: number, options: { checkCrc: boolean; minOffset: number; chunkBytes?: number }, visit: (h: BatchView) => boolean): ScanResult {
    const chunkBytes = options.chunkBytes ?? RECOVERY_CHUNK_BYTES;
    let chunk: Buffer = Buffer.alloc(0);
    let chunkStart = 0;
    let pos = from;
    let minOffset = options.minOffset;
    // One buffer for the whole scan (grown for a bigger batch), and across scans (see
    // `takeScratch`): a recovery scan reads gigabytes and every tail fetch scans from an index
    // entry, and fresh chunks kept the garbage collector busy. Views hold no buffer references.
    let backing = takeScratch();
    let lastSize = 0;
    const load = (at: number, want: number): void => {
      const window = !options.checkCrc && lastSize >= HEADER_ONLY_BATCH_BYTES_MIN ? Math.min(HEADER_WINDOW_BYTES, chunkBytes) : chunkBytes;
      const len = Math.min(Math.max(want, window), to - at);
      if (backing.length < len) backing = Buffer.allocUnsafe(len);
      const n = this.log.read(backing, 0, len, at);
      chunk = backing.subarray(0, n);
      chunkStart = at;
    };
    try {
      while (pos < to) {
        if (pos + BATCH_OVERHEAD > chunkStart + chunk.length || pos < chunkStart) load(pos, BATCH_OVERHEAD);
        const header = checkStoredBatch(chunk, pos - chunkStart, to - pos);
        if (isFramingProblem(header)) return { end: pos, problem: header };
        header.position = pos;
        if (header.baseOffset < minOffset) return { end: pos, problem: 'offset-order' };
        if (!this.canHoldOffset(lastOffsetOf(header)) || header.baseOffset < this.baseOffset) return { end: pos, problem: 'offset-range' };
        if (options.checkCrc) {
          if (pos + header.size > chunkStart + chunk.length) load(pos, header.size);
          if (!crcMatches(chunk, pos - chunkStart)) return { end: pos, problem: 'bad-crc' };
        }
        if (!visit(header)) return { end: pos };
        minOffset = lastOffsetOf(header) + 1;
        pos += header.size;
        lastSize = header.size;
      }
      return { end: pos };
    } finally {
      giveBackScratch(backing);
    }
  }

  /**
   * Full scan with CRC checks, rebuilding both indexes. With `truncateBadTail` (the active
   * segment) the file is cut at the first bad batch; otherwise (a closed segment) the bad part is
   * kept and remembered in `corruptFrom`.
   */
  rebuild(indexIntervalBytes: number, truncateBadTail: boolean): RecoveryScan {
    this.resetTracking();
    const added: IndexAdditions = { offsets: [], times: [] };
    const size = this.log.size();
    const result = this.scan(0, size, { checkCrc: true, minOffset: this.baseOffset }, (h) => {
      this.track(indexedBatchOf(h), indexIntervalBytes, added);
      return true;
    });
    this.corruptFrom = undefined;
    this.setVerified(result.end, result.end, result.end);
    const truncatedBytes = this.handleBadTail(result, size, truncateBadTail);
    this.writes += 1;
    this.index.reset(added.offsets);
    this.timeIndex.reset(added.times);
    return { ...result, truncatedBytes, scannedBytes: size };
  }

  /**
   * Recovery from a recovery point inside this segment. Offsets below `recoveryPoint` were synced
   * before the crash together with the index files (see `flush`), so the offset index entries
   * below it are trusted, and so are the time index entries written with or before the last of
   * them (an entry for a batch is written when the batch is appended; a later time index entry
   * may name an earlier offset, so the cut follows the offset index). Only the batches from that
   * last kept entry to the end are CRC-scanned and indexed; the file is cut at the first bad one.
   * Index entries past the recovery point may be torn or missing (never synced): the valid
   * prefix of each index file is kept. Returns a problem instead if the kept entry does not point
   * at its batch: the caller then rebuilds the segment from scratch.
   */
  recoverFrom(recoveryPoint: number, indexIntervalBytes: number): RecoveryScan | string {
    const size = this.log.size();
    // Entries past the recovery point may be torn or missing (never synced): keep the valid
    // prefix. Dropping a good entry only makes the scan start earlier, which is always safe.
    this.writes += 1;
    this.index.load(size, true);
    this.timeIndex.load(true);
    this.index.truncateToOffset(recoveryPoint);
    const kept = this.index.lastEntry();
    const hasKept = this.index.entryCount > 0;
    this.timeIndex.truncateToOffset(hasKept ? kept.offset + 1 : this.baseOffset);
    this.resetTracking();
    const lastTime = this.timeIndex.lastEntry();
    if (lastTime) {
      this.maxTimestamp = lastTime.timestamp;
      this.offsetOfMaxTimestamp = lastTime.offset;
      this.lastTimeIndexTimestamp = lastTime.timestamp;
    }
    const added: IndexAdditions = { offsets: [], times: [] };
    let mismatch = false;
    const result = this.scan(kept.position, size, { checkCrc: true, minOffset: this.baseOffset }, (h) => {
      const batch = indexedBatchOf(h);
      // The kept entry's own batch is already indexed: track it as if its entry was just written.
      if (hasKept && h.position === kept.position) {
        mismatch = batch.lastOffset !== kept.offset;
        this.bytesSinceIndexEntry = 0;
        this.track(batch, Number.POSITIVE_INFINITY, added);
        return !mismatch;
      }
      this.track(batch, indexIntervalBytes, added);
      return true;
    });
    if (mismatch) return `index entry (${kept.offset}, ${kept.position}) does not match the log`;
    if (hasKept && result.end === kept.position) return `index entry (${kept.offset}, ${kept.position}) points at bad data (${result.problem ?? 'end of file'})`;
    this.corruptFrom = undefined;
    this.setVerified(0, kept.position, result.end);
    const truncatedBytes = this.handleBadTail(result, size, true);
    for (const e of added.offsets) this.index.append(e.offset, e.position);
    for (const t of added.times) this.timeIndex.maybeAppend(t.timestamp, t.offset);
    return { ...result, truncatedBytes, scannedBytes: size - kept.position };
  }

  /** After a recovery scan: cuts a bad tail off (synced) or remembers where bad data starts. */
  private handleBadTail(result: ScanResult, size: number, truncateBadTail: boolean): number {
    if (result.problem === undefined) return 0;
    if (!truncateBadTail) {
      this.corruptFrom = result.end;
      return 0;
    }
    this.writes += 1;
    this.log.truncate(result.end);
    this.log.sync();
    return size - result.end;
  }

  /**
   * Loads a closed segment cheaply: both index files are checked for consistency and the batches
   * after the last index entry are scanned (with CRC). Returns a problem if the caller should
   * `rebuild` instead.
   */
  loadClosed(): string | undefined {
    const size = this.log.size();
    const indexProblem = this.index.load(size) ?? this.timeIndex.load();
    if (indexProblem) return indexProblem;
    const last = this.index.lastEntry();
    const tail = this.refreshTail(true);
    if (tail.problem) return `batch framing at position ${tail.end}: ${tail.problem}`;
    if (last.position > 0 && tail.firstLastOffset !== last.offset) return `index entry (${last.offset}, ${last.position}) does not match the log`;
    const lastTime = this.timeIndex.lastEntry();
    if (lastTime && lastTime.offset >= this.nextOffset) return 'time index points past the end of the log';
    this.setVerified(0, last.position, size);
    return undefined;
  }

  /** Bytes `loadClosed` CRC-checks: the batches after the last offset index entry. */
  get tailBytes(): number {
    return this.log.size() - this.index.lastEntry().position;
  }

  /**
   * Recomputes `nextOffset` and the max timestamp from the time index plus the batches from the
   * last offset index entry to the end.
   */
  private refreshTail(checkCrc: boolean): ScanResult & { firstLastOffset?: number } {
    this.resetTracking();
    const last = this.index.lastEntry();
    const lastTime = this.timeIndex.lastEntry();
    if (lastTime) {
      this.maxTimestamp = lastTime.timestamp;
      this.offsetOfMaxTimestamp = lastTime.offset;
      this.lastTimeIndexTimestamp = lastTime.timestamp;
    }
    let firstLastOffset: number | undefined;
    const size = this.log.size();
    const result = this.scan(last.position, size, { checkCrc, minOffset: this.baseOffset }, (h) => {
      firstLastOffset ??= lastOffsetOf(h);
      if (h.maxTimestamp > this.maxTimestamp) {
        this.maxTimestamp = h.maxTimestamp;
        this.offsetOfMaxTimestamp = h.baseOffset;
      }
      this.nextOffset = lastOffsetOf(h) + 1;
      return true;
    });
    this.bytesSinceIndexEntry = size - last.position;
    return { ...result, ...(firstLastOffset === undefined ? {} : { firstLastOffset }) };
  }

  private resetTracking(): void {
    this.nextOffset = this.baseOffset;
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = -1;
    this.bytesSinceIndexEntry = 0;
    this.lastTimeIndexTimestamp = -1;
  }

  /** Readable end of the file (stops before known corruption). */
  get readLimit(): number {
    return this.corruptFrom ?? this.log.size();
  }

  /** The first batch whose last offset is >= `offset`, or a scan problem, or undefined. */
  locate(offset: number): BatchView | ScanProblem | undefined {
    const from = this.index.lookup(offset).position;
    let found: BatchView | undefined;
    const result = this.scan(from, this.readLimit, { checkCrc: false, minOffset: 0, chunkBytes: LOCATE_CHUNK_BYTES }, (h) => {
      if (lastOffsetOf(h) < offset) return true;
      found = h;
      return false;
    });
    if (found) return found;
    if (result.problem) return result.problem;
    if (this.corruptFrom !== undefined) return 'bad-crc';
    return undefined;
  }

  /**
   * Reads whole batches starting with the one holding `fetchOffset`: at most `maxBytes` (but the
   * first batch whole if `minOneBatch`), only batches whose last offset is below `maxOffset`.
   * Every batch returned passed its CRC check (now, or earlier: see `verifiedPrefixEnd`). Undefined if
   * the segment has nothing at or after `fetchOffset`.
   */
  read(
    fetchOffset: number,
    maxBytes: number,
    maxOffset: number,
    minOneBatch: boolean,
    allocate: (length: number) => Buffer = Buffer.allocUnsafe,
  ): { records: Buffer; recordCount: number; first?: BatchView; last?: BatchView } | ScanProblem | undefined {
    const first = this.locate(fetchOffset);
    if (first === undefined || typeof first === 'string') return first;
    const empty = { records: Buffer.alloc(0), recordCount: 0 };
    if (lastOffsetOf(first) >= maxOffset) return empty;
    let len = Math.min(maxBytes, this.readLimit - first.position);
    if (len < first.size) {
      if (!minOneBatch) return empty;
      len = first.size;
    }
    const buf = allocate(len).subarray(0, len);
    const n = this.log.read(buf, 0, len, first.position);
    let at = 0;
    let recordCount = 0;
    let last: BatchView | undefined;
    while (at < n) {
      const h = checkStoredBatch(buf, at, n - at);
      if (h === 'short-header' || h === 'short-batch') break;
      if (isFramingProblem(h) || (!this.isVerified(first.position + at, h.size) && !crcMatches(buf, at))) {
        if (at === 0) return isFramingProblem(h) ? h : 'bad-crc';
        break;
      }
      if (lastOffsetOf(h) >= maxOffset) break;
      last = h;
      recordCount += h.recordCount;
      at += h.size;
    }
    this.addVerified(first.position, first.position + at);
    if (last === undefined) return empty;
    return { records: buf.subarray(0, at), recordCount, first, last };
  }

  /** The first batch whose max timestamp is >= `timestampMs`, using the time index. */
  findByTimestamp(timestampMs: number): BatchView | undefined {
    if (this.maxTimestamp < timestampMs) return undefined;
    const startOffset = this.timeIndex.lookup(timestampMs);
    const from = this.index.lookup(startOffset).position;
    let found: BatchView | undefined;
    this.scan(from, this.readLimit, { checkCrc: false, minOffset: 0, chunkBytes: LOCATE_CHUNK_BYTES }, (h) => {
      if (h.maxTimestamp < timestampMs) return true;
      found = h;
      return false;
    });
    return found;
  }

  /** Removes the batch holding `offset` and everything after it. Returns the new `nextOffset`. */
  truncateTo(offset: number): number {
    const first = this.locate(offset);
    if (first === undefined) return this.nextOffset;
    const position = typeof first === 'string' ? this.readLimit : first.position;
    const cutOffset = typeof first === 'string' ? this.nextOffset : first.baseOffset;
    this.writes += 1;
    this.log.truncate(position);
    const tailEnd = Math.min(this.verifiedTailEnd, position);
    this.setVerified(Math.min(this.verifiedPrefixEnd, position), Math.min(this.verifiedTailStart, tailEnd), tailEnd);
    this.index.truncateToPosition(position);
    this.timeIndex.truncateToOffset(cutOffset);
    if (this.corruptFrom !== undefined && this.corruptFrom >= position) this.corruptFrom = undefined;
    this.refreshTail(false);
    this.log.sync();
    return this.nextOffset;
  }

  /** Called when the segment stops being active: its final time index entry (not synced here). */
  markInactive(): void {
    this.writes += 1;
    this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
    this.lastTimeIndexTimestamp = Math.max(this.lastTimeIndexTimestamp, this.maxTimestamp);
  }

  /** Whether a file of this segment was written since the last completed `flush`. */
  get hasUnsyncedWrites(): boolean {
    return this.flushedWrites !== this.writes;
  }

  /** Syncs the log and both index files (recovery trusts index entries below the recovery point). */
  flush(): void {
    const writes = this.writes;
    this.log.sync();
    this.index.file.sync();
    this.timeIndex.file.sync();
    this.flushedWrites = Math.max(this.flushedWrites, writes);
  }

  /** `flush()` off the event loop; resolves once all three files are durable (see the header). */
  flushAsync(): Promise<void> {
    if (this.asyncFlush && this.asyncFlush.writes === this.writes) return this.asyncFlush.done;
    const writes = this.writes;
    const done = Promise.all([this.log.syncAsync(), this.index.file.syncAsync(), this.timeIndex.file.syncAsync()]).then(
      () => {
        this.flushedWrites = Math.max(this.flushedWrites, writes);
      },
      (err: unknown) => {
        if (!this.isClosed) throw err;
      },
    );
    const entry = { writes, done };
    this.asyncFlush = entry;
    const forget = (): void => {
      if (this.asyncFlush === entry) this.asyncFlush = undefined;
    };
    done.then(forget, forget);
    return done;
  }

  private isVerified(position: number, size: number): boolean {
    const end = position + size;
    return end <= this.verifiedPrefixEnd || (position >= this.verifiedTailStart && end <= this.verifiedTailEnd);
  }

  /** Sets both verified ranges, merging the tail into the prefix when they touch. */
  private setVerified(prefixEnd: number, tailStart: number, tailEnd: number): void {
    if (tailStart <= prefixEnd) {
      this.verifiedPrefixEnd = Math.max(prefixEnd, tailEnd);
      this.verifiedTailStart = this.verifiedTailEnd = this.verifiedPrefixEnd;
      return;
    }
    this.verifiedPrefixEnd = prefixEnd;
    this.verifiedTailStart = tailStart;
    this.verifiedTailEnd = Math.max(tailStart, tailEnd);
  }

  /** Bytes [start, end) were read and passed their CRC: grows the range they touch, if any. */
  private addVerified(start: number, end: number): void {
    if (end <= start) return;
    if (start <= this.verifiedPrefixEnd) this.setVerified(Math.max(this.verifiedPrefixEnd, end), this.verifiedTailStart, this.verifiedTailEnd);
    else if (start <= this.verifiedTailEnd && end >= this.verifiedTailStart) {
      this.setVerified(this.verifiedPrefixEnd, Math.min(this.verifiedTailStart, start), Math.max(this.verifiedTailEnd, end));
    }
  }

  /** Appended bytes are always verified: they extend a range ending where they start, or become the tail. */
  private addVerifiedAppend(start: number, end: number): void {
    if (start === this.verifiedPrefixEnd || start === this.verifiedTailEnd) this.addVerified(start, end);
    else this.setVerified(this.verifiedPrefixEnd, start, end);
  }

  close(): void {
    this.isClosed = true;
    this.log.close();
    this.index.file.close();
    this.timeIndex.file.close();
  }

  /** Closes and removes the segment's files. */
  delete(fs: FileSystem): void {
    this.close();
    for (const path of this.paths) fs.remove(path);
  }
}
