// The rolling-restart planner (operator/controllers/kafkacluster/rollout-planner.ts): given brokers,
// partitions with their ISRs and the controller quorum, which broker may restart now, or why none.
import test from 'ava';
import { fc, testProp } from '@fast-check/ava';
import {
  planRollout,
  quorumMajority,
  restartReason,
  rfc3339,
  type BrokerChange,
  type RolloutBroker,
  type RolloutInput,
  type RolloutPartition,
} from '../../operator/controllers/kafkacluster/rollout-planner.js';

const NOW_MS = Date.UTC(2025, 0, 2, 3, 4, 5);
const NOW = '2025-01-02T03:04:05Z';
const CONFIG: BrokerChange = { kind: 'config', keys: ['log.retention.hours'] };

/** Brokers 0..n-1, all ready; `outdated` lists those whose pod runs an old config. */
function brokers(n: number, outdated: readonly number[], overrides: Record<number, Partial<RolloutBroker>> = {}): RolloutBroker[] {
  return Array.from({ length: n }, (_, id) => ({
    id,
    ready: true,
    changes: outdated.includes(id) ? [CONFIG] : [],
    ...overrides[id],
  }));
}

const partition = (name: string, replicas: number[], isr: number[] = replicas, minInsyncReplicas = 2): RolloutPartition => {
  const [topic, index] = name.split('/');
  return { topic: topic!, partition: Number(index), replicas, isr, minInsyncReplicas };
};

/** Five brokers, voters 0-2 with 1 the active controller, all caught up; everything outdated. */
function fiveBrokers(changes: Partial<RolloutInput> = {}): RolloutInput {
  return {
    brokers: brokers(5, [0, 1, 2, 3, 4]),
    partitions: [partition('orders/0', [0, 1, 2]), partition('orders/1', [2, 3, 4]), partition('orders/2', [3, 4, 0])],
    quorum: { voters: [0, 1, 2], caughtUp: [0, 1, 2], leader: 1 },
    nowMs: NOW_MS,
    ...changes,
  };
}

const blockers = (input: RolloutInput) => Object.fromEntries(planRollout(input).entries.map((e) => [e.broker, e.blockedBy ?? null]));

test('a cluster that runs the desired spec everywhere has nothing to restart', (t) => {
  const plan = planRollout({ ...fiveBrokers(), brokers: brokers(5, []) });
  t.deepEqual(plan, { entries: [] });
});

test('order: non-voters by ordinal, then voters, the active controller very last', (t) => {
  const plan = planRollout(fiveBrokers());
  t.is(plan.restart, 3);
  t.deepEqual(
    plan.entries.map((e) => e.broker),
    [3, 4, 0, 2, 1],
  );
  t.deepEqual(plan.entries[0], { broker: 3, reason: 'config changed: log.retention.hours', since: NOW });
  t.is(plan.entries[1]!.blockedBy, 'waiting for broker 3 to restart first');
  t.is(plan.message, 'restarting broker 3 (config changed: log.retention.hours); 4 more to restart after it');
});

test('table: which broker restarts next, or what blocks each one', (t) => {
  const cases: Array<{ name: string; input: RolloutInput; restart: number | undefined; blocked: Record<number, string | null> }> = [
    {
      name: 'a partition at min ISR blocks its in-sync broker; the next non-voter goes instead',
      input: fiveBrokers({ partitions: [partition('orders/3', [2, 3, 4], [2, 3])] }),
      restart: 4,
      blocked: {
        3: 'partition orders/3 ISR=2 = min.insync.replicas',
        4: null,
        0: 'waiting for broker 4 to restart first',
        2: 'waiting for broker 4 to restart first',
        1: 'waiting for broker 4 to restart first',
      },
    },
    {
      name: 'voters wait for a blocked non-voter; the active controller waits for everyone',
      input: fiveBrokers({
        brokers: brokers(5, [0, 1, 3]),
        partitions: [partition('orders/3', [0, 2, 3, 4], [2, 3, 4], 3)],
      }),
      restart: undefined,
      blocked: {
        3: 'partition orders/3 ISR=3 = min.insync.replicas',
        0: 'controller quorum voters restart after broker 3',
        1: 'the active controller restarts last (waiting for brokers 3, 0)',
      },
    },
    {
      name: 'a partition already below min ISR blocks the brokers still in it',
      input: fiveBrokers({ brokers: brokers(5, [2, 3, 4]), partitions: [partition('orders/1', [2, 3, 4], [3])] }),
      restart: 4,
      blocked: { 3: 'partition orders/1 ISR=1 < min.insync.replicas=2', 4: null, 2: 'waiting for broker 4 to restart first' },
    },
    {
      name: 'the restarted broker must be back in every ISR it belongs to',
      input: fiveBrokers({ brokers: brokers(5, [0, 1, 2, 4]), partitions: [partition('orders/1', [2, 3, 4], [2, 4])] }),
      restart: undefined,
      blocked: Object.fromEntries([4, 0, 2, 1].map((id) => [id, 'broker 3 not yet back in ISR of orders/1'])),
    },
    {
      name: 'the restarted broker must be ready',
      input: fiveBrokers({ brokers: brokers(5, [0, 1, 2, 4], { 3: { ready: false } }) }),
      restart: undefined,
      blocked: Object.fromEntries([4, 0, 2, 1].map((id) => [id, 'broker 3 not ready'])),
    },
    {
      name: 'nothing restarts while a pod is terminating',
      input: fiveBrokers({ brokers: brokers(5, [0, 1, 2, 3, 4], { 3: { ready: false, terminating: true } }) }),
      restart: undefined,
      blocked: Object.fromEntries([3, 4, 0, 2, 1].map((id) => [id, 'broker 3 is restarting'])),
    },
    {
      name: 'an outdated broker that is down restarts first, even a voter',
      input: fiveBrokers({ brokers: brokers(5, [0, 1, 2, 3, 4], { 2: { ready: false } }) }),
      restart: 2,
      blocked: {
        2: null,
        3: 'waiting for broker 2 to restart first',
        4: 'waiting for broker 2 to restart first',
        0: 'waiting for broker 2 to restart first',
        1: 'waiting for broker 2 to restart first',
      },
    },
    {
      name: 'a voter whose restart leaves no caught-up majority waits; the lagging voter may go',
      input: fiveBrokers({ brokers: brokers(5, [0, 1, 2]), quorum: { voters: [0, 1, 2], caughtUp: [0, 1], leader: 1 } }),
      restart: 2,
      blocked: {
        0: 'controller quorum would lose its caught-up majority (2 of 3 voters caught up, 2 needed)',
        2: null,
        1: 'waiting for broker 2 to restart first',
      },
    },
    {
      name: 'a quorum without a caught-up majority blocks every voter',
      input: fiveBrokers({ brokers: brokers(5, [0, 2]), quorum: { voters: [0, 1, 2], caughtUp: [1], leader: 1 } }),
      restart: undefined,
      blocked: {
        0: 'controller quorum has no caught-up majority (1 of 3 voters caught up, 2 needed)',
        2: 'controller quorum has no caught-up majority (1 of 3 voters caught up, 2 needed)',
      },
    },
    {
      name: 'a voter on a pod that is not ready does not count as caught up',
      input: fiveBrokers({ brokers: brokers(5, [0, 1], { 2: { ready: false, changes: [CONFIG] } }), partitions: [] }),
      restart: 2,
      blocked: { 2: null, 0: 'waiting for broker 2 to restart first', 1: 'waiting for broker 2 to restart first' },
    },
    {
      name: 'replicas on unknown brokers are not in sync, whatever the ISR says',
      input: fiveBrokers({ brokers: brokers(5, [3]), partitions: [partition('orders/7', [3, 8, 9], [3, 8, 9])] }),
      restart: undefined,
      blocked: { 3: 'partition orders/7 ISR=1 < min.insync.replicas=2' },
    },
    {
      name: 'a one-broker cluster rolls: its single replica and single voter cannot do better',
      input: {
        brokers: brokers(1, [0]),
        partitions: [partition('orders/0', [0], [0], 1)],
        quorum: { voters: [0], caughtUp: [0], leader: 0 },
        nowMs: NOW_MS,
      },
      restart: 0,
      blocked: { 0: null },
    },
    {
      name: 'with replication factor 2 and min ISR 2 no restart order can keep the minimum: it does not block',
      input: fiveBrokers({ brokers: brokers(5, [3]), partitions: [partition('orders/5', [3, 4], [3, 4], 2)] }),
      restart: 3,
      blocked: { 3: null },
    },
  ];
  for (const c of cases) {
    const plan = planRollout(c.input);
    t.is(plan.restart, c.restart, c.name);
    t.deepEqual(blockers(c.input), c.blocked, c.name);
  }
});

test('blockedBy names three partitions and counts the rest', (t) => {
  const partitions = [0, 1, 2, 3, 4].map((i) => partition(`orders/${i}`, [2, 3, 4], [3, 4]));
  const plan = planRollout(fiveBrokers({ brokers: brokers(5, [2, 3]), partitions }));
  t.is(
    plan.entries[0]!.blockedBy,
    'partition orders/0 ISR=2 = min.insync.replicas; partition orders/1 ISR=2 = min.insync.replicas; partition orders/2 ISR=2 = min.insync.replicas (and 2 more)',
  );
  t.is(plan.message, '2 broker(s) to restart; broker 3 is blocked: ' + plan.entries[0]!.blockedBy);
});

test('since stays put while a broker is blocked by the same thing and moves when that changes', (t) => {
  const blocked = fiveBrokers({ brokers: brokers(5, [2, 3]), partitions: [partition('orders/1', [2, 3, 4], [3, 4])] });
  const first = planRollout(blocked);
  t.is(first.entries[0]!.since, NOW);
  const later = planRollout({ ...blocked, nowMs: NOW_MS + 60_000, previous: first.entries });
  t.deepEqual(later.entries, first.entries);
  const unblocked = planRollout({ ...blocked, partitions: [], nowMs: NOW_MS + 120_000, previous: later.entries });
  t.is(unblocked.restart, 3);
  t.deepEqual(unblocked.entries[0], { broker: 3, reason: 'config changed: log.retention.hours', since: '2025-01-02T03:06:05Z' });
});

test('reasons say what changed', (t) => {
  t.is(restartReason([{ kind: 'image', from: 'tributary:0.1', to: 'tributary:0.2' }]), 'image changed: tributary:0.1 -> tributary:0.2');
  t.is(restartReason([{ kind: 'image', to: 'tributary:0.2' }, { kind: 'config' }]), 'image changed to tributary:0.2; config changed');
  t.is(restartReason([{ kind: 'config', keys: ['b', 'a'] }]), 'config changed: a, b');
  t.is(restartReason([{ kind: 'pod', detail: 'resources' }]), 'pod changed: resources');
  t.is(restartReason([{ kind: 'config', keys: Array.from({ length: 400 }, (_, i) => `key.${i}`) }]).length, 1024);
});

test('timestamps are RFC 3339 at second precision', (t) => {
  t.is(rfc3339(Date.UTC(2025, 5, 6, 7, 8, 9, 999)), '2025-06-06T07:08:09Z');
  t.is(quorumMajority(1), 1);
  t.is(quorumMajority(3), 2);
  t.is(quorumMajority(4), 3);
});

// ---------------------------------------------------------------------------------------------
// Properties over random clusters

const arbitraryInput: fc.Arbitrary<RolloutInput> = fc
  .integer({ min: 1, max: 6 })
  .chain((n) => {
    const ids = Array.from({ length: n }, (_, i) => i);
    const broker = (id: number) =>
      fc.record({
        id: fc.constant(id),
        ready: fc.boolean(),
        terminating: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
        changes: fc.oneof(fc.constant([] as BrokerChange[]), fc.constant([CONFIG]), fc.constant([CONFIG])),
      });
    const replicas = fc.shuffledSubarray(ids, { minLength: 1, maxLength: Math.min(n, 4) });
    const part = replicas.chain((r) =>
      fc.record({
        topic: fc.constantFrom('orders', 'payments'),
        partition: fc.nat(20),
        replicas: fc.constant(r),
        isr: fc.subarray(r),
        minInsyncReplicas: fc.integer({ min: 1, max: 3 }),
      }),
    );
    const voterCount = n >= 3 ? fc.constantFrom(1, 3) : fc.constant(1);
    const quorum = voterCount.chain((k) => {
      const voters = ids.slice(0, k);
      return fc.record({
        voters: fc.constant(voters),
        caughtUp: fc.subarray(voters),
        leader: fc.option(fc.constantFrom(...voters), { nil: undefined }),
      });
    });
    return fc.record({
      brokers: fc.tuple(...ids.map(broker)),
      partitions: fc.array(part, { maxLength: 8 }),
      quorum,
      nowMs: fc.integer({ min: 0, max: 4_000_000_000_000 }),
    });
  })
  .map((input) => ({ ...input, quorum: input.quorum.leader === undefined ? { voters: input.quorum.voters, caughtUp: input.quorum.caughtUp } : input.quorum }));

const readyIds = (input: RolloutInput) => new Set(input.brokers.filter((b) => b.ready).map((b) => b.id));

testProp('a restart never drops a partition that could stay at min ISR below it', [arbitraryInput], (t, input) => {
  const { restart } = planRollout(input);
  if (restart === undefined) return t.pass();
  const ready = readyIds(input);
  for (const p of input.partitions) {
    if (p.replicas.length <= p.minInsyncReplicas) continue;
    const serving = p.isr.filter((id) => ready.has(id));
    if (!serving.includes(restart)) continue;
    t.true(serving.length - 1 >= p.minInsyncReplicas, `${p.topic}/${p.partition} isr=${p.isr} restart=${restart}`);
  }
  t.pass();
});

testProp('at most one broker is down: a broker that is up restarts only when every other broker is up', [arbitraryInput], (t, input) => {
  const { restart } = planRollout(input);
  if (restart === undefined) return t.pass();
  t.false(input.brokers.some((b) => b.terminating), 'no restart while a pod is terminating');
  if (!input.brokers.find((b) => b.id === restart)!.ready) return t.pass(); // already down: restarting it takes nothing away
  for (const b of input.brokers) {
    if (b.id !== restart) t.true(b.ready, `broker ${b.id} is down while ${restart} restarts`);
  }
});

test('two brokers down and outdated: the first restarts, a ready one waits', (t) => {
  const input = fiveBrokers({ brokers: brokers(5, [0, 1, 2, 3, 4], { 1: { ready: false }, 4: { ready: false } }), partitions: [] });
  t.deepEqual(blockers(input), {
    1: null,
    4: 'waiting for broker 1 to restart first',
    3: 'waiting for broker 1 to restart first',
    0: 'waiting for broker 1 to restart first',
    2: 'waiting for broker 1 to restart first',
  });
});

testProp('a restart keeps a caught-up majority of a quorum that has more than one voter', [arbitraryInput], (t, input) => {
  const { restart } = planRollout(input);
  const { voters, caughtUp } = input.quorum;
  if (restart === undefined || voters.length <= 1) return t.pass();
  const ready = readyIds(input);
  const remaining = caughtUp.filter((v) => v !== restart && ready.has(v)).length;
  t.true(remaining >= quorumMajority(voters.length));
});

testProp('the plan lists each outdated broker once, the one restarting first and unblocked', [arbitraryInput], (t, input) => {
  const plan = planRollout(input);
  const outdated = input.brokers.filter((b) => b.changes.length > 0).map((b) => b.id);
  t.deepEqual([...plan.entries.map((e) => e.broker)].sort((a, b) => a - b), outdated);
  const unblocked = plan.entries.filter((e) => e.blockedBy === undefined).map((e) => e.broker);
  t.deepEqual(unblocked, plan.restart === undefined ? [] : [plan.restart]);
  if (plan.restart !== undefined) t.is(plan.entries[0]!.broker, plan.restart);
});

testProp('the active controller goes last, non-voters before voters', [arbitraryInput], (t, input) => {
  const { restart } = planRollout(input);
  if (restart === undefined) return t.pass();
  const others = input.brokers.filter((b) => b.changes.length > 0 && b.id !== restart);
  const restartIsDown = !input.brokers.find((b) => b.id === restart)!.ready;
  if (restart === input.quorum.leader && !restartIsDown) t.is(others.length, 0);
  const isVoter = input.quorum.voters.includes(restart);
  if (isVoter && !restartIsDown) t.false(others.some((b) => !input.quorum.voters.includes(b.id)));
  t.pass();
});

testProp('planning again with the plan as status changes nothing but time', [arbitraryInput, fc.nat(1_000_000)], (t, input, laterMs) => {
  const first = planRollout(input);
  const again = planRollout({ ...input, nowMs: input.nowMs + laterMs, previous: first.entries });
  t.deepEqual(again, first);
});
