// The scale planner (operator/controllers/kafkacluster/scale-planner.ts): StatefulSet size,
// reassignments, unregistrations and claim deletions for scale up (with rebalanceOnScale) and
// scale down (drain highest ordinals first, refuse rather than lose data).
import test from 'ava';
import { fc, testProp } from '@fast-check/ava';
import { planScale, type Reassignment, type ScaleBroker, type ScaleInput, type ScalePartition } from '../../operator/controllers/kafkacluster/scale-planner.js';

const NOW_MS = Date.UTC(2025, 0, 2, 3, 4, 5);
const NOW = '2025-01-02T03:04:05Z';

const registered = (ids: readonly number[], racks?: readonly string[]): ScaleBroker[] =>
  ids.map((id) => ({ id, registered: true, ...(racks ? { rack: racks[id]! } : {}) }));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const part = (name: string, replicas: number[], reassigning = false): ScalePartition => {
  const [topic, index] = name.split('/');
  return { topic: topic!, partition: Number(index), replicas, ...(reassigning ? { reassigning } : {}) };
};

/** `n` brokers up, registered, with pods and claims; partitions as given. */
function cluster(n: number, desiredBrokers: number, partitions: ScalePartition[], extra: Partial<ScaleInput> = {}): ScaleInput {
  return {
    desiredBrokers,
    statefulSetReplicas: n,
    podOrdinals: range(n),
    brokers: registered(range(n)),
    partitions,
    voters: [0],
    rebalanceOnScale: false,
    deleteClaim: false,
    claimOrdinals: range(n),
    nowMs: NOW_MS,
    ...extra,
  };
}

/** Six partitions, replication factor 2, round-robin over brokers 0-2. */
const sixPartitions = range(6).map((i) => part(`orders/${i}`, [i % 3, (i + 1) % 3]));

function loads(partitions: readonly { replicas: readonly number[] }[], brokers: readonly number[]): number[] {
  return brokers.map((b) => partitions.filter((p) => p.replicas.includes(b)).length);
}

function applied(partitions: readonly ScalePartition[], moves: readonly Reassignment[]): ScalePartition[] {
  return partitions.map((p) => {
    const move = moves.find((m) => m.topic === p.topic && m.partition === p.partition);
    return move ? { ...p, replicas: move.replicas } : p;
  });
}

test('steady state: same size, nothing to move, no scale-down status', (t) => {
  t.deepEqual(planScale(cluster(3, 3, sixPartitions)), { statefulSetReplicas: 3, reassignments: [], unregister: [], deleteClaims: [] });
});

test('the StatefulSet is created at spec.brokers', (t) => {
  const plan = planScale({ ...cluster(0, 3, []), statefulSetReplicas: undefined as unknown as number });
  t.is(plan.statefulSetReplicas, 3);
  t.is(plan.scaleDown, undefined);
});

test('scale up without rebalanceOnScale only grows the StatefulSet', (t) => {
  const plan = planScale(cluster(3, 5, sixPartitions));
  t.is(plan.statefulSetReplicas, 5);
  t.deepEqual(plan.reassignments, []);
});

test('rebalanceOnScale waits until every new broker has registered', (t) => {
  const plan = planScale(cluster(3, 5, sixPartitions, { statefulSetReplicas: 5, brokers: registered([0, 1, 2, 3]), rebalanceOnScale: true }));
  t.deepEqual(plan.reassignments, []);
  t.is(plan.condition, undefined);
});

test('rebalanceOnScale waits while a reassignment is in flight', (t) => {
  const partitions = [...sixPartitions.slice(1), part('orders/0', [0, 1], true)];
  const plan = planScale(cluster(5, 5, partitions, { rebalanceOnScale: true }));
  t.deepEqual(plan.reassignments, []);
});

test('rebalanceOnScale moves replicas onto the new brokers until loads differ by at most one', (t) => {
  const plan = planScale(cluster(5, 5, sixPartitions, { rebalanceOnScale: true }));
  t.deepEqual(loads(sixPartitions, range(5)), [4, 4, 4, 0, 0]);
  t.deepEqual(plan.reassignments, [
    { topic: 'orders', partition: 0, replicas: [0, 4] },
    { topic: 'orders', partition: 1, replicas: [1, 3] },
    { topic: 'orders', partition: 2, replicas: [2, 3] },
    { topic: 'orders', partition: 4, replicas: [1, 4] },
  ]);
  const after = applied(sixPartitions, plan.reassignments);
  const counts = loads(after, range(5));
  t.true(Math.max(...counts) - Math.min(...counts) <= 1, `loads ${counts}`);
  t.deepEqual(plan.condition, {
    type: 'Progressing',
    status: 'True',
    reason: 'Rebalancing',
    message: 'rebalancing: moving 4 partition replica set(s) to even out brokers 0-4',
  });
  t.deepEqual(planScale(cluster(5, 5, after, { rebalanceOnScale: true })).reassignments, [], 'balanced: nothing more to move');
});

test('rack-aware rebalance never makes a partition span fewer racks', (t) => {
  const racks = ['a', 'b', 'c', 'a', 'b', 'c'];
  const partitions = range(6).map((i) => part(`orders/${i}`, [i % 3, (i + 1) % 3]));
  let current = partitions;
  let rounds = 0;
  for (; rounds < 10; rounds++) {
    // One reassignment per partition per step: a partition that must move twice waits a round.
    const plan = planScale(cluster(6, 6, current, { rebalanceOnScale: true, brokers: registered(range(6), racks) }));
    if (plan.reassignments.length === 0) break;
    for (const move of plan.reassignments) t.is(new Set(move.replicas.map((r) => racks[r])).size, 2, JSON.stringify(move));
    current = applied(current, plan.reassignments);
  }
  t.is(rounds, 2);
  t.deepEqual(loads(current, range(6)), [2, 2, 2, 2, 2, 2]);
});

test('scale down drains the highest ordinals first and keeps the StatefulSet until they are empty', (t) => {
  const partitions = [part('orders/0', [0, 3, 4]), part('orders/1', [4, 1, 2]), part('orders/2', [0, 1, 2])];
  const plan = planScale(cluster(5, 3, partitions, { voters: [0, 1, 2] }));
  t.is(plan.statefulSetReplicas, 5);
  t.deepEqual(plan.reassignments, [
    { topic: 'orders', partition: 0, replicas: [0, 1, 2] },
    { topic: 'orders', partition: 1, replicas: [0, 1, 2] },
  ]);
  t.deepEqual(plan.scaleDown, {
    fromBrokers: 5,
    toBrokers: 3,
    draining: [4, 3],
    remainingReplicas: 3,
    phase: 'Draining',
    message: 'moving 3 replica(s) off brokers 4, 3 before the StatefulSet shrinks',
    since: NOW,
  });
  t.deepEqual(plan.condition, { type: 'Progressing', status: 'True', reason: 'ScalingDown', message: plan.scaleDown!.message! });
});

test('draining prefers the least loaded broker on a rack the partition does not use yet', (t) => {
  const racks = ['a', 'a', 'b', 'c'];
  const plan = planScale(cluster(4, 3, [part('orders/0', [0, 3]), part('orders/1', [2, 1])], { brokers: registered(range(4), racks) }));
  t.deepEqual(plan.reassignments, [{ topic: 'orders', partition: 0, replicas: [0, 2] }]);
});

test('draining skips partitions whose reassignment is in flight and bounds the moves per step', (t) => {
  const partitions = [part('orders/0', [3], true), ...range(5).map((i) => part(`logs/${i}`, [3]))];
  const plan = planScale(cluster(4, 3, partitions, { maxMovesPerStep: 2 }));
  t.deepEqual(plan.reassignments, [
    { topic: 'logs', partition: 0, replicas: [0] },
    { topic: 'logs', partition: 1, replicas: [1] },
  ]);
  t.is(plan.scaleDown?.phase, 'Draining');
  t.is(plan.scaleDown?.remainingReplicas, 6);
});

test('table: scale down refuses with a clear condition instead of losing data or the quorum', (t) => {
  const cases: Array<{ name: string; input: ScaleInput; message: string }> = [
    {
      name: 'replication factor larger than the brokers that would remain',
      input: cluster(5, 2, [part('orders/0', [0, 1, 4]), part('orders/1', [1, 2, 3])]),
      message:
        'cannot drain 4, 3, 2: partition orders/0 has replication factor 3 but only 2 broker(s) would remain (and 1 more partition(s)); lower the replication factor or keep more brokers',
    },
    {
      name: 'remaining brokers that are not registered do not count',
      input: cluster(4, 3, [part('orders/0', [0, 1, 3])], { brokers: [...registered([0, 1, 3]), { id: 2, registered: true, fenced: true }] }),
      message:
        'cannot drain 3: partition orders/0 has replication factor 3 but only 2 broker(s) would remain registered and unfenced (of 3); lower the replication factor or keep more brokers',
    },
    {
      name: 'a controller quorum voter cannot be drained',
      input: cluster(3, 2, [], { voters: [0, 1, 2] }),
      message: 'cannot drain broker(s) 2: controller quorum voters (0, 1, 2) must stay',
    },
  ];
  for (const c of cases) {
    const plan = planScale(c.input);
    t.is(plan.statefulSetReplicas, c.input.statefulSetReplicas!, c.name);
    t.deepEqual(plan.reassignments, [], c.name);
    t.is(plan.scaleDown?.phase, 'Blocked', c.name);
    t.is(plan.scaleDown?.message, c.message, c.name);
    t.deepEqual(plan.condition, { type: 'Degraded', status: 'True', reason: 'ScaleDownBlocked', message: c.message }, c.name);
  }
});

test('table: the phases of a scale down from 5 to 3, step by step', (t) => {
  const empty = [part('orders/0', [0, 1, 2])];
  const withClaims = { deleteClaim: true, voters: [0, 1, 2] };
  const previous = { fromBrokers: 5, toBrokers: 3, draining: [4, 3], remainingReplicas: 0, phase: 'Draining' as const, since: '2025-01-01T00:00:00Z' };
  const steps: Array<{ name: string; input: ScaleInput; replicas: number; phase: string | undefined; unregister: number[]; deleteClaims: number[] }> = [
    {
      name: 'empty brokers: shrink the StatefulSet',
      input: cluster(5, 3, empty, { ...withClaims, previous }),
      replicas: 3,
      phase: 'Shrinking',
      unregister: [],
      deleteClaims: [],
    },
    {
      name: 'StatefulSet shrunk, pods still stopping',
      input: cluster(5, 3, empty, { ...withClaims, statefulSetReplicas: 3, podOrdinals: [0, 1, 2, 4] }),
      replicas: 3,
      phase: 'Shrinking',
      unregister: [],
      deleteClaims: [],
    },
    {
      name: 'pods gone, brokers still registered: unregister them',
      input: cluster(5, 3, empty, { ...withClaims, statefulSetReplicas: 3, podOrdinals: [0, 1, 2] }),
      replicas: 3,
      phase: 'WaitingForUnregister',
      unregister: [4, 3],
      deleteClaims: [],
    },
    {
      name: 'one unregistered: its claim may go',
      input: cluster(5, 3, empty, { ...withClaims, statefulSetReplicas: 3, podOrdinals: [0, 1, 2], brokers: registered([0, 1, 2, 3]) }),
      replicas: 3,
      phase: 'WaitingForUnregister',
      unregister: [3],
      deleteClaims: [4],
    },
    {
      name: 'all gone: scale-down done, claims deleted',
      input: cluster(5, 3, empty, { ...withClaims, statefulSetReplicas: 3, podOrdinals: [0, 1, 2], brokers: registered([0, 1, 2]) }),
      replicas: 3,
      phase: undefined,
      unregister: [],
      deleteClaims: [4, 3],
    },
    {
      name: 'all gone without deleteClaim: claims stay',
      input: cluster(5, 3, empty, { voters: [0, 1, 2], statefulSetReplicas: 3, podOrdinals: [0, 1, 2], brokers: registered([0, 1, 2]) }),
      replicas: 3,
      phase: undefined,
      unregister: [],
      deleteClaims: [],
    },
  ];
  for (const s of steps) {
    const plan = planScale(s.input);
    t.is(plan.statefulSetReplicas, s.replicas, s.name);
    t.is(plan.scaleDown?.phase as string | undefined, s.phase, s.name);
    t.deepEqual(plan.unregister, s.unregister, s.name);
    t.deepEqual(plan.deleteClaims, s.deleteClaims, s.name);
    t.deepEqual(plan.reassignments, [], s.name);
  }
});

test('the claim of a broker that still holds a replica is never deleted', (t) => {
  // Broker 4's pod and registration are gone (e.g. deleted by hand) but a partition still lists it.
  const input = cluster(5, 3, [part('orders/0', [0, 4])], { deleteClaim: true, statefulSetReplicas: 3, podOrdinals: [0, 1, 2], brokers: registered([0, 1, 2]) });
  const plan = planScale(input);
  t.false(plan.deleteClaims.includes(4));
  t.deepEqual(plan.deleteClaims, [3]);
});

test('scaleDown keeps fromBrokers and since while the phase stays, and resets since on a new phase', (t) => {
  const partitions = [part('orders/0', [0, 4])];
  const first = planScale(cluster(5, 3, partitions));
  const later = planScale(cluster(5, 3, partitions, { nowMs: NOW_MS + 60_000, previous: first.scaleDown! }));
  t.deepEqual(later.scaleDown, first.scaleDown);
  const shrinking = planScale(cluster(5, 3, [part('orders/0', [0, 1])], { statefulSetReplicas: 4, nowMs: NOW_MS + 120_000, previous: later.scaleDown! }));
  t.is(shrinking.scaleDown?.fromBrokers, 5);
  t.is(shrinking.scaleDown?.phase, 'Shrinking');
  t.is(shrinking.scaleDown?.since, '2025-01-02T03:06:05Z');
});

test('scaling back up during a drain cancels the scale-down', (t) => {
  const plan = planScale(cluster(5, 5, [part('orders/0', [0, 4])], { previous: { fromBrokers: 5, toBrokers: 3, phase: 'Draining' } }));
  t.is(plan.statefulSetReplicas, 5);
  t.is(plan.scaleDown, undefined);
  t.deepEqual(plan.reassignments, []);
});

// ---------------------------------------------------------------------------------------------
// Properties

const arbitraryCluster = fc
  .record({ n: fc.integer({ min: 1, max: 7 }), cut: fc.integer({ min: 0, max: 6 }), rf: fc.integer({ min: 1, max: 3 }), count: fc.nat(12) })
  .chain(({ n, cut, rf, count }) => {
    const desired = Math.max(1, n - cut);
    const ids = range(n);
    const replicas = fc.shuffledSubarray(ids, { minLength: Math.min(rf, n), maxLength: Math.min(rf, n) });
    return fc.record({
      n: fc.constant(n),
      desired: fc.constant(desired),
      partitions: fc.array(replicas, { maxLength: count }).map((rs) => rs.map((r, i) => part(`t/${i}`, r))),
      racks: fc.option(fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: n, maxLength: n }), { nil: undefined }),
    });
  });

testProp('drain moves keep the replication factor, use only remaining live brokers and empty the draining ones', [arbitraryCluster], (t, c) => {
  const input = cluster(c.n, c.desired, c.partitions, { brokers: registered(range(c.n), c.racks) });
  const plan = planScale(input);
  if (plan.scaleDown?.phase === 'Blocked') {
    t.is(plan.statefulSetReplicas, c.n);
    t.deepEqual(plan.reassignments, []);
    return;
  }
  for (const move of plan.reassignments) {
    const before = c.partitions.find((p) => p.partition === move.partition)!;
    t.is(move.replicas.length, before.replicas.length);
    t.is(new Set(move.replicas).size, move.replicas.length, 'distinct replicas');
    t.true(move.replicas.every((r) => r < c.desired), `only brokers below ${c.desired}: ${move.replicas}`);
  }
  const after = applied(c.partitions, plan.reassignments);
  t.true(after.every((p) => p.replicas.every((r) => r < c.desired)), 'nothing left on draining brokers');
  if (plan.statefulSetReplicas < c.n) t.true(c.partitions.every((p) => p.replicas.every((r) => r < plan.statefulSetReplicas)), 'shrinks only below empty brokers');
});

testProp('the StatefulSet never shrinks below a broker that holds a replica; claims only of empty brokers go', [arbitraryCluster], (t, c) => {
  const plan = planScale(cluster(c.n, c.desired, c.partitions, { deleteClaim: true, claimOrdinals: range(7) }));
  const hosting = new Set(c.partitions.flatMap((p) => p.replicas));
  for (const id of hosting) t.true(id < plan.statefulSetReplicas, `broker ${id} holds data, StatefulSet ${plan.statefulSetReplicas}`);
  for (const o of plan.deleteClaims) t.false(hosting.has(o) || o < c.n, `claim ${o}`);
  t.pass();
});

testProp('rebalancing converges: loads end within one, replicas distinct, nothing moved once balanced', [arbitraryCluster], (t, c) => {
  let partitions = c.partitions;
  for (let round = 0; round < 20; round++) {
    const plan = planScale(cluster(c.n, c.n, partitions, { rebalanceOnScale: true }));
    if (plan.reassignments.length === 0) break;
    partitions = applied(partitions, plan.reassignments);
  }
  t.deepEqual(planScale(cluster(c.n, c.n, partitions, { rebalanceOnScale: true })).reassignments, []);
  const counts = loads(partitions, range(c.n));
  t.true(Math.max(...counts) - Math.min(...counts) <= 1, `loads ${counts}`);
  for (const p of partitions) t.is(new Set(p.replicas).size, p.replicas.length);
});
