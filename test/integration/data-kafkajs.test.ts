// The data path with a real third-party client: kafkajs produces (keys, headers, every
// compression codec, idempotent) and consumes through a consumer group, and its admin reads
// offsets (ListOffsets) and deletes records (DeleteRecords). kafkajs ships only gzip; snappy, lz4
// and zstd are registered here on top of the broker's own compression module.
import test from 'ava';
import kafkajs, { CompressionTypes, Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { createTopics } from '../../broker/metadata/controller.js';
import { Compression, compress, decompress } from '../../broker/protocol/compression.js';
import { startTestBroker, type TestBroker } from '../helpers/in-process-broker.js';

for (const [type, codec] of [
  [CompressionTypes.Snappy, Compression.Snappy],
  [CompressionTypes.LZ4, Compression.Lz4],
  [CompressionTypes.ZSTD, Compression.Zstd],
] as const) {
  // kafkajs is CommonJS; Node's named-export detection misses CompressionCodecs.
  kafkajs.CompressionCodecs[type] = () => ({
    compress: async (encoder: { buffer: Buffer }) => compress(codec, encoder.buffer),
    decompress: async (buf: Buffer) => decompress(codec, buf),
  });
}

let tb: TestBroker;
let kafka: Kafka;

test.before(async () => {
  tb = await startTestBroker();
  kafka = new Kafka({ clientId: 'data-kafkajs-test', brokers: [tb.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3 } });
});

test.after.always(async () => {
  await tb?.stop();
});

async function createTopic(name: string, numPartitions: number): Promise<void> {
  const [result] = await tb.broker.runController((image) =>
    createTopics(image, [{ name, numPartitions, replicationFactor: 1 }], tb.broker.controllerContext()),
  );
  if (!result || result.errorCode !== 0) throw new Error(`cannot create ${name}: ${result?.errorMessage}`);
}

/** Consumes `count` messages of `topic` from the beginning with a fresh group. */
async function consume(topic: string, count: number, timeoutMs = 20_000): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: `group-${topic}`, maxWaitTimeInMs: 200 });
  const got: KafkaMessage[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${got.length} of ${count} messages in ${timeoutMs} ms`)), timeoutMs);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            got.push(message);
            if (got.length >= count) {
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
  return got;
}

test('kafkajs round trip: keys, headers and every compression codec through an idempotent producer', async (t) => {
  const topic = 'kafkajs-round-trip';
  await createTopic(topic, 3);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const sent: Array<{ key: string; value: string; codec: string }> = [];
  try {
    for (const [name, compression] of Object.entries({
      none: CompressionTypes.None,
      gzip: CompressionTypes.GZIP,
      snappy: CompressionTypes.Snappy,
      lz4: CompressionTypes.LZ4,
      zstd: CompressionTypes.ZSTD,
    })) {
      const messages = Array.from({ length: 20 }, (_, i) => ({
        key: `key-${i % 5}`,
        value: `${name}-${i}-${'x'.repeat(i * 10)}`,
        headers: { codec: name, index: String(i) },
      }));
      const results = await producer.send({ topic, compression, messages });
      t.true(results.every((r) => r.errorCode === 0), `${name}: every partition accepted`);
      sent.push(...messages.map((m) => ({ key: m.key, value: m.value, codec: name })));
    }
  } finally {
    await producer.disconnect();
  }
  const received = await consume(topic, sent.length);
  const asSent = received.map((m) => ({ key: m.key!.toString(), value: m.value!.toString(), codec: m.headers!.codec!.toString() }));
  const order = (a: { value: string }, b: { value: string }) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
  t.deepEqual([...asSent].sort(order), [...sent].sort(order));
  t.is(received[0]!.headers!.index!.toString().length > 0, true, 'headers survive');
});

test('kafkajs admin reads offsets (ListOffsets) and deletes records (DeleteRecords)', async (t) => {
  const topic = 'kafkajs-offsets';
  await createTopic(topic, 1);
  const producer = kafka.producer();
  await producer.connect();
  const start = Date.now();
  try {
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}`, timestamp: String(start + i * 1000) })) });
  } finally {
    await producer.disconnect();
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    t.deepEqual(await admin.fetchTopicOffsets(topic), [{ partition: 0, offset: '10', high: '10', low: '0' }]);
    t.deepEqual(await admin.fetchTopicOffsetsByTimestamp(topic, start + 3500), [{ partition: 0, offset: '4' }]);
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '6' }] });
    t.deepEqual(await admin.fetchTopicOffsets(topic), [{ partition: 0, offset: '10', high: '10', low: '6' }]);
  } finally {
    await admin.disconnect();
  }
  const rest = await consume(topic, 4);
  t.deepEqual(rest.map((m) => m.value!.toString()), ['m6', 'm7', 'm8', 'm9'], 'a consumer from the beginning starts at the new log start');
});
