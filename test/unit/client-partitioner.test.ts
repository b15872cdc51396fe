// partitioner.ts: keyed records must land on the partition the Java client picks, so murmur2 is
// checked against Kafka's published test vectors (UtilsTest.testMurmur2) and, for arbitrary bytes,
// against kafkajs's port of the same function.

import test from 'ava';
import { fc, testProp } from '@fast-check/ava';
import { createRequire } from 'node:module';
import { murmur2, partitionForKey, toPositive } from '../../broker/client/partitioner.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (key: Buffer) => number;

const JAVA_VECTORS: ReadonlyArray<[string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

for (const [input, expected] of JAVA_VECTORS) {
  test(`murmur2("${input}") equals Java's Utils.murmur2`, (t) => {
    t.is(murmur2(Buffer.from(input, 'utf8')), expected);
  });
}

test('murmur2 handles every tail length (0-3 trailing bytes)', (t) => {
  for (const s of ['', 'x', 'xy', 'xyz', 'wxyz']) t.is(murmur2(Buffer.from(s)), kafkajsMurmur2(Buffer.from(s)), s);
});

testProp('murmur2 agrees with kafkajs for arbitrary bytes', [fc.uint8Array({ maxLength: 64 })], (t, bytes) => {
  t.is(murmur2(bytes), kafkajsMurmur2(Buffer.from(bytes)));
});

test('toPositive clears the sign bit like Java (not Math.abs)', (t) => {
  t.is(toPositive(-1), 0x7fffffff);
  t.is(toPositive(-2147483648), 0);
  t.is(toPositive(42), 42);
});

test('partitionForKey = toPositive(murmur2(key)) % numPartitions', (t) => {
  // -973932308 & 0x7fffffff = 1173551340
  t.is(partitionForKey(Buffer.from('21'), 6), 1173551340 % 6);
  t.is(partitionForKey(Buffer.from('foobar'), 1), 0);
  t.throws(() => partitionForKey(Buffer.from('x'), 0));
});

testProp('partitionForKey is always a valid partition', [fc.uint8Array({ maxLength: 32 }), fc.integer({ min: 1, max: 1000 })], (t, key, n) => {
  const p = partitionForKey(key, n);
  t.true(Number.isInteger(p) && p >= 0 && p < n);
});
