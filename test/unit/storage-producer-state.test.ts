import test from 'ava';
import { MemoryFileSystem } from '../../broker/io/memory-fs.js';
import { incrementSequence } from '../../broker/protocol/record-batch.js';
import { INVALID_PRODUCER_EPOCH, OUT_OF_ORDER_SEQUENCE_NUMBER } from '../../broker/storage/error-codes.js';
import { LeaderEpochCache, UNDEFINED_EPOCH } from '../../broker/storage/leader-epoch-cache.js';
import { ProducerStateManager, type ProducerAppend } from '../../broker/storage/producer-state.js';

const INT32_MAX = 0x7fffffff;

function batch(producerId: number, epoch: number, seq: number, records: number, firstOffset: number): ProducerAppend {
  return { producerId, producerEpoch: epoch, baseSequence: seq, lastOffsetDelta: records - 1, firstOffset, lastOffset: firstOffset + records - 1, maxTimestamp: 1 };
}

test('sequence checks follow Kafka: in order ok, gap and repeat-with-other-range rejected, -1 bypasses', (t) => {
  const s = new ProducerStateManager();
  t.deepEqual(s.check([batch(1, 0, 17, 1, 0)]), { kind: 'ok' }, 'an unknown producer may start anywhere');
  s.update(batch(1, 0, 0, 3, 0));
  t.deepEqual(s.check([batch(1, 0, 3, 1, 0)]), { kind: 'ok' });
  t.like(s.check([batch(1, 0, 4, 1, 0)]), { kind: 'error', errorCode: OUT_OF_ORDER_SEQUENCE_NUMBER });
  t.like(s.check([batch(1, 0, 1, 1, 0)]), { kind: 'error', errorCode: OUT_OF_ORDER_SEQUENCE_NUMBER }, 'overlapping but not identical');
  t.deepEqual(s.check([batch(1, 0, 0, 3, 0)]), { kind: 'duplicate', batchIndex: 0, firstOffset: 0, lastOffset: 2 });
  t.deepEqual(s.check([batch(-1, -1, -1, 5, 0)]), { kind: 'ok' });
});

test('epochs: an older epoch is fenced, a newer one must start at 0 and resets the batches', (t) => {
  const s = new ProducerStateManager();
  s.update(batch(1, 3, 0, 1, 0));
  t.like(s.check([batch(1, 2, 1, 1, 0)]), { errorCode: INVALID_PRODUCER_EPOCH });
  t.like(s.check([batch(1, 4, 1, 1, 0)]), { errorCode: OUT_OF_ORDER_SEQUENCE_NUMBER });
  t.deepEqual(s.check([batch(1, 4, 0, 1, 0)]), { kind: 'ok' });
  s.update(batch(1, 4, 0, 1, 1));
  t.deepEqual(s.get(1)!.batches, [{ firstSeq: 0, lastSeq: 0, firstOffset: 1, lastOffset: 1 }]);
});

test('several batches of one append are checked against each other', (t) => {
  const s = new ProducerStateManager();
  s.update(batch(1, 0, 0, 2, 0));
  t.deepEqual(s.check([batch(1, 0, 2, 2, 0), batch(1, 0, 4, 1, 0), batch(2, 0, 0, 1, 0)]), { kind: 'ok' });
  t.like(s.check([batch(1, 0, 2, 2, 0), batch(1, 0, 5, 1, 0)]), { kind: 'error', batchIndex: 1 });
});

test('sequences wrap from int32 max to 0', (t) => {
  t.is(incrementSequence(INT32_MAX - 1, 3), 1);
  const s = new ProducerStateManager();
  s.update(batch(1, 0, INT32_MAX - 1, 2, 0));
  t.deepEqual(s.check([batch(1, 0, 0, 1, 0)]), { kind: 'ok' });
  t.like(s.check([batch(1, 0, INT32_MAX, 1, 0)]), { kind: 'error' });
});

test('snapshots round-trip and reject damage', (t) => {
  const s = new ProducerStateManager();
  for (let i = 0; i < 7; i++) s.update(batch(5, 1, i * 2, 2, 100 + i * 2));
  s.update(batch(2 ** 40, 0, 0, 1, 200));
  const buf = s.encodeSnapshot(201);
  const decoded = ProducerStateManager.decodeSnapshot(buf);
  if (typeof decoded === 'string') return t.fail(decoded);
  t.is(decoded.offset, 201);
  t.deepEqual([...decoded.state.entries()], [...s.entries()]);
  t.is(decoded.state.get(5)!.batches.length, 5);
  const damaged = Buffer.from(buf);
  damaged[30] ^= 1;
  t.is(ProducerStateManager.decodeSnapshot(damaged), 'producer snapshot CRC mismatch');
  t.is(typeof ProducerStateManager.decodeSnapshot(buf.subarray(0, 10)), 'string');
});

test('removeBefore forgets producers whose batches were all deleted', (t) => {
  const s = new ProducerStateManager();
  s.update(batch(1, 0, 0, 1, 5));
  s.update(batch(2, 0, 0, 1, 10));
  s.removeBefore(6);
  t.is(s.get(1), undefined);
  t.truthy(s.get(2));
});

// ---- leader epoch cache -------------------------------------------------------------------

test('leader epoch cache answers OffsetForLeaderEpoch like Kafka', (t) => {
  const c = LeaderEpochCache.inMemory([
    { epoch: 1, startOffset: 0 },
    { epoch: 3, startOffset: 10 },
    { epoch: 6, startOffset: 25 },
  ]);
  t.deepEqual(c.endOffsetFor(6, 40), { epoch: 6, endOffset: 40 }, 'latest epoch ends at the log end');
  t.deepEqual(c.endOffsetFor(3, 40), { epoch: 3, endOffset: 25 });
  t.deepEqual(c.endOffsetFor(4, 40), { epoch: 3, endOffset: 25 }, 'unknown epoch: the largest below it');
  t.deepEqual(c.endOffsetFor(0, 40), { epoch: 0, endOffset: 0 }, 'below the first epoch');
  t.deepEqual(c.endOffsetFor(7, 40), { epoch: UNDEFINED_EPOCH, endOffset: -1 });
  t.deepEqual(c.endOffsetFor(UNDEFINED_EPOCH, 40), { epoch: UNDEFINED_EPOCH, endOffset: -1 });
});

test('leader epoch cache: assign ignores stale epochs, truncation from both ends', (t) => {
  const c = LeaderEpochCache.inMemory();
  t.true(c.assign(2, 0));
  t.false(c.assign(2, 5), 'same epoch keeps its first start');
  t.false(c.assign(1, 7));
  c.assign(4, 10);
  c.assign(5, 20);
  c.truncateFromEnd(20);
  t.deepEqual(c.all, [{ epoch: 2, startOffset: 0 }, { epoch: 4, startOffset: 10 }]);
  c.truncateFromStart(12);
  t.deepEqual(c.all, [{ epoch: 4, startOffset: 12 }]);
  c.assign(7, 11);
  t.deepEqual(c.all, [{ epoch: 7, startOffset: 11 }], 'a new epoch starting lower replaces uncommitted entries');
});

test('leader epoch checkpoint is written in Kafka format and reloaded', (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdirp('/p');
  const { cache } = LeaderEpochCache.load(fs, '/p/leader-epoch-checkpoint');
  cache.assign(0, 0);
  cache.assign(3, 42);
  t.is(fs.readFile('/p/leader-epoch-checkpoint').toString(), '0\n2\n0 0\n3 42\n');
  const again = LeaderEpochCache.load(fs, '/p/leader-epoch-checkpoint');
  t.is(again.problem, undefined);
  t.deepEqual(again.cache.all, cache.all);
  fs.writeFileAtomic('/p/leader-epoch-checkpoint', '0\n2\n0 0\n');
  t.regex(LeaderEpochCache.load(fs, '/p/leader-epoch-checkpoint').problem ?? '', /count/);
});
