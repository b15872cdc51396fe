/**
 * A private reader for the record batch v2 header, just enough for storage (framing, offsets,
 * timestamps, producer fields, CRC). The protocol layer owns the full codec
 * (`broker/protocol/record-batch.ts`); this duplicate keeps storage independent of it until the
 * lead dedupes the two.
 *
 * Layout: baseOffset int64 @0, batchLength int32 @8, partitionLeaderEpoch int32 @12,
 * magic int8 @16, crc uint32 @17 (CRC-32C of bytes 21..end), attributes int16 @21,
 * lastOffsetDelta int32 @23, baseTimestamp int64 @27, maxTimestamp int64 @35,
 * producerId int64 @43, producerEpoch int16 @51, baseSequence int32 @53, recordCount int32 @57.
 * Total batch size = 12 + batchLength.
 */

import { crc32c } from '@node-rs/crc32';

export const BATCH_HEADER_SIZE = 61;
/** Bytes before `batchLength` counts: baseOffset + batchLength. */
export const BATCH_LOG_OVERHEAD = 12;
export const BATCH_MAGIC_V2 = 2;
const CRC_START = 21;
/** Attribute bit 3: timestamps are LogAppendTime. */
export const TIMESTAMP_TYPE_LOG_APPEND_TIME = 0x08;
/** Largest batch storage will accept from disk or a leader before calling the bytes corrupt. */
export const BATCH_SIZE_MAX = 64 * 1024 * 1024;

export interface BatchHeader {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** Why bytes at a position are not a batch. */
export type FramingProblem = 'short-header' | 'short-batch' | 'bad-length' | 'bad-magic' | 'bad-crc' | 'bad-offsets';

/** Reads the header at `position` without validating it; the caller ensures 61 bytes exist. */
export function readBatchHeader(buf: Buffer, position: number): BatchHeader {
  const baseOffset = Number(buf.readBigInt64BE(position));
  const lastOffsetDelta = buf.readInt32BE(position + 23);
  return {
    position,
    size: BATCH_LOG_OVERHEAD + buf.readInt32BE(position + 8),
    baseOffset,
    lastOffset: baseOffset + lastOffsetDelta,
    partitionLeaderEpoch: buf.readInt32BE(position + 12),
    magic: buf.readInt8(position + 16),
    crc: buf.readUInt32BE(position + 17),
    attributes: buf.readInt16BE(position + 21),
    lastOffsetDelta,
    baseTimestamp: Number(buf.readBigInt64BE(position + 27)),
    maxTimestamp: Number(buf.readBigInt64BE(position + 35)),
    producerId: Number(buf.readBigInt64BE(position + 43)),
    producerEpoch: buf.readInt16BE(position + 51),
    baseSequence: buf.readInt32BE(position + 53),
    recordCount: buf.readInt32BE(position + 57),
  };
}

/**
 * Checks the framing of the header at `position` in `buf` (which must hold the 61 header bytes
 * when `available` allows), where `available` bytes of data exist from `position` on (in the file
 * or buffer). Does not check the CRC.
 */
export function checkBatchHeader(buf: Buffer, position: number, available: number): BatchHeader | FramingProblem {
  if (available < BATCH_HEADER_SIZE || buf.length - position < BATCH_HEADER_SIZE) return 'short-header';
  const batchLength = buf.readInt32BE(position + 8);
  if (batchLength < BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD || batchLength > BATCH_SIZE_MAX) return 'bad-length';
  if (buf.readInt8(position + 16) !== BATCH_MAGIC_V2) return 'bad-magic';
  const header = readBatchHeader(buf, position);
  if (header.lastOffsetDelta < 0 || header.baseOffset < 0) return 'bad-offsets';
  if (available < header.size) return 'short-batch';
  return header;
}

/** Header framing plus CRC, for a batch wholly inside `buf` (valid bytes end at `end`). */
export function checkBatchAt(buf: Buffer, position: number, end: number, checkCrc: boolean): BatchHeader | FramingProblem {
  const header = checkBatchHeader(buf, position, end - position);
  if (typeof header === 'string') return header;
  if (checkCrc && !crcMatchesAt(buf, position, header.size)) return 'bad-crc';
  return header;
}

export function isFramingProblem(value: BatchHeader | FramingProblem): value is FramingProblem {
  return typeof value === 'string';
}

export function crcMatchesAt(buf: Buffer, position: number, size: number): boolean {
  const stored = buf.readUInt32BE(position + 17);
  return crc32c(buf.subarray(position + CRC_START, position + size)) === stored;
}

/** Recomputes and stores the CRC of the batch at `position` (after changing covered fields). */
export function writeCrcAt(buf: Buffer, position: number, size: number): void {
  buf.writeUInt32BE(crc32c(buf.subarray(position + CRC_START, position + size)), position + 17);
}

/** Stamps offsets and leader epoch (not covered by the CRC). */
export function stampBatch(buf: Buffer, position: number, baseOffset: number, leaderEpoch: number): void {
  buf.writeBigInt64BE(BigInt(baseOffset), position);
  buf.writeInt32BE(leaderEpoch, position + 12);
}

/** Marks a batch as LogAppendTime with `timestampMs` as its max timestamp, then fixes the CRC. */
export function stampLogAppendTime(buf: Buffer, position: number, size: number, timestampMs: number): void {
  const attributes = buf.readInt16BE(position + 21);
  buf.writeInt16BE(attributes | TIMESTAMP_TYPE_LOG_APPEND_TIME, position + 21);
  buf.writeBigInt64BE(BigInt(timestampMs), position + 35);
  writeCrcAt(buf, position, size);
}

/** Kafka's sequence arithmetic: `baseSequence + delta`, wrapping past int32 max to 0. */
export function incrementSequence(sequence: number, delta: number): number {
  if (sequence > 0x7fffffff - delta) return delta - (0x7fffffff - sequence) - 1;
  return sequence + delta;
}
