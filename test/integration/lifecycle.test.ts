// The broker as a real process: SIGTERM stops it cleanly (exit 0) without losing an acknowledged
// record even while producers are busy, and kill -9 followed by a restart keeps every acknowledged
// record (they were written to the page cache before the acknowledgement).
import test from 'ava';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startBroker, type BrokerProcess } from '../helpers/broker-process.js';

function client(bp: BrokerProcess): Kafka {
  return new Kafka({ brokers: [bp.bootstrap], clientId: 'lifecycle-test', logLevel: logLevel.NOTHING, retry: { retries: 2 } });
}

/**
 * Reads `topic` from the beginning until every value of `wanted` has been seen (or 20 s passed).
 * Not until a count: the log may also hold records that were written but never acknowledged (the
 * request in flight at the crash), and reaching their count first would stop before the last
 * acknowledged records of another partition.
 */
async function readAll(bp: BrokerProcess, topic: string, wanted: readonly string[]): Promise<string[]> {
  const consumer = client(bp).consumer({ groupId: `reader-${Date.now()}`, maxWaitTimeInMs: 200 });
  const values: string[] = [];
  const unseen = new Set(wanted);
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => resolve(), 20_000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            const value = message.value!.toString();
            values.push(value);
            unseen.delete(value);
            if (unseen.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return values;
}

async function produceUntilStopped(producer: Producer, topic: string, acked: string[], stop: { now: boolean }): Promise<void> {
  let n = 0;
  while (!stop.now) {
    const messages = Array.from({ length: 20 }, () => ({ key: String(n % 7), value: `m${n++}` }));
    try {
      await producer.send({ topic, acks: -1, messages });
      acked.push(...messages.map((m) => m.value));
    } catch {
      return; // the broker went away mid-request: those records were never acknowledged
    }
  }
}

test('kill -9 then restart keeps every acknowledged record, and restart is fast', async (t) => {
  const bp = await startBroker();
  try {
    const kafka = client(bp);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'crash', numPartitions: 3 }] });
    await admin.disconnect();
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const acked: string[] = [];
    const stop = { now: false };
    const producing = produceUntilStopped(producer, 'crash', acked, stop);
    await new Promise((r) => setTimeout(r, 1500));
    await bp.kill();
    stop.now = true;
    await producing;
    await producer.disconnect().catch(() => undefined);
    t.true(acked.length > 0, 'some records were acknowledged before the crash');

    const startedMs = Date.now();
    await bp.restart();
    const restartMs = Date.now() - startedMs;
    t.log(`restart after kill -9 with ${acked.length} records: ready in ${restartMs} ms (process start included)`);

    const values = await readAll(bp, 'crash', acked);
    const present = new Set(values);
    const missing = acked.filter((v) => !present.has(v));
    t.deepEqual(missing, [], 'no acknowledged record is missing after kill -9 and restart');
    t.is(new Set(values).size, values.length, 'no record is duplicated (idempotent producer)');
  } finally {
    await bp.stop();
    bp.cleanup();
  }
});

test('SIGTERM answers in-flight requests, exits 0, and loses no acknowledged record', async (t) => {
  const bp = await startBroker();
  try {
    const kafka = client(bp);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'graceful', numPartitions: 2 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const acked: string[] = [];
    const stop = { now: false };
    const producing = produceUntilStopped(producer, 'graceful', acked, stop);
    await new Promise((r) => setTimeout(r, 1000));
    const code = await bp.stop();
    stop.now = true;
    await producing;
    await producer.disconnect().catch(() => undefined);
    t.is(code, 0, 'the broker exits 0 on SIGTERM');
    t.regex(bp.output(), /stopped cleanly/);

    await bp.restart();
    const values = await readAll(bp, 'graceful', acked);
    const present = new Set(values);
    t.deepEqual(acked.filter((v) => !present.has(v)), [], 'every acknowledged record is there after a clean stop');
  } finally {
    await bp.stop();
    bp.cleanup();
  }
});

test('an invalid config key stops start-up with a message naming the key', async (t) => {
  const error = await t.throwsAsync(startBroker({ overrides: ['log.retention.hourz=5'], startTimeoutMs: 20_000 }));
  t.regex(error?.message ?? '', /log\.retention\.hourz/);
  t.regex(error?.message ?? '', /log\.retention\.hours/, 'it suggests the closest known key');
});
