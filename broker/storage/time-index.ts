/**
 * Sparse time index of one segment (`.timeindex`): entries of (timestamp int64, relative offset
 * int32). An entry (T, X) says the largest timestamp in the segment up to offset X is T, first
 * reached by the batch at X; timestamps strictly increase. Appended alongside the offset index,
 * plus one final entry when the segment becomes inactive, so the last entry carries the segment's
 * largest timestamp. Offsets here are batch base offsets (Kafka uses the batch's last offset).
 */

import type { FileHandle } from '../io/fs.js';

export const TIME_INDEX_ENTRY_SIZE = 12;

export interface TimeEntry {
  timestamp: number;
  offset: number;
}

export class TimeIndex {
  private timestamps: number[] = [];
  private offsets: number[] = [];

  constructor(readonly file: FileHandle, readonly baseOffset: number) {}

  get entryCount(): number {
    return this.timestamps.length;
  }

  lastEntry(): TimeEntry | undefined {
    const n = this.timestamps.length;
    return n === 0 ? undefined : { timestamp: this.timestamps[n - 1]!, offset: this.offsets[n - 1]! };
  }

  /** Appends (timestamp, offset) if the timestamp is newer than the last entry. */
  maybeAppend(timestamp: number, offset: number): void {
    const n = this.timestamps.length;
    if (timestamp < 0 || (n > 0 && timestamp <= this.timestamps[n - 1]!)) return;
    if (n > 0 && offset < this.offsets[n - 1]!) throw new Error(`time index offset ${offset} before ${this.offsets[n - 1]}`);
    this.timestamps.push(timestamp);
    this.offsets.push(offset);
    this.file.append(encodeEntry(timestamp, offset - this.baseOffset));
  }

  /** The offset of the entry with the largest timestamp <= `timestamp`, or the segment base. */
  lookup(timestamp: number): number {
    let lo = 0;
    let hi = this.timestamps.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestamps[mid]! <= timestamp) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? this.baseOffset : this.offsets[found]!;
  }

  /** Drops entries at or past `offset`. */
  truncateToOffset(offset: number): void {
    let n = this.offsets.length;
    while (n > 0 && this.offsets[n - 1]! >= offset) n--;
    if (n === this.offsets.length) return;
    this.timestamps.length = n;
    this.offsets.length = n;
    this.file.truncate(n * TIME_INDEX_ENTRY_SIZE);
  }

  reset(entries: readonly TimeEntry[]): void {
    this.timestamps = entries.map((e) => e.timestamp);
    this.offsets = entries.map((e) => e.offset);
    this.file.truncate(0);
    if (entries.length > 0) this.file.append(entries.map((e) => encodeEntry(e.timestamp, e.offset - this.baseOffset)));
  }

  /**
   * Loads the file; returns a problem if it is inconsistent. With `validPrefix`, the entries from
   * the first bad one on (a torn or unsynced tail) are dropped from memory and file instead.
   */
  load(validPrefix = false): string | undefined {
    const size = this.file.size();
    if (size % TIME_INDEX_ENTRY_SIZE !== 0 && !validPrefix) return `time index size ${size} is not a multiple of ${TIME_INDEX_ENTRY_SIZE}`;
    const buf = Buffer.alloc(size);
    this.file.read(buf, 0, size, 0);
    const timestamps: number[] = [];
    const offsets: number[] = [];
    let problem: string | undefined;
    for (let at = 0; at + TIME_INDEX_ENTRY_SIZE <= size; at += TIME_INDEX_ENTRY_SIZE) {
      const timestamp = Number(buf.readBigInt64BE(at));
      const offset = this.baseOffset + buf.readInt32BE(at + 8);
      const n = timestamps.length;
      if (timestamp < 0 || offset < this.baseOffset) problem = `time index entry ${n} out of range`;
      else if (n > 0 && (timestamp <= timestamps[n - 1]! || offset < offsets[n - 1]!)) problem = `time index entry ${n} not increasing`;
      if (problem !== undefined) break;
      timestamps.push(timestamp);
      offsets.push(offset);
    }
    if (problem !== undefined && !validPrefix) return problem;
    this.timestamps = timestamps;
    this.offsets = offsets;
    if (validPrefix && size !== offsets.length * TIME_INDEX_ENTRY_SIZE) this.file.truncate(offsets.length * TIME_INDEX_ENTRY_SIZE);
    return undefined;
  }
}

function encodeEntry(timestamp: number, relativeOffset: number): Buffer {
  const buf = Buffer.alloc(TIME_INDEX_ENTRY_SIZE);
  buf.writeBigInt64BE(BigInt(timestamp), 0);
  buf.writeInt32BE(relativeOffset, 8);
  return buf;
}
