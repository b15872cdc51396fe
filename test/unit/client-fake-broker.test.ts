// The internal client over real TCP against a scripted in-process fake broker: framing, pipelining
// and correlation ids, timeouts, refused and dropped connections, ApiVersions negotiation and its
// v0 fallback, admin errors, producer partitioning/retries/idempotence, and the consumer with and
// without a group. (The real broker is exercised by the integration suite.)

import test from 'ava';
import net from 'node:net';
import { KafkaAdmin } from '../../broker/client/admin.js';
import { KafkaClient } from '../../broker/client/client.js';
import { Connection, ConnectionError, RequestTimeoutError } from '../../broker/client/connection.js';
import { Consumer } from '../../broker/client/consumer.js';
import { decodeAssignment, encodeAssignment } from '../../broker/client/consumer-protocol.js';
import { BrokerError } from '../../broker/client/errors.js';
import { negotiateVersions } from '../../broker/client/client.js';
import { partitionForKey } from '../../broker/client/partitioner.js';
import { Producer } from '../../broker/client/producer.js';
import { ErrorCode } from '../../broker/protocol/errors.js';
import { ApiKey, apiMessages } from '../../broker/protocol/generated/index.js';
import { decodeRequestHeader, encodeResponseHeader, responseHeaderVersion } from '../../broker/protocol/header.js';
import { Reader, Writer } from '../../broker/protocol/primitives.js';
import { decodeRecordBatches, encodeRecordBatch, type RecordInput } from '../../broker/protocol/records.js';

// ---- a scripted fake broker ----

interface Received {
  apiKey: number;
  version: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

type Handler = (version: number, body: any, fake: Fake) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Fake {
  port: number;
  received: Received[];
  handlers: Map<number, Handler>;
  close(): Promise<void>;
}

function frameOf(write: (w: Writer) => void): Buffer {
  const w = new Writer();
  w.int32(0);
  write(w);
  const buf = w.toBuffer();
  buf.writeInt32BE(buf.length - 4, 0);
  return buf;
}

function onFrames(socket: net.Socket, onFrame: (frame: Buffer) => void): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const size = pending.readInt32BE(0);
      onFrame(pending.subarray(4, 4 + size));
      pending = pending.subarray(4 + size);
    }
  });
}

async function listen(onConnection: (socket: net.Socket) => void): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    onConnection(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function fakeBroker(handlers: Record<number, Handler>): Promise<Fake> {
  const fake: Fake = { port: 0, received: [], handlers: new Map(Object.entries(handlers).map(([k, h]) => [Number(k), h])), close: async () => {} };
  const server = await listen((socket) =>
    onFrames(socket, (frame) => {
      const r = new Reader(frame);
      const header = decodeRequestHeader(r);
      const api = apiMessages.get(header.apiKey)!;
      const body = api.request.decode(r, header.apiVersion);
      fake.received.push({ apiKey: header.apiKey, version: header.apiVersion, body });
      const handler = fake.handlers.get(header.apiKey) ?? (header.apiKey === ApiKey.ApiVersions ? allVersions : undefined);
      if (handler === undefined) throw new Error(`fake broker: no handler for api ${api.name}`);
      const response = handler(header.apiVersion, body, fake);
      if (response === undefined) return;
      socket.write(
        frameOf((w) => {
          encodeResponseHeader(w, responseHeaderVersion(header.apiKey, header.apiVersion), header.correlationId);
          api.response.encode(w, header.apiVersion, response as never);
        }),
      );
    }),
  );
  fake.port = server.port;
  fake.close = server.close;
  return fake;
}

const allVersions: Handler = () => ({
  errorCode: 0,
  apiKeys: [...apiMessages.values()].map((m) => ({ apiKey: m.apiKey, minVersion: m.request.minVersion, maxVersion: m.request.maxVersion })),
});

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';

function metadataHandler(topics: Record<string, number>): Handler {
  return (_v, body, fake) => ({
    brokers: [{ nodeId: 1, host: '127.0.0.1', port: fake.port, rack: null }],
    clusterId: 'fake',
    controllerId: 1,
    topics: (body.topics === null ? Object.keys(topics) : body.topics.map((t: { name: string }) => t.name)).map((name: string) =>
      topics[name] === undefined
        ? { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partitions: [] }
        : {
            name,
            topicId: TOPIC_ID,
            errorCode: 0,
            partitions: Array.from({ length: topics[name]! }, (_, p) => ({ partitionIndex: p, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1] })),
          },
    ),
  });
}

const clientFor = (fake: Fake, requestTimeoutMs = 5_000): KafkaClient =>
  new KafkaClient({ bootstrapServers: [`127.0.0.1:${fake.port}`], clientId: 'test', requestTimeoutMs });

// ---- connection ----

test('responses are matched to requests by correlation id, even out of order', async (t) => {
  const server = await listen((socket) => {
    const ids: number[] = [];
    onFrames(socket, (frame) => {
      ids.push(frame.readInt32BE(4));
      if (ids.length === 3) {
        for (const id of ids.reverse()) socket.write(frameOf((w) => (w.int32(id), w.int32(id * 10))));
      }
    });
  });
  const conn = await Connection.connect({ host: '127.0.0.1', port: server.port, clientId: 't' });
  const ask = (): Promise<number> => conn.request({ apiKey: ApiKey.ApiVersions, apiVersion: 0, encodeBody: () => {}, decodeBody: (r) => r.int32() });
  const answers = await Promise.all([ask(), ask(), ask()]);
  t.deepEqual(answers, [10, 20, 30]);
  conn.close();
  await server.close();
});

test('a request without an answer times out; the connection stays usable', async (t) => {
  let seen = 0;
  const server = await listen((socket) =>
    onFrames(socket, (frame) => {
      seen++;
      if (seen > 1) socket.write(frameOf((w) => (w.int32(frame.readInt32BE(4)), w.int32(7))));
    }),
  );
  const conn = await Connection.connect({ host: '127.0.0.1', port: server.port, clientId: 't' });
  const ask = (timeoutMs: number): Promise<number> =>
    conn.request({ apiKey: ApiKey.ApiVersions, apiVersion: 0, encodeBody: () => {}, decodeBody: (r) => r.int32(), timeoutMs });
  await t.throwsAsync(ask(50), { instanceOf: RequestTimeoutError });
  t.is(await ask(2_000), 7);
  t.is(conn.inFlightCount, 0);
  conn.close();
  await server.close();
});

test('a refused connection is a ConnectionError naming the address', async (t) => {
  const server = await listen(() => {});
  const port = server.port;
  await server.close();
  const err = await t.throwsAsync(Connection.connect({ host: '127.0.0.1', port, clientId: 't' }), { instanceOf: ConnectionError });
  t.is(err?.errno, 'ECONNREFUSED');
  t.regex(err?.message ?? '', new RegExp(`127\\.0\\.0\\.1:${port} refused`));
});

test('a peer that closes the socket fails every in-flight request', async (t) => {
  const server = await listen((socket) => onFrames(socket, () => socket.destroy()));
  const conn = await Connection.connect({ host: '127.0.0.1', port: server.port, clientId: 't' });
  const err = await t.throwsAsync(conn.request({ apiKey: ApiKey.ApiVersions, apiVersion: 0, encodeBody: () => {}, decodeBody: (r) => r.int32() }), {
    instanceOf: ConnectionError,
  });
  t.regex(err?.message ?? '', /closed/);
  t.true(conn.isClosed);
  await t.throwsAsync(conn.request({ apiKey: 18, apiVersion: 0, encodeBody: () => {}, decodeBody: () => 0 }), { instanceOf: ConnectionError });
  await server.close();
});

// ---- version negotiation ----

test('ApiVersions falls back to the version the broker reports after UNSUPPORTED_VERSION', async (t) => {
  const versionsSeen: number[] = [];
  const server = await listen((socket) =>
    onFrames(socket, (frame) => {
      const r = new Reader(frame);
      const header = decodeRequestHeader(r);
      versionsSeen.push(header.apiVersion);
      const old = header.apiVersion > 2;
      socket.write(
        frameOf((w) => {
          encodeResponseHeader(w, 0, header.correlationId);
          // An old broker answers in v0 layout with UNSUPPORTED_VERSION and its own range.
          apiMessages.get(18)!.response.encode(w, old ? 0 : header.apiVersion, {
            errorCode: old ? ErrorCode.UNSUPPORTED_VERSION : 0,
            apiKeys: [
              { apiKey: 18, minVersion: 0, maxVersion: 2 },
              { apiKey: 3, minVersion: 1, maxVersion: 8 },
            ],
          } as never);
        }),
      );
    }),
  );
  const conn = await Connection.connect({ host: '127.0.0.1', port: server.port, clientId: 't' });
  const versions = await negotiateVersions(conn);
  t.deepEqual(versionsSeen, [4, 2]);
  t.deepEqual(versions.get(3), { minVersion: 1, maxVersion: 8 });
  conn.close();
  await server.close();
});

test('requests use min(our newest, broker newest); no common version is UNSUPPORTED_VERSION', async (t) => {
  const fake = await fakeBroker({
    [ApiKey.ApiVersions]: () => ({
      errorCode: 0,
      apiKeys: [
        { apiKey: 18, minVersion: 0, maxVersion: 4 },
        { apiKey: 3, minVersion: 0, maxVersion: 7 },
        { apiKey: 19, minVersion: 50, maxVersion: 60 },
      ],
    }),
    [ApiKey.Metadata]: metadataHandler({ t: 2 }),
  });
  const client = clientFor(fake);
  await client.connect();
  t.is(fake.received.find((r) => r.apiKey === ApiKey.Metadata)?.version, 7);
  const err = await t.throwsAsync(new KafkaAdmin(client).createTopics([{ name: 'x' }]), { instanceOf: BrokerError });
  t.is(err?.code, ErrorCode.UNSUPPORTED_VERSION);
  await client.close();
  await fake.close();
});

// ---- admin ----

test('admin errors carry the Kafka error name and the broker message', async (t) => {
  const fake = await fakeBroker({
    [ApiKey.Metadata]: metadataHandler({ t: 2 }),
    [ApiKey.CreateTopics]: (_v, body) => ({
      topics: body.topics.map((tp: { name: string }) => ({ name: tp.name, errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: `Topic '${tp.name}' already exists.` })),
    }),
  });
  const client = clientFor(fake);
  await client.connect();
  const admin = new KafkaAdmin(client);
  const err = await t.throwsAsync(admin.createTopics([{ name: 't', numPartitions: 3, configs: { 'retention.ms': '1000' } }]), { instanceOf: BrokerError });
  t.is(err?.errorName, 'TOPIC_ALREADY_EXISTS');
  t.is(err?.userMessage, "Topic 't' already exists.");
  const sent = fake.received.find((r) => r.apiKey === ApiKey.CreateTopics)!.body;
  t.deepEqual(
    { n: sent.topics[0].numPartitions, rf: sent.topics[0].replicationFactor, configs: sent.topics[0].configs },
    { n: 3, rf: -1, configs: [{ name: 'retention.ms', value: '1000' }] },
  );
  const described = await admin.describeTopics(['t']);
  t.is(described[0]?.partitions.length, 2);
  await t.throwsAsync(admin.describeTopics(['missing']), { instanceOf: BrokerError, message: /UNKNOWN_TOPIC_OR_PARTITION/ });
  await client.close();
  await fake.close();
});

// ---- producer ----

function produceStore(): { handler: Handler; log: Map<number, RecordInput[]> } {
  const log = new Map<number, RecordInput[]>();
  const handler: Handler = (_v, body) => ({
    responses: body.topicData.map((td: { name: string; partitionData: Array<{ index: number; records: Buffer }> }) => ({
      name: td.name,
      partitionResponses: td.partitionData.map((pd) => {
        const records = decodeRecordBatches(pd.records).flatMap((b) => b.records);
        const list = log.get(pd.index) ?? [];
        const baseOffset = list.length;
        list.push(...records.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp })));
        log.set(pd.index, list);
        return { index: pd.index, errorCode: 0, baseOffset: BigInt(baseOffset) };
      }),
    })),
  });
  return { handler, log };
}

test('keyed records go to the Java default partition; offsets come back in input order', async (t) => {
  const store = produceStore();
  const fake = await fakeBroker({ [ApiKey.Metadata]: metadataHandler({ t: 4 }), [ApiKey.Produce]: store.handler });
  const client = clientFor(fake);
  const producer = new Producer(client);
  const keys = ['a', 'b', 'c', 'd', 'e', 'a'];
  const meta = await producer.send('t', keys.map((key) => ({ key, value: `v-${key}` })));
  for (const [i, key] of keys.entries()) t.is(meta[i]!.partition, partitionForKey(Buffer.from(key), 4), key);
  for (const p of new Set(meta.map((m) => m.partition))) {
    const inPartition = meta.filter((m) => m.partition === p);
    t.deepEqual(inPartition.map((m) => m.offset), inPartition.map((_, i) => i), `partition ${p} offsets follow input order`);
    t.deepEqual(store.log.get(p)!.map((r) => r.value?.toString()), keys.filter((_, i) => meta[i]!.partition === p).map((k) => `v-${k}`));
  }
  t.is(fake.received.find((r) => r.apiKey === ApiKey.Produce)?.body.acks, -1);
  await client.close();
  await fake.close();
});

test('unkeyed records of one send share a partition; the next send moves on', async (t) => {
  const store = produceStore();
  const fake = await fakeBroker({ [ApiKey.Metadata]: metadataHandler({ t: 3 }), [ApiKey.Produce]: store.handler });
  const client = clientFor(fake);
  const producer = new Producer(client);
  const first = await producer.send('t', [{ value: '1' }, { value: '2' }]);
  const second = await producer.send('t', [{ value: '3' }]);
  t.is(first[0]!.partition, first[1]!.partition);
  t.is(second[0]!.partition, (first[0]!.partition + 1) % 3);
  await client.close();
  await fake.close();
});

test('a retriable produce error refreshes metadata and resends; idempotent batches keep their sequence', async (t) => {
  const store = produceStore();
  let failures = 1;
  const sequences: number[] = [];
  const fake = await fakeBroker({
    [ApiKey.Metadata]: metadataHandler({ t: 1 }),
    [ApiKey.InitProducerId]: () => ({ errorCode: 0, producerId: 42n, producerEpoch: 3 }),
    [ApiKey.Produce]: (v, body, f) => {
      const batch = decodeRecordBatches(body.topicData[0].partitionData[0].records)[0]!;
      sequences.push(batch.header.baseSequence);
      t.is(batch.header.producerId, 42);
      if (failures-- > 0) {
        return { responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, baseOffset: -1n }] }] };
      }
      return store.handler(v, body, f);
    },
  });
  const client = clientFor(fake);
  const producer = new Producer(client, { idempotent: true, retryBackoffMs: 1 });
  await producer.send('t', [{ value: 'x' }, { value: 'y' }]);
  await producer.send('t', [{ value: 'z' }]);
  t.deepEqual(sequences, [0, 0, 2]);
  t.is(store.log.get(0)!.length, 3);
  t.true(fake.received.filter((r) => r.apiKey === ApiKey.Metadata).length >= 2);
  await client.close();
  await fake.close();
});

// ---- consumer ----

function fetchHandler(log: Map<string, RecordInput[]>, batchStart: (offset: number) => number = (o) => o): Handler {
  return (v, body) => ({
    responses: body.topics.map((tp: { topic: string; topicId: string; partitions: Array<{ partition: number; fetchOffset: bigint }> }) => ({
      topic: tp.topic,
      topicId: tp.topicId,
      partitions: tp.partitions.map((p) => {
        const name = tp.topic === '' && tp.topicId === TOPIC_ID ? 't' : tp.topic; // v13+ sends only the id
        const all = log.get(`${name}-${p.partition}`) ?? [];
        const start = batchStart(Number(p.fetchOffset));
        const records = all.slice(start);
        return {
          partitionIndex: p.partition,
          errorCode: 0,
          highWatermark: BigInt(all.length),
          records: records.length === 0 ? null : encodeRecordBatch({ records, nowMs: 1, baseOffset: start }),
        };
      }),
    })),
  });
}

const listOffsetsHandler = (latest: (topic: string, partition: number) => number): Handler => (_v, body) => ({
  topics: body.topics.map((tp: { name: string; partitions: Array<{ partitionIndex: number; timestamp: bigint }> }) => ({
    name: tp.name,
    partitions: tp.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0, offset: BigInt(p.timestamp === -2n ? 0 : latest(tp.name, p.partitionIndex)), timestamp: -1n })),
  })),
});

test('without a group the consumer reads every partition from earliest and skips records below the fetch offset', async (t) => {
  const log = new Map<string, RecordInput[]>([
    ['t-0', [{ value: 'a' }, { value: 'b' }, { value: 'c' }]],
    ['t-1', [{ value: 'x' }]],
  ]);
  const fake = await fakeBroker({
    [ApiKey.Metadata]: metadataHandler({ t: 2 }),
    [ApiKey.ListOffsets]: listOffsetsHandler((topic, p) => log.get(`${topic}-${p}`)!.length),
    // Always answer from the start of the log, as a broker does when the offset is mid-batch.
    [ApiKey.Fetch]: fetchHandler(log, () => 0),
  });
  const client = clientFor(fake);
  const consumer = new Consumer(client, { topics: ['t'], autoOffsetReset: 'earliest', maxWaitMs: 10 });
  const first = await consumer.poll();
  t.deepEqual(first.map((r) => `${r.partition}:${r.offset}:${r.value}`).sort(), ['0:0:a', '0:1:b', '0:2:c', '1:0:x']);
  log.get('t-0')!.push({ value: 'd' });
  const second = await consumer.poll();
  t.deepEqual(second.map((r) => `${r.partition}:${r.offset}:${r.value}`), ['0:3:d']);
  t.deepEqual(consumer.currentPositions.map((p) => p.offset), [4, 1]);
  await consumer.close();
  t.false(fake.received.some((r) => r.apiKey === ApiKey.OffsetCommit || r.apiKey === ApiKey.JoinGroup));
  const fetch = fake.received.find((r) => r.apiKey === ApiKey.Fetch)!;
  t.deepEqual([fetch.body.sessionId, fetch.body.sessionEpoch], [0, -1]);
  await client.close();
  await fake.close();
});

test('with a group: join (member id required), lead the range assignment, resume from committed offsets, commit and leave on close', async (t) => {
  const log = new Map<string, RecordInput[]>([
    ['t-0', [{ value: 'a' }, { value: 'b' }, { value: 'c' }]],
    ['t-1', [{ value: 'x' }, { value: 'y' }]],
  ]);
  let leaderAssignment: Buffer = Buffer.alloc(0);
  const fake = await fakeBroker({
    [ApiKey.Metadata]: metadataHandler({ t: 2 }),
    [ApiKey.FindCoordinator]: (_v, _b, f) => ({ errorCode: 0, nodeId: 1, host: '127.0.0.1', port: f.port, coordinators: [{ key: 'g', nodeId: 1, host: '127.0.0.1', port: f.port, errorCode: 0 }] }),
    [ApiKey.JoinGroup]: (_v, body) =>
      body.memberId === ''
        ? { errorCode: ErrorCode.MEMBER_ID_REQUIRED, memberId: 'm-1', generationId: -1, leader: '' }
        : { errorCode: 0, generationId: 1, protocolName: 'range', leader: 'm-1', memberId: 'm-1', members: [{ memberId: 'm-1', metadata: body.protocols[0].metadata }] },
    [ApiKey.SyncGroup]: (_v, body) => {
      leaderAssignment = body.assignments.find((a: { memberId: string }) => a.memberId === 'm-1').assignment;
      return { errorCode: 0, assignment: leaderAssignment };
    },
    [ApiKey.OffsetFetch]: (v, body) => {
      const partitions = [
        { partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
        { partitionIndex: 1, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
      ];
      return v >= 8 ? { groups: [{ groupId: body.groups[0].groupId, topics: [{ name: 't', partitions }], errorCode: 0 }] } : { topics: [{ name: 't', partitions }], errorCode: 0 };
    },
    [ApiKey.ListOffsets]: listOffsetsHandler((topic, p) => log.get(`${topic}-${p}`)!.length),
    [ApiKey.Fetch]: fetchHandler(log),
    [ApiKey.Heartbeat]: () => ({ errorCode: 0 }),
    [ApiKey.OffsetCommit]: (_v, body) => ({
      topics: body.topics.map((tp: { name: string; partitions: Array<{ partitionIndex: number }> }) => ({ name: tp.name, partitions: tp.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0 })) })),
    }),
    [ApiKey.LeaveGroup]: () => ({ errorCode: 0, members: [{ memberId: 'm-1', errorCode: 0 }] }),
  });
  const client = clientFor(fake);
  const consumer = new Consumer(client, { topics: ['t'], groupId: 'g', autoOffsetReset: 'latest', maxWaitMs: 10 });
  const records = await consumer.poll();
  t.deepEqual(decodeAssignment(leaderAssignment)?.assignedPartitions, [{ topic: 't', partitions: [0, 1] }]);
  // Partition 0 resumes at its committed offset 1; partition 1 has none and starts at latest (2).
  t.deepEqual(records.map((r) => `${r.partition}:${r.offset}`), ['0:1', '0:2']);
  t.is(consumer.memberId, 'm-1');
  t.is(consumer.generationId, 1);
  const joins = fake.received.filter((r) => r.apiKey === ApiKey.JoinGroup);
  t.deepEqual(joins.map((j) => j.body.memberId), ['', 'm-1']);
  t.is(joins[1]!.body.protocolType, 'consumer');
  await consumer.close();
  const commit = fake.received.find((r) => r.apiKey === ApiKey.OffsetCommit)!;
  t.deepEqual(
    { gen: commit.body.generationIdOrMemberEpoch, member: commit.body.memberId, offsets: commit.body.topics[0].partitions.map((p: { partitionIndex: number; committedOffset: bigint }) => [p.partitionIndex, p.committedOffset]) },
    { gen: 1, member: 'm-1', offsets: [[0, 3n], [1, 2n]] },
  );
  t.true(fake.received.some((r) => r.apiKey === ApiKey.LeaveGroup));
  await client.close();
  await fake.close();
});

test('a heartbeat answered with REBALANCE_IN_PROGRESS makes the next poll rejoin', async (t) => {
  let heartbeatError: number = ErrorCode.REBALANCE_IN_PROGRESS;
  const fake = await fakeBroker({
    [ApiKey.Metadata]: metadataHandler({ t: 1 }),
    [ApiKey.FindCoordinator]: (_v, _b, f) => ({ errorCode: 0, nodeId: 1, host: '127.0.0.1', port: f.port, coordinators: [{ key: 'g', nodeId: 1, host: '127.0.0.1', port: f.port, errorCode: 0 }] }),
    [ApiKey.JoinGroup]: (_v, body) => ({ errorCode: 0, generationId: 1, protocolName: 'range', leader: 'm', memberId: 'm', members: [{ memberId: 'm', metadata: body.protocols[0].metadata }] }),
    [ApiKey.SyncGroup]: () => ({ errorCode: 0, assignment: encodeAssignment([{ topic: 't', partitions: [0] }]) }),
    [ApiKey.OffsetFetch]: (v, body) => (v >= 8 ? { groups: [{ groupId: body.groups[0].groupId, topics: [], errorCode: 0 }] } : { topics: [], errorCode: 0 }),
    [ApiKey.ListOffsets]: listOffsetsHandler(() => 0),
    [ApiKey.Fetch]: fetchHandler(new Map()),
    [ApiKey.Heartbeat]: () => {
      const errorCode = heartbeatError;
      heartbeatError = ErrorCode.NONE;
      return { errorCode };
    },
    [ApiKey.LeaveGroup]: () => ({ errorCode: 0, members: [] }),
  });
  const client = clientFor(fake);
  const consumer = new Consumer(client, { topics: ['t'], groupId: 'g', maxWaitMs: 10, heartbeatIntervalMs: 20, autoCommit: false });
  await consumer.poll();
  await new Promise((resolve) => setTimeout(resolve, 80));
  await consumer.poll();
  t.is(fake.received.filter((r) => r.apiKey === ApiKey.JoinGroup).length, 2);
  await consumer.close();
  await client.close();
  await fake.close();
});
