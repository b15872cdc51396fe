// Syncs off the event loop (`FileHandle.syncAsync`): a roll and the flush.ms flush no longer
// block; the recovery point moves only when the sync completes; deletion, truncation, close and
// sync failures while a sync is in flight keep the log consistent.
import test from 'ava';
import { crc32c } from '@node-rs/crc32';
import { MemoryFileSystem, seededRandom } from '../../broker/io/memory-fs.js';
import { KAFKA_STORAGE_ERROR } from '../../broker/storage/error-codes.js';
import { logConfig } from '../../broker/storage/log-config.js';
import { CLEAN_SHUTDOWN_FILE, LogManager, RECOVERY_POINT_CHECKPOINT } from '../../broker/storage/log-manager.js';
import { Log } from '../../broker/storage/log.js';
import type { LogConfig } from '../../broker/config/topic-config.js';
import { makeBatch, produce } from '../helpers/batches.js';

const config = logConfig({ segmentBytes: 1000, indexIntervalBytes: 300 }); // 6 batches of 151 bytes per segment

function options(fs: MemoryFileSystem, c: LogConfig = config) {
  return { fs, logDirs: ['/logs/a'], clusterId: 'c1', nodeId: 1, nowMs: 0, configFor: () => c };
}

function heldFs(): MemoryFileSystem {
  const fs = new MemoryFileSystem();
  fs.holdAsyncSyncs = true;
  return fs;
}

function appendOne(log: Log, label: string): ReturnType<Log['appendAsLeader']> {
  const { records, infos } = produce(makeBatch({ records: 2, payload: label.padEnd(90, '.') }));
  return log.appendAsLeader(records, infos, { leaderEpoch: 0, nowMs: 0 });
}

function fill(log: Log, batches: number, prefix = 'n'): void {
  for (let i = 0; i < batches; i++) {
    const r = appendOne(log, `${prefix}${i}`);
    if (r.kind !== 'appended') throw new Error(JSON.stringify(r));
  }
}

/** Lets promise callbacks of completed async syncs run. */
function afterCallbacks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Labels of every batch the log serves; every batch must pass its CRC. */
function labels(log: Log): string[] {
  const out: string[] = [];
  let offset = log.logStartOffset;
  for (;;) {
    const r = log.read({ fetchOffset: offset, maxBytes: 1000, minOneBatch: true });
    if (r.kind !== 'records') throw new Error(r.message);
    if (r.records.length === 0) return out;
    for (let at = 0; at < r.records.length; ) {
      const size = 12 + r.records.readInt32BE(at + 8);
      const b = r.records.subarray(at, at + size);
      if (crc32c(b.subarray(21)) !== b.readUInt32BE(17)) throw new Error(`corrupt batch served at ${offset}`);
      out.push(b.subarray(61).toString().replace(/\.+$/, ''));
      at += size;
    }
    offset = r.nextOffset;
  }
}

test('a roll does not wait for the old segment\'s sync; the recovery point moves when it completes', async (t) => {
  const fs = heldFs();
  const manager = LogManager.open(options(fs));
  const log = manager.create({ topic: 't', partition: 0, config, nowMs: 0 });
  fill(log, 6);
  const syncs = fs.syncCount;
  fill(log, 1, 'rolls'); // does not fit: rolls
  t.is(log.segmentCount, 2);
  t.is(fs.syncCount - syncs, 1, 'only the producer snapshot is synced on the event loop');
  t.is(fs.pendingAsyncSyncCount, 3, 'the old segment\'s log and index files sync in the background');
  t.is(log.recoveryPoint, 0);
  t.is(log.backgroundFlushesInFlight, 1);
  t.is(fs.durableSize(`${log.dir}/00000000000000000000.log`), 0);

  fs.completeAsyncSyncs();
  await afterCallbacks();
  t.is(log.backgroundFlushesInFlight, 0);
  t.is(log.recoveryPoint, 12, 'the new segment\'s base');
  t.is(fs.durableSize(`${log.dir}/00000000000000000000.log`), 6 * 151);
  t.is(fs.durableSize(`${log.dir}/00000000000000000000.index`), fs.sizeOf(`${log.dir}/00000000000000000000.index`));
});

test('a log opened on its own (no recovery point owner) still syncs before the next segment is created', (t) => {
  const fs = heldFs();
  const log = Log.open({ fs, dir: '/d/t-0', topic: 't', partition: 0, config, nowMs: 0 });
  fill(log, 7);
  t.is(fs.pendingAsyncSyncCount, 0);
  t.is(log.recoveryPoint, 12);
  t.is(fs.durableSize('/d/t-0/00000000000000000000.log'), 6 * 151);
});

test('power failure while roll syncs are in flight: nothing below the recovery point is lost, no corrupt batch is served', async (t) => {
  for (let seed = 0; seed < 40; seed++) {
    const fs = heldFs();
    const manager = LogManager.open(options(fs));
    const log = manager.create({ topic: 't', partition: 0, config, nowMs: 0 });
    fill(log, 14);
    fs.completeAsyncSyncs(seed % 4, seededRandom(seed));
    await afterCallbacks();
    fill(log, 9, 'more');
    manager.maybeFlushAll(60_000);
    const recoveryPoint = log.recoveryPoint;
    const appended = [...Array.from({ length: 14 }, (_, i) => `n${i}`), ...Array.from({ length: 9 }, (_, i) => `more${i}`)];
    fs.crash({ rng: seededRandom(seed), tornProbability: seed % 2 });

    const reopened = LogManager.open(options(fs)).get('t', 0)!;
    t.true(reopened.logEndOffset >= recoveryPoint, `seed ${seed}: recovered to ${reopened.logEndOffset}, recovery point was ${recoveryPoint}`);
    const stored = labels(reopened);
    t.deepEqual(stored, appended.slice(0, stored.length), `seed ${seed}: a prefix of what was appended`);
    t.is(stored.length * 2, reopened.logEndOffset, `seed ${seed}: contiguous`);
    t.true(reopened.issues.every((i) => i.kind === 'truncated-tail'), JSON.stringify(reopened.issues));
  }
});

test('retention deletes a segment while its sync is in flight: the sync\'s failure is ignored, the log stays online', async (t) => {
  const fs = heldFs();
  const manager = LogManager.open(options(fs, logConfig({ segmentBytes: 1000, indexIntervalBytes: 300, retentionBytes: 1 })));
  const log = manager.create({ topic: 't', partition: 0, config: logConfig({ segmentBytes: 1000, indexIntervalBytes: 300, retentionBytes: 1 }), nowMs: 0 });
  fill(log, 6);
  fs.failNextSync('00000000000000000000.log');
  fill(log, 7, 'second'); // rolls twice
  t.is(log.segmentCount, 3);
  log.highWatermark = log.logEndOffset;
  t.is(manager.runRetention(0), 2);
  t.deepEqual(log.segmentBaseOffsets, [24]);
  t.false(fs.exists(`${log.dir}/00000000000000000000.log`));
  fs.completeAsyncSyncs();
  await afterCallbacks();
  t.false(log.offline);
  t.is(log.recoveryPoint, 24);
  t.deepEqual(log.issues, []);
});

test('a truncation while a background flush is in flight keeps the recovery point at the cut', async (t) => {
  const fs = heldFs();
  const manager = LogManager.open(options(fs));
  const log = manager.create({ topic: 't', partition: 0, config, nowMs: 0 });
  fill(log, 7); // rolls at 12; the sync for [0, 12) is in flight
  log.truncateTo(6);
  fill(log, 3, 'replaced');
  fs.completeAsyncSyncs();
  await afterCallbacks();
  t.is(log.recoveryPoint, 0, 'the flush started before the truncation covered other bytes');
  t.is(fs.readFile(`/logs/a/${RECOVERY_POINT_CHECKPOINT}`).toString(), '0\n0\n');
  fs.crash({ rng: seededRandom(5), tornProbability: 1 });
  const reopened = LogManager.open(options(fs)).get('t', 0)!;
  const stored = labels(reopened);
  t.deepEqual(stored, ['n0', 'n1', 'n2', 'replaced0', 'replaced1', 'replaced2'].slice(0, stored.length));
});

test('close while syncs are in flight syncs on the spot; late completions change nothing; the next start trusts the log', async (t) => {
  const fs = heldFs();
  const manager = LogManager.open(options(fs));
  const log = manager.create({ topic: 't', partition: 0, config, nowMs: 0 });
  fill(log, 20);
  t.true(fs.pendingAsyncSyncCount > 0);
  manager.closeAll();
  t.true(fs.exists(`/logs/a/${CLEAN_SHUTDOWN_FILE}`));
  t.is(fs.readFile(`/logs/a/${RECOVERY_POINT_CHECKPOINT}`).toString(), '0\n1\nt 0 40\n');
  fs.completeAsyncSyncs();
  await afterCallbacks();
  t.false(log.offline);
  fs.crash({ rng: seededRandom(6), tornProbability: 1 });
  const reopened = LogManager.open(options(fs)).get('t', 0)!;
  t.is(reopened.activeSegmentRecovery, 'trusted');
  t.is(labels(reopened).length, 20);
});

test('a failed background sync takes the log offline, and its log dir gets no clean shutdown marker', async (t) => {
  const fs = heldFs();
  const manager = LogManager.open(options(fs));
  const log = manager.create({ topic: 't', partition: 0, config, nowMs: 0 });
  fill(log, 6);
  fs.failNextSync('.index');
  fill(log, 1, 'rolls');
  fs.completeAsyncSyncs();
  await afterCallbacks();
  t.true(log.offline);
  t.is(log.issues.at(-1)?.kind, 'storage-error');
  t.is(log.recoveryPoint, 0);
  const r = appendOne(log, 'refused');
  t.is(r.kind === 'error' && r.errorCode, KAFKA_STORAGE_ERROR);
  manager.closeAll();
  t.false(fs.exists(`/logs/a/${CLEAN_SHUTDOWN_FILE}`));
});

test('the flush.ms flush runs in the background, one at a time per log', async (t) => {
  const fs = heldFs();
  const timed = logConfig({ segmentBytes: 100_000, indexIntervalBytes: 300, flushMs: 100 });
  const manager = LogManager.open(options(fs, timed));
  const log = manager.create({ topic: 't', partition: 0, config: timed, nowMs: 0 });
  fill(log, 3);
  const syncs = fs.syncCount;
  manager.maybeFlushAll(100);
  t.is(fs.syncCount, syncs, 'nothing synced on the event loop');
  t.is(log.backgroundFlushesInFlight, 1);
  fill(log, 2, 'while');
  manager.maybeFlushAll(1000);
  t.is(log.backgroundFlushesInFlight, 1, 'no second flush while one runs');
  fs.completeAsyncSyncs();
  await afterCallbacks();
  t.is(log.recoveryPoint, 6, 'what was appended when the flush started');
  manager.maybeFlushAll(1100);
  fs.completeAsyncSyncs();
  await afterCallbacks();
  t.is(log.recoveryPoint, 10);
});

test('a roll past the log end (a follower\'s gap) is synced and checkpointed at once; recovery keeps the gap', (t) => {
  const fs = heldFs();
  const manager = LogManager.open(options(fs));
  const log = manager.create({ topic: 't', partition: 0, config, nowMs: 0 });
  fill(log, 3);
  const batch = makeBatch({ records: 2, payload: 'gap'.padEnd(90, '.') });
  batch.writeBigInt64BE(100n, 0); // the leader's offsets jump from 6 to 100
  log.roll(100, 0);
  t.is(log.recoveryPoint, 100);
  t.is(fs.readFile(`/logs/a/${RECOVERY_POINT_CHECKPOINT}`).toString(), '0\n1\nt 0 100\n');
  const r = log.appendAsFollower(batch, 0); // the CRC does not cover the base offset
  t.is(r.kind, 'appended');
  fs.crash({ rng: seededRandom(8), tornProbability: 1 });
  const reopened = LogManager.open(options(fs)).get('t', 0)!;
  t.deepEqual(reopened.segmentBaseOffsets, [0, 100]);
  t.true(reopened.logEndOffset >= 100);
  t.deepEqual(reopened.issues.filter((i) => i.kind !== 'truncated-tail'), []);
  t.false(reopened.issues.some((i) => i.message.includes('before the next segment')));
});
