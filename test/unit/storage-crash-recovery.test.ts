// Crash behaviour of partition creation (no fsync until the first record) and of the clean
// shutdown marker (trusted active segments after a clean close, a full scan after a crash).
import test from 'ava';
import { MemoryFileSystem, seededRandom } from '../../broker/io/memory-fs.js';
import { logConfig } from '../../broker/storage/log-config.js';
import { CLEAN_SHUTDOWN_FILE, LogManager } from '../../broker/storage/log-manager.js';
import type { Log } from '../../broker/storage/log.js';
import { makeBatch, produce } from '../helpers/batches.js';

const config = logConfig({ segmentBytes: 2000, indexIntervalBytes: 100 });
const base = { logDirs: ['/logs/a', '/logs/b'], clusterId: 'c1', nodeId: 1, nowMs: 0, configFor: () => config };
const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAg';

function appendOne(log: Log, payload = 'x'.repeat(90)): void {
  const { records, infos } = produce(makeBatch({ records: 2, payload }));
  const r = log.appendAsLeader(records, infos, { leaderEpoch: 3, nowMs: 0 });
  if (r.kind !== 'appended') throw new Error(JSON.stringify(r));
}

/** What the broker does for a partition it leads: create the log, record the leader epoch. */
function createLikeBroker(manager: LogManager, partition: number): Log {
  const log = manager.create({ topic: 't', partition, topicId: TOPIC_ID, config, nowMs: 0 });
  if (log.leaderEpochCache.latestEpoch < 3) log.leaderEpochCache.assign(3, log.logEndOffset);
  return log;
}

// ---- the in-memory model of non-durable entries -----------------------------------------

test('memory-fs: an entry created with durable false is lost by a crash unless its directory was synced', (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdirp('/d');
  fs.open('/d/kept', { create: true, durable: false }).close();
  fs.syncDirectory('/d');
  fs.open('/d/lost', { create: true, durable: false }).close();
  fs.open('/d/durable', { create: true }).close();
  t.is(fs.pendingEntryCount, 1);
  fs.crash({ rng: seededRandom(1), entryLossProbability: 1 });
  t.deepEqual(fs.readdir('/d'), ['durable', 'kept']);
});

test('memory-fs: a lost non-durable directory takes its subtree; a lost non-durable rewrite brings back the old file', (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdirp('/d');
  fs.writeFileAtomic('/d/cp', 'old');
  fs.writeFileAtomic('/d/cp', 'new', { durable: false });
  fs.mkdirp('/d/p', { durable: false });
  fs.open('/d/p/f', { create: true }).close();
  t.is(fs.readFile('/d/cp').toString(), 'new', 'readers see the new bytes at once');
  fs.crash({ rng: seededRandom(2), entryLossProbability: 1 });
  t.is(fs.readFile('/d/cp').toString(), 'old');
  t.false(fs.exists('/d/p'));
  t.false(fs.exists('/d/p/f'));
});

test('memory-fs: a kept non-durable file holds an empty or torn prefix of what was written', (t) => {
  const seen = new Set<string>();
  for (let seed = 0; seed < 40; seed++) {
    const fs = new MemoryFileSystem();
    fs.mkdirp('/d');
    fs.writeFileAtomic('/d/cp', 'abcdef', { durable: false });
    fs.crash({ rng: seededRandom(seed), entryLossProbability: 0, tornProbability: 1 });
    const after = fs.readFile('/d/cp').toString();
    t.true('abcdef'.startsWith(after), after);
    seen.add(after);
  }
  t.true(seen.size > 2);
});

// ---- creation ---------------------------------------------------------------------------

test('creating partitions does no fsync at all', (t) => {
  const fs = new MemoryFileSystem();
  const manager = LogManager.open({ ...base, fs });
  const files = fs.syncCount;
  const dirs = fs.directorySyncCount;
  for (let p = 0; p < 20; p++) createLikeBroker(manager, p);
  t.is(fs.syncCount, files);
  t.is(fs.directorySyncCount, dirs);
  t.true(fs.pendingEntryCount > 0);
});

test('a crash after creating partitions, before any append, reopens as no partition or a valid empty log, never an error', (t) => {
  const outcomes = new Set<string>();
  for (let seed = 0; seed < 150; seed++) {
    const fs = new MemoryFileSystem();
    const manager = LogManager.open({ ...base, fs });
    for (let p = 0; p < 3; p++) createLikeBroker(manager, p);
    fs.crash({ rng: seededRandom(seed), tornProbability: seed % 2, entryLossProbability: 0.5 });

    const again = LogManager.open({ ...base, fs });
    t.true(again.reports.every((r) => r.error === undefined), JSON.stringify(again.reports));
    for (const report of again.reports) {
      t.true(report.issues.every((i) => i.kind === 'checkpoint-invalid'), JSON.stringify(report.issues));
    }
    for (let p = 0; p < 3; p++) {
      const found = again.get('t', p);
      outcomes.add(found ? `empty log, ${fs.readdir(found.dir).length} files` : 'no partition');
      if (found) t.is(found.logEndOffset, 0);
      const log = createLikeBroker(again, p);
      t.is(log.logEndOffset, 0);
      t.is(log.leaderEpochCache.latestEpoch, 3);
      appendOne(log);
      log.flush();
    }
    // The first append settled every partition: now even a crash losing every unsynced entry
    // and tearing every unsynced byte keeps the flushed records and the partition's metadata.
    fs.crash({ rng: seededRandom(seed + 1000), tornProbability: 1, entryLossProbability: 1 });
    const third = LogManager.open({ ...base, fs });
    for (let p = 0; p < 3; p++) {
      const log = third.get('t', p);
      t.truthy(log, `partition ${p} survived (seed ${seed})`);
      if (!log) continue;
      t.is(log.logEndOffset, 2);
      t.deepEqual(log.issues, []);
      t.deepEqual(log.leaderEpochCache.all, [{ epoch: 3, startOffset: 0 }]);
      t.regex(fs.readFile(`${log.dir}/partition.metadata`).toString(), new RegExp(`topic_id: ${TOPIC_ID}$`, 'm'));
    }
  }
  t.true(outcomes.has('no partition'), [...outcomes].join('; '));
  t.true(outcomes.size > 3, [...outcomes].join('; '));
});

test('a new partition closed cleanly before its first record still settles before that record', (t) => {
  const fs = new MemoryFileSystem();
  let manager = LogManager.open({ ...base, fs });
  createLikeBroker(manager, 0);
  const files = fs.syncCount;
  manager.closeAll();
  t.is(fs.syncCount, files + base.logDirs.length, 'closing a log with no records syncs nothing of it (only the markers are written)');
  manager = LogManager.open({ ...base, fs });
  const log = manager.get('t', 0)!;
  appendOne(log);
  log.flush();
  fs.crash({ rng: seededRandom(7), tornProbability: 1, entryLossProbability: 1 });
  manager = LogManager.open({ ...base, fs });
  t.is(manager.get('t', 0)?.logEndOffset, 2);
});

// ---- clean shutdown marker --------------------------------------------------------------

function filledManager(fs: MemoryFileSystem): { manager: LogManager; log: Log } {
  const manager = LogManager.open({ ...base, fs });
  const log = createLikeBroker(manager, 0);
  for (let i = 0; i < 30; i++) appendOne(log, `n${i}`.padEnd(90, '.'));
  return { manager, log };
}

test('a clean close writes the marker; the next open trusts the active segment and removes the marker', (t) => {
  const fs = new MemoryFileSystem();
  const { manager, log } = filledManager(fs);
  const segments = log.segmentCount;
  manager.closeAll();
  t.true(fs.exists(`/logs/a/${CLEAN_SHUTDOWN_FILE}`));
  t.true(fs.exists(`/logs/b/${CLEAN_SHUTDOWN_FILE}`));

  const again = LogManager.open({ ...base, fs });
  t.deepEqual(again.cleanShutdownDirs, ['/logs/a', '/logs/b']);
  t.false(fs.exists(`/logs/a/${CLEAN_SHUTDOWN_FILE}`), 'the marker is gone before any write');
  const reopened = again.get('t', 0)!;
  t.is(reopened.activeSegmentRecovery, 'trusted');
  t.deepEqual(reopened.issues, []);
  t.is(reopened.logEndOffset, 60);
  t.is(reopened.segmentCount, segments);
  const r = reopened.read({ fetchOffset: 58, maxBytes: 1000, minOneBatch: true });
  t.true(r.kind === 'records' && r.records.includes(Buffer.from('n29.')));
  appendOne(reopened);
  t.is(reopened.logEndOffset, 62);
});

test('after a crash (no marker) the active segment is scanned and a torn tail is cut off', (t) => {
  const fs = new MemoryFileSystem();
  const { log } = filledManager(fs);
  log.flush();
  appendOne(log, 'unflushed'.padEnd(90, '!'));
  const activeBase = log.segmentBaseOffsets.at(-1)!;
  fs.crash({ rng: seededRandom(3), tornProbability: 0 });
  // The crash dropped the unflushed batch; a torn half of another one is left at the end.
  const handle = fs.open(`/logs/a/t-0/${String(activeBase).padStart(20, '0')}.log`);
  handle.append(makeBatch({ payload: 'y'.repeat(90) }).subarray(0, 70));
  handle.sync();
  handle.close();

  const again = LogManager.open({ ...base, fs });
  t.deepEqual(again.cleanShutdownDirs, []);
  const reopened = again.get('t', 0)!;
  t.is(reopened.activeSegmentRecovery, 'scanned');
  t.is(reopened.logEndOffset, 60);
  t.deepEqual(reopened.issues.map((i) => i.kind), ['truncated-tail']);
});

test('a marker whose active segment does not check out falls back to the scan', (t) => {
  const fs = new MemoryFileSystem();
  const { manager, log } = filledManager(fs);
  const activeLog = `${log.dir}/${String(log.segmentBaseOffsets.at(-1)!).padStart(20, '0')}.log`;
  manager.closeAll();
  const handle = fs.open(activeLog);
  handle.append(Buffer.from('garbage after the clean close'));
  handle.close();

  const again = LogManager.open({ ...base, fs });
  const reopened = again.get('t', 0)!;
  t.is(reopened.activeSegmentRecovery, 'scanned');
  t.deepEqual(reopened.issues.map((i) => i.kind), ['index-rebuilt', 'truncated-tail']);
  t.is(reopened.logEndOffset, 60);
});

test('a log dir with an offline partition gets no marker; the other dir does', (t) => {
  const fs = new MemoryFileSystem();
  const manager = LogManager.open({ ...base, fs });
  const inA = createLikeBroker(manager, 0);
  const inB = createLikeBroker(manager, 1);
  appendOne(inA);
  appendOne(inB);
  const offlineDir = inA.dir.split('/').slice(0, 3).join('/');
  fs.failNextSync(inA.dir);
  manager.flushAll();
  t.true(inA.offline);
  manager.closeAll();
  t.false(fs.exists(`${offlineDir}/${CLEAN_SHUTDOWN_FILE}`));
  const otherDir = base.logDirs.find((d) => d !== offlineDir)!;
  t.true(fs.exists(`${otherDir}/${CLEAN_SHUTDOWN_FILE}`));
  const again = LogManager.open({ ...base, fs });
  t.deepEqual(again.cleanShutdownDirs, [otherDir]);
});
