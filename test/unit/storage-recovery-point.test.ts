// Recovery points (Kafka's `recovery-point-offset-checkpoint`): what the LogManager writes and
// when, and that recovery after an unclean stop scans only from each log's recovery point while
// never losing a synced record and never serving a corrupt batch.
import test from 'ava';
import { fc, testProp } from '@fast-check/ava';
import { crc32c } from '@node-rs/crc32';
import { MemoryFileSystem, seededRandom } from '../../broker/io/memory-fs.js';
import { decodeCheckpoint } from '../../broker/storage/checkpoint-file.js';
import { logConfig } from '../../broker/storage/log-config.js';
import { CLEAN_SHUTDOWN_FILE, LogManager, RECOVERY_POINT_CHECKPOINT } from '../../broker/storage/log-manager.js';
import type { Log } from '../../broker/storage/log.js';
import type { LogConfig } from '../../broker/config/topic-config.js';
import { makeBatch, produce } from '../helpers/batches.js';

const BATCH_BYTES = 151; // 61 bytes of header + 90 of payload
const big = logConfig({ segmentBytes: 100_000, indexIntervalBytes: 1000 });
const small = logConfig({ segmentBytes: 2000, indexIntervalBytes: 300 });

function options(fs: MemoryFileSystem, config: LogConfig, nowMs = 0) {
  return { fs, logDirs: ['/logs/a', '/logs/b'], clusterId: 'c1', nodeId: 1, nowMs, configFor: () => config };
}

function appendOne(log: Log, label: string, nowMs = 0): void {
  const { records, infos } = produce(makeBatch({ records: 2, payload: label.padEnd(90, '.') }));
  const r = log.appendAsLeader(records, infos, { leaderEpoch: 0, nowMs });
  if (r.kind !== 'appended') throw new Error(JSON.stringify(r));
}

function fill(log: Log, batches: number, prefix = 'n'): void {
  for (let i = 0; i < batches; i++) appendOne(log, `${prefix}${i}`);
}

/** Lets promise callbacks of completed async syncs run. */
/** A log `t-0` with `batches` records flushed and its recovery point checkpointed (the interval passed). */
function checkpointedLog(fs: MemoryFileSystem, config: LogConfig, batches: number): Log {
  const manager = LogManager.open(options(fs, config));
  const log = manager.create({ topic: 't', partition: 0, config, nowMs: 0 });
  fill(log, batches);
  log.flush();
  manager.maybeFlushAll(60_000);
  return log;
}

function afterCallbacks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function checkpointText(fs: MemoryFileSystem, logDir: string): string {
  return fs.readFile(`${logDir}/${RECOVERY_POINT_CHECKPOINT}`).toString();
}

interface StoredBatch {
  baseOffset: number;
  lastOffset: number;
  label: string;
  crcOk: boolean;
}

/** Every batch the log serves, from its start (a read error fails the caller). */
function readAll(log: Log): StoredBatch[] {
  const out: StoredBatch[] = [];
  let offset = log.logStartOffset;
  for (let guard = 0; guard < 100_000; guard++) {
    const r = log.read({ fetchOffset: offset, maxBytes: 700, minOneBatch: true });
    if (r.kind !== 'records') throw new Error(`read failed at ${offset}: ${r.message}`);
    if (r.records.length === 0) return out;
    for (let at = 0; at < r.records.length; ) {
      const size = 12 + r.records.readInt32BE(at + 8);
      const b = r.records.subarray(at, at + size);
      const baseOffset = Number(b.readBigInt64BE(0));
      out.push({
        baseOffset,
        lastOffset: baseOffset + b.readInt32BE(23),
        label: b.subarray(61).toString().replace(/\.+$/, ''),
        crcOk: crc32c(b.subarray(21)) === b.readUInt32BE(17),
      });
      at += size;
    }
    offset = r.nextOffset;
  }
  throw new Error('log does not end');
}

// ---- the checkpoint file ----------------------------------------------------------------

test('the checkpoint is Kafka\'s text format, written after open, at the interval and at close, never when unchanged', (t) => {
  const fs = new MemoryFileSystem();
  const manager = LogManager.open(options(fs, big));
  t.is(checkpointText(fs, '/logs/a'), '0\n0\n', 'written right after open, even with no logs');
  const t0 = manager.create({ topic: 'orders', partition: 0, config: big, nowMs: 0 });
  const t1 = manager.create({ topic: 'orders', partition: 1, config: big, nowMs: 0 });
  fill(t0, 5);
  fill(t1, 3);
  t0.flush();
  t.is(t0.recoveryPoint, 10);
  t.is(t1.recoveryPoint, 0);

  manager.maybeFlushAll(59_999);
  t.is(checkpointText(fs, '/logs/a'), '0\n0\n', 'not before log.flush.offset.checkpoint.interval.ms');
  manager.maybeFlushAll(60_000);
  const dirOf0 = t0.dir.split('/').slice(0, 3).join('/');
  const dirOf1 = t1.dir.split('/').slice(0, 3).join('/');
  t.is(checkpointText(fs, dirOf0), '0\n1\norders 0 10\n');
  t.is(checkpointText(fs, dirOf1), '0\n0\n', 'a log at recovery point 0 is left out (absent means 0)');
  const syncs = fs.syncCount;
  manager.maybeFlushAll(120_000);
  t.is(fs.syncCount, syncs, 'unchanged content is not rewritten');

  manager.closeAll();
  t.is(checkpointText(fs, dirOf0), '0\n1\norders 0 10\n');
  t.is(checkpointText(fs, dirOf1), '0\n1\norders 1 6\n');
  t.deepEqual(decodeCheckpoint(checkpointText(fs, dirOf1)), [['orders', '1', '6']]);
});

test('a checkpoint written by Kafka (any order, zero entries) is read like ours', (t) => {
  const fs = new MemoryFileSystem();
  const manager = LogManager.open(options(fs, big));
  const log = manager.create({ topic: 'orders', partition: 0, config: big, nowMs: 0 });
  const other = manager.create({ topic: 'orders', partition: 1, config: big, nowMs: 0 });
  fill(log, 20);
  log.flush();
  fill(log, 5, 'late');
  const logDir = log.dir.split('/').slice(0, 3).join('/');
  // kill -9: nothing is closed; the file is rewritten as Kafka would lay it out.
  fs.writeFileAtomic(`${logDir}/${RECOVERY_POINT_CHECKPOINT}`, `0\n3\nzeta 4 0\norders 0 40\n${other.topic} 9 17\n`);

  const again = LogManager.open(options(fs, big));
  const reopened = again.get('orders', 0)!;
  t.is(reopened.activeSegmentRecovery, 'from-recovery-point');
  t.is(reopened.recoveryPoint, 40);
  t.is(reopened.logEndOffset, 50);
  t.deepEqual(again.recoveryPointFallbacks, []);
});

// ---- recovery from the recovery point ----------------------------------------------------

test('kill -9 after a clean start: only the batches after the recovery point are CRC-scanned', (t) => {
  const fs = new MemoryFileSystem();
  let manager = LogManager.open(options(fs, big));
  fill(manager.create({ topic: 't', partition: 0, config: big, nowMs: 0 }), 600);
  manager.closeAll();

  manager = LogManager.open(options(fs, big));
  t.deepEqual(manager.cleanShutdownDirs, ['/logs/a', '/logs/b']);
  const log = manager.get('t', 0)!;
  t.is(log.activeSegmentRecovery, 'trusted');
  t.is(log.recoveryPoint, 1200, 'after a clean shutdown the recovery point is the log end');
  fill(log, 4, 'after');
  // kill -9: the objects are dropped without close; the page cache (MemoryFileSystem) keeps every byte.

  manager = LogManager.open(options(fs, big));
  const reopened = manager.get('t', 0)!;
  t.deepEqual(manager.cleanShutdownDirs, []);
  t.is(reopened.activeSegmentRecovery, 'from-recovery-point');
  t.is(reopened.logEndOffset, 1208, 'kill -9 loses nothing');
  t.deepEqual(reopened.issues, []);
  t.is(reopened.recoveryPoint, 1200, 'recovery does not move the recovery point: the recovered tail may be unsynced');
  t.true(reopened.recoveryScannedBytes <= 1000 + 5 * BATCH_BYTES, `${reopened.recoveryScannedBytes} bytes scanned`);
  t.true(reopened.recoveryScannedBytes >= 4 * BATCH_BYTES);
  t.deepEqual(manager.recoverySummary(), { trusted: 0, fromRecoveryPoint: 1, scanned: 0, scannedBytes: reopened.recoveryScannedBytes });
  const stored = readAll(reopened);
  t.is(stored.length, 604);
  t.true(stored.every((b) => b.crcOk));
  t.is(stored.at(-1)!.label, 'after3');
  appendOne(reopened, 'next');
  t.is(readAll(reopened).at(-1)!.label, 'next');
});

test('bytes trusted below the recovery point are still CRC-checked before they are served', (t) => {
  const fs = new MemoryFileSystem();
  const log = checkpointedLog(fs, big, 100);
  fill(log, 3, 'after');
  fs.corrupt(`${log.dir}/00000000000000000000.log`, 10 * BATCH_BYTES + 100, Buffer.from([0x5a]));

  const reopened = LogManager.open(options(fs, big)).get('t', 0)!;
  t.is(reopened.activeSegmentRecovery, 'from-recovery-point');
  t.deepEqual(reopened.issues, [], 'recovery did not read the corrupt batch');
  const bad = reopened.read({ fetchOffset: 20, maxBytes: 1000, minOneBatch: true });
  t.is(bad.kind, 'error', 'the corrupt batch is refused, not served');
  const before = reopened.read({ fetchOffset: 0, maxBytes: 10 * BATCH_BYTES, minOneBatch: true });
  t.true(before.kind === 'records' && before.nextOffset === 20);
  const tail = reopened.read({ fetchOffset: 200, maxBytes: 10_000, minOneBatch: true });
  t.true(tail.kind === 'records' && tail.nextOffset === 206);
  appendOne(reopened, 'next');
  const next = reopened.read({ fetchOffset: 206, maxBytes: 1000, minOneBatch: true });
  t.true(next.kind === 'records' && next.nextOffset === 208);
});

test('without a checkpoint file (or with a garbled one) the active segment is scanned in full, and the reason is kept', (t) => {
  for (const damage of ['missing', 'garbled'] as const) {
    const fs = new MemoryFileSystem();
    let manager = LogManager.open(options(fs, big));
    const log = manager.create({ topic: 't', partition: 0, config: big, nowMs: 0 });
    fill(log, 300);
    log.flush();
    manager.maybeFlushAll(60_000);
    const logDir = log.dir.split('/').slice(0, 3).join('/');
    const path = `${logDir}/${RECOVERY_POINT_CHECKPOINT}`;
    if (damage === 'missing') fs.remove(path);
    else fs.writeFileAtomic(path, '0\n2\nt 0 600\n');

    manager = LogManager.open(options(fs, big));
    const reopened = manager.get('t', 0)!;
    t.is(reopened.activeSegmentRecovery, 'scanned', damage);
    t.is(reopened.recoveryScannedBytes, reopened.sizeBytes, damage);
    t.is(reopened.logEndOffset, 600);
    t.is(manager.recoveryPointFallbacks.length, 1);
    t.is(manager.recoveryPointFallbacks[0]!.logDir, logDir);
    t.regex(manager.recoveryPointFallbacks[0]!.reason, damage === 'missing' ? /missing/ : /does not parse/);
    t.is(checkpointText(fs, logDir), '0\n0\n', 'rewritten after open: recovery kept the recovery point below the unsynced active segment');
  }
});

test('a recovery point past the log end is not trusted: the active segment is scanned in full', (t) => {
  const fs = new MemoryFileSystem();
  const manager = LogManager.open(options(fs, big));
  const log = manager.create({ topic: 't', partition: 0, config: big, nowMs: 0 });
  fill(log, 50);
  log.flush();
  const logDir = log.dir.split('/').slice(0, 3).join('/');
  fs.writeFileAtomic(`${logDir}/${RECOVERY_POINT_CHECKPOINT}`, '0\n1\nt 0 5000\n');

  const reopened = LogManager.open(options(fs, big)).get('t', 0)!;
  t.is(reopened.activeSegmentRecovery, 'scanned');
  t.deepEqual(reopened.issues.map((i) => i.kind), ['checkpoint-invalid']);
  t.is(reopened.logEndOffset, 100);
  t.is(reopened.recoveryPoint, 0, 'the active segment is not taken as synced');
  t.is(readAll(reopened).length, 50);
});

test('a log missing from a valid checkpoint (created since it was written) is scanned from offset 0, every segment', (t) => {
  const fs = new MemoryFileSystem();
  const manager = LogManager.open(options(fs, small));
  const log = manager.create({ topic: 't', partition: 0, config: small, nowMs: 0 });
  fill(log, 40);
  t.true(log.segmentCount > 2);

  const reopened = LogManager.open(options(fs, small)).get('t', 0)!;
  t.is(reopened.activeSegmentRecovery, 'scanned');
  t.is(reopened.recoveryScannedBytes, reopened.sizeBytes);
  t.is(reopened.logEndOffset, 80);
  t.deepEqual(reopened.issues, []);
});

test('power loss: records below the recovery point survive; the unsynced tail is lost or cut at a batch boundary', (t) => {
  for (let seed = 0; seed < 30; seed++) {
    const fs = new MemoryFileSystem();
    const log = checkpointedLog(fs, big, 200);
    fill(log, 10 + (seed % 7), 'unsynced');
    fs.crash({ rng: seededRandom(seed), tornProbability: seed % 2 });

    const reopened = LogManager.open(options(fs, big)).get('t', 0)!;
    t.is(reopened.activeSegmentRecovery, 'from-recovery-point');
    t.true(reopened.logEndOffset >= 400, `seed ${seed}`);
    t.true(reopened.issues.every((i) => i.kind === 'truncated-tail'), JSON.stringify(reopened.issues));
    t.true(reopened.recoveryScannedBytes < 20 * BATCH_BYTES + 1000);
    const stored = readAll(reopened);
    t.true(stored.every((b) => b.crcOk));
    t.deepEqual(stored.slice(0, 200).map((b) => b.label), Array.from({ length: 200 }, (_, i) => `n${i}`));
  }
});

test('index entries at or past the recovery point are dropped and rebuilt, not trusted', (t) => {
  const fs = new MemoryFileSystem();
  const log = checkpointedLog(fs, big, 100);
  fill(log, 30, 'after');
  // The unsynced tail of the log is lost, but index entries written for it survived: they now
  // point past the end of the log, or at the wrong batches.
  const logPath = `${log.dir}/00000000000000000000.log`;
  const handle = fs.open(logPath);
  handle.truncate(100 * BATCH_BYTES);
  handle.append(makeBatch({ records: 7, payload: 'x'.repeat(300) }));
  handle.sync();
  handle.close();

  const reopened = LogManager.open(options(fs, big)).get('t', 0)!;
  t.is(reopened.activeSegmentRecovery, 'from-recovery-point');
  t.deepEqual(reopened.issues.map((i) => i.kind), ['truncated-tail'], 'the foreign batch has the wrong offsets');
  t.is(reopened.logEndOffset, 200);
  for (let offset = 0; offset < 200; offset += 13) {
    const r = reopened.read({ fetchOffset: offset, maxBytes: 1, minOneBatch: true });
    t.true(r.kind === 'records' && r.firstOffset === offset - (offset % 2), `offset ${offset}`);
  }
  t.is(reopened.offsetForTimestamp(0)?.offset, 0);
});

test('a torn closed segment past the recovery point is cut and the segments after it are deleted', (t) => {
  const fs = new MemoryFileSystem();
  const log = checkpointedLog(fs, small, 5);
  fill(log, 60, 'later');
  const bases = log.segmentBaseOffsets;
  t.true(bases.length > 3);
  // As if the roll's sync had not finished when power failed: the second segment lost its tail.
  const second = `${log.dir}/${String(bases[1]).padStart(20, '0')}.log`;
  const handle = fs.open(second);
  handle.truncate(handle.size() - 40);
  handle.sync();
  handle.close();

  const reopened = LogManager.open(options(fs, small)).get('t', 0)!;
  t.deepEqual(reopened.segmentBaseOffsets, bases.slice(0, 2));
  t.deepEqual(reopened.issues.map((i) => i.kind), ['truncated-tail', 'truncated-tail']);
  const stored = readAll(reopened);
  t.true(stored.every((b) => b.crcOk));
  t.is(stored.at(-1)!.lastOffset + 1, reopened.logEndOffset);
  t.is(stored.length, reopened.logEndOffset / 2, 'offsets stay contiguous');
});

test('a truncation below the recovery point rewrites the checkpoint at once; so does deleting a partition', (t) => {
  const fs = new MemoryFileSystem();
  const manager = LogManager.open(options(fs, big));
  const log = manager.create({ topic: 't', partition: 0, config: big, nowMs: 0 });
  const logDir = log.dir.split('/').slice(0, 3).join('/');
  fill(log, 50);
  log.flush();
  manager.maybeFlushAll(60_000);
  t.is(checkpointText(fs, logDir), '0\n1\nt 0 100\n');
  log.truncateTo(60);
  t.is(log.recoveryPoint, 60);
  t.is(checkpointText(fs, logDir), '0\n1\nt 0 60\n', 'new data below 100 must not be trusted after a crash');
  fill(log, 30, 'new');
  fs.crash({ rng: seededRandom(1), tornProbability: 1 });
  let again = LogManager.open(options(fs, big));
  const reopened = again.get('t', 0)!;
  t.true(reopened.logEndOffset >= 60);
  t.true(readAll(reopened).every((b) => b.crcOk));
  t.true(again.delete('t', 0));
  t.is(checkpointText(fs, logDir), '0\n0\n', 'a partition created again under this name must not inherit the point');
  again = LogManager.open(options(fs, big));
  t.is(again.size, 0);
});

test('the clean shutdown marker is written after the checkpoint, and a clean start writes the log ends', (t) => {
  const fs = new MemoryFileSystem();
  let manager = LogManager.open(options(fs, small));
  const log = manager.create({ topic: 't', partition: 0, config: small, nowMs: 0 });
  fill(log, 30);
  manager.closeAll();
  const logDir = log.dir.split('/').slice(0, 3).join('/');
  t.true(fs.exists(`${logDir}/${CLEAN_SHUTDOWN_FILE}`));
  t.is(checkpointText(fs, logDir), '0\n1\nt 0 60\n');
  manager = LogManager.open(options(fs, small));
  t.is(manager.get('t', 0)!.recoveryPoint, 60);
  t.is(checkpointText(fs, logDir), '0\n1\nt 0 60\n');
});

// ---- property: random work, flushes, checkpoints, kills and power failures -----------------
// Syncs started off the event loop (rolls, flush.ms) are held by the file system and completed
// in random order by 'settle' steps, so power failures land while some are in flight.

type Step =
  | { op: 'append'; partition: number; batches: number }
  | { op: 'flush'; partition: number }
  | { op: 'tick'; ms: number }
  | { op: 'settle'; count: number; seed: number }
  | { op: 'truncate'; partition: number; fraction: number }
  | { op: 'kill' }
  | { op: 'powerLoss'; seed: number; torn: boolean }
  | { op: 'cleanRestart' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('append' as const), partition: fc.integer({ min: 0, max: 1 }), batches: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('flush' as const), partition: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 20_000 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('settle' as const), count: fc.integer({ min: 1, max: 8 }), seed: fc.integer() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), partition: fc.integer({ min: 0, max: 1 }), fraction: fc.integer({ min: 0, max: 99 }).map((n) => n / 100) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('kill' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('powerLoss' as const), seed: fc.integer(), torn: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cleanRestart' as const) }) },
);

testProp(
  'random appends, flushes, checkpoints, truncations, kills and power failures never lose a synced record or serve a corrupt batch',
  [fc.array(stepArb, { minLength: 1, maxLength: 50 }), fc.integer({ min: 600, max: 3000 }), fc.integer({ min: 100, max: 5_000 })],
  async (t, steps, segmentBytes, flushMs) => {
    const fs = new MemoryFileSystem();
    fs.holdAsyncSyncs = true;
    const config = logConfig({ segmentBytes, indexIntervalBytes: 200, flushMs });
    let nowMs = 0;
    let manager = LogManager.open({ ...options(fs, config), recoveryPointCheckpointIntervalMs: 10_000 });
    const logOf = (p: number): Log => manager.create({ topic: 't', partition: p, config, nowMs });
    const models: string[][] = [[], []]; // labels by batch (2 records each), per partition
    let serial = 0;
    const reopen = (kind: string, synced: number[]): void => {
      manager = LogManager.open({ ...options(fs, config, nowMs), recoveryPointCheckpointIntervalMs: 10_000 });
      for (let p = 0; p < 2; p++) {
        const log = logOf(p);
        t.true(log.issues.every((i) => i.kind === 'truncated-tail'), `${kind}: ${JSON.stringify(log.issues)}`);
        t.true(log.logEndOffset >= synced[p]!, `${kind}: partition ${p} recovered to ${log.logEndOffset}, below its recovery point ${synced[p]}`);
        if (kind !== 'power loss') t.is(log.logEndOffset, models[p]!.length * 2, `${kind} loses nothing`);
        const stored = readAll(log);
        t.true(stored.every((b) => b.crcOk), 'no corrupt batch is served');
        t.deepEqual(stored.map((b) => b.label), models[p]!.slice(0, stored.length), 'the log is a prefix of what was appended');
        t.is(stored.length * 2, log.logEndOffset, 'offsets are contiguous');
        models[p] = models[p]!.slice(0, stored.length);
      }
    };
    for (const step of steps) {
      if (step.op === 'append') {
        for (let i = 0; i < step.batches; i++) {
          const label = `b${serial++}`;
          appendOne(logOf(step.partition), label, nowMs);
          models[step.partition]!.push(label);
        }
      } else if (step.op === 'flush') {
        logOf(step.partition).flush();
      } else if (step.op === 'tick') {
        nowMs += step.ms;
        manager.maybeFlushAll(nowMs);
      } else if (step.op === 'settle') {
        fs.completeAsyncSyncs(step.count, seededRandom(step.seed));
        await afterCallbacks();
      } else if (step.op === 'truncate') {
        const log = logOf(step.partition);
        const keep = Math.floor(step.fraction * models[step.partition]!.length);
        log.truncateTo(keep * 2);
        models[step.partition] = models[step.partition]!.slice(0, keep);
      } else if (step.op === 'kill') {
        reopen('kill -9', [0, 1].map((p) => logOf(p).recoveryPoint));
      } else if (step.op === 'powerLoss') {
        const synced = [0, 1].map((p) => logOf(p).recoveryPoint);
        fs.crash({ rng: seededRandom(step.seed), tornProbability: step.torn ? 1 : 0 });
        reopen('power loss', synced);
      } else {
        manager.closeAll();
        reopen('clean restart', [0, 1].map((p) => models[p]!.length * 2));
      }
    }
    reopen('kill -9 at the end', [0, 1].map((p) => logOf(p).recoveryPoint));
  },
  { numRuns: 80 },
);

test('a failure to write recovery points is reported once per new failure and cleared by a success', (t) => {
  const fs = new MemoryFileSystem();
  const reported: string[] = [];
  const manager = LogManager.open({ ...options(fs, big), onCheckpointFailure: (dir, message) => reported.push(`${dir}: ${message}`) });
  const log = manager.create({ topic: 't', partition: 0, config: big, nowMs: 0 });
  fill(log, 5);
  log.flush();
  fs.failNextSync(RECOVERY_POINT_CHECKPOINT);
  manager.maybeFlushAll(60_000);
  t.is(reported.length, 1);
  t.true(manager.checkpointFailures.has('/logs/a'));
  fill(log, 5);
  log.flush();
  fs.failNextSync(RECOVERY_POINT_CHECKPOINT);
  manager.maybeFlushAll(120_000);
  t.is(reported.length, 1, 'the same failure again is not reported again');
  manager.maybeFlushAll(180_000);
  t.false(manager.checkpointFailures.has('/logs/a'), 'a later success clears it');
  t.is(checkpointText(fs, '/logs/a'), '0\n1\nt 0 20\n');
});
