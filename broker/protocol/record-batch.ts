// Record batch v2 (magic 2) framing: header views, produce-time validation, framing checks of
// stored bytes, offset/epoch/time stamping, CRC-32C, scanning, and Kafka's sequence arithmetic.
//
// This is the broker's hot path, so nothing here looks at individual records or decompresses:
// everything is read from, or written into, the fixed 61-byte batch header. Record-level work lives
// in records.ts (client side).
//
// Numbers: int64 header fields (offsets, timestamps, producer ids) are read as JS `number` as
// hi * 2^32 + lo, exact while |value| <= 2^53 (architecture.md: convert to bigint only at the wire
// edge of messages, never here). validateBatches rejects batches whose timestamps or producer id
// are outside that range, so every view of a batch that passed validation is exact.
//
// CRC: CRC-32C (Castagnoli) over attributes..end of batch. baseOffset, batchLength and
// partitionLeaderEpoch sit before the CRC'd span, which is why setBaseOffset and
// setPartitionLeaderEpoch need no CRC rewrite; setLogAppendTime changes covered bytes and does.
//
// Departures from Kafka (deliberate):
// - validateBatches rejects trailing bytes that do not form a complete batch (CORRUPT_MESSAGE);
//   Kafka's produce path silently drops a partial trailing batch.
// - Compressed batches are not opened, so recordCount / lastOffsetDelta of a compressed batch are
//   trusted after the header consistency checks (Kafka decompresses and checks every record).
// - Timestamps or producer ids beyond +-2^53 are rejected (INVALID_TIMESTAMP / INVALID_RECORD).
//
// Errors: programmer errors (reading past a buffer you were told holds a batch) throw; bad bytes
// from a client come back as a Kafka error code, bad stored bytes as a FramingProblem (storage
// decides what to do: truncate, report, answer CORRUPT_MESSAGE), never as an exception.

import { crc32c } from '@node-rs/crc32';

/** Kafka error codes this module answers with (the same numbers as errors.ts's ErrorCode). */
export const RecordErrorCode = {
  CORRUPT_MESSAGE: 2,
  MESSAGE_TOO_LARGE: 10,
  RECORD_LIST_TOO_LARGE: 18,
  INVALID_TIMESTAMP: 32,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  INVALID_RECORD: 87,
} as const;

export const MAGIC_V2 = 2;

// Header field offsets, relative to the batch's first byte.
export const BASE_OFFSET_OFFSET = 0; // int64
export const BATCH_LENGTH_OFFSET = 8; // int32: bytes after this field
export const PARTITION_LEADER_EPOCH_OFFSET = 12; // int32
export const MAGIC_OFFSET = 16; // int8 (same position in magic 0/1 message sets)
export const CRC_OFFSET = 17; // uint32
export const ATTRIBUTES_OFFSET = 21; // int16; CRC covers from here to the end
export const LAST_OFFSET_DELTA_OFFSET = 23; // int32
export const BASE_TIMESTAMP_OFFSET = 27; // int64
export const MAX_TIMESTAMP_OFFSET = 35; // int64
export const PRODUCER_ID_OFFSET = 43; // int64
export const PRODUCER_EPOCH_OFFSET = 51; // int16
export const BASE_SEQUENCE_OFFSET = 53; // int32
export const RECORDS_COUNT_OFFSET = 57; // int32
export const RECORDS_OFFSET = 61;

/** Bytes of a batch before its records. */
export const BATCH_OVERHEAD = 61;
/** baseOffset + batchLength: the part of a batch that batchLength does not count. */
export const LOG_OVERHEAD = 12;
/** Smallest possible encoded record (length, attributes, deltas, null key/value, no headers). */
export const MIN_RECORD_BYTES = 7;

// Attribute bits.
export const COMPRESSION_MASK = 0x07;
export const TIMESTAMP_TYPE_BIT = 0x08;
export const TRANSACTIONAL_BIT = 0x10;
export const CONTROL_BIT = 0x20;

export const TimestampType = { CreateTime: 0, LogAppendTime: 1 } as const;
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType];

const TWO_POW_32 = 0x1_0000_0000;

export interface BatchView {
  /** Where the batch starts in the buffer it was read from. */
  position: number;
  /** Whole batch in bytes (batchLength + LOG_OVERHEAD). */
  size: number;
  baseOffset: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  /** Attribute bits 0-2; 5-7 never pass validateBatches. */
  compression: number;
  timestampType: TimestampType;
  isTransactional: boolean;
  isControl: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export interface BatchLimits {
  /** Largest accepted batch (topic `max.message.bytes`); bigger gives MESSAGE_TOO_LARGE. */
  maxBatchBytes: number;
  /** Largest accepted record set (Kafka: the segment size); bigger gives RECORD_LIST_TOO_LARGE. */
  maxRecordsBytes?: number;
  /** Produce v3+ carries exactly one batch per partition; Kafka answers INVALID_RECORD otherwise. */
  requireSingleBatch?: boolean;
}

export interface ValidBatches {
  ok: true;
  batches: BatchView[];
  /** Sum of recordCount over the batches. */
  recordCount: number;
  /** Offsets the batches occupy when stamped back to back (sum of lastOffsetDelta + 1). */
  offsetCount: number;
  /** Offset delta of the last record from the first batch's base offset (offsetCount - 1). */
  lastOffsetDelta: number;
  /** Largest maxTimestamp over the batches. */
  maxTimestamp: number;
  /** Index in `batches` of the (first) batch holding maxTimestamp. */
  maxTimestampBatchIndex: number;
}

export interface InvalidBatches {
  ok: false;
  errorCode: number;
  message: string;
}

export type BatchValidation = ValidBatches | InvalidBatches;

// ---- reading ----

/** Reads a big-endian int64 as a `number` (exact within +-2^53). */
export function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * TWO_POW_32 + buf.readUInt32BE(at + 4);
}

/** Writes a safe-integer `number` as a big-endian int64; asserts it is a safe integer. */
export function writeInt64(buf: Buffer, at: number, value: number): void {
  assertSafeInteger(value, 'int64 field');
  const hi = Math.floor(value / TWO_POW_32);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(value - hi * TWO_POW_32, at + 4);
}

/** The header of the batch at `position`. Throws RangeError if fewer than 61 bytes remain. */
export function readBatchView(buf: Buffer, position: number): BatchView {
  if (buf.length - position < BATCH_OVERHEAD) {
    throw new RangeError(`readBatchView: need ${BATCH_OVERHEAD} bytes at ${position}, buffer has ${buf.length}`);
  }
  const attributes = buf.readInt16BE(position + ATTRIBUTES_OFFSET);
  return {
    position,
    size: buf.readInt32BE(position + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD,
    baseOffset: readInt64(buf, position + BASE_OFFSET_OFFSET),
    partitionLeaderEpoch: buf.readInt32BE(position + PARTITION_LEADER_EPOCH_OFFSET),
    magic: buf.readInt8(position + MAGIC_OFFSET),
    crc: buf.readUInt32BE(position + CRC_OFFSET),
    attributes,
    compression: attributes & COMPRESSION_MASK,
    timestampType: (attributes & TIMESTAMP_TYPE_BIT) !== 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    isTransactional: (attributes & TRANSACTIONAL_BIT) !== 0,
    isControl: (attributes & CONTROL_BIT) !== 0,
    lastOffsetDelta: buf.readInt32BE(position + LAST_OFFSET_DELTA_OFFSET),
    baseTimestamp: readInt64(buf, position + BASE_TIMESTAMP_OFFSET),
    maxTimestamp: readInt64(buf, position + MAX_TIMESTAMP_OFFSET),
    producerId: readInt64(buf, position + PRODUCER_ID_OFFSET),
    producerEpoch: buf.readInt16BE(position + PRODUCER_EPOCH_OFFSET),
    baseSequence: buf.readInt32BE(position + BASE_SEQUENCE_OFFSET),
    recordCount: buf.readInt32BE(position + RECORDS_COUNT_OFFSET),
  };
}

/** Offset of the batch's last record. */
export function lastOffsetOf(view: BatchView): number {
  return view.baseOffset + view.lastOffsetDelta;
}

/** The offset the next batch gets. */
export function nextOffsetOf(view: BatchView): number {
  return view.baseOffset + view.lastOffsetDelta + 1;
}

export function hasProducerId(view: BatchView): boolean {
  return view.producerId >= 0;
}

// ---- CRC ----

/** CRC-32C of the span the batch's crc field covers; the batch must be complete in `buf`. */
export function computeBatchCrc(buf: Buffer, position: number): number {
  const end = position + buf.readInt32BE(position + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
  return crc32c(buf.subarray(position + ATTRIBUTES_OFFSET, end)) >>> 0;
}

/** True if the batch at `position` is complete in `buf` and its stored CRC matches its bytes. */
export function crcMatches(buf: Buffer, position: number): boolean {
  if (position < 0 || buf.length - position < BATCH_OVERHEAD) return false;
  const batchLength = buf.readInt32BE(position + BATCH_LENGTH_OFFSET);
  if (batchLength < BATCH_OVERHEAD - LOG_OVERHEAD || batchLength > buf.length - position - LOG_OVERHEAD) return false;
  return computeBatchCrc(buf, position) === buf.readUInt32BE(position + CRC_OFFSET);
}

// ---- stamping (the broker's writes into a validated batch) ----

/** Sets baseOffset. Outside the CRC'd span: the CRC stays valid. */
export function setBaseOffset(buf: Buffer, position: number, offset: number): void {
  writeInt64(buf, position + BASE_OFFSET_OFFSET, offset);
}

/** Sets partitionLeaderEpoch. Outside the CRC'd span: the CRC stays valid. */
export function setPartitionLeaderEpoch(buf: Buffer, position: number, epoch: number): void {
  buf.writeInt32BE(epoch, position + PARTITION_LEADER_EPOCH_OFFSET);
}

/**
 * Marks the batch LogAppendTime and sets maxTimestamp to `timestampMs` (readers then report that
 * timestamp for every record, as in Kafka; baseTimestamp and the record deltas are left alone).
 * Rewrites the CRC.
 */
export function setLogAppendTime(buf: Buffer, position: number, timestampMs: number): void {
  const attributes = buf.readInt16BE(position + ATTRIBUTES_OFFSET);
  buf.writeInt16BE(attributes | TIMESTAMP_TYPE_BIT, position + ATTRIBUTES_OFFSET);
  writeInt64(buf, position + MAX_TIMESTAMP_OFFSET, timestampMs);
  writeBatchCrc(buf, position);
}

/** Recomputes and stores the CRC of the complete batch at `position`. */
export function writeBatchCrc(buf: Buffer, position: number): void {
  buf.writeUInt32BE(computeBatchCrc(buf, position), position + CRC_OFFSET);
}

// ---- produce-time validation ----

/**
 * Checks that `records` (a produce request's partition data) is exactly a sequence of complete,
 * well-formed v2 batches that a client may write. Never throws on bad input; O(batches) plus one
 * CRC pass over the bytes.
 */
export function validateBatches(records: Buffer, limits: BatchLimits): BatchValidation {
  if (limits.maxRecordsBytes !== undefined && records.length > limits.maxRecordsBytes) {
    return invalid(
      RecordErrorCode.RECORD_LIST_TOO_LARGE,
      `record set of ${records.length} bytes exceeds the limit of ${limits.maxRecordsBytes}`,
    );
  }
  if (records.length === 0) return invalid(RecordErrorCode.INVALID_RECORD, 'record set is empty');
  const batches: BatchView[] = [];
  let position = 0;
  while (position < records.length) {
    const checked = checkBatchAt(records, position, limits);
    if ('ok' in checked) return checked;
    batches.push(checked);
    position += checked.size;
  }
  if (limits.requireSingleBatch === true && batches.length !== 1) {
    return invalid(RecordErrorCode.INVALID_RECORD, `expected exactly one record batch, got ${batches.length}`);
  }
  return summarize(batches);
}

function summarize(batches: BatchView[]): ValidBatches {
  let recordCount = 0;
  let offsetCount = 0;
  let maxTimestamp = -1;
  let maxTimestampBatchIndex = 0;
  for (let i = 0; i < batches.length; i++) {
    const view = batches[i]!;
    recordCount += view.recordCount;
    offsetCount += view.lastOffsetDelta + 1;
    if (i === 0 || view.maxTimestamp > maxTimestamp) {
      maxTimestamp = view.maxTimestamp;
      maxTimestampBatchIndex = i;
    }
  }
  return { ok: true, batches, recordCount, offsetCount, lastOffsetDelta: offsetCount - 1, maxTimestamp, maxTimestampBatchIndex };
}

/** The view of the batch at `position` if a client may write it; otherwise why not. */
function checkBatchAt(buf: Buffer, position: number, limits: BatchLimits): BatchView | InvalidBatches {
  const remaining = buf.length - position;
  const where = `batch at byte ${position}`;
  if (remaining <= MAGIC_OFFSET) {
    return invalid(RecordErrorCode.CORRUPT_MESSAGE, `${where}: ${remaining} trailing bytes, too few for a batch header`);
  }
  const magic = buf.readInt8(position + MAGIC_OFFSET);
  if (magic === 0 || magic === 1) {
    return invalid(
      RecordErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
      `${where}: message format v${magic} (magic ${magic}) is not supported; only record batch v2 (magic 2), used by produce v3+ clients`,
    );
  }
  if (magic !== MAGIC_V2) return invalid(RecordErrorCode.CORRUPT_MESSAGE, `${where}: unknown magic ${magic}`);
  const framing = checkFraming(buf, position, limits);
  if (framing !== null) return framing;
  if (!crcMatches(buf, position)) {
    return invalid(RecordErrorCode.CORRUPT_MESSAGE, `${where}: CRC-32C mismatch`);
  }
  const view = readBatchView(buf, position);
  return checkHeaderFields(view, where) ?? view;
}

function checkFraming(buf: Buffer, position: number, limits: BatchLimits): InvalidBatches | null {
  const where = `batch at byte ${position}`;
  const remaining = buf.length - position;
  if (remaining < BATCH_OVERHEAD) {
    return invalid(RecordErrorCode.CORRUPT_MESSAGE, `${where}: ${remaining} bytes, less than the ${BATCH_OVERHEAD}-byte header`);
  }
  const size = buf.readInt32BE(position + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
  if (size < BATCH_OVERHEAD) {
    return invalid(RecordErrorCode.CORRUPT_MESSAGE, `${where}: batchLength says ${size} bytes, less than the header`);
  }
  if (size > remaining) {
    return invalid(RecordErrorCode.CORRUPT_MESSAGE, `${where}: batchLength says ${size} bytes but only ${remaining} remain`);
  }
  if (size > limits.maxBatchBytes) {
    return invalid(RecordErrorCode.MESSAGE_TOO_LARGE, `${where}: ${size} bytes exceeds the limit of ${limits.maxBatchBytes}`);
  }
  return null;
}

function checkHeaderFields(view: BatchView, where: string): InvalidBatches | null {
  const bad = (code: number, why: string) => invalid(code, `${where}: ${why}`);
  if (view.compression > 4) return bad(RecordErrorCode.CORRUPT_MESSAGE, `unknown compression codec ${view.compression}`);
  if (view.isControl) return bad(RecordErrorCode.INVALID_RECORD, 'clients may not write control batches');
  if (view.recordCount < 1) return bad(RecordErrorCode.INVALID_RECORD, `record count ${view.recordCount} is not positive`);
  if (view.lastOffsetDelta !== view.recordCount - 1) {
    return bad(RecordErrorCode.INVALID_RECORD, `lastOffsetDelta ${view.lastOffsetDelta} does not match record count ${view.recordCount}`);
  }
  if (view.compression === 0 && view.recordCount > (view.size - BATCH_OVERHEAD) / MIN_RECORD_BYTES) {
    return bad(RecordErrorCode.CORRUPT_MESSAGE, `record count ${view.recordCount} cannot fit in ${view.size - BATCH_OVERHEAD} bytes`);
  }
  if (!Number.isSafeInteger(view.baseTimestamp) || !Number.isSafeInteger(view.maxTimestamp)) {
    return bad(RecordErrorCode.INVALID_TIMESTAMP, 'timestamp outside +-2^53 ms');
  }
  if (!Number.isSafeInteger(view.producerId)) return bad(RecordErrorCode.INVALID_RECORD, 'producer id outside +-2^53');
  if (view.producerId >= 0 && view.baseSequence < 0) {
    return bad(RecordErrorCode.INVALID_RECORD, `producer id ${view.producerId} with invalid base sequence ${view.baseSequence}`);
  }
  if (view.isTransactional && view.producerId < 0) {
    return bad(RecordErrorCode.INVALID_RECORD, 'transactional batch without a producer id');
  }
  return null;
}

function invalid(errorCode: number, message: string): InvalidBatches {
  return { ok: false, errorCode, message };
}

// ---- checking stored bytes (segment recovery and reads, follower appends) ----

/**
 * Why the bytes at a position are not a stored batch: fewer than 61 header bytes ('short-header'),
 * batchLength shorter than the header or above STORED_BATCH_LENGTH_MAX ('bad-length'), magic not 2
 * ('bad-magic'), a negative baseOffset or lastOffsetDelta ('bad-offsets'), batchLength running past
 * the data ('short-batch'), or, for callers that also check it, a CRC mismatch ('bad-crc').
 */
export type FramingProblem = 'short-header' | 'short-batch' | 'bad-length' | 'bad-magic' | 'bad-crc' | 'bad-offsets';

/** Largest batchLength (bytes) storage accepts from disk or a leader before calling the bytes corrupt. */
export const STORED_BATCH_LENGTH_MAX = 64 * 1024 * 1024;

/**
 * The view of the batch at `position` if its framing is sound, else the first problem in the order
 * listed on FramingProblem. `available` is how many bytes of data exist from `position` on, which
 * may be more than `buf` holds (a chunk of a segment file): the header must be in `buf`, the rest
 * only within `available`. Does not check the CRC (crcMatches does). Never throws on bad bytes.
 */
export function checkStoredBatch(buf: Buffer, position: number, available = buf.length - position): BatchView | FramingProblem {
  if (available < BATCH_OVERHEAD || buf.length - position < BATCH_OVERHEAD) return 'short-header';
  const batchLength = buf.readInt32BE(position + BATCH_LENGTH_OFFSET);
  if (batchLength < BATCH_OVERHEAD - LOG_OVERHEAD || batchLength > STORED_BATCH_LENGTH_MAX) return 'bad-length';
  if (buf.readInt8(position + MAGIC_OFFSET) !== MAGIC_V2) return 'bad-magic';
  const view = readBatchView(buf, position);
  if (view.lastOffsetDelta < 0 || view.baseOffset < 0) return 'bad-offsets';
  if (available < view.size) return 'short-batch';
  return view;
}

export function isFramingProblem(value: BatchView | FramingProblem): value is FramingProblem {
  return typeof value === 'string';
}

// ---- scanning (fetch responses, client-side decoding; storage uses checkStoredBatch) ----

export interface ScanOptions {
  /** Verify each batch's CRC (recovery: yes; fetch of trusted bytes: no). Default false. */
  checkCrc?: boolean;
  /** Stop after this many batches. */
  maxBatches?: number;
}

export interface ScanResult {
  batches: BatchView[];
  /** Bytes from `start` to the end of the last complete, valid batch. */
  validBytes: number;
  /**
   * Why scanning stopped: 'end' (bytes ran out exactly at a batch boundary, or maxBatches reached),
   * 'partial' (a trailing batch is incomplete), 'corrupt' (bad magic, length or CRC).
   */
  stop: 'end' | 'partial' | 'corrupt';
  /** For 'partial' and 'corrupt': what was found at `start + validBytes`. */
  reason?: string;
}

/** Walks complete batches from `start`; never throws on bad bytes. */
export function scanBatches(buf: Buffer, start = 0, options: ScanOptions = {}): ScanResult {
  const batches: BatchView[] = [];
  const maxBatches = options.maxBatches ?? Infinity;
  let position = start;
  const result = (stop: ScanResult['stop'], reason?: string): ScanResult =>
    reason === undefined ? { batches, validBytes: position - start, stop } : { batches, validBytes: position - start, stop, reason };
  while (position < buf.length && batches.length < maxBatches) {
    const remaining = buf.length - position;
    if (remaining <= MAGIC_OFFSET) return result('partial', `${remaining} bytes of a batch header`);
    const magic = buf.readInt8(position + MAGIC_OFFSET);
    const size = buf.readInt32BE(position + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
    if (magic !== MAGIC_V2) return result('corrupt', `magic ${magic} at byte ${position}`);
    if (size < BATCH_OVERHEAD) return result('corrupt', `batchLength ${size - LOG_OVERHEAD} at byte ${position}`);
    if (size > remaining) return result('partial', `batch of ${size} bytes, ${remaining} present`);
    if (options.checkCrc === true && !crcMatches(buf, position)) return result('corrupt', `CRC-32C mismatch at byte ${position}`);
    const view = readBatchView(buf, position);
    batches.push(view);
    position += view.size;
  }
  return result('end');
}

// ---- producer sequences ----

const INT32_MAX = 0x7fffffff;

/** Kafka's sequence arithmetic (DefaultRecordBatch.incrementSequence): `sequence + delta`, wrapping past int32 max to 0. */
export function incrementSequence(sequence: number, delta: number): number {
  if (sequence > INT32_MAX - delta) return delta - (INT32_MAX - sequence) - 1;
  return sequence + delta;
}

function assertSafeInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new Error(`assertion failed: ${what} ${value} is not a safe integer`);
}
