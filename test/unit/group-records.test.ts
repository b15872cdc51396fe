/**
 * `__consumer_offsets` record layouts (Kafka's bytes), the coordinator partition function and the
 * consumer-protocol subscription parser.
 */
import test from 'ava';
import { fc, testProp } from '@fast-check/ava';
import {
  RecordDecodeError, decodeGroupMetadataValue, decodeKey, decodeOffsetCommitValue, encodeGroupMetadataKey,
  encodeGroupMetadataValue, encodeOffsetCommitKey, encodeOffsetCommitValue, encodeSubscription,
  javaStringHashCode, partitionFor, subscribedTopics, uuidFromRandom, type GroupMetadataValue,
} from '../../broker/coordinator/index.js';

const hex = (b: Buffer): string => b.toString('hex');

test('offset commit key v1 and group metadata key v2 have Kafka\'s bytes', (t) => {
  t.is(hex(encodeOffsetCommitKey('g', 't', 1)), '0001' + '000167' + '000174' + '00000001');
  t.is(hex(encodeGroupMetadataKey('g')), '0002' + '000167');
  t.deepEqual(decodeKey(encodeOffsetCommitKey('grp', 'topic', 7)), { type: 'offsetCommit', group: 'grp', topic: 'topic', partition: 7 });
  t.deepEqual(decodeKey(Buffer.from('0000000167000174' + '00000002', 'hex')), { type: 'offsetCommit', group: 'g', topic: 't', partition: 2 }, 'key v0');
  t.deepEqual(decodeKey(Buffer.from('0003000167', 'hex')), { type: 'unknown', version: 3 });
});

test('offset commit value v3 bytes: offset, leaderEpoch, metadata, commitTimestamp', (t) => {
  const v = encodeOffsetCommitValue({ offset: 5, leaderEpoch: 2, metadata: 'm', commitTimestampMs: 9 });
  t.is(hex(v), '0003' + '0000000000000005' + '00000002' + '00016d' + '0000000000000009');
  t.deepEqual(decodeOffsetCommitValue(v), { offset: 5, leaderEpoch: 2, metadata: 'm', commitTimestampMs: 9, expireTimestampMs: -1 });
});

const olderOffsetValues: Array<[string, string, { offset: number; leaderEpoch: number; metadata: string; commitTimestampMs: number; expireTimestampMs: number }]> = [
  ['v0', '0000' + '0000000000000005' + '0000' + '0000000000000009', { offset: 5, leaderEpoch: -1, metadata: '', commitTimestampMs: 9, expireTimestampMs: -1 }],
  ['v1', '0001' + '0000000000000005' + '0000' + '0000000000000009' + '000000000000000a', { offset: 5, leaderEpoch: -1, metadata: '', commitTimestampMs: 9, expireTimestampMs: 10 }],
  ['v2', '0002' + '0000000000000005' + '00016d' + '0000000000000009', { offset: 5, leaderEpoch: -1, metadata: 'm', commitTimestampMs: 9, expireTimestampMs: -1 }],
  // v4 flexible: compact string (length+1 as uvarint) and an empty tagged-field section.
  ['v4', '0004' + '0000000000000005' + '00000002' + '026d' + '0000000000000009' + '00', { offset: 5, leaderEpoch: 2, metadata: 'm', commitTimestampMs: 9, expireTimestampMs: -1 }],
];
for (const [name, bytes, expected] of olderOffsetValues) {
  test(`offset commit value ${name} decodes`, (t) => {
    t.deepEqual(decodeOffsetCommitValue(Buffer.from(bytes, 'hex')), expected);
  });
}

test('group metadata value v3 round-trips and starts with Kafka\'s field order', (t) => {
  const v: GroupMetadataValue = {
    protocolType: 'consumer', generation: 3, protocol: 'range', leader: 'm1', currentStateTimestampMs: 100,
    members: [{ memberId: 'm1', groupInstanceId: null, clientId: 'c', clientHost: '/h', rebalanceTimeoutMs: 30_000, sessionTimeoutMs: 10_000, subscription: Buffer.from([1, 2]), assignment: Buffer.from([3]) }],
  };
  const bytes = encodeGroupMetadataValue(v);
  t.is(hex(bytes.subarray(0, 2 + 10 + 4)), '0003' + '0008' + Buffer.from('consumer').toString('hex') + '00000003');
  t.deepEqual(decodeGroupMetadataValue(bytes), v);
});

test('group metadata value v0 (no instance id, rebalance timeout or state timestamp) decodes', (t) => {
  const s = (x: string): string => (x.length.toString(16).padStart(4, '0')) + Buffer.from(x).toString('hex');
  const bytes = '0000' + s('consumer') + '00000001' + s('range') + s('m1') + '00000001' +
    s('m1') + s('c') + s('/h') + '00002710' + '00000000' + '00000001' + '07';
  t.deepEqual(decodeGroupMetadataValue(Buffer.from(bytes, 'hex')), {
    protocolType: 'consumer', generation: 1, protocol: 'range', leader: 'm1', currentStateTimestampMs: -1,
    members: [{ memberId: 'm1', groupInstanceId: null, clientId: 'c', clientHost: '/h', rebalanceTimeoutMs: 10_000, sessionTimeoutMs: 10_000, subscription: Buffer.alloc(0), assignment: Buffer.from([7]) }],
  });
});

test('truncated values and unknown value versions are decode errors', (t) => {
  const v = encodeOffsetCommitValue({ offset: 5, leaderEpoch: 2, metadata: 'm', commitTimestampMs: 9 });
  t.throws(() => decodeOffsetCommitValue(v.subarray(0, v.length - 1)), { instanceOf: RecordDecodeError });
  t.throws(() => decodeOffsetCommitValue(Buffer.from('0009', 'hex')), { instanceOf: RecordDecodeError });
  t.throws(() => decodeGroupMetadataValue(Buffer.from('0003ffff', 'hex')), { instanceOf: RecordDecodeError });
});

const memberArb = fc.record({
  memberId: fc.string(), groupInstanceId: fc.option(fc.string(), { nil: null }), clientId: fc.string(), clientHost: fc.string(),
  rebalanceTimeoutMs: fc.integer({ min: 0, max: 2 ** 31 - 1 }), sessionTimeoutMs: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  subscription: fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)), assignment: fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)),
});
testProp('group metadata values round-trip', [fc.record({
  protocolType: fc.string(), generation: fc.integer({ min: 0, max: 2 ** 31 - 1 }), protocol: fc.option(fc.string(), { nil: null }),
  leader: fc.option(fc.string(), { nil: null }), currentStateTimestampMs: fc.maxSafeNat(), members: fc.array(memberArb, { maxLength: 4 }),
})], (t, v) => {
  t.deepEqual(decodeGroupMetadataValue(encodeGroupMetadataValue(v)), v);
}, { numRuns: 200 });

testProp('offset commit keys and values round-trip', [fc.string(), fc.string(), fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.maxSafeNat(), fc.integer({ min: -1, max: 2 ** 31 - 1 }), fc.string(), fc.maxSafeNat()],
  (t, group, topic, partition, offset, leaderEpoch, metadata, commitTimestampMs) => {
    t.deepEqual(decodeKey(encodeOffsetCommitKey(group, topic, partition)), { type: 'offsetCommit', group, topic, partition });
    t.deepEqual(decodeOffsetCommitValue(encodeOffsetCommitValue({ offset, leaderEpoch, metadata, commitTimestampMs })),
      { offset, leaderEpoch, metadata, commitTimestampMs, expireTimestampMs: -1 });
  }, { numRuns: 200 });

const partitionCases: Array<[string, number, number]> = [
  ['abc', 50, 96354 % 50],
  ['', 50, 0],
  ['polygenelubricants', 50, 0], // hashCode is Integer.MIN_VALUE: Utils.abs maps it to 0
  ['my-group', 50, 1906497762 % 50],
];
for (const [groupId, n, expected] of partitionCases) {
  test(`partitionFor(${JSON.stringify(groupId)}, ${n}) = ${expected}`, (t) => {
    t.is(partitionFor(groupId, n), expected);
  });
}

test('javaStringHashCode matches Java for known strings', (t) => {
  t.is(javaStringHashCode('abc'), 96354);
  t.is(javaStringHashCode('polygenelubricants'), -2147483648);
  t.is(javaStringHashCode('hello world'), 1794106052);
  t.throws(() => partitionFor('g', 0));
});

test('subscription parser reads the topics of every subscription version and rejects garbage', (t) => {
  t.deepEqual(subscribedTopics(encodeSubscription(['a', 'bb'])), ['a', 'bb']);
  const v3 = Buffer.concat([Buffer.from('0003' + '00000001' + '000178', 'hex'), Buffer.from('ffffffff' + '00000000' + 'ffffffff' + 'ffff', 'hex')]);
  t.deepEqual(subscribedTopics(v3), ['x']);
  t.is(subscribedTopics(Buffer.from('0000000000', 'hex')), null);
  t.is(subscribedTopics(Buffer.from('000000000002' + '0001', 'hex')), null);
});

test('uuidFromRandom makes version-4 shaped ids from the injected PRNG', (t) => {
  let x = 0;
  const ids = uuidFromRandom(() => ((x = (x + 0.37) % 1)));
  const id = ids();
  t.regex(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.not(ids(), id);
});
