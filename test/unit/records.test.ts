// records.ts: encode -> validate -> decode round trips for every codec, partial and control batches,
// malformed record data as RecordDecodeError, and interop with kafkajs's own record batch codec.

import test from 'ava';
import { fc, testProp } from '@fast-check/ava';
import { createRequire } from 'node:module';
import { compressSync as snappyRawCompress } from 'snappy';
import { Compression } from '../../broker/protocol/compression.js';
import {
  RECORDS_OFFSET,
  TimestampType,
  setBaseOffset,
  setLogAppendTime,
  validateBatches,
  writeBatchCrc,
} from '../../broker/protocol/record-batch.js';
import {
  ControlRecordType,
  RecordDecodeError,
  controlRecordKey,
  decodeRecordBatches,
  encodeRecordBatch,
  endTxnMarkerValue,
  readControlRecordType,
  type RecordInput,
} from '../../broker/protocol/records.js';

const NOW_MS = 1_700_000_000_000;
const LIMITS = { maxBatchBytes: 16 * 1024 * 1024 };
const CODECS = [Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd] as const;

const bytesArb = fc.option(fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)), { nil: null });
const recordArb = fc.record({
  key: bytesArb,
  value: bytesArb,
  headers: fc.array(fc.record({ key: fc.string({ maxLength: 20 }), value: bytesArb }), { maxLength: 4 }),
  timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
});

testProp(
  'encode -> validate -> decode round-trips random records with every codec',
  [
    fc.array(recordArb, { minLength: 1, maxLength: 30 }),
    fc.constantFrom(...CODECS),
    fc.maxSafeNat(),
    fc.record({ producerId: fc.integer({ min: 0, max: 2 ** 40 }), producerEpoch: fc.integer({ min: 0, max: 32767 }), baseSequence: fc.integer({ min: 0, max: 2 ** 31 - 1 }) }),
  ],
  (t, records, compression, baseOffset, producer) => {
    const buf = encodeRecordBatch({ records, compression, baseOffset, ...producer, nowMs: NOW_MS });
    const validation = validateBatches(buf, LIMITS);
    if (!validation.ok) return t.fail(validation.message);
    t.is(validation.recordCount, records.length);
    const [decoded, ...rest] = decodeRecordBatches(buf);
    t.is(rest.length, 0);
    t.like(decoded!.header, { baseOffset, compression, recordCount: records.length, ...producer });
    t.is(decoded!.header.maxTimestamp, Math.max(...records.map((r) => r.timestamp)));
    t.deepEqual(
      decoded!.records.map((r) => ({ ...r, key: r.key && Buffer.from(r.key), value: r.value && Buffer.from(r.value) })),
      records.map((r, i) => ({ offset: baseOffset + i, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers })),
    );
  },
  { numRuns: 150 },
);

test('defaults: no producer id, epoch, sequence or leader epoch; timestamps default to nowMs', (t) => {
  const buf = encodeRecordBatch({ records: [{ value: 'v' }, { key: 'k' }], nowMs: NOW_MS });
  const [batch] = decodeRecordBatches(buf);
  t.like(batch!.header, { producerId: -1, producerEpoch: -1, baseSequence: -1, partitionLeaderEpoch: -1, baseOffset: 0 });
  t.deepEqual(batch!.records.map((r) => [r.timestamp, r.key?.toString() ?? null, r.value?.toString() ?? null]), [
    [NOW_MS, null, 'v'],
    [NOW_MS, 'k', null],
  ]);
});

test('out-of-order timestamps (negative deltas) survive', (t) => {
  const records: RecordInput[] = [{ value: 'a', timestamp: NOW_MS }, { value: 'b', timestamp: NOW_MS - 5_000_000_000 }, { value: 'c', timestamp: 0 }];
  const [batch] = decodeRecordBatches(encodeRecordBatch({ records, nowMs: NOW_MS }));
  t.deepEqual(batch!.records.map((r) => r.timestamp), [NOW_MS, NOW_MS - 5_000_000_000, 0]);
  t.is(batch!.header.maxTimestamp, NOW_MS);
});

test('an empty record list is a programmer error', (t) => {
  t.throws(() => encodeRecordBatch({ records: [], nowMs: NOW_MS }), { message: /at least one record/ });
});

test('several batches decode in order with their stamped offsets; a partial trailing batch is ignored', (t) => {
  const a = encodeRecordBatch({ records: [{ value: 'a0' }, { value: 'a1' }], nowMs: NOW_MS });
  const b = encodeRecordBatch({ records: [{ value: 'b0' }], nowMs: NOW_MS, compression: Compression.Zstd });
  const c = encodeRecordBatch({ records: [{ value: 'c0' }], nowMs: NOW_MS });
  const all = Buffer.concat([a, b, c]);
  setBaseOffset(all, 0, 10);
  setBaseOffset(all, a.length, 12);
  for (let cut = a.length + b.length; cut < all.length; cut++) {
    const batches = decodeRecordBatches(all.subarray(0, cut));
    t.deepEqual(batches.flatMap((x) => x.records.map((r) => [r.offset, r.value?.toString()])), [
      [10, 'a0'],
      [11, 'a1'],
      [12, 'b0'],
    ]);
  }
  t.is(decodeRecordBatches(all).length, 3);
  t.deepEqual(decodeRecordBatches(Buffer.alloc(0)), []);
});

test('control batches come back with their header; records only with includeControl', (t) => {
  const marker = encodeRecordBatch({
    records: [{ key: controlRecordKey(ControlRecordType.Commit), value: endTxnMarkerValue(3) }],
    nowMs: NOW_MS,
    producerId: 7,
    producerEpoch: 1,
    isTransactional: true,
    isControl: true,
  });
  const data = encodeRecordBatch({ records: [{ value: 'x' }], nowMs: NOW_MS, producerId: 7, producerEpoch: 1, baseSequence: 0, isTransactional: true });
  const all = Buffer.concat([data, marker]);
  const skipped = decodeRecordBatches(all);
  t.is(skipped.length, 2);
  t.true(skipped[1]!.header.isControl);
  t.deepEqual(skipped[1]!.records, []);
  const included = decodeRecordBatches(all, { includeControl: true });
  t.is(readControlRecordType(included[1]!.records[0]!.key), ControlRecordType.Commit);
  t.is(included[1]!.records[0]!.value!.readInt32BE(2), 3);
  t.is(readControlRecordType(null), null);
});

test('LogAppendTime batches report maxTimestamp for every record', (t) => {
  const buf = encodeRecordBatch({ records: [{ value: 'a', timestamp: 5 }, { value: 'b', timestamp: 9 }], nowMs: NOW_MS, compression: Compression.Snappy });
  setLogAppendTime(buf, 0, NOW_MS + 1);
  const [batch] = decodeRecordBatches(buf);
  t.is(batch!.header.timestampType, TimestampType.LogAppendTime);
  t.deepEqual(batch!.records.map((r) => r.timestamp), [NOW_MS + 1, NOW_MS + 1]);
});

test('a CRC mismatch throws RecordDecodeError unless checkCrc is false', (t) => {
  const buf = encodeRecordBatch({ records: [{ value: 'hello' }], nowMs: NOW_MS });
  buf[buf.length - 2] = 'j'.charCodeAt(0); // the last byte is the header count
  const err = t.throws(() => decodeRecordBatches(buf), { instanceOf: RecordDecodeError });
  t.is(err?.errorCode, 2);
  t.is(decodeRecordBatches(buf, { checkCrc: false })[0]!.records[0]!.value!.toString(), 'hellj');
});

test('old message formats in a fetch response throw RecordDecodeError', (t) => {
  const buf = encodeRecordBatch({ records: [{ value: 'x' }], nowMs: NOW_MS });
  buf[16] = 1;
  t.throws(() => decodeRecordBatches(buf), { instanceOf: RecordDecodeError, message: /magic 1/ });
});

testProp(
  'malformed record data behind a valid CRC throws RecordDecodeError, never anything else',
  [fc.array(recordArb, { minLength: 1, maxLength: 5 }), fc.constantFrom(Compression.None, Compression.Lz4), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 })],
  (t, records, compression, flips) => {
    const buf = encodeRecordBatch({ records, compression, nowMs: NOW_MS });
    for (const [where, xor] of flips) {
      const at = RECORDS_OFFSET + (where % (buf.length - RECORDS_OFFSET));
      buf[at]! ^= xor;
    }
    writeBatchCrc(buf, 0);
    try {
      decodeRecordBatches(buf);
      t.pass();
    } catch (err) {
      t.true(err instanceof RecordDecodeError, String(err));
    }
  },
  { numRuns: 300 },
);

test('a record count larger than the records present throws RecordDecodeError', (t) => {
  const buf = encodeRecordBatch({ records: [{ value: 'a' }, { value: 'b' }], nowMs: NOW_MS });
  buf.writeInt32BE(3, 57);
  writeBatchCrc(buf, 0);
  t.throws(() => decodeRecordBatches(buf), { instanceOf: RecordDecodeError });
  buf.writeInt32BE(1, 57);
  writeBatchCrc(buf, 0);
  t.throws(() => decodeRecordBatches(buf), { instanceOf: RecordDecodeError, message: /after the last record/ });
});

// ---- interop with kafkajs's record batch codec ----

interface KafkajsRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: { [key: string]: Buffer | Buffer[] };
}
interface KafkajsInternals {
  RecordBatch: (opts: object) => Promise<{ buffer: Buffer }>;
  Record: (opts: object) => unknown;
  decodeBatch: (decoder: unknown) => Promise<{ firstOffset: string; records: KafkajsRecord[] }>;
  Decoder: new (buf: Buffer) => unknown;
  Codecs: { [codec: number]: () => { compress(e: { buffer: Buffer }): Promise<Buffer>; decompress(b: Buffer): Promise<Buffer> } };
  Long: { fromNumber(n: number): unknown };
}

function loadKafkajs(): KafkajsInternals {
  const require = createRequire(import.meta.url);
  const src = 'kafkajs/src/protocol';
  return {
    RecordBatch: require(`${src}/recordBatch/v0/index.js`).RecordBatch,
    Record: require(`${src}/recordBatch/record/v0/index.js`),
    decodeBatch: require(`${src}/recordBatch/v0/decoder.js`),
    Decoder: require(`${src}/decoder.js`),
    Codecs: require(`${src}/message/compression/index.js`).Codecs,
    Long: require('kafkajs/src/utils/long.js'),
  };
}

const kafkajs = loadKafkajs();
// kafkajs ships gzip only; snappy is a plug-in (e.g. kafkajs-snappy) that writes one raw snappy block.
kafkajs.Codecs[Compression.Snappy] = () => ({
  compress: async (encoder) => snappyRawCompress(encoder.buffer),
  decompress: async () => {
    throw new Error('not used');
  },
});

interface InteropRecord {
  key: string;
  value: string | null;
  headers: { [k: string]: string };
  timestamp: number;
}

async function kafkajsEncode(compression: number, records: InteropRecord[]): Promise<Buffer> {
  const first = records[0]!.timestamp;
  const encoded = records.map((r, i) =>
    kafkajs.Record({ key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value), headers: r.headers, offsetDelta: i, timestampDelta: r.timestamp - first }),
  );
  const batch = await kafkajs.RecordBatch({
    compression,
    records: encoded,
    firstTimestamp: first,
    maxTimestamp: Math.max(...records.map((r) => r.timestamp)),
    lastOffsetDelta: records.length - 1,
    partitionLeaderEpoch: -1,
    producerId: kafkajs.Long.fromNumber(-1),
    producerEpoch: -1,
    firstSequence: -1,
  });
  return batch.buffer;
}

const interopRecords: InteropRecord[] = [
  { key: 'k1', value: 'first value', headers: { trace: 'abc', 'ünïcode': 'ok' }, timestamp: NOW_MS },
  { key: 'k2', value: null, headers: {}, timestamp: NOW_MS + 17 },
  { key: 'k3', value: 'third', headers: { a: '' }, timestamp: NOW_MS - 3 },
];

for (const compression of [Compression.None, Compression.Gzip, Compression.Snappy]) {
  test(`kafkajs-encoded batch (codec ${compression}) validates and decodes`, async (t) => {
    const buf = await kafkajsEncode(compression, interopRecords);
    t.true(validateBatches(buf, LIMITS).ok);
    const [batch] = decodeRecordBatches(buf);
    t.deepEqual(
      batch!.records.map((r) => ({ offset: r.offset, key: r.key?.toString(), value: r.value?.toString() ?? null, headers: r.headers.map((h) => [h.key, h.value?.toString()]), timestamp: r.timestamp })),
      interopRecords.map((r, i) => ({ offset: i, key: r.key, value: r.value, headers: Object.entries(r.headers), timestamp: r.timestamp })),
    );
  });
}

test('an uncompressed batch is byte-identical to what kafkajs encodes', async (t) => {
  const theirs = await kafkajsEncode(Compression.None, interopRecords);
  const ours = encodeRecordBatch({
    records: interopRecords.map((r) => ({ key: r.key, value: r.value, headers: Object.entries(r.headers).map(([key, value]) => ({ key, value })), timestamp: r.timestamp })),
    nowMs: NOW_MS,
  });
  t.is(ours.toString('hex'), theirs.toString('hex'));
});

for (const compression of [Compression.None, Compression.Gzip]) {
  test(`a batch we encode (codec ${compression}) decodes with kafkajs`, async (t) => {
    const buf = encodeRecordBatch({
      records: [
        { key: 'a', value: 'alpha', headers: [{ key: 'h', value: 'x' }], timestamp: NOW_MS + 4 },
        { key: null, value: 'beta', timestamp: NOW_MS },
      ],
      nowMs: NOW_MS,
      compression,
      baseOffset: 42,
    });
    const decoded = await kafkajs.decodeBatch(new kafkajs.Decoder(buf));
    t.is(decoded.firstOffset, '42');
    t.deepEqual(
      decoded.records.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString() ?? null, Object.keys(r.headers)]),
      [
        ['42', String(NOW_MS + 4), 'a', 'alpha', ['h']],
        ['43', String(NOW_MS), null, 'beta', []],
      ],
    );
  });
}
