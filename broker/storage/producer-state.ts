/**
 * Idempotent producer state of one partition: for every producer id, its epoch and the sequence
 * and offset ranges of its last 5 batches (Kafka keeps 5 because a producer has at most 5
 * requests in flight).
 *
 * Pure: no I/O. The `Log` decides when to snapshot (segment roll, close) and replays the log tail
 * after the snapshot on open, calling `update` for each batch in offset order.
 *
 * Rules (Kafka's, for appends from a client as leader):
 * - producerId -1 (or a batch with no sequence) bypasses all checks.
 * - epoch lower than the known one -> INVALID_PRODUCER_EPOCH.
 * - an exact (epoch, firstSeq, lastSeq) match of a cached batch -> duplicate, with its offsets.
 * - a newer epoch must start at sequence 0 (unless the producer's state was lost: then any).
 * - same epoch: firstSeq must be lastSeq + 1 (int32 wrap to 0), else OUT_OF_ORDER_SEQUENCE_NUMBER.
 * - an unknown producer (never seen, or removed by retention) may start at any sequence, as in
 *   Kafka since KIP-360; so UNKNOWN_PRODUCER_ID is not returned from here.
 *
 * Snapshot file format (`<20-digit offset>.snapshot`, big-endian):
 *     magic 'TPS1' (4) | crc32c uint32 of the rest (4) | version int16 = 1 | offset int64 |
 *     producerCount int32 | per producer: producerId int64, producerEpoch int16,
 *     lastTimestamp int64, batchCount int8, per batch: firstSeq int32, lastSeq int32,
 *     firstOffset int64, lastOffset int64
 * `offset` is the log end offset the state covers (replay starts there).
 */

import { crc32c } from '@node-rs/crc32';
import { incrementSequence } from '../protocol/record-batch.js';
import { INVALID_PRODUCER_EPOCH, OUT_OF_ORDER_SEQUENCE_NUMBER } from './error-codes.js';

export const PRODUCER_BATCHES_MAX = 5;
const SNAPSHOT_MAGIC = 'TPS1';
const SNAPSHOT_VERSION = 1;
const INT32_MAX = 0x7fffffff;

export interface BatchSequence {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
}

export interface ProducerEntry {
  producerId: number;
  producerEpoch: number;
  lastTimestamp: number;
  /** Oldest first, at most PRODUCER_BATCHES_MAX. */
  batches: BatchSequence[];
}

/** What the check needs from a batch. */
export interface ProducerBatchInfo {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  lastOffsetDelta: number;
}

/** A batch written to the log, for `update`. */
export interface ProducerAppend extends ProducerBatchInfo {
  firstOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

export type SequenceCheck =
  | { kind: 'ok' }
  | { kind: 'duplicate'; batchIndex: number; firstOffset: number; lastOffset: number }
  | { kind: 'error'; batchIndex: number; errorCode: number; message: string };

export function isIdempotent(batch: ProducerBatchInfo): boolean {
  return batch.producerId >= 0 && batch.baseSequence >= 0;
}

export function isInSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

interface Pending {
  producerEpoch: number;
  lastSeq: number | undefined;
}

export class ProducerStateManager {
  private readonly producers = new Map<number, ProducerEntry>();

  get size(): number {
    return this.producers.size;
  }

  get(producerId: number): Readonly<ProducerEntry> | undefined {
    return this.producers.get(producerId);
  }

  entries(): IterableIterator<Readonly<ProducerEntry>> {
    return this.producers.values();
  }

  /**
   * Checks batches about to be appended together, in order, as if earlier ones were already
   * written. The first duplicate or error decides the answer for the whole append.
   */
  check(batches: readonly ProducerBatchInfo[]): SequenceCheck {
    const pending = new Map<number, Pending>();
    for (let i = 0; i < batches.length; i++) {
      const batch = batches[i]!;
      if (!isIdempotent(batch)) continue;
      const entry = this.producers.get(batch.producerId);
      const lastSeq = incrementSequence(batch.baseSequence, batch.lastOffsetDelta);
      const known = pending.get(batch.producerId) ?? (entry && { producerEpoch: entry.producerEpoch, lastSeq: entry.batches.at(-1)?.lastSeq });
      if (known && batch.producerEpoch < known.producerEpoch) {
        return { kind: 'error', batchIndex: i, errorCode: INVALID_PRODUCER_EPOCH, message: `producer ${batch.producerId} epoch ${batch.producerEpoch} is older than ${known.producerEpoch}` };
      }
      if (!pending.has(batch.producerId) && entry && entry.producerEpoch === batch.producerEpoch) {
        const dup = entry.batches.find((b) => b.firstSeq === batch.baseSequence && b.lastSeq === lastSeq);
        if (dup) return { kind: 'duplicate', batchIndex: i, firstOffset: dup.firstOffset, lastOffset: dup.lastOffset };
      }
      const problem = sequenceProblem(known, batch);
      if (problem) return { kind: 'error', batchIndex: i, errorCode: OUT_OF_ORDER_SEQUENCE_NUMBER, message: problem };
      pending.set(batch.producerId, { producerEpoch: batch.producerEpoch, lastSeq });
    }
    return { kind: 'ok' };
  }

  /** Records a batch that is in the log (leader append, follower append or replay). */
  update(batch: ProducerAppend): void {
    if (!isIdempotent(batch)) return;
    let entry = this.producers.get(batch.producerId);
    if (!entry) {
      entry = { producerId: batch.producerId, producerEpoch: batch.producerEpoch, lastTimestamp: batch.maxTimestamp, batches: [] };
      this.producers.set(batch.producerId, entry);
    }
    if (entry.producerEpoch !== batch.producerEpoch) {
      entry.producerEpoch = batch.producerEpoch;
      entry.batches = [];
    }
    entry.batches.push({
      firstSeq: batch.baseSequence,
      lastSeq: incrementSequence(batch.baseSequence, batch.lastOffsetDelta),
      firstOffset: batch.firstOffset,
      lastOffset: batch.lastOffset,
    });
    if (entry.batches.length > PRODUCER_BATCHES_MAX) entry.batches.shift();
    entry.lastTimestamp = Math.max(entry.lastTimestamp, batch.maxTimestamp);
  }

  /** Forgets producers whose last batch is below the log start offset (deleted by retention). */
  removeBefore(logStartOffset: number): void {
    for (const [id, entry] of this.producers) {
      const last = entry.batches.at(-1);
      if (!last || last.lastOffset < logStartOffset) this.producers.delete(id);
    }
  }

  /** Forgets producers idle for longer than `expirationMs` (producer.id.expiration.ms). */
  removeExpired(nowMs: number, expirationMs: number): void {
    for (const [id, entry] of this.producers) {
      if (nowMs - entry.lastTimestamp > expirationMs) this.producers.delete(id);
    }
  }

  clear(): void {
    this.producers.clear();
  }

  encodeSnapshot(offset: number): Buffer {
    const list = [...this.producers.values()];
    const size = 4 + 4 + 2 + 8 + 4 + list.reduce((sum, e) => sum + 19 + e.batches.length * 24, 0);
    const buf = Buffer.alloc(size);
    buf.write(SNAPSHOT_MAGIC, 0, 'latin1');
    let at = 8;
    at = buf.writeInt16BE(SNAPSHOT_VERSION, at);
    at = buf.writeBigInt64BE(BigInt(offset), at);
    at = buf.writeInt32BE(list.length, at);
    for (const e of list) {
      at = buf.writeBigInt64BE(BigInt(e.producerId), at);
      at = buf.writeInt16BE(e.producerEpoch, at);
      at = buf.writeBigInt64BE(BigInt(e.lastTimestamp), at);
      at = buf.writeInt8(e.batches.length, at);
      for (const b of e.batches) {
        at = buf.writeInt32BE(b.firstSeq, at);
        at = buf.writeInt32BE(b.lastSeq, at);
        at = buf.writeBigInt64BE(BigInt(b.firstOffset), at);
        at = buf.writeBigInt64BE(BigInt(b.lastOffset), at);
      }
    }
    buf.writeUInt32BE(crc32c(buf.subarray(8)), 4);
    return buf;
  }

  /** Decodes a snapshot; returns the state and its offset, or a problem description. */
  static decodeSnapshot(buf: Buffer): { state: ProducerStateManager; offset: number } | string {
    if (buf.length < 22 || buf.toString('latin1', 0, 4) !== SNAPSHOT_MAGIC) return 'not a producer snapshot';
    if (crc32c(buf.subarray(8)) !== buf.readUInt32BE(4)) return 'producer snapshot CRC mismatch';
    if (buf.readInt16BE(8) !== SNAPSHOT_VERSION) return `unknown producer snapshot version ${buf.readInt16BE(8)}`;
    const offset = Number(buf.readBigInt64BE(10));
    const count = buf.readInt32BE(18);
    const state = new ProducerStateManager();
    let at = 22;
    try {
      for (let i = 0; i < count; i++) {
        const entry: ProducerEntry = {
          producerId: Number(buf.readBigInt64BE(at)),
          producerEpoch: buf.readInt16BE(at + 8),
          lastTimestamp: Number(buf.readBigInt64BE(at + 10)),
          batches: [],
        };
        const batchCount = buf.readInt8(at + 18);
        at += 19;
        for (let j = 0; j < batchCount; j++) {
          entry.batches.push({
            firstSeq: buf.readInt32BE(at),
            lastSeq: buf.readInt32BE(at + 4),
            firstOffset: Number(buf.readBigInt64BE(at + 8)),
            lastOffset: Number(buf.readBigInt64BE(at + 16)),
          });
          at += 24;
        }
        state.producers.set(entry.producerId, entry);
      }
    } catch {
      return 'producer snapshot truncated';
    }
    if (at !== buf.length) return 'producer snapshot has trailing bytes';
    return { state, offset };
  }
}

function sequenceProblem(known: Pending | undefined, batch: ProducerBatchInfo): string | undefined {
  if (!known) return undefined;
  if (batch.producerEpoch !== known.producerEpoch) {
    if (batch.baseSequence !== 0 && known.lastSeq !== undefined) {
      return `producer ${batch.producerId} new epoch ${batch.producerEpoch} must start at sequence 0, got ${batch.baseSequence}`;
    }
    return undefined;
  }
  if (known.lastSeq === undefined || isInSequence(known.lastSeq, batch.baseSequence)) return undefined;
  return `producer ${batch.producerId} epoch ${batch.producerEpoch}: expected sequence ${incrementSequence(known.lastSeq, 1)}, got ${batch.baseSequence}`;
}
