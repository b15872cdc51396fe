import test from 'ava';
import { fc, testProp } from '@fast-check/ava';
import { crc32c } from '@node-rs/crc32';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryFileSystem, seededRandom } from '../../broker/io/memory-fs.js';
import { NodeFileSystem } from '../../broker/io/node-fs.js';
import type { FileSystem } from '../../broker/io/fs.js';
import { Log, type AppendResult } from '../../broker/storage/log.js';
import type { LogConfig } from '../../broker/config/topic-config.js';
import { logConfig } from '../../broker/storage/log-config.js';
import {
  CORRUPT_MESSAGE,
  INVALID_PRODUCER_EPOCH,
  OFFSET_OUT_OF_RANGE,
  OUT_OF_ORDER_SEQUENCE_NUMBER,
} from '../../broker/storage/error-codes.js';
import { makeBatch, produce } from '../helpers/batches.js';

function append(log: Log, nowMs: number, ...batches: Buffer[]): AppendResult {
  const { records, infos } = produce(...batches);
  return log.appendAsLeader(records, infos, { leaderEpoch: 0, nowMs });
}

interface ParsedBatch {
  baseOffset: number;
  lastOffset: number;
  payload: string;
  crcOk: boolean;
}

function parseBatches(buf: Buffer): ParsedBatch[] {
  const out: ParsedBatch[] = [];
  for (let at = 0; at < buf.length; ) {
    const size = 12 + buf.readInt32BE(at + 8);
    const b = buf.subarray(at, at + size);
    const baseOffset = Number(b.readBigInt64BE(0));
    out.push({
      baseOffset,
      lastOffset: baseOffset + b.readInt32BE(23),
      payload: b.subarray(61).toString(),
      crcOk: crc32c(b.subarray(21)) === b.readUInt32BE(17),
    });
    at += size;
  }
  return out;
}

/** Reads the whole log from its start, batch by batch. */
function readAll(log: Log, maxOffset?: number): ParsedBatch[] {
  const out: ParsedBatch[] = [];
  let offset = log.logStartOffset;
  for (let guard = 0; guard < 10_000; guard++) {
    const r = log.read({ fetchOffset: offset, maxBytes: 700, minOneBatch: true, ...(maxOffset === undefined ? {} : { maxOffset }) });
    if (r.kind !== 'records') throw new Error(`read failed at ${offset}: ${r.message}`);
    if (r.records.length === 0) return out;
    out.push(...parseBatches(r.records));
    offset = r.nextOffset;
  }
  throw new Error('readAll did not finish');
}

const DIR = '/data/t-0';
const small: LogConfig = logConfig({ segmentBytes: 1000, indexIntervalBytes: 100 });

function openLog(fs: FileSystem, config: LogConfig = small, nowMs = 0): Log {
  return Log.open({ fs, dir: DIR, topic: 't', partition: 0, config, nowMs });
}

function appended(t: { is: (a: unknown, b: unknown) => void }, r: AppendResult): { baseOffset: number; lastOffset: number } {
  t.is(r.kind, 'appended');
  if (r.kind !== 'appended') throw new Error(JSON.stringify(r));
  return r;
}

// ---- appends and reads --------------------------------------------------------------------

test('appends get contiguous offsets and read back across segment rolls', (t) => {
  const fs = new MemoryFileSystem();
  const log = openLog(fs);
  for (let i = 0; i < 40; i++) {
    const r = appended(t, append(log, i, makeBatch({ records: 3, payload: `batch-${i}`.padEnd(60, '.') })));
    t.is(r.baseOffset, i * 3);
    t.is(r.lastOffset, i * 3 + 2);
  }
  t.is(log.logEndOffset, 120);
  t.true(log.segmentCount >= 4, 'segment.bytes=1000 rolled several times');
  const batches = readAll(log);
  t.is(batches.length, 40);
  batches.forEach((b, i) => {
    t.is(b.baseOffset, i * 3);
    t.true(b.crcOk);
    t.true(b.payload.startsWith(`batch-${i}.`));
  });
  t.true(log.segmentBaseOffsets.every((base, i, all) => i === 0 || base > all[i - 1]!));
});

test('a read starting mid-batch returns that whole batch; every offset lands on its batch', (t) => {
  const fs = new MemoryFileSystem();
  const log = openLog(fs, logConfig({ segmentBytes: 5000, indexIntervalBytes: 150 }));
  for (let i = 0; i < 60; i++) append(log, 0, makeBatch({ records: 4, payload: `p${i}`.padEnd(30 + (i % 7) * 10, '-') }));
  for (let offset = 0; offset < log.logEndOffset; offset++) {
    const r = log.read({ fetchOffset: offset, maxBytes: 1, minOneBatch: true });
    if (r.kind !== 'records') return t.fail(r.message);
    const [first] = parseBatches(r.records);
    t.is(first!.baseOffset, offset - (offset % 4), `offset ${offset}`);
    t.true(first!.payload.startsWith(`p${Math.floor(offset / 4)}-`));
  }
});

test('maxBytes limits whole batches, minOneBatch returns an oversized first batch', (t) => {
  const log = openLog(new MemoryFileSystem(), logConfig());
  for (let i = 0; i < 5; i++) append(log, 0, makeBatch({ payload: Buffer.alloc(139) })); // 200 bytes each
  const two = log.read({ fetchOffset: 0, maxBytes: 450, minOneBatch: false });
  t.is(two.kind === 'records' && two.records.length, 400);
  const none = log.read({ fetchOffset: 0, maxBytes: 100, minOneBatch: false });
  t.is(none.kind === 'records' && none.records.length, 0);
  const one = log.read({ fetchOffset: 0, maxBytes: 100, minOneBatch: true });
  t.is(one.kind === 'records' && one.records.length, 200);
});

test('maxOffset (high watermark) excludes batches at or past it', (t) => {
  const log = openLog(new MemoryFileSystem(), logConfig());
  for (let i = 0; i < 5; i++) append(log, 0, makeBatch({ records: 2 }));
  const upTo6 = readAll(log, 6);
  t.deepEqual(upTo6.map((b) => b.baseOffset), [0, 2, 4]);
  const midBatch = readAll(log, 7);
  t.deepEqual(midBatch.map((b) => b.baseOffset), [0, 2, 4], 'a batch straddling maxOffset is not returned');
  const r = log.read({ fetchOffset: 6, maxBytes: 1000, minOneBatch: true, maxOffset: 6 });
  t.deepEqual(r.kind === 'records' && [r.records.length, r.nextOffset], [0, 6]);
});

test('reads outside [logStartOffset, logEndOffset] answer OFFSET_OUT_OF_RANGE', (t) => {
  const log = openLog(new MemoryFileSystem());
  append(log, 0, makeBatch({ records: 2 }));
  const past = log.read({ fetchOffset: 3, maxBytes: 100, minOneBatch: true });
  t.is(past.kind === 'error' && past.errorCode, OFFSET_OUT_OF_RANGE);
  const atEnd = log.read({ fetchOffset: 2, maxBytes: 100, minOneBatch: true });
  t.is(atEnd.kind === 'records' && atEnd.records.length, 0);
  const negative = log.read({ fetchOffset: -1, maxBytes: 100, minOneBatch: true });
  t.is(negative.kind === 'error' && negative.errorCode, OFFSET_OUT_OF_RANGE);
});

test('appendAsLeader stamps base offset and leader epoch in place, and LogAppendTime with a fresh CRC', (t) => {
  const log = openLog(new MemoryFileSystem());
  append(log, 0, makeBatch());
  const { records, infos } = produce(makeBatch({ records: 2, timestamp: 5 }), makeBatch({ timestamp: 6 }));
  const r = log.appendAsLeader(records, infos, { leaderEpoch: 7, nowMs: 99_000, logAppendTime: true });
  t.deepEqual(r, { kind: 'appended', baseOffset: 1, lastOffset: 3, logAppendTimeMs: 99_000 });
  t.is(records.readBigInt64BE(0), 1n);
  t.is(records.readInt32BE(12), 7);
  t.is(records.readBigInt64BE(infos[1]!.position), 3n);
  t.is(records.readBigInt64BE(35), 99_000n);
  t.is(records.readInt16BE(21) & 0x08, 0x08);
  t.true(parseBatches(records).every((b) => b.crcOk));
  t.deepEqual(log.endOffsetForEpoch(0), { epoch: 0, endOffset: 1 });
  t.deepEqual(log.endOffsetForEpoch(7), { epoch: 7, endOffset: 4 });
});

test('segment.ms rolls a non-empty active segment on the next append', (t) => {
  const log = openLog(new MemoryFileSystem(), logConfig({ segmentMs: 1000 }));
  append(log, 0, makeBatch());
  append(log, 999, makeBatch());
  t.is(log.segmentCount, 1);
  append(log, 1000, makeBatch());
  t.is(log.segmentCount, 2);
  t.deepEqual(log.segmentBaseOffsets, [0, 2]);
});

test('offsetForTimestamp finds the first batch at or after a timestamp via the time index', (t) => {
  const log = openLog(new MemoryFileSystem());
  for (let i = 0; i < 50; i++) append(log, 0, makeBatch({ records: 2, timestamp: 10_000 + i * 100, payload: Buffer.alloc(40) }));
  t.true(log.segmentCount > 3);
  t.deepEqual(log.offsetForTimestamp(0), { offset: 0, timestamp: 10_000 });
  t.deepEqual(log.offsetForTimestamp(10_000 + 23 * 100), { offset: 46, timestamp: 12_300 });
  t.deepEqual(log.offsetForTimestamp(10_000 + 23 * 100 - 1), { offset: 46, timestamp: 12_300 });
  t.is(log.offsetForTimestamp(20_000), undefined);
  t.deepEqual(log.maxTimestampOffset(), { offset: 98, timestamp: 14_900 });
});

// ---- retention and deletion ---------------------------------------------------------------

function fillSegments(log: Log, count: number, timestampOf: (i: number) => number): void {
  for (let i = 0; i < count; i++) append(log, 0, makeBatch({ records: 1, timestamp: timestampOf(i), payload: Buffer.alloc(139) }));
  log.highWatermark = log.logEndOffset;
}

test('retention.ms deletes closed segments whose newest batch is too old, never the active one', (t) => {
  const fs = new MemoryFileSystem();
  const log = openLog(fs, logConfig({ segmentBytes: 1000, retentionMs: 10_000 }));
  fillSegments(log, 20, (i) => i * 1000); // 5 batches per segment -> 4 segments
  t.deepEqual(log.segmentBaseOffsets, [0, 5, 10, 15]);
  t.is(log.applyRetention(14_500), 1, 'segment 0 newest is 4000: 10500 old');
  t.is(log.logStartOffset, 5);
  t.is(log.applyRetention(100_000), 2);
  t.deepEqual(log.segmentBaseOffsets, [15]);
  t.is(log.logStartOffset, 15);
  t.false(fs.exists(`${DIR}/00000000000000000000.log`));
  const r = log.read({ fetchOffset: 4, maxBytes: 100, minOneBatch: true });
  t.is(r.kind === 'error' && r.errorCode, OFFSET_OUT_OF_RANGE);
});

test('retention.bytes deletes the oldest segments while the log is too big', (t) => {
  const log = openLog(new MemoryFileSystem(), logConfig({ segmentBytes: 1000, retentionBytes: 2500 }));
  fillSegments(log, 20, () => 0);
  t.is(log.sizeBytes, 4000);
  t.is(log.applyRetention(0), 1);
  t.is(log.sizeBytes, 3000);
  t.is(log.logStartOffset, 5);
});

test('retention does not delete segments at or above the high watermark', (t) => {
  const log = openLog(new MemoryFileSystem(), logConfig({ segmentBytes: 1000, retentionMs: 0 }));
  fillSegments(log, 20, () => 0);
  log.highWatermark = 7;
  t.is(log.applyRetention(100), 1);
  t.deepEqual(log.segmentBaseOffsets, [5, 10, 15]);
});

test('deleteRecordsBefore moves the log start, deletes whole segments and survives reopen', (t) => {
  const fs = new MemoryFileSystem();
  const log = openLog(fs, logConfig({ segmentBytes: 1000 }));
  fillSegments(log, 20, () => 0);
  const tooFar = log.deleteRecordsBefore(21);
  t.is(tooFar.kind === 'error' && tooFar.errorCode, OFFSET_OUT_OF_RANGE);
  t.deepEqual(log.deleteRecordsBefore(12), { kind: 'ok', logStartOffset: 12 });
  t.deepEqual(log.segmentBaseOffsets, [10, 15]);
  const below = log.read({ fetchOffset: 11, maxBytes: 100, minOneBatch: true });
  t.is(below.kind === 'error' && below.errorCode, OFFSET_OUT_OF_RANGE);
  t.is(readAll(log)[0]!.baseOffset, 12);
  log.close();
  const again = openLog(fs, logConfig({ segmentBytes: 1000 }));
  t.is(again.logStartOffset, 12);
  t.is(again.logEndOffset, 20);
});

test('deleteRecordsBefore the log end empties the log and keeps the offsets', (t) => {
  const fs = new MemoryFileSystem();
  const log = openLog(fs, logConfig({ segmentBytes: 1000 }));
  fillSegments(log, 7, () => 0);
  t.deepEqual(log.deleteRecordsBefore(7), { kind: 'ok', logStartOffset: 7 });
  t.deepEqual(log.segmentBaseOffsets, [7]);
  t.is(log.sizeBytes, 0);
  t.is(appended(t, append(log, 0, makeBatch())).baseOffset, 7);
});

test('truncateTo removes the batch holding the offset and everything after, across segments', (t) => {
  const fs = new MemoryFileSystem();
  const log = openLog(fs, small);
  for (let i = 0; i < 30; i++) append(log, 0, makeBatch({ records: 2, payload: Buffer.alloc(80) }));
  log.highWatermark = 60;
  log.truncateTo(25);
  t.is(log.logEndOffset, 24);
  t.is(log.highWatermark, 24);
  t.is(readAll(log).at(-1)!.lastOffset, 23);
  t.is(appended(t, append(log, 0, makeBatch())).baseOffset, 24);
  log.close();
  const again = openLog(fs, small);
  t.is(again.logEndOffset, 25);
  t.deepEqual(again.issues, []);
});

test('appendAsFollower keeps the leader offsets and epochs and checks CRCs', (t) => {
  const leader = openLog(new MemoryFileSystem());
  const { records, infos } = produce(makeBatch({ records: 2 }), makeBatch({ records: 3 }));
  leader.appendAsLeader(records, infos, { leaderEpoch: 4, nowMs: 0 });
  const follower = openLog(new MemoryFileSystem());
  t.deepEqual(follower.appendAsFollower(Buffer.from(records), 0), { kind: 'appended', baseOffset: 0, lastOffset: 4, logAppendTimeMs: -1 });
  t.deepEqual(follower.leaderEpochCache.all, [{ epoch: 4, startOffset: 0 }]);
  const again = follower.appendAsFollower(Buffer.from(records), 0);
  t.is(again.kind === 'error' && again.errorCode, OFFSET_OUT_OF_RANGE);
  const bad = Buffer.from(records);
  bad[70] ^= 0xff;
  const follower2 = openLog(new MemoryFileSystem());
  const r = follower2.appendAsFollower(bad, 0);
  t.is(r.kind === 'error' && r.errorCode, CORRUPT_MESSAGE);
  t.is(follower2.logEndOffset, 0);
});

test('flush.messages syncs after that many records', (t) => {
  const fs = new MemoryFileSystem();
  const log = openLog(fs, logConfig({ flushMessages: 5 }));
  append(log, 0, makeBatch({ records: 3 }));
  t.is(log.flushedOffset, 0);
  append(log, 0, makeBatch({ records: 3 }));
  t.is(log.flushedOffset, 6);
  fs.crash({ rng: seededRandom(1), tornProbability: 0 });
  t.is(openLog(fs).logEndOffset, 6);
});

test('maybeFlush syncs once flush.ms passed since the oldest unflushed append', (t) => {
  const log = openLog(new MemoryFileSystem(), logConfig({ flushMs: 100 }));
  append(log, 1000, makeBatch());
  log.maybeFlush(1099);
  t.is(log.flushedOffset, 0);
  log.maybeFlush(1100);
  t.is(log.flushedOffset, 1);
});

test('a failed fsync takes the log offline with KAFKA_STORAGE_ERROR', (t) => {
  const fs = new MemoryFileSystem();
  const log = openLog(fs, logConfig({ flushMessages: 1 }));
  fs.failNextSync('.log');
  const r = append(log, 0, makeBatch());
  t.is(r.kind === 'error' && r.errorCode, 56);
  t.true(log.offline);
  const next = append(log, 0, makeBatch());
  t.is(next.kind === 'error' && next.errorCode, 56);
  t.is(log.issues.at(-1)!.kind, 'storage-error');
});

// ---- producer state through the log -------------------------------------------------------

function producerBatch(seq: number, records = 1, epoch = 0, producerId = 42): Buffer {
  return makeBatch({ producerId, producerEpoch: epoch, baseSequence: seq, records });
}

test('idempotent appends: duplicates of the last 5 batches answer their offsets, gaps and old epochs are rejected', (t) => {
  const log = openLog(new MemoryFileSystem());
  const offsets: { baseOffset: number; lastOffset: number }[] = [];
  for (let i = 0; i < 6; i++) {
    const r = appended(t, append(log, 0, producerBatch(i * 2, 2)));
    offsets.push({ baseOffset: r.baseOffset, lastOffset: r.lastOffset });
  }
  t.is(log.logEndOffset, 12);
  for (let i = 1; i < 6; i++) {
    t.deepEqual(append(log, 0, producerBatch(i * 2, 2)), { kind: 'duplicate', ...offsets[i]! });
  }
  const tooOld = append(log, 0, producerBatch(0, 2));
  t.is(tooOld.kind === 'error' && tooOld.errorCode, OUT_OF_ORDER_SEQUENCE_NUMBER, 'the 6th-last batch is no longer remembered');
  const gap = append(log, 0, producerBatch(13));
  t.is(gap.kind === 'error' && gap.errorCode, OUT_OF_ORDER_SEQUENCE_NUMBER);
  t.is(log.logEndOffset, 12, 'nothing rejected was written');
  appended(t, append(log, 0, producerBatch(0, 1, 1)));
  const fenced = append(log, 0, producerBatch(12, 1, 0));
  t.is(fenced.kind === 'error' && fenced.errorCode, INVALID_PRODUCER_EPOCH);
  const newEpochNotZero = append(log, 0, producerBatch(5, 1, 2));
  t.is(newEpochNotZero.kind === 'error' && newEpochNotZero.errorCode, OUT_OF_ORDER_SEQUENCE_NUMBER);
});

test('producer state survives a clean close and a crash (snapshot + log tail replay)', (t) => {
  const fs = new MemoryFileSystem();
  let log = openLog(fs, small);
  for (let i = 0; i < 12; i++) append(log, 0, producerBatch(i, 1, 0, 7));
  log.close();
  log = openLog(fs, small);
  t.deepEqual(append(log, 0, producerBatch(11, 1, 0, 7)), { kind: 'duplicate', baseOffset: 11, lastOffset: 11 });
  appended(t, append(log, 0, producerBatch(12, 1, 0, 7)));
  log.flush();
  appended(t, append(log, 0, producerBatch(13, 1, 0, 7)));
  fs.crash({ rng: seededRandom(3), tornProbability: 0 });
  log = openLog(fs, small);
  t.is(log.logEndOffset, 13, 'the unflushed append is lost');
  const dup = append(log, 0, producerBatch(12, 1, 0, 7));
  t.deepEqual(dup, { kind: 'duplicate', baseOffset: 12, lastOffset: 12 });
  t.is(appended(t, append(log, 0, producerBatch(13, 1, 0, 7))).baseOffset, 13, 'the lost batch can be retried');
});

test('a corrupt producer snapshot is reported and state is rebuilt from the log', (t) => {
  const fs = new MemoryFileSystem();
  let log = openLog(fs, small);
  for (let i = 0; i < 5; i++) append(log, 0, producerBatch(i, 1, 0, 9));
  log.close();
  const snapshot = fs.readdir(DIR).find((n) => n.endsWith('.snapshot'))!;
  fs.corrupt(`${DIR}/${snapshot}`, 12, Buffer.from([0xff]));
  log = openLog(fs, small);
  t.is(log.issues[0]!.kind, 'snapshot-invalid');
  t.deepEqual(append(log, 0, producerBatch(4, 1, 0, 9)), { kind: 'duplicate', baseOffset: 4, lastOffset: 4 });
});

// ---- recovery -----------------------------------------------------------------------------

test('recovery after a crash with a torn tail keeps every flushed batch and truncates the rest', (t) => {
  for (let seed = 1; seed <= 30; seed++) {
    const fs = new MemoryFileSystem();
    const log = openLog(fs, small);
    for (let i = 0; i < 25; i++) append(log, 0, makeBatch({ records: 2, payload: `s${seed}b${i}`.padEnd(50, '#') }));
    log.flush();
    for (let i = 25; i < 35; i++) append(log, 0, makeBatch({ records: 2, payload: `s${seed}b${i}`.padEnd(50, '#') }));
    fs.crash({ rng: seededRandom(seed), tornProbability: 1 });
    const again = openLog(fs, small);
    t.true(again.logEndOffset >= 50, `seed ${seed}: flushed batches kept`);
    t.true(again.logEndOffset <= 70);
    t.is(again.logEndOffset % 2, 0, 'LEO is at a batch boundary');
    const batches = readAll(again);
    t.is(batches.length, again.logEndOffset / 2);
    batches.forEach((b, i) => t.true(b.payload.startsWith(`s${seed}b${i}#`)));
    t.true(again.issues.every((issue) => issue.kind === 'truncated-tail'));
  }
});

test('a CRC-corrupted byte in the active segment tail is truncated on recovery', (t) => {
  const fs = new MemoryFileSystem();
  const log = openLog(fs, logConfig());
  for (let i = 0; i < 10; i++) append(log, 0, makeBatch({ payload: Buffer.alloc(39, i) })); // 100 bytes each
  log.close();
  fs.corrupt(`${DIR}/00000000000000000000.log`, 7 * 100 + 80, Buffer.from([0xee]));
  const again = openLog(fs, logConfig());
  t.is(again.logEndOffset, 7);
  t.is(again.sizeBytes, 700);
  t.like(again.issues[0], { kind: 'truncated-tail', position: 700, segmentBaseOffset: 0 });
  t.is(appended(t, append(again, 0, makeBatch())).baseOffset, 7);
});

test('a corrupted closed segment is reported and its bad data never served', (t) => {
  const fs = new MemoryFileSystem();
  const log = openLog(fs, logConfig({ segmentBytes: 1000, indexIntervalBytes: 250 }));
  for (let i = 0; i < 25; i++) append(log, 0, makeBatch({ payload: Buffer.alloc(139, i) })); // 200 bytes, 5 per segment
  log.highWatermark = 25;
  log.close();
  fs.corrupt(`${DIR}/00000000000000000005.log`, 200 + 100, Buffer.from([0x01]));
  const lazy = openLog(fs, logConfig({ segmentBytes: 1000, indexIntervalBytes: 250 }));
  t.deepEqual(lazy.issues, [], 'the cheap open does not read the whole segment');
  const good = lazy.read({ fetchOffset: 5, maxBytes: 200, minOneBatch: true });
  t.is(good.kind === 'records' && parseBatches(good.records)[0]!.baseOffset, 5);
  const partial = lazy.read({ fetchOffset: 5, maxBytes: 1000, minOneBatch: true });
  t.deepEqual(partial.kind === 'records' && parseBatches(partial.records).map((b) => b.baseOffset), [5], 'stops before the bad batch');
  const bad = lazy.read({ fetchOffset: 6, maxBytes: 1000, minOneBatch: true });
  t.is(bad.kind === 'error' && bad.errorCode, CORRUPT_MESSAGE);
  t.is(lazy.issues.at(-1)!.kind, 'corrupt-segment');
  const after = lazy.read({ fetchOffset: 10, maxBytes: 1000, minOneBatch: true });
  t.is(after.kind, 'records', 'other segments stay readable');
  lazy.close();
  const verified = Log.open({ fs, dir: DIR, topic: 't', partition: 0, config: logConfig({ segmentBytes: 1000, indexIntervalBytes: 250 }), nowMs: 0, verifyClosedSegments: true });
  t.like(verified.issues.find((i) => i.kind === 'corrupt-segment'), { segmentBaseOffset: 5, position: 200 });
  verified.close();

});

test('an inconsistent index of a closed segment is rebuilt from the log', (t) => {
  const fs = new MemoryFileSystem();
  const config = logConfig({ segmentBytes: 1000, indexIntervalBytes: 150 });
  const log = openLog(fs, config);
  for (let i = 0; i < 20; i++) append(log, 0, makeBatch({ records: 3, payload: Buffer.alloc(139, i) }));
  log.close();
  fs.corrupt(`${DIR}/00000000000000000000.index`, 4, Buffer.from([0x7f, 0, 0, 0]));
  const again = openLog(fs, config);
  t.like(again.issues[0], { kind: 'index-rebuilt', segmentBaseOffset: 0 });
  for (let offset = 0; offset < 60; offset += 1) {
    const r = again.read({ fetchOffset: offset, maxBytes: 1, minOneBatch: true });
    t.is(r.kind === 'records' && parseBatches(r.records)[0]!.baseOffset, offset - (offset % 3));
  }
});

test('crash during the life of a log: stray tmp files and lost index entries are handled', (t) => {
  const fs = new MemoryFileSystem();
  const log = openLog(fs, small);
  for (let i = 0; i < 30; i++) append(log, 0, makeBatch({ records: 1, payload: Buffer.alloc(90) }));
  log.flush();
  fs.writeFileAtomic(`${DIR}/x.tmp`, 'junk');
  fs.crash({ rng: seededRandom(5) });
  const again = openLog(fs, small);
  t.is(again.logEndOffset, 30);
  t.false(fs.exists(`${DIR}/x.tmp`));
  t.is(readAll(again).length, 30);
});

// ---- property: random appends, flushes, crashes and reopens -------------------------------

type Step =
  | { op: 'append'; batches: { records: number; bytes: number }[] }
  | { op: 'flush' }
  | { op: 'crash'; seed: number; torn: boolean }
  | { op: 'reopen' }
  | { op: 'truncate'; fraction: number }
  | { op: 'deleteBefore'; fraction: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('append' as const), batches: fc.array(fc.record({ records: fc.integer({ min: 1, max: 5 }), bytes: fc.integer({ min: 1, max: 300 }) }), { minLength: 1, maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('flush' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('crash' as const), seed: fc.integer(), torn: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reopen' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), fraction: fc.integer({ min: 0, max: 99 }).map((n) => n / 100) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deleteBefore' as const), fraction: fc.integer({ min: 0, max: 100 }).map((n) => n / 100) }) },
);

function endOf(model: readonly { lastOffset: number }[], start: number): number {
  return model.length === 0 ? start : model.at(-1)!.lastOffset + 1;
}

testProp(
  'random appends, rolls, flushes, crashes, reopens, truncations and deletions never lose a flushed batch and keep offsets contiguous',
  [fc.array(stepArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 300, max: 2000 })],
  (t, steps, segmentBytes) => {
    const fs = new MemoryFileSystem();
    const config = logConfig({ segmentBytes, indexIntervalBytes: 128 });
    let log = openLog(fs, config);
    let model: { baseOffset: number; lastOffset: number; payload: string }[] = [];
    let serial = 0;
    let start = 0;
    for (const step of steps) {
      if (step.op === 'append') {
        const bufs = step.batches.map((b) => makeBatch({ records: b.records, payload: `#${serial++}`.padEnd(b.bytes, '.') }));
        const r = append(log, 0, ...bufs);
        if (r.kind !== 'appended') return t.fail(JSON.stringify(r));
        let next = r.baseOffset;
        bufs.forEach((b, i) => {
          const records = step.batches[i]!.records;
          model.push({ baseOffset: next, lastOffset: next + records - 1, payload: b.subarray(61).toString() });
          next += records;
        });
      } else if (step.op === 'flush') {
        log.flush();
      } else if (step.op === 'reopen') {
        log.close();
        log = openLog(fs, config);
        t.is(log.logEndOffset, endOf(model, start));
      } else if (step.op === 'truncate') {
        const target = start + Math.floor(step.fraction * (log.logEndOffset - start));
        log.truncateTo(target);
        model = model.filter((b) => b.lastOffset < target);
        if (endOf(model, 0) < start) model = [];
        t.is(log.logEndOffset, endOf(model, start), `truncateTo(${target})`);
      } else if (step.op === 'deleteBefore') {
        log.highWatermark = log.logEndOffset;
        const target = start + Math.floor(step.fraction * (log.logEndOffset - start));
        t.is(log.deleteRecordsBefore(target).kind, 'ok');
        start = Math.max(start, target);
        model = model.filter((b) => b.lastOffset >= start);
        t.is(log.logStartOffset, start);
      } else {
        const flushed = log.flushedOffset;
        fs.crash({ rng: seededRandom(step.seed), tornProbability: step.torn ? 1 : 0 });
        log = openLog(fs, config);
        t.true(log.logEndOffset >= flushed, `flushed ${flushed}, recovered ${log.logEndOffset}`);
        model = model.filter((b) => b.lastOffset < log.logEndOffset && b.lastOffset >= start);
        t.is(log.logEndOffset, endOf(model, start), 'recovered to a batch boundary');
        t.is(log.logStartOffset, start);
      }
    }
    const stored = readAll(log);
    t.deepEqual(stored.map((b) => [b.baseOffset, b.lastOffset, b.payload]), model.map((b) => [b.baseOffset, b.lastOffset, b.payload]));
    t.true(stored.every((b) => b.crcOk));
    t.true(log.issues.every((i) => i.kind === 'truncated-tail' || i.kind === 'log-start-beyond-end'));
  },
  { numRuns: 60 },
);

// ---- real files ---------------------------------------------------------------------------

test('node-fs: append, roll, close and reopen on real files', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'tributary-log-'));
  try {
    const fs = new NodeFileSystem();
    const dir = join(root, 'orders-3');
    const open = () => Log.open({ fs, dir, topic: 'orders', partition: 3, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', config: small, nowMs: 0 });
    let log = open();
    for (let i = 0; i < 30; i++) append(log, 0, makeBatch({ records: 2, payload: `n${i}`.padEnd(90, '+') }));
    t.true(log.segmentCount > 3);
    log.close();
    t.true(fs.readdir(dir).includes('partition.metadata'));
    t.true(fs.readdir(dir).includes('00000000000000000000.timeindex'));
    log = open();
    t.deepEqual(log.issues, []);
    t.is(log.logEndOffset, 60);
    const batches = readAll(log);
    t.is(batches.length, 30);
    t.true(batches[29]!.payload.startsWith('n29+'));
    log.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('node-fs: a torn tail written to a real file is truncated on open', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'tributary-log-'));
  try {
    const fs = new NodeFileSystem();
    const dir = join(root, 't-0');
    let log = Log.open({ fs, dir, topic: 't', partition: 0, config: logConfig(), nowMs: 0 });
    for (let i = 0; i < 5; i++) append(log, 0, makeBatch({ payload: Buffer.alloc(39) }));
    log.close();
    const handle = fs.open(join(dir, '00000000000000000000.log'));
    handle.append(makeBatch().subarray(0, 30));
    handle.close();
    log = Log.open({ fs, dir, topic: 't', partition: 0, config: logConfig(), nowMs: 0 });
    t.is(log.logEndOffset, 5);
    t.is(log.sizeBytes, 500);
    t.is(log.issues[0]!.kind, 'truncated-tail');
    log.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

// Fetch skips the CRC for bytes already known good (appended by this process, scanned, or served
// once); data that sat on disk while the broker was down must still be checked before it is served.
// (Bad bytes in the active segment are a torn tail: recovery truncates them, tested above.)
testProp(
  'sequential reads of a reopened log serve every batch before a corrupt one and refuse that one',
  [fc.integer({ min: 0, max: 9 }), fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 30 })],
  (t, corruptBatch, readSizes) => {
    const fs = new MemoryFileSystem();
    const config = logConfig({ segmentBytes: 1000, indexIntervalBytes: 250 });
    const log = openLog(fs, config);
    for (let i = 0; i < 12; i++) append(log, 0, makeBatch({ payload: Buffer.alloc(139, i) })); // 200 bytes, 5 per segment
    log.highWatermark = 12;
    const before = log.read({ fetchOffset: 0, maxBytes: 1000, minOneBatch: true });
    t.is(before.kind, 'records', 'served once before the restart');
    log.close();
    const segmentBase = Math.floor(corruptBatch / 5) * 5;
    fs.corrupt(`${DIR}/${String(segmentBase).padStart(20, '0')}.log`, (corruptBatch - segmentBase) * 200 + 100, Buffer.from([0x5a]));
    const reopened = openLog(fs, config);
    let next = 0;
    for (const maxBytes of [...readSizes, ...Array<number>(12).fill(1000)]) {
      if (next >= 12) break;
      const r = reopened.read({ fetchOffset: next, maxBytes, minOneBatch: true });
      if (next === corruptBatch) {
        t.is(r.kind === 'error' && r.errorCode, CORRUPT_MESSAGE);
        break;
      }
      t.is(r.kind, 'records');
      if (r.kind !== 'records') break;
      const served = parseBatches(r.records);
      t.true(served.every((b) => b.crcOk && b.baseOffset < corruptBatch), 'nothing at or past the corrupt batch is served');
      next = served.at(-1)!.baseOffset + 1;
    }
    t.true(next <= corruptBatch);
    reopened.close();
  },
  { numRuns: 60 },
);
