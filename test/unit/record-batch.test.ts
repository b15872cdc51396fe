// record-batch.ts: header views, produce validation (every bad input gets an error code, never an
// exception or a hang), CRC-preserving stamping, scanning, framing checks of stored bytes (every bad
// input gets a FramingProblem, never an exception), and sequence arithmetic.

import test from 'ava';
import { fc, testProp } from '@fast-check/ava';
import { crc32c } from '@node-rs/crc32';
import {
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  BASE_OFFSET_OFFSET,
  BATCH_OVERHEAD,
  CRC_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  MAGIC_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORDS_COUNT_OFFSET,
  RecordErrorCode,
  STORED_BATCH_LENGTH_MAX,
  TimestampType,
  checkStoredBatch,
  crcMatches,
  incrementSequence,
  isFramingProblem,
  readBatchView,
  scanBatches,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
  validateBatches,
  writeBatchCrc,
  writeInt64,
  type BatchValidation,
  type FramingProblem,
} from '../../broker/protocol/record-batch.js';
import { Compression } from '../../broker/protocol/compression.js';
import { encodeRecordBatch } from '../../broker/protocol/records.js';

const LIMITS = { maxBatchBytes: 1024 * 1024 };
const NOW_MS = 1_700_000_000_000;

function batch(count = 3, extra: Partial<Parameters<typeof encodeRecordBatch>[0]> = {}): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: `value ${i}`, timestamp: NOW_MS + i }));
  return encodeRecordBatch({ records, nowMs: NOW_MS, ...extra });
}

function errorCodeOf(result: BatchValidation): number | undefined {
  return result.ok ? undefined : result.errorCode;
}

/** Applies `edit` to a copy of a batch and re-signs it, to reach checks behind the CRC. */
function edited(buf: Buffer, edit: (b: Buffer) => void): Buffer {
  const copy = Buffer.from(buf);
  edit(copy);
  writeBatchCrc(copy, 0);
  return copy;
}

// ---- CRC-32C ----

test('crc32c known answers (check value and RFC 3720 vectors)', (t) => {
  t.is(crc32c('123456789') >>> 0, 0xe3069283);
  t.is(crc32c(Buffer.alloc(32, 0)) >>> 0, 0x8a9136aa);
  t.is(crc32c(Buffer.alloc(32, 0xff)) >>> 0, 0x62a8ab43);
  t.is(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i))) >>> 0, 0x46dd794e);
  t.is(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i))) >>> 0, 0x113fdb5c);
});

test('the stored CRC is CRC-32C over attributes..end', (t) => {
  const buf = batch();
  t.is(buf.readUInt32BE(CRC_OFFSET), crc32c(buf.subarray(ATTRIBUTES_OFFSET)) >>> 0);
  t.true(crcMatches(buf, 0));
});

// ---- header view ----

test('readBatchView reads every header field', (t) => {
  const buf = encodeRecordBatch({
    records: [{ value: 'a', timestamp: NOW_MS + 5 }, { value: 'b', timestamp: NOW_MS + 9 }, { value: 'c', timestamp: NOW_MS }],
    nowMs: NOW_MS,
    compression: Compression.Gzip,
    baseOffset: 2 ** 40 + 3,
    producerId: 2 ** 35 + 1,
    producerEpoch: 7,
    baseSequence: 100,
    isTransactional: true,
    partitionLeaderEpoch: 12,
  });
  const view = readBatchView(buf, 0);
  t.like(view, {
    position: 0,
    size: buf.length,
    baseOffset: 2 ** 40 + 3,
    partitionLeaderEpoch: 12,
    magic: 2,
    compression: Compression.Gzip,
    timestampType: TimestampType.CreateTime,
    isTransactional: true,
    isControl: false,
    lastOffsetDelta: 2,
    baseTimestamp: NOW_MS + 5,
    maxTimestamp: NOW_MS + 9,
    producerId: 2 ** 35 + 1,
    producerEpoch: 7,
    baseSequence: 100,
    recordCount: 3,
  });
  t.is(view.crc, buf.readUInt32BE(CRC_OFFSET));
  t.is(BATCH_OVERHEAD, 61);
});

test('readBatchView reads -1 producer id and epoch as -1', (t) => {
  const view = readBatchView(batch(), 0);
  t.is(view.producerId, -1);
  t.is(view.producerEpoch, -1);
  t.is(view.baseSequence, -1);
});

// ---- validateBatches: the good path ----

test('validateBatches accepts a sequence of batches and summarizes them', (t) => {
  const a = batch(3);
  const b = encodeRecordBatch({ records: [{ value: 'x', timestamp: NOW_MS + 99 }, { value: 'y' }], nowMs: NOW_MS, compression: Compression.Lz4 });
  const result = validateBatches(Buffer.concat([a, b]), LIMITS);
  if (!result.ok) return t.fail(result.message);
  t.is(result.batches.length, 2);
  t.is(result.batches[1]!.position, a.length);
  t.is(result.recordCount, 5);
  t.is(result.offsetCount, 5);
  t.is(result.lastOffsetDelta, 4);
  t.is(result.maxTimestamp, NOW_MS + 99);
  t.is(result.maxTimestampBatchIndex, 1);
});

for (const codec of [Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd]) {
  test(`validateBatches accepts a batch compressed with codec ${codec}`, (t) => {
    t.true(validateBatches(batch(20, { compression: codec }), LIMITS).ok);
  });
}

test('validateBatches accepts idempotent and transactional batches', (t) => {
  t.true(validateBatches(batch(2, { producerId: 4, producerEpoch: 0, baseSequence: 0 }), LIMITS).ok);
  t.true(validateBatches(batch(2, { producerId: 4, producerEpoch: 0, baseSequence: 9, isTransactional: true }), LIMITS).ok);
});

// ---- validateBatches: every kind of bad input ----

test('magic 0 and 1 message sets give UNSUPPORTED_FOR_MESSAGE_FORMAT with a clear message', (t) => {
  for (const magic of [0, 1]) {
    // A v0/v1 message set entry: offset, size, crc, magic, attributes, [timestamp], key, value.
    const body = Buffer.concat([Buffer.from([magic, 0]), magic === 1 ? Buffer.alloc(8) : Buffer.alloc(0), Buffer.from('ffffffff00000001', 'hex'), Buffer.from('v')]);
    const entry = Buffer.alloc(12 + 4 + body.length);
    entry.writeInt32BE(4 + body.length, 8);
    body.copy(entry, 16);
    const result = validateBatches(entry, LIMITS);
    t.is(errorCodeOf(result), RecordErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
    t.regex(result.ok ? '' : result.message, /magic/);
  }
});

test('an unknown magic is CORRUPT_MESSAGE', (t) => {
  const buf = batch();
  buf.writeInt8(3, MAGIC_OFFSET);
  t.is(errorCodeOf(validateBatches(buf, LIMITS)), RecordErrorCode.CORRUPT_MESSAGE);
});

test('every single-bit flip in the CRC-covered bytes or the CRC is CORRUPT_MESSAGE', (t) => {
  for (const codec of [Compression.None, Compression.Zstd]) {
    const good = batch(4, { compression: codec });
    for (let at = CRC_OFFSET; at < good.length; at++) {
      for (const bit of [0x01, 0x80]) {
        const bad = Buffer.from(good);
        bad[at]! ^= bit;
        t.is(errorCodeOf(validateBatches(bad, LIMITS)), RecordErrorCode.CORRUPT_MESSAGE, `codec ${codec}, byte ${at}, bit ${bit}`);
      }
    }
  }
});

testProp(
  'random corruption of a CRC-covered byte is caught',
  [fc.nat(), fc.integer({ min: 1, max: 255 })],
  (t, where, xor) => {
    const good = batch(5);
    const at = ATTRIBUTES_OFFSET + (where % (good.length - ATTRIBUTES_OFFSET));
    const bad = Buffer.from(good);
    bad[at]! ^= xor;
    t.is(errorCodeOf(validateBatches(bad, LIMITS)), RecordErrorCode.CORRUPT_MESSAGE);
  },
  { numRuns: 300 },
);

test('every truncation gives a clean error, never a throw', (t) => {
  const good = Buffer.concat([batch(2), batch(3, { compression: Compression.Snappy })]);
  const firstSize = readBatchView(good, 0).size;
  for (let cut = 0; cut < good.length; cut++) {
    const result = validateBatches(good.subarray(0, cut), LIMITS);
    const expected = cut === 0 ? RecordErrorCode.INVALID_RECORD : RecordErrorCode.CORRUPT_MESSAGE;
    if (cut === firstSize) t.true(result.ok, 'the first batch alone is fine');
    else t.is(errorCodeOf(result), expected, `cut at ${cut}`);
  }
});

testProp(
  'a lying batchLength gives a clean error',
  [fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })],
  (t, lie) => {
    const good = Buffer.concat([batch(2), batch(1)]);
    const bad = Buffer.from(good);
    bad.writeInt32BE(lie, BATCH_LENGTH_OFFSET);
    const result = validateBatches(bad, LIMITS);
    if (lie === good.readInt32BE(BATCH_LENGTH_OFFSET)) t.true(result.ok);
    else t.is(errorCodeOf(result), RecordErrorCode.CORRUPT_MESSAGE);
  },
  { numRuns: 300 },
);

testProp(
  'arbitrary bytes never make validateBatches or scanBatches throw',
  [fc.uint8Array({ maxLength: 300 }), fc.boolean()],
  (t, bytes, looksLikeV2) => {
    const buf = Buffer.from(bytes);
    if (looksLikeV2 && buf.length > MAGIC_OFFSET) buf[MAGIC_OFFSET] = 2;
    const result = validateBatches(buf, LIMITS);
    t.false(result.ok);
    const scan = scanBatches(buf, 0, { checkCrc: true });
    t.true(scan.validBytes <= buf.length);
  },
  { numRuns: 500 },
);

test('a batch over maxBatchBytes is MESSAGE_TOO_LARGE', (t) => {
  const buf = batch(10);
  t.is(errorCodeOf(validateBatches(buf, { maxBatchBytes: buf.length - 1 })), RecordErrorCode.MESSAGE_TOO_LARGE);
  t.true(validateBatches(buf, { maxBatchBytes: buf.length }).ok);
});

test('a record set over maxRecordsBytes is RECORD_LIST_TOO_LARGE', (t) => {
  const buf = Buffer.concat([batch(1), batch(1)]);
  t.is(errorCodeOf(validateBatches(buf, { ...LIMITS, maxRecordsBytes: buf.length - 1 })), RecordErrorCode.RECORD_LIST_TOO_LARGE);
});

test('requireSingleBatch refuses two batches with INVALID_RECORD', (t) => {
  const two = Buffer.concat([batch(1), batch(1)]);
  t.is(errorCodeOf(validateBatches(two, { ...LIMITS, requireSingleBatch: true })), RecordErrorCode.INVALID_RECORD);
  t.true(validateBatches(batch(1), { ...LIMITS, requireSingleBatch: true }).ok);
});

test('table: header fields a client may not send', (t) => {
  const good = batch(3);
  const cases: Array<[string, Buffer, number]> = [
    ['empty record set', Buffer.alloc(0), RecordErrorCode.INVALID_RECORD],
    ['control batch from a client', batch(1, { isControl: true }), RecordErrorCode.INVALID_RECORD],
    ['zero records', edited(good, (b) => { b.writeInt32BE(0, RECORDS_COUNT_OFFSET); b.writeInt32BE(-1, LAST_OFFSET_DELTA_OFFSET); }), RecordErrorCode.INVALID_RECORD],
    ['lastOffsetDelta != count - 1', edited(good, (b) => b.writeInt32BE(5, LAST_OFFSET_DELTA_OFFSET)), RecordErrorCode.INVALID_RECORD],
    ['record count that cannot fit', edited(good, (b) => { b.writeInt32BE(1000, RECORDS_COUNT_OFFSET); b.writeInt32BE(999, LAST_OFFSET_DELTA_OFFSET); }), RecordErrorCode.CORRUPT_MESSAGE],
    ['compression codec 5', edited(good, (b) => b.writeInt16BE(5, ATTRIBUTES_OFFSET)), RecordErrorCode.CORRUPT_MESSAGE],
    ['producer id without sequence', edited(good, (b) => writeInt64(b, PRODUCER_ID_OFFSET, 9)), RecordErrorCode.INVALID_RECORD],
    ['transactional without producer id', edited(good, (b) => b.writeInt16BE(0x10, ATTRIBUTES_OFFSET)), RecordErrorCode.INVALID_RECORD],
    ['timestamp beyond 2^53', edited(good, (b) => b.writeInt32BE(0x7fffffff, BASE_TIMESTAMP_OFFSET)), RecordErrorCode.INVALID_TIMESTAMP],
    ['producer id beyond 2^53', edited(good, (b) => { b.writeInt32BE(0x7fffffff, PRODUCER_ID_OFFSET); b.writeInt32BE(0, BASE_SEQUENCE_OFFSET); }), RecordErrorCode.INVALID_RECORD],
  ];
  for (const [name, buf, code] of cases) {
    const result = validateBatches(buf, LIMITS);
    t.is(errorCodeOf(result), code, name);
    if (!result.ok) t.true(result.message.length > 0);
  }
});

// ---- stamping ----

testProp(
  'setBaseOffset and setPartitionLeaderEpoch keep the CRC valid and read back',
  [fc.maxSafeNat(), fc.integer({ min: -1, max: 2 ** 31 - 1 })],
  (t, offset, epoch) => {
    const buf = batch(3, { compression: Compression.Gzip });
    setBaseOffset(buf, 0, offset);
    setPartitionLeaderEpoch(buf, 0, epoch);
    t.true(crcMatches(buf, 0));
    const view = readBatchView(buf, 0);
    t.is(view.baseOffset, offset);
    t.is(view.partitionLeaderEpoch, epoch);
    t.true(validateBatches(buf, LIMITS).ok);
  },
  { numRuns: 200 },
);

test('stamping the second batch of a sequence uses its position', (t) => {
  const a = batch(2);
  const buf = Buffer.concat([a, batch(4)]);
  setBaseOffset(buf, a.length, 500);
  t.is(readBatchView(buf, 0).baseOffset, 0);
  t.is(readBatchView(buf, a.length).baseOffset, 500);
  t.true(crcMatches(buf, a.length));
});

test('setLogAppendTime sets the timestamp type and maxTimestamp and keeps the CRC valid', (t) => {
  const buf = batch(3, { compression: Compression.Zstd });
  const baseTimestamp = readBatchView(buf, 0).baseTimestamp;
  setLogAppendTime(buf, 0, NOW_MS + 12345);
  t.true(crcMatches(buf, 0));
  const view = readBatchView(buf, 0);
  t.is(view.timestampType, TimestampType.LogAppendTime);
  t.is(view.maxTimestamp, NOW_MS + 12345);
  t.is(view.baseTimestamp, baseTimestamp);
  t.is(view.compression, Compression.Zstd);
  t.true(validateBatches(buf, LIMITS).ok);
});

test('writing a non-safe-integer offset is a programmer error', (t) => {
  t.throws(() => setBaseOffset(batch(1), 0, 2 ** 60));
});

// ---- scanBatches ----

test('scanBatches walks complete batches and stops cleanly at a partial trailing batch', (t) => {
  const a = batch(2);
  const b = batch(3, { compression: Compression.Lz4 });
  const c = batch(1);
  const all = Buffer.concat([a, b, c]);
  const full = scanBatches(all);
  t.is(full.stop, 'end');
  t.is(full.batches.length, 3);
  t.is(full.validBytes, all.length);
  for (let cut = 0; cut < all.length; cut++) {
    const scan = scanBatches(all.subarray(0, cut));
    const complete = [a.length, a.length + b.length, all.length].filter((end) => end <= cut);
    t.is(scan.validBytes, complete.length === 0 ? 0 : complete[complete.length - 1]!, `cut at ${cut}`);
    t.is(scan.batches.length, complete.length);
    t.is(scan.stop, scan.validBytes === cut ? 'end' : 'partial');
  }
});

test('scanBatches stops at a corrupt batch and reports it', (t) => {
  const a = batch(2);
  const b = batch(2);
  const all = Buffer.concat([a, b]);
  all[a.length + MAGIC_OFFSET] = 1;
  const scan = scanBatches(all);
  t.is(scan.stop, 'corrupt');
  t.is(scan.validBytes, a.length);
  t.regex(scan.reason ?? '', /magic/);
});

test('scanBatches checks CRCs only when asked', (t) => {
  const a = batch(2);
  const all = Buffer.concat([a, batch(2)]);
  all[all.length - 1]! ^= 0xff;
  t.is(scanBatches(all).stop, 'end');
  const checked = scanBatches(all, 0, { checkCrc: true });
  t.is(checked.stop, 'corrupt');
  t.is(checked.validBytes, a.length);
});

test('scanBatches honours start and maxBatches', (t) => {
  const a = batch(2);
  const all = Buffer.concat([a, batch(3), batch(4)]);
  const fromSecond = scanBatches(all, a.length);
  t.is(fromSecond.batches.length, 2);
  t.is(fromSecond.batches[0]!.position, a.length);
  t.is(fromSecond.validBytes, all.length - a.length);
  const one = scanBatches(all, 0, { maxBatches: 1 });
  t.is(one.batches.length, 1);
  t.is(one.validBytes, a.length);
});

test('crcMatches is false, not a throw, for short buffers and bad lengths', (t) => {
  const buf = batch(1);
  t.false(crcMatches(buf.subarray(0, 30), 0));
  t.false(crcMatches(buf.subarray(0, buf.length - 1), 0));
  t.false(crcMatches(buf, 5));
  const lying = Buffer.from(buf);
  lying.writeInt32BE(-100, BATCH_LENGTH_OFFSET);
  t.false(crcMatches(lying, 0));
});

// ---- checkStoredBatch ----

test('checkStoredBatch returns the view of a sound stored batch, whatever its CRC', (t) => {
  const buf = Buffer.concat([batch(1), batch(3)]);
  const second = buf.length - batch(3).length;
  setBaseOffset(buf, second, 40);
  setPartitionLeaderEpoch(buf, second, 7);
  const view = checkStoredBatch(buf, second);
  if (isFramingProblem(view)) return t.fail(view);
  t.deepEqual(view, readBatchView(buf, second));
  t.like(view, { position: second, baseOffset: 40, partitionLeaderEpoch: 7, lastOffsetDelta: 2 });
  buf[buf.length - 1]! ^= 0xff;
  t.false(isFramingProblem(checkStoredBatch(buf, second)), 'the CRC is crcMatches\'s job');
});

test('table: checkStoredBatch names the framing problem', (t) => {
  const good = batch(2);
  const cases: [string, Buffer, number | undefined, FramingProblem][] = [
    ['fewer than 61 bytes in the buffer', good.subarray(0, BATCH_OVERHEAD - 1), undefined, 'short-header'],
    ['fewer than 61 bytes available', good, BATCH_OVERHEAD - 1, 'short-header'],
    ['batchLength shorter than the header', edited(good, (b) => b.writeInt32BE(BATCH_OVERHEAD - 13, BATCH_LENGTH_OFFSET)), undefined, 'bad-length'],
    ['batchLength over the limit', edited(good, (b) => b.writeInt32BE(STORED_BATCH_LENGTH_MAX + 1, BATCH_LENGTH_OFFSET)), undefined, 'bad-length'],
    ['magic 1', edited(good, (b) => b.writeInt8(1, MAGIC_OFFSET)), undefined, 'bad-magic'],
    ['negative baseOffset', edited(good, (b) => writeInt64(b, BASE_OFFSET_OFFSET, -5)), undefined, 'bad-offsets'],
    ['negative lastOffsetDelta', edited(good, (b) => b.writeInt32BE(-1, LAST_OFFSET_DELTA_OFFSET)), undefined, 'bad-offsets'],
    ['batchLength past the end of the buffer', good.subarray(0, good.length - 1), undefined, 'short-batch'],
    ['batchLength past the available bytes', good, good.length - 1, 'short-batch'],
  ];
  for (const [name, buf, available, problem] of cases) t.is(checkStoredBatch(buf, 0, available), problem, name);
});

test('checkStoredBatch needs only the header in the buffer when more bytes are available elsewhere', (t) => {
  const full = batch(3);
  const header = full.subarray(0, BATCH_OVERHEAD);
  const view = checkStoredBatch(header, 0, full.length);
  if (isFramingProblem(view)) return t.fail(view);
  t.is(view.size, full.length);
  t.is(checkStoredBatch(header, 0, full.length - 1), 'short-batch');
  t.deepEqual(checkStoredBatch(full, 0, full.length + 100), checkStoredBatch(full, 0), 'extra available bytes change nothing');
});

testProp(
  'checkStoredBatch never throws on arbitrary bytes and any available count',
  [fc.uint8Array({ maxLength: 200 }), fc.nat(400), fc.nat(300)],
  (t, bytes, position, available) => {
    const buf = Buffer.from(bytes);
    const result = checkStoredBatch(buf, Math.min(position, buf.length), available);
    if (!isFramingProblem(result)) t.true(result.size <= available && result.size >= BATCH_OVERHEAD);
    else t.pass();
  },
);

// ---- incrementSequence ----

test('table: incrementSequence adds and wraps past int32 max to 0, like Kafka', (t) => {
  const INT32_MAX = 0x7fffffff;
  const cases: [number, number, number][] = [
    [0, 1, 1],
    [5, 3, 8],
    [INT32_MAX - 1, 1, INT32_MAX],
    [INT32_MAX, 1, 0],
    [INT32_MAX - 1, 3, 1],
    [INT32_MAX, 0, INT32_MAX],
  ];
  for (const [sequence, delta, expected] of cases) t.is(incrementSequence(sequence, delta), expected, `${sequence} + ${delta}`);
});
