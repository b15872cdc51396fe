/**
 * The test side's own view of the broker, through kafkajs: a second, independent client that
 * checks what the client under test did (topic shape, stored records, committed group offsets).
 */
import { connect } from 'node:net';
import kafkajs from 'kafkajs';
import type { SeenRecord } from './records.js';

const { Kafka, logLevel } = kafkajs;

function kafka(bootstrap: string): InstanceType<typeof Kafka> {
  return new Kafka({
    clientId: 'tributary-compat-verifier',
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5000,
    requestTimeout: 30000,
    retry: { retries: 8, initialRetryTime: 200 },
  });
}

/** Fails fast, with what to do, when nothing accepts connections at the bootstrap address. */
export async function assertBrokerReachable(bootstrap: string, timeoutMs = 5000): Promise<void> {
  const first = bootstrap.split(',')[0] ?? bootstrap;
  const separator = first.lastIndexOf(':');
  const host = first.slice(0, separator);
  const port = Number(first.slice(separator + 1));
  await new Promise<void>((resolvePromise, rejectPromise) => {
    const socket = connect({ host, port });
    const fail = (why: string): void => {
      socket.destroy();
      rejectPromise(new Error(`no broker at ${first} (${why}); start one or set COMPAT_BOOTSTRAP=host:port`));
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer in ${timeoutMs} ms`));
    socket.once('error', (error) => fail(error.message));
    socket.once('connect', () => {
      socket.end();
      resolvePromise();
    });
  });
}

async function withAdmin<T>(bootstrap: string, use: (admin: kafkajs.Admin) => Promise<T>): Promise<T> {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

export async function createTopicWithKafkajs(bootstrap: string, topic: string, partitionCount: number): Promise<void> {
  await withAdmin(bootstrap, async (admin) => {
    const isCreated = await admin.createTopics({
      topics: [{ topic, numPartitions: partitionCount, replicationFactor: 1 }],
      waitForLeaders: true,
      timeout: 30000,
    });
    if (!isCreated) throw new Error(`topic ${topic} already existed`);
  });
}

/** The partition ids of the topic, and whether each has a leader. */
export async function describeTopic(
  bootstrap: string,
  topic: string,
): Promise<Array<{ partition: number; hasLeader: boolean }>> {
  return withAdmin(bootstrap, async (admin) => {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = metadata.topics.find((t) => t.name === topic)?.partitions ?? [];
    return partitions
      .map((p) => ({ partition: p.partitionId, hasLeader: p.leader >= 0 }))
      .sort((a, b) => a.partition - b.partition);
  });
}

export interface PartitionProgress {
  partition: number;
  endOffset: number;
  committedOffset: number;
}

/** Each partition's high watermark beside the group's committed offset (-1 when none). */
export async function fetchGroupProgress(bootstrap: string, group: string, topic: string): Promise<PartitionProgress[]> {
  return withAdmin(bootstrap, async (admin) => {
    const ends = await admin.fetchTopicOffsets(topic);
    const committed = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const committedPartitions = committed.find((t) => t.topic === topic)?.partitions ?? [];
    return ends
      .map((end) => ({
        partition: end.partition,
        endOffset: Number(end.high),
        committedOffset: Number(committedPartitions.find((c) => c.partition === end.partition)?.offset ?? -1),
      }))
      .sort((a, b) => a.partition - b.partition);
  });
}

/** Reads the whole topic from the beginning in a fresh group until `count` records arrived. */
export async function readTopicWithKafkajs(
  bootstrap: string,
  topic: string,
  count: number,
  timeoutMs: number,
): Promise<SeenRecord[]> {
  const consumer = kafka(bootstrap).consumer({ groupId: `${topic}-kafkajs-verifier`, maxWaitTimeInMs: 500 });
  const seen: SeenRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolvePromise, rejectPromise) => {
      timer = setTimeout(
        () => rejectPromise(new Error(`kafkajs read ${seen.length} of ${count} records in ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              seen.push({
                partition: batch.partition,
                offset: Number(m.offset),
                key: m.key?.toString('utf8') ?? '',
                value: m.value?.toString('utf8') ?? '',
              });
            }
            if (seen.length >= count) resolvePromise();
          },
        })
        .catch(rejectPromise);
    });
    return seen;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
}
