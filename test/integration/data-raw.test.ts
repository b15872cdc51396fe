// The data-path handlers (Produce, Fetch, ListOffsets, DeleteRecords, InitProducerId,
// OffsetForLeaderEpoch, DescribeLogDirs) driven over TCP with raw requests from the generated
// codecs (the internal client's Connection), so error paths no real client produces are covered:
// corrupt CRCs, old message formats, oversize batches, bad acks, sequence gaps, sessions.
// One in-process broker for the file; every test uses its own topic.
import test from 'ava';
import { Connection } from '../../broker/client/connection.js';
import { createTopics } from '../../broker/metadata/controller.js';
import { ErrorCode } from '../../broker/protocol/errors.js';
import { DeleteRecordsRequest } from '../../broker/protocol/generated/delete-records-request.js';
import { DeleteRecordsResponse } from '../../broker/protocol/generated/delete-records-response.js';
import { DescribeLogDirsRequest } from '../../broker/protocol/generated/describe-log-dirs-request.js';
import { DescribeLogDirsResponse } from '../../broker/protocol/generated/describe-log-dirs-response.js';
import { FetchRequest, type FetchRequestFetchPartition } from '../../broker/protocol/generated/fetch-request.js';
import { FetchResponse, type FetchResponsePartitionData } from '../../broker/protocol/generated/fetch-response.js';
import { InitProducerIdRequest } from '../../broker/protocol/generated/init-producer-id-request.js';
import { InitProducerIdResponse } from '../../broker/protocol/generated/init-producer-id-response.js';
import { ListOffsetsRequest } from '../../broker/protocol/generated/list-offsets-request.js';
import { ListOffsetsResponse, type ListOffsetsResponseListOffsetsPartitionResponse } from '../../broker/protocol/generated/list-offsets-response.js';
import { OffsetForLeaderEpochRequest } from '../../broker/protocol/generated/offset-for-leader-epoch-request.js';
import { OffsetForLeaderEpochResponse } from '../../broker/protocol/generated/offset-for-leader-epoch-response.js';
import { ProduceRequest } from '../../broker/protocol/generated/produce-request.js';
import { ProduceResponse, type ProduceResponsePartitionProduceResponse } from '../../broker/protocol/generated/produce-response.js';
import type { Init } from '../../broker/protocol/primitives.js';
import { CRC_OFFSET, MAGIC_OFFSET } from '../../broker/protocol/record-batch.js';
import { decodeRecordBatches, encodeRecordBatch, type EncodeBatchOptions, type RecordInput } from '../../broker/protocol/records.js';
import { Compression } from '../../broker/protocol/compression.js';
import { startTestBroker, type TestBroker } from '../helpers/in-process-broker.js';

let tb: TestBroker;
let conn: Connection;

test.before(async () => {
  tb = await startTestBroker();
  conn = await Connection.connect({ host: '127.0.0.1', port: tb.port, clientId: 'data-raw-test' });
});

test.after.always(async () => {
  conn?.close();
  await tb?.stop();
});

// ---- helpers ----------------------------------------------------------------------------------

async function createTopic(name: string, numPartitions = 1, configs: Record<string, string> = {}): Promise<string> {
  const [result] = await tb.broker.runController((image) =>
    createTopics(
      image,
      [{ name, numPartitions, replicationFactor: 1, configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }],
      tb.broker.controllerContext(),
    ),
  );
  if (!result || result.errorCode !== 0) throw new Error(`cannot create ${name}: ${result?.errorMessage}`);
  return result.topicId;
}

function batch(records: RecordInput[], options: Partial<EncodeBatchOptions> = {}): Buffer {
  return encodeRecordBatch({ records, nowMs: Date.now(), ...options });
}

function values(n: number, prefix = 'v'): RecordInput[] {
  return Array.from({ length: n }, (_, i) => ({ value: `${prefix}${i}` }));
}

interface ProduceOptions {
  acks?: number;
  version?: number;
  transactionalId?: string | null;
}

async function produce(
  topic: string,
  partitions: Array<{ index: number; records: Buffer | null }>,
  options: ProduceOptions = {},
): Promise<ProduceResponsePartitionProduceResponse[]> {
  const version = options.version ?? 9;
  const body = {
    transactionalId: options.transactionalId ?? null,
    acks: options.acks ?? 1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: partitions }],
  };
  if (options.acks === 0) {
    await conn.send(ProduceRequest, ProduceResponse, version, body, { expectResponse: false });
    return [];
  }
  const response = await conn.send(ProduceRequest, ProduceResponse, version, body);
  return response.responses[0]!.partitionResponses;
}

async function produceOne(topic: string, records: Buffer, options: ProduceOptions = {}): Promise<ProduceResponsePartitionProduceResponse> {
  const [p] = await produce(topic, [{ index: 0, records }], options);
  return p!;
}

interface FetchOptions {
  version?: number;
  topicId?: string;
  maxWaitMs?: number;
  minBytes?: number;
  maxBytes?: number;
  sessionId?: number;
  sessionEpoch?: number;
}

async function fetch(topic: string, partitions: Array<Init<FetchRequestFetchPartition>>, options: FetchOptions = {}) {
  const version = options.version ?? 12;
  return conn.send(FetchRequest, FetchResponse, version, {
    replicaId: -1,
    maxWaitMs: options.maxWaitMs ?? 0,
    minBytes: options.minBytes ?? 0,
    maxBytes: options.maxBytes ?? 50 * 1024 * 1024,
    isolationLevel: 0,
    sessionId: options.sessionId ?? 0,
    sessionEpoch: options.sessionEpoch ?? -1,
    topics: [{ topic, topicId: options.topicId ?? '', partitions }],
  });
}

async function fetchOne(topic: string, fetchOffset: number, options: FetchOptions & { partitionMaxBytes?: number } = {}): Promise<FetchResponsePartitionData> {
  const response = await fetch(topic, [{ partition: 0, fetchOffset: BigInt(fetchOffset), partitionMaxBytes: options.partitionMaxBytes ?? 1024 * 1024 }], options);
  t0(response.errorCode === 0, `top-level fetch error ${response.errorCode}`);
  return response.responses[0]!.partitions[0]!;
}

function t0(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

function fetchedValues(p: FetchResponsePartitionData): string[] {
  return decodeRecordBatches(p.records ?? Buffer.alloc(0)).flatMap((b) => b.records.map((r) => r.value?.toString() ?? 'null'));
}

async function listOffset(topic: string, timestamp: number, version = 9): Promise<ListOffsetsResponseListOffsetsPartitionResponse> {
  const response = await conn.send(ListOffsetsRequest, ListOffsetsResponse, version, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: BigInt(timestamp) }] }],
  });
  return response.topics[0]!.partitions[0]!;
}

function logOf(topic: string, partition = 0) {
  const log = tb.broker.logs.get(topic, partition);
  if (!log) throw new Error(`no log for ${topic}-${partition}`);
  return log;
}

// ---- Produce ----------------------------------------------------------------------------------

test('produce appends a batch, answers its base offset and log start, and fetch returns the same records', async (t) => {
  await createTopic('produce-basic');
  const first = await produceOne('produce-basic', batch(values(3)));
  t.is(first.errorCode, ErrorCode.NONE);
  t.is(first.baseOffset, 0n);
  t.is(first.logStartOffset, 0n);
  t.is(first.logAppendTimeMs, -1n, 'CreateTime topic: no log append time');
  const second = await produceOne('produce-basic', batch(values(2, 'w')), { version: 3 });
  t.is(second.errorCode, ErrorCode.NONE);
  t.is(second.baseOffset, 3n, 'offsets continue after the first batch (produce v3, oldest supported)');

  const fetched = await fetchOne('produce-basic', 0);
  t.is(fetched.errorCode, ErrorCode.NONE);
  t.is(fetched.highWatermark, 5n);
  t.is(fetched.lastStableOffset, 5n);
  t.is(fetched.logStartOffset, 0n);
  t.deepEqual(fetchedValues(fetched), ['v0', 'v1', 'v2', 'w0', 'w1']);
  const metrics = await tb.broker.metrics.render();
  t.regex(metrics, /tributary_messages_in_total\{topic="produce-basic"\} 5/);
  t.regex(metrics, /tributary_messages_out_total\{topic="produce-basic"\} 5/);
});

test('a LogAppendTime topic stamps the broker time and answers it as logAppendTimeMs', async (t) => {
  await createTopic('produce-append-time', 1, { 'message.timestamp.type': 'LogAppendTime' });
  const before = Date.now();
  const p = await produceOne('produce-append-time', batch([{ value: 'a', timestamp: 1000 }]));
  t.is(p.errorCode, ErrorCode.NONE);
  t.true(p.logAppendTimeMs >= BigInt(before));
  const [stored] = decodeRecordBatches((await fetchOne('produce-append-time', 0)).records!);
  t.is(stored!.records[0]!.timestamp, Number(p.logAppendTimeMs));
});

test('a batch with a corrupt CRC is CORRUPT_MESSAGE with a message, leaves the log unchanged and does not fail other partitions', async (t) => {
  await createTopic('produce-crc', 2);
  const bad = batch(values(2));
  bad.writeUInt32BE((bad.readUInt32BE(CRC_OFFSET) ^ 1) >>> 0, CRC_OFFSET);
  const [p0, p1] = await produce('produce-crc', [
    { index: 0, records: bad },
    { index: 1, records: batch(values(1)) },
  ]);
  t.is(p0!.errorCode, ErrorCode.CORRUPT_MESSAGE);
  t.regex(p0!.errorMessage ?? '', /CRC/);
  t.is(p1!.errorCode, ErrorCode.NONE);
  t.is(logOf('produce-crc', 0).logEndOffset, 0);
  t.is(logOf('produce-crc', 1).logEndOffset, 1);
});

test('message format v1 (magic 1) is UNSUPPORTED_FOR_MESSAGE_FORMAT', async (t) => {
  await createTopic('produce-magic');
  const old = batch(values(1));
  old.writeInt8(1, MAGIC_OFFSET);
  const p = await produceOne('produce-magic', old);
  t.is(p.errorCode, ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
  t.is(logOf('produce-magic').logEndOffset, 0);
});

test('a batch larger than the topic max.message.bytes is MESSAGE_TOO_LARGE', async (t) => {
  await createTopic('produce-large', 1, { 'max.message.bytes': '1000' });
  const p = await produceOne('produce-large', batch([{ value: 'x'.repeat(2000) }]));
  t.is(p.errorCode, ErrorCode.MESSAGE_TOO_LARGE);
  t.is((await produceOne('produce-large', batch([{ value: 'small' }]))).errorCode, ErrorCode.NONE);
});

test('two batches in one partition entry are INVALID_RECORD (Kafka requires one from produce v3)', async (t) => {
  await createTopic('produce-two-batches');
  const p = await produceOne('produce-two-batches', Buffer.concat([batch(values(1)), batch(values(1))]));
  t.is(p.errorCode, ErrorCode.INVALID_RECORD);
});

test('unknown topics and partitions are UNKNOWN_TOPIC_OR_PARTITION', async (t) => {
  await createTopic('produce-known');
  t.is((await produceOne('produce-no-such-topic', batch(values(1)))).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const [p] = await produce('produce-known', [{ index: 7, records: batch(values(1)) }]);
  t.is(p!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
});

test('acks=0 gets no response but appends; acks outside -1/0/1 is INVALID_REQUIRED_ACKS and appends nothing', async (t) => {
  await createTopic('produce-acks');
  await produceOne('produce-acks', batch(values(2)), { acks: 0 });
  // Requests on one connection are answered in order: this answer comes after the acks=0 append.
  const after = await produceOne('produce-acks', batch(values(1)), { acks: -1 });
  t.is(after.errorCode, ErrorCode.NONE);
  t.is(after.baseOffset, 2n, 'the acks=0 batch took offsets 0-1');
  const bad = await produceOne('produce-acks', batch(values(1)), { acks: 2 });
  t.is(bad.errorCode, ErrorCode.INVALID_REQUIRED_ACKS);
  t.is(logOf('produce-acks').logEndOffset, 3);
});

test('transactional produce requests are refused with TRANSACTIONAL_ID_AUTHORIZATION_FAILED', async (t) => {
  await createTopic('produce-txn');
  const viaId = await produceOne('produce-txn', batch(values(1)), { transactionalId: 'tx-1' });
  t.is(viaId.errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  const viaBit = await produceOne('produce-txn', batch(values(1), { producerId: 1, producerEpoch: 0, baseSequence: 0, isTransactional: true }));
  t.is(viaBit.errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  t.is(logOf('produce-txn').logEndOffset, 0);
});

test('a timestamp more than message.timestamp.after.max.ms ahead is INVALID_TIMESTAMP', async (t) => {
  await createTopic('produce-future', 1, { 'message.timestamp.after.max.ms': '60000' });
  const p = await produceOne('produce-future', batch([{ value: 'x', timestamp: Date.now() + 3_600_000 }]));
  t.is(p.errorCode, ErrorCode.INVALID_TIMESTAMP);
});

test('idempotent produce: a resent batch answers the original offsets once; a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER', async (t) => {
  await createTopic('produce-idempotent');
  const init = await conn.send(InitProducerIdRequest, InitProducerIdResponse, 4, { transactionalId: null, transactionTimeoutMs: 60000 });
  t.is(init.errorCode, ErrorCode.NONE);
  t.is(init.producerEpoch, 0);
  const producerId = Number(init.producerId);
  const ids = { producerId, producerEpoch: 0 };
  await produceOne('produce-idempotent', batch(values(1, 'pre'))); // a non-idempotent record first
  const first = await produceOne('produce-idempotent', batch(values(3), { ...ids, baseSequence: 0 }));
  const again = await produceOne('produce-idempotent', batch(values(3), { ...ids, baseSequence: 0 }));
  t.is(first.errorCode, ErrorCode.NONE);
  t.is(again.errorCode, ErrorCode.NONE, 'a duplicate is not an error');
  t.is(again.baseOffset, first.baseOffset);
  t.is(logOf('produce-idempotent').logEndOffset, 4, 'one copy in the log');
  const gap = await produceOne('produce-idempotent', batch(values(1), { ...ids, baseSequence: 10 }));
  t.is(gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  const next = await produceOne('produce-idempotent', batch(values(1), { ...ids, baseSequence: 3 }));
  t.is(next.errorCode, ErrorCode.NONE);
  t.is(next.baseOffset, 4n);
});

// ---- InitProducerId ---------------------------------------------------------------------------

test('InitProducerId: fresh ids with epoch 0, transactional ids refused, half-set ids invalid', async (t) => {
  const a = await conn.send(InitProducerIdRequest, InitProducerIdResponse, 0, { transactionalId: null, transactionTimeoutMs: 1000 });
  const b = await conn.send(InitProducerIdRequest, InitProducerIdResponse, 5, { transactionalId: null, transactionTimeoutMs: 1000, producerId: a.producerId, producerEpoch: 0 });
  t.is(a.errorCode, ErrorCode.NONE);
  t.is(b.errorCode, ErrorCode.NONE);
  t.not(b.producerId, a.producerId, 'a null transactional id always gets a new producer id, as in Kafka');
  t.is(b.producerEpoch, 0);
  const txn = await conn.send(InitProducerIdRequest, InitProducerIdResponse, 4, { transactionalId: 'tx', transactionTimeoutMs: 1000 });
  t.is(txn.errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  t.is(txn.producerId, -1n);
  const half = await conn.send(InitProducerIdRequest, InitProducerIdResponse, 4, { transactionalId: null, transactionTimeoutMs: 1000, producerId: 5n, producerEpoch: -1 });
  t.is(half.errorCode, ErrorCode.INVALID_REQUEST);
});

// ---- Fetch ------------------------------------------------------------------------------------

test('fetch by topic id (v13+) reads the topic; an unknown id is UNKNOWN_TOPIC_ID', async (t) => {
  const topicId = await createTopic('fetch-ids');
  await produceOne('fetch-ids', batch(values(2)));
  const response = await fetch('', [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }], { version: 17, topicId });
  t.is(response.responses[0]!.topicId, topicId);
  t.deepEqual(fetchedValues(response.responses[0]!.partitions[0]!), ['v0', 'v1']);
  const unknown = await fetch('', [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }], { version: 13, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' });
  t.is(unknown.responses[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_ID);
  const byName = await fetchOne('fetch-no-such-topic', 0);
  t.is(byName.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
});

test('fetch outside [logStartOffset, logEndOffset] is OFFSET_OUT_OF_RANGE; at the end it is empty', async (t) => {
  await createTopic('fetch-range');
  await produceOne('fetch-range', batch(values(2)));
  const beyond = await fetchOne('fetch-range', 3);
  t.is(beyond.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
  t.is(beyond.highWatermark, -1n);
  const atEnd = await fetchOne('fetch-range', 2);
  t.is(atEnd.errorCode, ErrorCode.NONE);
  t.is(atEnd.records?.length, 0);
  t.is(atEnd.highWatermark, 2n);
});

test('fetch byte limits: the first non-empty partition gets one batch past the limits, later ones only what fits', async (t) => {
  await createTopic('fetch-limits', 2);
  for (let i = 0; i < 3; i++) {
    await produce('fetch-limits', [
      { index: 0, records: batch([{ value: 'a'.repeat(600) }]) },
      { index: 1, records: batch([{ value: 'b'.repeat(600) }]) },
    ]);
  }
  const one = await fetchOne('fetch-limits', 0, { partitionMaxBytes: 10 });
  t.is(fetchedValues(one).length, 1, 'one whole batch although it is bigger than partitionMaxBytes');
  const response = await fetch('fetch-limits', [
    { partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 },
    { partition: 1, fetchOffset: 0n, partitionMaxBytes: 1 << 20 },
  ], { maxBytes: 1500 });
  const [p0, p1] = response.responses[0]!.partitions;
  t.is(fetchedValues(p0!).length, 2, 'two 600-byte batches fit in 1500 bytes');
  t.is(fetchedValues(p1!).length, 0, 'nothing is left for the second partition');
  t.is(p1!.errorCode, ErrorCode.NONE);
});

test('pipelined fetches on one connection each get their own bytes while read buffers are pooled and returned after the write', async (t) => {
  await createTopic('fetch-pooled');
  const batches = 30;
  for (let i = 0; i < batches; i++) {
    // ~8 KiB per batch, values that name their batch, so a reused buffer would show as wrong values.
    await produceOne('fetch-pooled', batch(Array.from({ length: 8 }, (_, j) => ({ value: `b${i}-r${j}-${'x'.repeat(1000)}` }))));
  }
  const expected = (from: number, count: number): string[] =>
    Array.from({ length: count * 8 }, (_, k) => `b${from + Math.floor(k / 8)}-r${k % 8}-${'x'.repeat(1000)}`);
  for (let round = 0; round < 3; round++) {
    // Every request is sent before any answer is read: the broker reads them back to back while
    // earlier answers may still be in the socket.
    const answers = await Promise.all(
      Array.from({ length: batches }, (_, i) => fetchOne('fetch-pooled', i * 8, { partitionMaxBytes: 3 * 8 * 1024 })),
    );
    answers.forEach((answer, i) => {
      const got = fetchedValues(answer);
      const count = got.length / 8;
      t.true(count >= 1, `fetch ${i} returned records`);
      t.deepEqual(got, expected(i, count), `fetch at batch ${i}, round ${round}`);
    });
  }
  t.true(tb.broker.readBuffers.idleCount > 0, 'answered buffers went back to the pool');
});

test('pipelined produce requests bigger than a socket read are stored intact while their frame buffers are reused', async (t) => {
  await createTopic('produce-pooled', 3);
  const requests = 20;
  const value = (i: number, p: number, j: number): string => `q${i}-p${p}-r${j}-${'y'.repeat(1000)}`;
  // ~300 KB per request: it arrives over several reads, so it is assembled in a pooled buffer that
  // the next request reuses; values name their request, so reuse too early shows as wrong records.
  const answers = await Promise.all(
    Array.from({ length: requests }, (_, i) =>
      produce('produce-pooled', [0, 1, 2].map((p) => ({ index: p, records: batch(Array.from({ length: 100 }, (_, j) => ({ value: value(i, p, j) }))) }))),
    ),
  );
  t.true(answers.every((partitions) => partitions.every((p) => p.errorCode === ErrorCode.NONE)));
  for (const p of [0, 1, 2]) {
    const got: string[] = [];
    while (got.length < requests * 100) {
      const response = await fetch('produce-pooled', [{ partition: p, fetchOffset: BigInt(got.length), partitionMaxBytes: 4 * 1024 * 1024 }]);
      const fetched = fetchedValues(response.responses[0]!.partitions[0]!);
      if (fetched.length === 0) break;
      got.push(...fetched);
    }
    t.deepEqual(got, Array.from({ length: requests * 100 }, (_, k) => value(Math.floor(k / 100), p, k % 100)), `partition ${p}`);
  }
  t.true(tb.broker.requestBuffers.idleCount > 0, 'assembled frames went back to the pool');
});

test('long-poll fetch returns as soon as data arrives', async (t) => {
  await createTopic('fetch-long-poll');
  const started = Date.now();
  const pending = fetchOne('fetch-long-poll', 0, { maxWaitMs: 10_000, minBytes: 1 });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const other = await Connection.connect({ host: '127.0.0.1', port: tb.port, clientId: 'producer' });
  try {
    await other.send(ProduceRequest, ProduceResponse, 9, {
      transactionalId: null, acks: 1, timeoutMs: 1000,
      topicData: [{ name: 'fetch-long-poll', partitionData: [{ index: 0, records: batch(values(1)) }] }],
    });
  } finally {
    other.close();
  }
  const fetched = await pending;
  const elapsed = Date.now() - started;
  t.deepEqual(fetchedValues(fetched), ['v0']);
  t.true(elapsed >= 150 && elapsed < 5000, `answered after ${elapsed} ms`);
});

test('long-poll fetch without data answers empty after max.wait.ms', async (t) => {
  await createTopic('fetch-wait');
  const started = Date.now();
  const fetched = await fetchOne('fetch-wait', 0, { maxWaitMs: 300, minBytes: 1 });
  const elapsed = Date.now() - started;
  t.is(fetched.errorCode, ErrorCode.NONE);
  t.is(fetched.records?.length, 0);
  t.true(elapsed >= 250 && elapsed < 3000, `answered after ${elapsed} ms`);
});

test('fetch sessions are refused cleanly: sessionId 0 always; an incremental fetch is FETCH_SESSION_ID_NOT_FOUND', async (t) => {
  await createTopic('fetch-session');
  const full = await fetch('fetch-session', [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1024 }], { sessionId: 0, sessionEpoch: 0 });
  t.is(full.errorCode, ErrorCode.NONE);
  t.is(full.sessionId, 0);
  const incremental = await fetch('fetch-session', [], { sessionId: 42, sessionEpoch: 1 });
  t.is(incremental.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  t.is(incremental.sessionId, 0);
});

test('fetch fences a stale or future currentLeaderEpoch', async (t) => {
  await createTopic('fetch-epoch');
  const epoch = tb.broker.leaderEpochOf('fetch-epoch', 0);
  const ask = async (currentLeaderEpoch: number) =>
    (await fetch('fetch-epoch', [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1024, currentLeaderEpoch }])).responses[0]!.partitions[0]!.errorCode;
  t.is(await ask(epoch), ErrorCode.NONE);
  t.is(await ask(epoch + 1), ErrorCode.UNKNOWN_LEADER_EPOCH);
  if (epoch > 0) t.is(await ask(epoch - 1), ErrorCode.FENCED_LEADER_EPOCH);
});

// ---- ListOffsets ------------------------------------------------------------------------------

test('list offsets: earliest, latest, max timestamp and by timestamp name exact records', async (t) => {
  await createTopic('list-offsets', 1);
  t.is((await listOffset('list-offsets', -3)).offset, -1n, 'max timestamp of an empty log');
  await produceOne('list-offsets', batch([{ value: 'a', timestamp: 1000 }, { value: 'b', timestamp: 2000 }, { value: 'c', timestamp: 1500 }]));
  await produceOne('list-offsets', batch([{ value: 'd', timestamp: 3000 }, { value: 'e', timestamp: 5000 }, { value: 'f', timestamp: 4000 }], { compression: Compression.Gzip }));
  const earliest = await listOffset('list-offsets', -2);
  t.is(earliest.offset, 0n);
  t.is(earliest.timestamp, -1n);
  const latest = await listOffset('list-offsets', -1);
  t.is(latest.offset, 6n);
  t.is(latest.leaderEpoch, tb.broker.leaderEpochOf('list-offsets', 0));
  const max = await listOffset('list-offsets', -3);
  t.deepEqual([max.offset, max.timestamp], [4n, 5000n], 'the record with the max timestamp, inside a compressed batch');
  const byTime = await listOffset('list-offsets', 1800);
  t.deepEqual([byTime.offset, byTime.timestamp], [1n, 2000n], 'first record with timestamp >= 1800');
  const inSecond = await listOffset('list-offsets', 3500);
  t.deepEqual([inSecond.offset, inSecond.timestamp], [4n, 5000n]);
  const none = await listOffset('list-offsets', 9000);
  t.deepEqual([none.offset, none.timestamp], [-1n, -1n]);
  t.is((await listOffset('list-offsets', -4)).offset, 0n, 'earliest local = earliest');
  t.is((await listOffset('list-offsets', -5)).offset, -1n, 'latest tiered: nothing is tiered');
  t.is((await listOffset('list-offsets', -2, 1)).offset, 0n, 'v1 works');
  t.is((await listOffset('list-offsets-missing', -1)).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
});

// ---- DeleteRecords ----------------------------------------------------------------------------

test('delete records moves the log start: fetch below it is out of range, earliest follows, beyond HW is refused', async (t) => {
  await createTopic('delete-records');
  await produceOne('delete-records', batch(values(3)));
  await produceOne('delete-records', batch(values(3, 'w')));
  const del = async (offset: bigint) =>
    (await conn.send(DeleteRecordsRequest, DeleteRecordsResponse, 2, {
      timeoutMs: 1000,
      topics: [{ name: 'delete-records', partitions: [{ partitionIndex: 0, offset }] }],
    })).topics[0]!.partitions[0]!;
  const moved = await del(4n);
  t.is(moved.errorCode, ErrorCode.NONE);
  t.is(moved.lowWatermark, 4n);
  t.is((await fetchOne('delete-records', 0)).errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
  const fetched = await fetchOne('delete-records', 4);
  t.is(fetched.logStartOffset, 4n);
  t.is((await listOffset('delete-records', -2)).offset, 4n);
  t.is((await del(7n)).errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
  const toHw = await del(-1n);
  t.is(toHw.lowWatermark, 6n, '-1 deletes up to the high watermark');
});

// ---- OffsetForLeaderEpoch ---------------------------------------------------------------------

test('offset for leader epoch answers the log end for the current epoch and fences a future currentLeaderEpoch', async (t) => {
  await createTopic('leader-epoch');
  const epoch = tb.broker.leaderEpochOf('leader-epoch', 0);
  const ask = async (leaderEpoch: number, currentLeaderEpoch = -1) =>
    (await conn.send(OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse, 4, {
      replicaId: -1,
      topics: [{ topic: 'leader-epoch', partitions: [{ partition: 0, currentLeaderEpoch, leaderEpoch }] }],
    })).topics[0]!.partitions[0]!;
  const empty = await ask(epoch);
  t.deepEqual([empty.errorCode, empty.leaderEpoch, empty.endOffset], [0, epoch, 0n], 'known before the first append, as in Kafka');
  await produceOne('leader-epoch', batch(values(3)));
  const current = await ask(epoch, epoch);
  t.deepEqual([current.errorCode, current.leaderEpoch, current.endOffset], [0, epoch, 3n]);
  const future = await ask(epoch + 5);
  t.deepEqual([future.leaderEpoch, future.endOffset], [-1, -1n], 'an epoch the log never had');
  t.is((await ask(epoch, epoch + 1)).errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH);
});

// ---- DescribeLogDirs --------------------------------------------------------------------------

test('describe log dirs lists hosted partitions with their sizes and the disk space', async (t) => {
  await createTopic('log-dirs', 2);
  await produceOne('log-dirs', batch(values(5)));
  const response = await conn.send(DescribeLogDirsRequest, DescribeLogDirsResponse, 4, { topics: [{ topic: 'log-dirs', partitions: [0, 1, 9] }] });
  t.is(response.errorCode, ErrorCode.NONE);
  const [dir] = response.results;
  t.is(dir!.logDir, tb.dataDir);
  t.true(dir!.totalBytes > 0n && dir!.usableBytes > 0n);
  t.deepEqual(dir!.topics.map((x) => x.name), ['log-dirs'], 'only the requested topic');
  const partitions = dir!.topics[0]!.partitions;
  t.deepEqual(partitions.map((p) => p.partitionIndex), [0, 1], 'partition 9 is not hosted');
  t.true(partitions[0]!.partitionSize > 0n);
  t.is(partitions[1]!.partitionSize, 0n);
  const all = await conn.send(DescribeLogDirsRequest, DescribeLogDirsResponse, 1, { topics: null });
  t.true(all.results[0]!.topics.some((x) => x.name === '__consumer_offsets'), 'null topics lists everything');
});
