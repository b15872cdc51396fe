import test from 'ava';
import { MemoryFileSystem } from '../../broker/io/memory-fs.js';
import { logConfig } from '../../broker/storage/log-config.js';
import { LogManager, MetaPropertiesError, parsePartitionDirName } from '../../broker/storage/log-manager.js';
import type { Log } from '../../broker/storage/log.js';
import { makeBatch, produce } from '../helpers/batches.js';

function appendOne(log: Log, records = 1, timestamp = 0): void {
  const { records: bytes, infos } = produce(makeBatch({ records, timestamp, payload: Buffer.alloc(100) }));
  const r = log.appendAsLeader(bytes, infos, { leaderEpoch: 0, nowMs: 0 });
  if (r.kind !== 'appended') throw new Error(JSON.stringify(r));
}

const config = logConfig({ segmentBytes: 500, retentionMs: 1000 });
const base = { logDirs: ['/logs/a', '/logs/b'], clusterId: 'c1', nodeId: 1, nowMs: 0, configFor: () => config };

test('partition dir names split at the last dash', (t) => {
  t.deepEqual(parsePartitionDirName('my-topic-12'), { topic: 'my-topic', partition: 12 });
  t.is(parsePartitionDirName('meta.properties'), undefined);
  t.is(parsePartitionDirName('t-0-delete'), undefined);
});

test('creates partitions spread over log dirs and reopens them with recovery reports', (t) => {
  const fs = new MemoryFileSystem();
  const manager = LogManager.open({ ...base, fs });
  const p0 = manager.create({ topic: 'orders', partition: 0, topicId: 'id-orders', config, nowMs: 0 });
  const p1 = manager.create({ topic: 'orders', partition: 1, config, nowMs: 0 });
  t.is(manager.create({ topic: 'orders', partition: 0, config, nowMs: 0 }), p0, 'create is idempotent');
  t.not(p0.dir.split('/')[2], p1.dir.split('/')[2], 'the two partitions went to different log dirs');
  for (let i = 0; i < 5; i++) appendOne(p0, 2);
  appendOne(p1);
  manager.closeAll();
  t.regex(fs.readFile('/logs/a/meta.properties').toString(), /cluster\.id=c1\nnode\.id=1\n/);
  t.regex(fs.readFile(`${p0.dir}/partition.metadata`).toString(), /topic_id: id-orders/);

  const again = LogManager.open({ ...base, fs });
  t.is(again.size, 2);
  t.is(again.get('orders', 0)!.logEndOffset, 10);
  t.is(again.get('orders', 1)!.logEndOffset, 1);
  t.is(again.reports.length, 2);
  t.true(again.reports.every((r) => r.error === undefined && r.issues.length === 0));
});

test('meta.properties from another cluster or node is refused', (t) => {
  const fs = new MemoryFileSystem();
  LogManager.open({ ...base, fs }).closeAll();
  t.throws(() => LogManager.open({ ...base, fs, clusterId: 'other' }), { instanceOf: MetaPropertiesError });
  t.throws(() => LogManager.open({ ...base, fs, nodeId: 2 }), { instanceOf: MetaPropertiesError });
});

test('delete removes the partition; a half-deleted dir is cleaned up on open', (t) => {
  const fs = new MemoryFileSystem();
  const manager = LogManager.open({ ...base, fs });
  const log = manager.create({ topic: 't', partition: 0, config, nowMs: 0 });
  appendOne(log);
  const dir = log.dir;
  t.true(manager.delete('t', 0));
  t.false(fs.exists(dir));
  t.false(manager.delete('t', 0));
  fs.mkdirp('/logs/a/t-5-delete');
  fs.writeFileAtomic('/logs/a/t-5-delete/00000000000000000000.log', 'x');
  const again = LogManager.open({ ...base, fs });
  t.false(fs.exists('/logs/a/t-5-delete'));
  t.is(again.size, 0);
});

test('runRetention, updateConfig and flushAll reach every partition', (t) => {
  const fs = new MemoryFileSystem();
  const manager = LogManager.open({ ...base, fs });
  const log = manager.create({ topic: 't', partition: 0, config, nowMs: 0 });
  for (let i = 0; i < 9; i++) appendOne(log, 1, 0);
  log.highWatermark = log.logEndOffset;
  t.is(log.segmentCount, 3);
  t.is(manager.runRetention(500), 0);
  t.is(manager.runRetention(5000), 2);
  t.is(log.logStartOffset, 6);
  manager.updateConfig('t', logConfig({ flushMessages: 1 }));
  appendOne(log);
  t.is(log.flushedOffset, 10);
  appendOne(manager.create({ topic: 'u', partition: 0, config, nowMs: 0 }));
  manager.flushAll();
  t.is(manager.get('u', 0)!.flushedOffset, 1);
});

test('a storage failure during flush is reported, not thrown', (t) => {
  const fs = new MemoryFileSystem();
  const manager = LogManager.open({ ...base, fs });
  const log = manager.create({ topic: 't', partition: 0, config, nowMs: 0 });
  appendOne(log);
  fs.failNextSync('t-0');
  manager.flushAll();
  t.true(log.offline);
  t.regex(manager.reports.at(-1)!.error ?? '', /offline/);
});
