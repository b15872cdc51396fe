// Bad input against a live broker: random and mutated frames (lying size prefixes, oversize
// frames, unknown API keys and versions, garbage tagged fields, corrupt batches). The broker must
// answer each with a response or close only that connection, keep serving a well-behaved client
// throughout, and lose no acknowledged record. Seeded: FUZZ_SEED=n replays a run.
import test from 'ava';
import { connect, type Socket } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { encodeRequestHeader } from '../../broker/protocol/header.js';
import { Writer } from '../../broker/protocol/primitives.js';
import { ProduceRequest } from '../../broker/protocol/generated/produce-request.js';
import { MetadataRequest } from '../../broker/protocol/generated/metadata-request.js';
import { ApiVersionsRequest } from '../../broker/protocol/generated/api-versions-request.js';
import { encodeRecordBatch } from '../../broker/protocol/records.js';
import { startTestBroker } from '../helpers/in-process-broker.js';

const seed = Number(process.env['FUZZ_SEED'] ?? 20261125);
const FRAMES = Number(process.env['FUZZ_FRAMES'] ?? 400);
const MAX_FRAME = 1024 * 1024;

function prng(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Outcome = 'response' | 'closed' | 'silent';

/** Sends raw bytes on a fresh connection; reports whether a response frame arrived or the broker closed. */
function probe(port: number, bytes: Buffer, waitMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: '127.0.0.1', port });
    let done = false;
    let received = Buffer.alloc(0);
    const finish = (outcome: Outcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish('silent'), waitMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      if (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) finish('response');
    });
    socket.on('error', () => finish('closed'));
    socket.on('close', () => finish('closed'));
  });
}

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

function request(apiKey: number, apiVersion: number, encodeBody: (w: Writer) => void, correlationId = 7): Buffer {
  const w = new Writer();
  encodeRequestHeader(w, { apiKey, apiVersion, correlationId, clientId: 'fuzz' });
  encodeBody(w);
  return w.toBuffer();
}

function validProduce(topic: string, rand: () => number): Buffer {
  const records = encodeRecordBatch({
    records: [{ key: Buffer.from(`k${Math.floor(rand() * 1000)}`), value: Buffer.from('fuzz-value') }],
    nowMs: Date.now(),
  });
  return request(0, 9, (w) =>
    ProduceRequest.encode(w, 9, {
      acks: 1,
      timeoutMs: 1000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
    }),
  );
}

function mutate(buf: Buffer, rand: () => number): Buffer {
  const out = Buffer.from(buf);
  const flips = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < flips; i++) out[Math.floor(rand() * out.length)] = Math.floor(rand() * 256);
  return out;
}

test(`random and mutated frames never crash the broker or lose acknowledged records (seed ${seed})`, async (t) => {
  t.timeout(120_000);
  const tb = await startTestBroker({ overrides: [`socket.request.max.bytes=${MAX_FRAME}`] });
  const kafka = new Kafka({ brokers: [tb.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  const admin = kafka.admin();
  const producer = kafka.producer();
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'fuzz', numPartitions: 1 }] });
    await producer.connect();
    const acked: string[] = [];
    const produceBatch = async (n: number): Promise<void> => {
      const messages = Array.from({ length: n }, (_, i) => ({ key: `good-${acked.length + i}`, value: `v${acked.length + i}` }));
      await producer.send({ topic: 'fuzz', messages });
      acked.push(...messages.map((m) => m.value));
    };
    await produceBatch(50);

    const rand = prng(seed);
    const counts: Record<string, Record<Outcome, number>> = {};
    const note = (kind: string, outcome: Outcome): void => {
      counts[kind] ??= { response: 0, closed: 0, silent: 0 };
      counts[kind][outcome]++;
    };
    const produce = validProduce('fuzz', rand);
    const metadata = request(3, 12, (w) => MetadataRequest.encode(w, 12, { topics: null }));
    const apiVersions = request(18, 3, (w) => ApiVersionsRequest.encode(w, 3, { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' }));

    for (let i = 0; i < FRAMES; i++) {
      const choice = Math.floor(rand() * 8);
      let kind: string;
      let bytes: Buffer;
      let mayStaySilent = false;
      switch (choice) {
        case 0:
          kind = 'random-body';
          bytes = frame(Buffer.from(Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256))));
          break;
        case 1: {
          kind = 'lying-size';
          const body = mutate(metadata, rand);
          const size = Buffer.alloc(4);
          size.writeInt32BE(body.length + 1 + Math.floor(rand() * 1000));
          bytes = Buffer.concat([size, body]);
          mayStaySilent = true; // the broker rightly waits for the rest of the frame
          break;
        }
        case 2: {
          kind = 'oversize-or-negative-size';
          const size = Buffer.alloc(4);
          size.writeInt32BE(rand() < 0.5 ? MAX_FRAME + 1 + Math.floor(rand() * 1e6) : -1 - Math.floor(rand() * 1e6));
          bytes = Buffer.concat([size, Buffer.alloc(16)]);
          break;
        }
        case 3: {
          kind = 'unknown-key-or-version';
          const key = rand() < 0.5 ? 200 + Math.floor(rand() * 1000) : Math.floor(rand() * 70);
          bytes = frame(request(key, 100 + Math.floor(rand() * 1000), (w) => w.int32(0)));
          break;
        }
        case 4:
          kind = 'mutated-produce';
          bytes = frame(mutate(produce, rand));
          break;
        case 5:
          kind = 'mutated-metadata';
          bytes = frame(mutate(metadata, rand));
          break;
        case 6: {
          kind = 'garbage-tagged-fields';
          // ApiVersions v3 is flexible: replace its trailing tagged-field section with junk.
          const junk = Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 20) }, () => Math.floor(rand() * 256)));
          bytes = frame(Buffer.concat([apiVersions.subarray(0, apiVersions.length - 1), junk]));
          break;
        }
        default:
          kind = 'truncated-produce';
          bytes = frame(produce.subarray(0, Math.floor(rand() * produce.length)));
      }
      const outcome = await probe(tb.port, bytes, mayStaySilent ? 150 : 3000);
      note(kind, outcome);
      if (!mayStaySilent) t.not(outcome, 'silent', `${kind} frame #${i} got neither a response nor a close (seed ${seed})`);
      if (i % 100 === 99) await produceBatch(10);
    }
    t.log(JSON.stringify(counts));

    // The well-behaved client still works, and every acknowledged record is there, intact.
    await produceBatch(10);
    const consumer = kafka.consumer({ groupId: 'fuzz-check' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'fuzz', fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${seen.length} records read back`)), 30_000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            const key = message.key?.toString() ?? '';
            if (key.startsWith('good-')) seen.push(message.value?.toString() ?? '');
            if (seen.length >= acked.length) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    t.deepEqual(seen, acked, 'every acknowledged record comes back once, in order');
  } finally {
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await tb.stop();
  }
});
