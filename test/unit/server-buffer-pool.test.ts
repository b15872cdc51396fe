// The buffer pool: takes up to the buffer size reuse given-back buffers; bigger takes and
// buffers past the idle bound are left to the garbage collector. (That a buffer comes back only
// after its answer was written is checked over TCP in test/integration/data-raw.test.ts.)
import test from 'ava';
import { BufferPool } from '../../broker/server/buffer-pool.js';

test('a returned buffer is lent again; requests bigger than the buffer size get their own', (t) => {
  const pool = new BufferPool(1024, 2);
  const a = pool.take(100);
  t.is(a.length, 1024);
  pool.give(a);
  t.is(pool.take(1024), a, 'reused');
  const big = pool.take(4096);
  t.is(big.length, 4096);
  pool.give(big);
  t.is(pool.idleCount, 0, 'an oversize buffer is not kept');
});

test('no more than maxIdle buffers are kept', (t) => {
  const pool = new BufferPool(1024, 2);
  const lent = [pool.take(1), pool.take(1), pool.take(1)];
  for (const b of lent) pool.give(b);
  t.is(pool.idleCount, 2);
});
