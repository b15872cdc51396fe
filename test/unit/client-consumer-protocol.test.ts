// consumer-protocol.ts: subscription/assignment bytes (round trips, compatibility with the
// coordinator's reader, forward compatibility) and the range assignor (Kafka's RangeAssignor cases,
// plus properties: every partition assigned exactly once, per-topic counts within one).

import test from 'ava';
import { fc, testProp } from '@fast-check/ava';
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  rangeAssign,
  type AssignorMember,
} from '../../broker/client/consumer-protocol.js';
import { subscribedTopics } from '../../broker/coordinator/consumer-protocol.js';
import { ConsumerProtocolSubscription } from '../../broker/protocol/generated/consumer-protocol-subscription.js';
import { Writer } from '../../broker/protocol/primitives.js';

test('subscription bytes round-trip and the coordinator reads the same topics', (t) => {
  const bytes = encodeSubscription(['orders', 'payments'], [{ topic: 'orders', partitions: [0, 2] }]);
  t.deepEqual(decodeSubscription(bytes), { topics: ['orders', 'payments'], ownedPartitions: [{ topic: 'orders', partitions: [0, 2] }], userData: null });
  t.deepEqual(subscribedTopics(bytes), ['orders', 'payments']);
});

test('a subscription newer than our codec is read as our newest version', (t) => {
  const w = new Writer();
  w.int16(7); // a future version: the v3 layout plus fields we do not know
  ConsumerProtocolSubscription.encode(w, 3, { topics: ['a'], userData: null, ownedPartitions: [], generationId: 4, rackId: 'r1' });
  w.int32(12345);
  t.deepEqual(decodeSubscription(w.toBuffer())?.topics, ['a']);
});

test('garbage member metadata decodes to null, never throws', (t) => {
  t.is(decodeSubscription(Buffer.from([0, 1, 0xff])), null);
  t.is(decodeAssignment(Buffer.from([0xff, 0xff, 0, 0])), null);
});

test('assignment bytes round-trip; empty bytes mean an empty assignment', (t) => {
  const assigned = [{ topic: 't', partitions: [1, 3] }];
  t.deepEqual(decodeAssignment(encodeAssignment(assigned)), { assignedPartitions: assigned, userData: null });
  t.deepEqual(decodeAssignment(Buffer.alloc(0)), { assignedPartitions: [], userData: null });
});

const plain = (plan: Map<string, Array<{ topic: string; partitions: number[] }>>): Record<string, Record<string, number[]>> =>
  Object.fromEntries([...plan].map(([m, tps]) => [m, Object.fromEntries(tps.map((tp) => [tp.topic, tp.partitions]))]));

test('range: one topic, three partitions, two members (Kafka testOneTopicMultipleConsumers shape)', (t) => {
  const plan = rangeAssign(
    [
      { memberId: 'consumer2', topics: ['t'] },
      { memberId: 'consumer1', topics: ['t'] },
    ],
    new Map([['t', 3]]),
  );
  t.deepEqual(plain(plan), { consumer2: { t: [2] }, consumer1: { t: [0, 1] } });
});

test('range: each topic is split separately, so the first members get the extras of every topic', (t) => {
  const plan = rangeAssign(
    [
      { memberId: 'a', topics: ['t1', 't2'] },
      { memberId: 'b', topics: ['t1', 't2'] },
    ],
    new Map([
      ['t1', 3],
      ['t2', 3],
    ]),
  );
  t.deepEqual(plain(plan), { a: { t1: [0, 1], t2: [0, 1] }, b: { t1: [2], t2: [2] } });
});

test('range: members only get topics they subscribe to; more members than partitions leaves some empty', (t) => {
  const plan = rangeAssign(
    [
      { memberId: 'a', topics: ['t1'] },
      { memberId: 'b', topics: ['t1', 't2'] },
      { memberId: 'c', topics: ['t1'] },
    ],
    new Map([
      ['t1', 2],
      ['t2', 1],
    ]),
  );
  t.deepEqual(plain(plan), { a: { t1: [0] }, b: { t1: [1], t2: [0] }, c: {} });
});

test('range: static members sort by group instance id, ahead of dynamic members', (t) => {
  const plan = rangeAssign(
    [
      { memberId: 'm-a', topics: ['t'] },
      { memberId: 'm-z', groupInstanceId: 'i-2', topics: ['t'] },
      { memberId: 'm-y', groupInstanceId: 'i-1', topics: ['t'] },
    ],
    new Map([['t', 3]]),
  );
  t.deepEqual(plain(plan), { 'm-y': { t: [0] }, 'm-z': { t: [1] }, 'm-a': { t: [2] } });
});

test('range: topics unknown to the cluster are skipped', (t) => {
  t.deepEqual(plain(rangeAssign([{ memberId: 'a', topics: ['missing'] }], new Map())), { a: {} });
});

const membersArb = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }).chain((ids) =>
  fc.tuple(
    fc.constant(ids),
    fc.array(fc.subarray(['t1', 't2', 't3'], { minLength: 1 }), { minLength: ids.length, maxLength: ids.length }),
    fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 })),
  ),
);

testProp('range: every partition of a subscribed topic goes to exactly one subscriber; counts differ by at most one', [membersArb], (t, [ids, subs, counts]) => {
  const members: AssignorMember[] = ids.map((memberId, i) => ({ memberId, topics: subs[i]! }));
  const partitionCounts = new Map([
    ['t1', counts[0]],
    ['t2', counts[1]],
    ['t3', counts[2]],
  ]);
  const plan = rangeAssign(members, partitionCounts);
  t.is(plan.size, members.length);
  for (const [topic, n] of partitionCounts) {
    const subscribers = members.filter((m) => m.topics.includes(topic));
    const owned = subscribers.map((m) => plan.get(m.memberId)!.find((tp) => tp.topic === topic)?.partitions ?? []);
    if (subscribers.length === 0) continue;
    t.deepEqual(owned.flat().sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
    const sizes = owned.map((o) => o.length);
    t.true(Math.max(...sizes) - Math.min(...sizes) <= 1);
    for (const m of members.filter((x) => !x.topics.includes(topic))) t.falsy(plan.get(m.memberId)!.find((tp) => tp.topic === topic));
  }
});
