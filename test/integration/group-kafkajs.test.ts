// Consumer groups judged by a third-party client (kafkajs) over TCP: partition assignment across
// members without overlap, rebalancing when a member leaves, committed offsets seen through the
// admin API, describe/list/delete of groups, offset reset, and committed offsets surviving a
// broker restart (replayed from __consumer_offsets) with consumption resuming where it stopped.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssignerProtocol, Kafka, logLevel, type Consumer, type EachMessagePayload } from 'kafkajs';
import { createTopics } from '../../broker/metadata/controller.js';
import { ErrorCode } from '../../broker/protocol/errors.js';
import type { Broker } from '../../broker/server/broker.js';
import { startTestBroker, type TestBroker } from '../helpers/in-process-broker.js';

const PARTITIONS = 6;

async function createTopic(broker: Broker, name: string, numPartitions: number): Promise<void> {
  const [result] = await broker.runController((image) =>
    createTopics(image, [{ name, numPartitions, replicationFactor: 1 }], broker.controllerContext()),
  );
  if (result?.errorCode !== ErrorCode.NONE) throw new Error(`cannot create ${name}: ${result?.errorMessage}`);
}

function kafkaFor(tb: TestBroker, clientId: string): Kafka {
  return new Kafka({ clientId, brokers: [tb.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 } });
}

/** A consumer tuned for tests: quick heartbeats and short fetch waits so rebalances are fast. */
function consumerFor(kafka: Kafka, groupId: string): Consumer {
  return kafka.consumer({ groupId, sessionTimeout: 10_000, rebalanceTimeout: 10_000, heartbeatInterval: 200, maxWaitTimeInMs: 100 });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The broker's view through kafkajs admin: member id -> assigned partitions of `topic`, once Stable with `members` members. */
async function stableAssignment(kafka: Kafka, groupId: string, topic: string, members: number): Promise<Map<string, number[]>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await waitFor(`group ${groupId} Stable with ${members} members`, async () => {
      const { groups } = await admin.describeGroups([groupId]);
      const group = groups[0];
      if (group?.state !== 'Stable' || group.members.length !== members) return undefined;
      const byMember = new Map<string, number[]>();
      for (const m of group.members) {
        const decoded = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
        byMember.set(m.memberId, [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b));
      }
      return byMember;
    });
  } finally {
    await admin.disconnect();
  }
}

function allPartitions(assignment: Map<string, number[]>): number[] {
  return [...assignment.values()].flat().sort((a, b) => a - b);
}

async function produce(kafka: Kafka, topic: string, count: number, from = 0): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    const messages = Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: `v${from + i}`, partition: (from + i) % PARTITIONS }));
    await producer.send({ topic, messages });
  } finally {
    await producer.disconnect();
  }
}

/** Runs a group consumer until `expected` messages arrived; returns their values. */
async function consumeAll(kafka: Kafka, groupId: string, topic: string, expected: number): Promise<string[]> {
  const consumer = consumerFor(kafka, groupId);
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }: EachMessagePayload) => {
        values.push(message.value?.toString() ?? '');
      },
    });
    await waitFor(`${expected} messages`, async () => (values.length >= expected ? true : undefined));
    // Let one more poll go by: nothing beyond `expected` may arrive.
    await new Promise((resolve) => setTimeout(resolve, 500));
  } finally {
    await consumer.disconnect(); // commits consumed offsets, then leaves the group
  }
  return values.sort();
}

async function committed(kafka: Kafka, groupId: string, topic: string): Promise<Map<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((entry?.partitions ?? []).map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

test('three kafkajs consumers split a 6-partition topic without overlap, and the two left after one disconnects cover it all', async (t) => {
  const tb = await startTestBroker();
  const consumers: Consumer[] = [];
  try {
    await createTopic(tb.broker, 'spread', PARTITIONS);
    const kafka = kafkaFor(tb, 'spreader');
    const joins = new Map<Consumer, Record<string, number[]>>();
    for (let i = 0; i < 3; i++) {
      const consumer = consumerFor(kafka, 'spread-group');
      consumer.on(consumer.events.GROUP_JOIN, (e) => joins.set(consumer, e.payload.memberAssignment));
      await consumer.connect();
      await consumer.subscribe({ topics: ['spread'] });
      await consumer.run({ eachMessage: async () => undefined });
      consumers.push(consumer);
    }
    const three = await stableAssignment(kafka, 'spread-group', 'spread', 3);
    t.deepEqual(allPartitions(three), [0, 1, 2, 3, 4, 5], 'every partition assigned exactly once');
    t.true([...three.values()].every((ps) => ps.length === 2), 'each of three members has two partitions');
    await waitFor('every consumer to see its assignment', async () => {
      const seen = consumers.flatMap((c) => joins.get(c)?.spread ?? []).sort((a, b) => a - b);
      return seen.join() === '0,1,2,3,4,5' ? true : undefined;
    });

    await consumers.shift()!.disconnect();
    const two = await stableAssignment(kafka, 'spread-group', 'spread', 2);
    t.deepEqual(allPartitions(two), [0, 1, 2, 3, 4, 5], 'the remaining two members cover every partition');
    t.true([...two.values()].every((ps) => ps.length === 3));
  } finally {
    await Promise.all(consumers.map((c) => c.disconnect()));
    await tb.stop();
  }
});

test('committed offsets show in admin.fetchOffsets; describeGroups/listGroups show the group; setOffsets resets it; deleteGroups removes the empty group', async (t) => {
  const tb = await startTestBroker();
  try {
    await createTopic(tb.broker, 'ledger', PARTITIONS);
    const kafka = kafkaFor(tb, 'ledger-app');
    await produce(kafka, 'ledger', 12);

    // A live member: describe and list it.
    const live = consumerFor(kafka, 'ledger-group');
    await live.connect();
    await live.subscribe({ topics: ['ledger'], fromBeginning: true });
    let seen = 0;
    await live.run({ eachMessage: async () => void seen++ });
    await stableAssignment(kafka, 'ledger-group', 'ledger', 1);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { groups: [described] } = await admin.describeGroups(['ledger-group']);
      t.is(described?.protocolType, 'consumer');
      t.is(described?.members[0]?.clientId, 'ledger-app');
      t.is(described?.members[0]?.clientHost, '/127.0.0.1');
      const { groups: listed } = await admin.listGroups();
      t.deepEqual(listed.filter((g) => g.groupId === 'ledger-group'), [{ groupId: 'ledger-group', protocolType: 'consumer' }]);
      const deleteLive = await admin.deleteGroups(['ledger-group']).then(() => 'deleted', (e: Error) => e.message);
      t.not(deleteLive, 'deleted', 'a group with members cannot be deleted');

      await waitFor('12 messages', async () => (seen >= 12 ? true : undefined));
      await live.disconnect();
      const offsets = await committed(kafka, 'ledger-group', 'ledger');
      t.deepEqual([...offsets.entries()].sort(([a], [b]) => a - b), [[0, '2'], [1, '2'], [2, '2'], [3, '2'], [4, '2'], [5, '2']]);
      const { groups: [empty] } = await admin.describeGroups(['ledger-group']);
      t.is(empty?.state, 'Empty');

      await admin.setOffsets({ groupId: 'ledger-group', topic: 'ledger', partitions: [{ partition: 0, offset: '0' }, { partition: 3, offset: '1' }] });
      const reset = await committed(kafka, 'ledger-group', 'ledger');
      t.is(reset.get(0), '0');
      t.is(reset.get(3), '1');
      t.is(reset.get(1), '2');
      const again = await consumeAll(kafka, 'ledger-group', 'ledger', 3);
      t.deepEqual(again, ['v0', 'v6', 'v9'], 'a consumer resumes from the reset offsets');

      await admin.deleteGroups(['ledger-group']);
      const afterDelete = await committed(kafka, 'ledger-group', 'ledger');
      t.true([...afterDelete.values()].every((o) => o === '-1'), 'deleting the group deleted its offsets');
      const { groups: [dead] } = await admin.describeGroups(['ledger-group']);
      t.is(dead?.state, 'Dead');
    } finally {
      await admin.disconnect();
    }
  } finally {
    await tb.stop();
  }
});

test('after a restart on the same data directory the committed offsets are back and consumption resumes after them', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-group-kafkajs-'));
  try {
    let tb = await startTestBroker({ dataDir });
    try {
      await createTopic(tb.broker, 'durable', PARTITIONS);
      const kafka = kafkaFor(tb, 'before-restart');
      await produce(kafka, 'durable', 10);
      const first = await consumeAll(kafka, 'durable-group', 'durable', 10);
      t.is(first.length, 10);
    } finally {
      await tb.stop();
    }
    tb = await startTestBroker({ dataDir });
    try {
      const kafka = kafkaFor(tb, 'after-restart');
      const offsets = await committed(kafka, 'durable-group', 'durable');
      t.deepEqual([...offsets.entries()].sort(([a], [b]) => a - b), [[0, '2'], [1, '2'], [2, '2'], [3, '2'], [4, '1'], [5, '1']]);
      await produce(kafka, 'durable', 4, 10);
      const resumed = await consumeAll(kafka, 'durable-group', 'durable', 4);
      t.deepEqual(resumed, ['v10', 'v11', 'v12', 'v13'], 'only records after the committed offsets are consumed again');
    } finally {
      await tb.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
