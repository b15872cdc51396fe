/**
 * Sparse offset index of one segment (`.index`): entries of (relative offset int32, file position
 * int32), one per `index.interval.bytes` of appended data, pointing at a batch; the offset is that
 * batch's last offset, as in Kafka. Held in memory (small: 8 bytes per entry) and appended to its
 * file as it grows. The file is synced with its log whenever the log's recovery point advances:
 * recovery trusts the entries below the recovery point (see `Segment.recoverFrom`) and rebuilds
 * the rest.
 */

import type { FileHandle } from '../io/fs.js';

export const OFFSET_INDEX_ENTRY_SIZE = 8;

export interface IndexPosition {
  offset: number;
  position: number;
}

export class OffsetIndex {
  private offsets: number[] = [];
  private positions: number[] = [];

  constructor(readonly file: FileHandle, readonly baseOffset: number) {}

  get entryCount(): number {
    return this.offsets.length;
  }

  get sizeBytes(): number {
    return this.offsets.length * OFFSET_INDEX_ENTRY_SIZE;
  }

  isFull(indexBytesMax: number): boolean {
    return (this.offsets.length + 1) * OFFSET_INDEX_ENTRY_SIZE > indexBytesMax;
  }

  lastEntry(): IndexPosition {
    const n = this.offsets.length;
    return n === 0 ? { offset: this.baseOffset, position: 0 } : { offset: this.offsets[n - 1]!, position: this.positions[n - 1]! };
  }

  /** Adds an entry in memory and in the file. Offsets and positions must increase. */
  append(offset: number, position: number): void {
    const last = this.offsets.length - 1;
    if (last >= 0 && (offset <= this.offsets[last]! || position <= this.positions[last]!)) {
      throw new Error(`offset index entry (${offset}, ${position}) not after (${this.offsets[last]}, ${this.positions[last]})`);
    }
    this.offsets.push(offset);
    this.positions.push(position);
    this.file.append(encodeEntry(offset - this.baseOffset, position));
  }

  /** The entry with the largest offset <= `offset`, or the segment start. */
  lookup(offset: number): IndexPosition {
    let lo = 0;
    let hi = this.offsets.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.offsets[mid]! <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? { offset: this.baseOffset, position: 0 } : { offset: this.offsets[found]!, position: this.positions[found]! };
  }

  /** Drops entries pointing at or past `position` (the log was truncated there). */
  truncateToPosition(position: number): void {
    let n = this.positions.length;
    while (n > 0 && this.positions[n - 1]! >= position) n--;
    if (n === this.positions.length) return;
    this.offsets.length = n;
    this.positions.length = n;
    this.file.truncate(n * OFFSET_INDEX_ENTRY_SIZE);
  }

  /** Drops entries whose offset is `offset` or more (they point at data recovery must re-check). */
  truncateToOffset(offset: number): void {
    let n = this.offsets.length;
    while (n > 0 && this.offsets[n - 1]! >= offset) n--;
    if (n === this.offsets.length) return;
    this.offsets.length = n;
    this.positions.length = n;
    this.file.truncate(n * OFFSET_INDEX_ENTRY_SIZE);
  }

  /** Replaces the content (memory and file) with `entries`. */
  reset(entries: readonly IndexPosition[]): void {
    this.offsets = entries.map((e) => e.offset);
    this.positions = entries.map((e) => e.position);
    this.file.truncate(0);
    if (entries.length > 0) this.file.append(entries.map((e) => encodeEntry(e.offset - this.baseOffset, e.position)));
  }

  /**
   * Loads the file; returns a problem if it is not a consistent index for a log of `logSize`
   * bytes (then the caller rebuilds it from the log). With `validPrefix`, the entries from the
   * first bad one on (a torn or unsynced tail) are dropped from memory and file instead.
   */
  load(logSize: number, validPrefix = false): string | undefined {
    const size = this.file.size();
    if (size % OFFSET_INDEX_ENTRY_SIZE !== 0 && !validPrefix) return `index size ${size} is not a multiple of ${OFFSET_INDEX_ENTRY_SIZE}`;
    const buf = Buffer.alloc(size);
    this.file.read(buf, 0, size, 0);
    const offsets: number[] = [];
    const positions: number[] = [];
    let problem: string | undefined;
    for (let at = 0; at + OFFSET_INDEX_ENTRY_SIZE <= size; at += OFFSET_INDEX_ENTRY_SIZE) {
      const relative = buf.readInt32BE(at);
      const position = buf.readInt32BE(at + 4);
      const n = offsets.length;
      if (relative < 0 || position <= 0 || position >= logSize) problem = `index entry ${n} (${relative}, ${position}) out of range`;
      else if (n > 0 && (this.baseOffset + relative <= offsets[n - 1]! || position <= positions[n - 1]!)) problem = `index entry ${n} not increasing`;
      if (problem !== undefined) break;
      offsets.push(this.baseOffset + relative);
      positions.push(position);
    }
    if (problem !== undefined && !validPrefix) return problem;
    this.offsets = offsets;
    this.positions = positions;
    if (validPrefix && size !== offsets.length * OFFSET_INDEX_ENTRY_SIZE) this.file.truncate(offsets.length * OFFSET_INDEX_ENTRY_SIZE);
    return undefined;
  }
}

function encodeEntry(relativeOffset: number, position: number): Buffer {
  const buf = Buffer.alloc(OFFSET_INDEX_ENTRY_SIZE);
  buf.writeInt32BE(relativeOffset, 0);
  buf.writeInt32BE(position, 4);
  return buf;
}
