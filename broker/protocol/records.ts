// Record-level encoding and decoding of v2 record batches, for clients: the CLI console
// producer/consumer, the internal client, and tests. The broker's hot path never calls this
// (it uses record-batch.ts, which works on batch headers only).
//
// Record layout inside a batch (after the 61-byte header, compressed as a whole if the batch says
// so): length varint, attributes int8 (unused, 0), timestampDelta varlong, offsetDelta varint,
// key length varint (-1 = null) + bytes, value length varint (-1 = null) + bytes, header count
// varint, then per header: key length varint + UTF-8, value length varint (-1 = null) + bytes.
// All varints are zig-zag. baseTimestamp is the first record's timestamp, as Java writes it.
//
// Contracts:
// - Decoded key/value/header Buffers alias the input (or the decompressed payload): copy them if the
//   input buffer will be reused.
// - A partial trailing batch (a fetch response cut at a byte limit) is ignored silently. Anything
//   else malformed throws RecordDecodeError (errorCode CORRUPT_MESSAGE), including CRC mismatches
//   unless `checkCrc: false`.
// - Time comes in as `nowMs`; nothing here reads the clock.

import {
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  BATCH_OVERHEAD,
  CONTROL_BIT,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAGIC_V2,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORDS_COUNT_OFFSET,
  RECORDS_OFFSET,
  TRANSACTIONAL_BIT,
  TimestampType,
  crcMatches,
  scanBatches,
  writeBatchCrc,
  writeInt64,
  type BatchView,
} from './record-batch.js';
import { Compression, CompressionError, DEFAULT_MAX_DECOMPRESSED_BYTES, compress, decompress } from './compression.js';

const CORRUPT_MESSAGE = 2;
const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface Record {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}
/** Alias for modules where `Record` would shadow TypeScript's utility type. */
export type KafkaRecord = Record;

export type Bytes = Buffer | string | null;

export interface RecordInput {
  key?: Bytes;
  value?: Bytes;
  headers?: Array<{ key: string; value?: Bytes }>;
  /** Create time in ms; defaults to the batch's `nowMs`. */
  timestamp?: number;
}

export interface EncodeBatchOptions {
  records: RecordInput[];
  nowMs: number;
  compression?: Compression;
  baseOffset?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
  /** Control batches are written by the broker (transaction markers), never by producers. */
  isControl?: boolean;
  partitionLeaderEpoch?: number;
}

export interface DecodedBatch {
  header: BatchView;
  records: Record[];
}

export interface DecodeOptions {
  /** Decode the records of control batches too; otherwise they come back with `records: []`. */
  includeControl?: boolean;
  /** Verify each batch's CRC-32C (default true, like the Java consumer's check.crcs). */
  checkCrc?: boolean;
  /** Cap on one batch's decompressed payload. */
  maxDecompressedBytes?: number;
}

/** Malformed record data. `errorCode` is Kafka's CORRUPT_MESSAGE. */
export class RecordDecodeError extends Error {
  readonly errorCode: number = CORRUPT_MESSAGE;
  constructor(message: string) {
    super(message);
    this.name = 'RecordDecodeError';
  }
}

// ---- encoding ----

/** One complete v2 batch with a valid CRC. Asserts at least one record. */
export function encodeRecordBatch(options: EncodeBatchOptions): Buffer {
  const { records, nowMs } = options;
  if (records.length === 0) throw new Error('assertion failed: a record batch needs at least one record');
  const timestamps = records.map((r) => r.timestamp ?? nowMs);
  const baseTimestamp = timestamps[0]!;
  const maxTimestamp = timestamps.reduce((a, b) => (b > a ? b : a), baseTimestamp);
  const codec = options.compression ?? Compression.None;
  const payload = compress(codec, encodeRecords(records, timestamps, baseTimestamp));

  const buf = Buffer.alloc(BATCH_OVERHEAD + payload.length);
  writeInt64(buf, BASE_OFFSET_OFFSET, options.baseOffset ?? 0);
  buf.writeInt32BE(buf.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  buf.writeInt32BE(options.partitionLeaderEpoch ?? -1, PARTITION_LEADER_EPOCH_OFFSET);
  buf.writeInt8(MAGIC_V2, MAGIC_OFFSET);
  const attributes = codec | (options.isTransactional === true ? TRANSACTIONAL_BIT : 0) | (options.isControl === true ? CONTROL_BIT : 0);
  buf.writeInt16BE(attributes, ATTRIBUTES_OFFSET);
  buf.writeInt32BE(records.length - 1, LAST_OFFSET_DELTA_OFFSET);
  writeInt64(buf, BASE_TIMESTAMP_OFFSET, baseTimestamp);
  writeInt64(buf, MAX_TIMESTAMP_OFFSET, maxTimestamp);
  writeInt64(buf, PRODUCER_ID_OFFSET, options.producerId ?? -1);
  buf.writeInt16BE(options.producerEpoch ?? -1, PRODUCER_EPOCH_OFFSET);
  buf.writeInt32BE(options.baseSequence ?? -1, BASE_SEQUENCE_OFFSET);
  buf.writeInt32BE(records.length, RECORDS_COUNT_OFFSET);
  payload.copy(buf, RECORDS_OFFSET);
  writeBatchCrc(buf, 0);
  return buf;
}

interface PreparedRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: Buffer; value: Buffer | null }>;
  timestampDelta: number;
  offsetDelta: number;
  bodyBytes: number;
}

function encodeRecords(records: RecordInput[], timestamps: number[], baseTimestamp: number): Buffer {
  const prepared = records.map((r, i) => prepareRecord(r, timestamps[i]! - baseTimestamp, i));
  let total = 0;
  for (const p of prepared) total += varintBytes(p.bodyBytes) + p.bodyBytes;
  const out = Buffer.alloc(total);
  let at = 0;
  for (const p of prepared) {
    at = writeVarint(out, at, p.bodyBytes);
    at = out.writeInt8(0, at);
    at = writeVarint(out, at, p.timestampDelta);
    at = writeVarint(out, at, p.offsetDelta);
    at = writeNullableBytes(out, at, p.key);
    at = writeNullableBytes(out, at, p.value);
    at = writeVarint(out, at, p.headers.length);
    for (const h of p.headers) {
      at = writeNullableBytes(out, at, h.key);
      at = writeNullableBytes(out, at, h.value);
    }
  }
  if (at !== total) throw new Error(`assertion failed: encoded ${at} record bytes, sized ${total}`);
  return out;
}

function prepareRecord(r: RecordInput, timestampDelta: number, offsetDelta: number): PreparedRecord {
  const key = toBuffer(r.key);
  const value = toBuffer(r.value);
  const headers = (r.headers ?? []).map((h) => ({ key: Buffer.from(h.key, 'utf8'), value: toBuffer(h.value) }));
  let bodyBytes = 1 + varintBytes(timestampDelta) + varintBytes(offsetDelta);
  bodyBytes += nullableBytesSize(key) + nullableBytesSize(value) + varintBytes(headers.length);
  for (const h of headers) bodyBytes += nullableBytesSize(h.key) + nullableBytesSize(h.value);
  return { key, value, headers, timestampDelta, offsetDelta, bodyBytes };
}

function toBuffer(bytes: Bytes | undefined): Buffer | null {
  if (bytes === undefined || bytes === null) return null;
  return typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
}

// ---- decoding ----

/** Every complete batch in `buf` with its records; a partial trailing batch is ignored. */
export function decodeRecordBatches(buf: Buffer, options: DecodeOptions = {}): DecodedBatch[] {
  const scan = scanBatches(buf, 0);
  if (scan.stop === 'corrupt') throw new RecordDecodeError(`record batches: ${scan.reason ?? 'corrupt'}`);
  return scan.batches.map((header) => decodeBatch(buf, header, options));
}

function decodeBatch(buf: Buffer, header: BatchView, options: DecodeOptions): DecodedBatch {
  if (options.checkCrc !== false && !crcMatches(buf, header.position)) {
    throw new RecordDecodeError(`batch at offset ${header.baseOffset}: CRC-32C mismatch`);
  }
  if (header.isControl && options.includeControl !== true) return { header, records: [] };
  if (header.compression > 4) throw new RecordDecodeError(`batch at offset ${header.baseOffset}: unknown compression ${header.compression}`);
  const raw = buf.subarray(header.position + RECORDS_OFFSET, header.position + header.size);
  let payload: Buffer;
  try {
    payload = decompress(header.compression as Compression, raw, options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES);
  } catch (err) {
    if (err instanceof CompressionError) throw new RecordDecodeError(`batch at offset ${header.baseOffset}: ${err.message}`);
    throw err;
  }
  return { header, records: decodeRecords(payload, header) };
}

function decodeRecords(payload: Buffer, header: BatchView): Record[] {
  if (header.recordCount < 0) throw new RecordDecodeError(`batch at offset ${header.baseOffset}: negative record count`);
  const reader = new ByteReader(payload);
  const records: Record[] = [];
  for (let i = 0; i < header.recordCount; i++) records.push(decodeRecord(reader, header));
  if (reader.position !== payload.length) {
    throw new RecordDecodeError(`batch at offset ${header.baseOffset}: ${payload.length - reader.position} bytes after the last record`);
  }
  return records;
}

function decodeRecord(r: ByteReader, header: BatchView): Record {
  const length = r.varint();
  if (length < 0) throw new RecordDecodeError(`negative record length ${length}`);
  const end = r.position + length;
  if (end > r.buf.length) throw new RecordDecodeError(`record length ${length} runs past the batch`);
  r.int8(); // record attributes: unused
  const timestampDelta = r.varlong();
  const offsetDelta = r.varint();
  const key = r.nullableBytes();
  const value = r.nullableBytes();
  const headerCount = r.varint();
  if (headerCount < 0) throw new RecordDecodeError(`negative header count ${headerCount}`);
  const headers: RecordHeader[] = [];
  for (let i = 0; i < headerCount; i++) {
    const headerKey = r.nullableBytes();
    if (headerKey === null) throw new RecordDecodeError('null header key');
    headers.push({ key: headerKey.toString('utf8'), value: r.nullableBytes() });
  }
  if (r.position !== end) throw new RecordDecodeError(`record body is ${r.position - (end - length)} bytes, length says ${length}`);
  const timestamp = header.timestampType === TimestampType.LogAppendTime ? header.maxTimestamp : header.baseTimestamp + timestampDelta;
  return { offset: header.baseOffset + offsetDelta, timestamp, key, value, headers };
}

// ---- control records (transaction markers) ----

export const ControlRecordType = { Abort: 0, Commit: 1 } as const;

/** Key of a control record: version int16 (0), type int16. */
export function controlRecordKey(type: number): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(type, 2);
  return key;
}

/** Value of an end-transaction marker: version int16 (0), coordinatorEpoch int32. */
export function endTxnMarkerValue(coordinatorEpoch: number): Buffer {
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

/** The control type in a control record's key, or null if the key is malformed. */
export function readControlRecordType(key: Buffer | null): number | null {
  if (key === null || key.length < 4) return null;
  return key.readInt16BE(2);
}

// ---- private varint helpers (zig-zag, numbers exact up to 2^53) ----

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function varintBytes(n: number): number {
  let v = zigzag(n);
  let bytes = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    bytes++;
  }
  return bytes;
}

function writeVarint(buf: Buffer, at: number, n: number): number {
  let v = zigzag(n);
  while (v >= 0x80) {
    buf[at++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[at++] = v;
  return at;
}

function nullableBytesSize(bytes: Buffer | null): number {
  return bytes === null ? 1 : varintBytes(bytes.length) + bytes.length;
}

function writeNullableBytes(buf: Buffer, at: number, bytes: Buffer | null): number {
  if (bytes === null) return writeVarint(buf, at, -1);
  at = writeVarint(buf, at, bytes.length);
  return at + bytes.copy(buf, at);
}

class ByteReader {
  position = 0;
  constructor(readonly buf: Buffer) {}

  int8(): number {
    if (this.position >= this.buf.length) throw new RecordDecodeError('record data ends early');
    return this.buf.readInt8(this.position++);
  }

  /** Zig-zag varint of at most 5 bytes, in int32 range. */
  varint(): number {
    const n = this.zigzagRead(5);
    if (n < INT32_MIN || n > INT32_MAX) throw new RecordDecodeError(`varint ${n} outside int32`);
    return n;
  }

  /** Zig-zag varlong of at most 10 bytes; exact within +-2^53. */
  varlong(): number {
    return this.zigzagRead(10);
  }

  nullableBytes(): Buffer | null {
    const length = this.varint();
    if (length < -1) throw new RecordDecodeError(`invalid length ${length}`);
    if (length === -1) return null;
    if (length > this.buf.length - this.position) throw new RecordDecodeError(`length ${length} runs past the record data`);
    const bytes = this.buf.subarray(this.position, this.position + length);
    this.position += length;
    return bytes;
  }

  private zigzagRead(maxBytes: number): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < maxBytes; i++) {
      if (this.position >= this.buf.length) throw new RecordDecodeError('record data ends inside a varint');
      const byte = this.buf[this.position++]!;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
      scale *= 0x80;
    }
    throw new RecordDecodeError(`varint longer than ${maxBytes} bytes`);
  }
}
