// Metadata (every version the codec has), auto topic creation, DescribeTopicPartitions and
// restart persistence of topics and configs. Raw requests pin the version; kafkajs judges the
// versions it speaks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { Kafka, logLevel } from 'kafkajs';
import { Connection } from '../../broker/client/connection.js';
import { ErrorCode } from '../../broker/protocol/errors.js';
import { CreateTopicsRequest } from '../../broker/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../broker/protocol/generated/create-topics-response.js';
import { DescribeConfigsRequest } from '../../broker/protocol/generated/describe-configs-request.js';
import { DescribeConfigsResponse } from '../../broker/protocol/generated/describe-configs-response.js';
import { DescribeTopicPartitionsRequest } from '../../broker/protocol/generated/describe-topic-partitions-request.js';
import { DescribeTopicPartitionsResponse } from '../../broker/protocol/generated/describe-topic-partitions-response.js';
import { IncrementalAlterConfigsRequest } from '../../broker/protocol/generated/incremental-alter-configs-request.js';
import { IncrementalAlterConfigsResponse } from '../../broker/protocol/generated/incremental-alter-configs-response.js';
import { MetadataRequest, type MetadataRequest as MetadataRequestBody } from '../../broker/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../../broker/protocol/generated/metadata-response.js';
import type { Init } from '../../broker/protocol/primitives.js';
import { startTestBroker, type TestBroker } from '../helpers/in-process-broker.js';

const OMITTED = -2147483648;
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

let tb: TestBroker;
let raw: Connection;

test.before(async () => {
  tb = await startTestBroker({ overrides: ['num.partitions=2'] });
  raw = await Connection.connect({ host: '127.0.0.1', port: tb.port, clientId: 'admin-metadata-test' });
  const created = await raw.send(CreateTopicsRequest, CreateTopicsResponse, 7, {
    topics: [{ name: 'meta', numPartitions: 3, replicationFactor: 1 }, { name: 'meta-other', numPartitions: 1, replicationFactor: 1 }],
  });
  if (created.topics.some((x) => x.errorCode !== 0)) throw new Error('setup failed');
});

test.after.always(async () => {
  raw?.close();
  await tb?.stop();
});

function metadata(version: number, body: Init<MetadataRequestBody>, conn = raw) {
  return conn.send(MetadataRequest, MetadataResponse, version, body);
}

test('every version v0-v12 describes brokers, controller, cluster id and partitions as the version allows', async (t) => {
  const topic = tb.broker.image.topicsByName.get('meta')!;
  for (let version = 0; version <= 12; version += 1) {
    const response = await metadata(version, { topics: [{ name: 'meta' }], allowAutoTopicCreation: false });
    t.deepEqual(response.brokers, [{ nodeId: tb.broker.nodeId, host: '127.0.0.1', port: tb.port, rack: null }], `v${version} brokers`);
    t.is(response.clusterId, version >= 2 ? tb.broker.clusterId : null, `v${version} cluster id`);
    t.is(response.controllerId, version >= 1 ? tb.broker.nodeId : -1, `v${version} controller`);
    t.is(response.topics.length, 1);
    const answer = response.topics[0]!;
    t.is(answer.errorCode, ErrorCode.NONE);
    t.is(answer.name, 'meta');
    t.is(answer.topicId, version >= 10 ? topic.topicId : ZERO_UUID, `v${version} topic id`);
    t.deepEqual(answer.partitions.map((p) => p.partitionIndex), [0, 1, 2]);
    const p0 = answer.partitions[0]!;
    t.deepEqual([p0.errorCode, p0.leaderId, p0.replicaNodes, p0.isrNodes, p0.offlineReplicas], [0, tb.broker.nodeId, [tb.broker.nodeId], [tb.broker.nodeId], []]);
    t.is(p0.leaderEpoch, version >= 7 ? 0 : -1);
    if (version >= 8) t.is(answer.topicAuthorizedOperations, OMITTED, 'not requested');
  }
});

test('null topics = all topics (v1+), an empty list = none (v1+) or all (v0); internal topics are flagged', async (t) => {
  const all = await metadata(9, { topics: null });
  const names = all.topics.map((x) => x.name);
  t.true(names.includes('meta') && names.includes('meta-other') && names.includes('__consumer_offsets'));
  t.deepEqual(names, [...names].sort(), 'sorted by name');
  t.true(all.topics.find((x) => x.name === '__consumer_offsets')!.isInternal);
  t.false(all.topics.find((x) => x.name === 'meta')!.isInternal);
  t.deepEqual((await metadata(9, { topics: [] })).topics, []);
  t.true((await metadata(0, { topics: [] })).topics.length >= 3);
});

test('topic ids: asked for by id in v12, refused as INVALID_REQUEST in v10/v11; unknown ids answer UNKNOWN_TOPIC_ID', async (t) => {
  const topicId = tb.broker.image.topicsByName.get('meta-other')!.topicId;
  const v12 = await metadata(12, { topics: [{ topicId, name: null }, { topicId: 'AAAAAAAAAAAAAAAAAAAAAg', name: null }] });
  t.deepEqual(v12.topics.map((x) => [x.name, x.topicId, x.errorCode]), [
    ['meta-other', topicId, ErrorCode.NONE],
    [null, 'AAAAAAAAAAAAAAAAAAAAAg', ErrorCode.UNKNOWN_TOPIC_ID],
  ]);
  const v10 = await metadata(10, { topics: [{ topicId, name: 'meta-other' }] });
  t.is(v10.topics[0]!.errorCode, ErrorCode.INVALID_REQUEST);
  const v11 = await metadata(11, { topics: [{ name: null }] });
  t.is(v11.topics[0]!.errorCode, ErrorCode.INVALID_REQUEST);
});

test('unknown names answer UNKNOWN_TOPIC_OR_PARTITION, illegal ones INVALID_TOPIC_EXCEPTION; names are deduplicated', async (t) => {
  const response = await metadata(12, {
    topics: [{ name: 'no-such-topic' }, { name: 'bad/name' }, { name: 'meta' }, { name: 'meta' }],
    allowAutoTopicCreation: false,
  });
  t.deepEqual(response.topics.map((x) => [x.name, x.errorCode]), [
    ['no-such-topic', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ['bad/name', ErrorCode.INVALID_TOPIC_EXCEPTION],
    ['meta', ErrorCode.NONE],
  ]);
  t.is(tb.broker.image.topicsByName.get('no-such-topic'), undefined, 'not created when the request forbids it');
});

test('authorized operations are answered only when requested', async (t) => {
  const response = await metadata(10, { topics: [{ name: 'meta' }], includeTopicAuthorizedOperations: true, includeClusterAuthorizedOperations: true });
  t.not(response.topics[0]!.topicAuthorizedOperations, OMITTED);
  t.true((response.topics[0]!.topicAuthorizedOperations & (1 << 3)) !== 0, 'READ is allowed');
  t.not(response.clusterAuthorizedOperations, OMITTED);
  t.is((await metadata(10, { topics: [{ name: 'meta' }] })).clusterAuthorizedOperations, OMITTED);
});

test('auto-creation: a Metadata request that allows it creates missing topics with num.partitions, in this response', async (t) => {
  const response = await metadata(12, { topics: [{ name: 'auto-a' }, { name: 'bad name' }, { name: '__transaction_state' }], allowAutoTopicCreation: true });
  const [created, bad, internal] = response.topics;
  t.is(created!.errorCode, ErrorCode.NONE);
  t.is(created!.partitions.length, 2, 'num.partitions=2');
  t.is(created!.partitions[0]!.leaderId, tb.broker.nodeId);
  t.is(created!.topicId, tb.broker.image.topicsByName.get('auto-a')!.topicId);
  t.truthy(tb.broker.logs.get('auto-a', 1));
  t.is(bad!.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
  t.is(internal!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'internal topics are not auto-created');
  t.true(internal!.isInternal);
  // v0-v3 have no flag: they always allow it, as in Kafka.
  t.is((await metadata(3, { topics: [{ name: 'auto-v3' }] })).topics[0]!.errorCode, ErrorCode.NONE);
  t.truthy(tb.broker.image.topicsByName.get('auto-v3'));
});

test('auto-creation: concurrent requests for the same new topic create it once', async (t) => {
  const responses = await Promise.all(Array.from({ length: 5 }, () => metadata(9, { topics: [{ name: 'auto-race' }], allowAutoTopicCreation: true })));
  t.true(responses.every((r) => r.topics[0]!.errorCode === ErrorCode.NONE));
  const ids = new Set(responses.map((r) => r.topics[0]!.topicId));
  t.is(ids.size, 1, 'every response names the same topic id');
  t.is(tb.broker.image.topicsByName.get('auto-race')!.partitions.length, 2);
});

test('kafkajs admin (allowAutoTopicCreation=false) sees auto-created topics and does not create missing ones', async (t) => {
  const admin = new Kafka({ brokers: [tb.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  await admin.connect();
  try {
    t.is((await metadata(4, { topics: [{ name: 'auto-kafkajs' }], allowAutoTopicCreation: true })).topics[0]!.errorCode, ErrorCode.NONE);
    const { topics } = await admin.fetchTopicMetadata({ topics: ['auto-kafkajs'] });
    t.is(topics[0]!.partitions.length, 2);
    const error = await t.throwsAsync(admin.fetchTopicMetadata({ topics: ['never-created'] }));
    t.regex(error?.message ?? '', /does not host this topic-partition|UNKNOWN_TOPIC/i);
    t.is(tb.broker.image.topicsByName.get('never-created'), undefined);
  } finally {
    await admin.disconnect();
  }
});

test('auto.create.topics.enable=false refuses auto-creation even when the request allows it', async (t) => {
  const strict = await startTestBroker({ overrides: ['auto.create.topics.enable=false'] });
  const conn = await Connection.connect({ host: '127.0.0.1', port: strict.port, clientId: 'admin-metadata-test' });
  try {
    for (const version of [3, 12]) {
      const response = await metadata(version, { topics: [{ name: `strict-${version}` }], allowAutoTopicCreation: true }, conn);
      t.is(response.topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    }
    t.is(strict.broker.image.topicsByName.get('strict-3'), undefined);
  } finally {
    conn.close();
    await strict.stop();
  }
});

test('DescribeTopicPartitions pages through partitions with a cursor', async (t) => {
  await raw.send(CreateTopicsRequest, CreateTopicsResponse, 7, {
    topics: [{ name: 'paged-a', numPartitions: 3, replicationFactor: 1 }, { name: 'paged-b', numPartitions: 2, replicationFactor: 1 }],
  });
  const seen: string[] = [];
  let cursor: { topicName: string; partitionIndex: number } | null = null;
  let pages = 0;
  do {
    const response: DescribeTopicPartitionsResponse = await raw.send(DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse, 0, {
      topics: [{ name: 'paged-b' }, { name: 'paged-a' }, { name: 'paged-missing' }],
      responsePartitionLimit: 2,
      cursor,
    });
    for (const topic of response.topics) {
      if (topic.errorCode !== ErrorCode.NONE) {
        seen.push(`${topic.name}:error${topic.errorCode}`);
        continue;
      }
      t.is(topic.topicId, tb.broker.image.topicsByName.get(topic.name!)!.topicId);
      for (const p of topic.partitions) seen.push(`${topic.name}-${p.partitionIndex}`);
    }
    cursor = response.nextCursor;
    pages += 1;
  } while (cursor !== null && pages < 10);
  t.deepEqual(seen.filter((s) => !s.includes('error')), ['paged-a-0', 'paged-a-1', 'paged-a-2', 'paged-b-0', 'paged-b-1']);
  t.true(seen.includes(`paged-missing:error${ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}`));
  t.is(pages, 3);
});

test('restart: topics, partitions, topic ids and configs survive a stop and start on the same data dir', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-admin-restart-'));
  const first = await startTestBroker({ dataDir });
  try {
    let conn = await Connection.connect({ host: '127.0.0.1', port: first.port, clientId: 'admin-metadata-test' });
    await conn.send(CreateTopicsRequest, CreateTopicsResponse, 7, {
      topics: [{ name: 'durable', numPartitions: 4, replicationFactor: 1, configs: [{ name: 'retention.ms', value: '123456' }] }],
    });
    await conn.send(IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, 1, {
      resources: [{ resourceType: 2, resourceName: 'durable', configs: [{ name: 'cleanup.policy', configOperation: 0, value: 'compact' }] }],
    });
    await metadata(12, { topics: [{ name: 'durable-auto' }], allowAutoTopicCreation: true }, conn);
    const before = await metadata(12, { topics: null }, conn);
    conn.close();
    await first.stop();

    const second = await startTestBroker({ dataDir });
    try {
      conn = await Connection.connect({ host: '127.0.0.1', port: second.port, clientId: 'admin-metadata-test' });
      const after = await metadata(12, { topics: null }, conn);
      const shape = (r: typeof before) => r.topics.map((x) => [x.name, x.topicId, x.partitions.length]);
      t.deepEqual(shape(after), shape(before));
      t.is(after.clusterId, before.clusterId);
      const described = await conn.send(DescribeConfigsRequest, DescribeConfigsResponse, 4, {
        resources: [{ resourceType: 2, resourceName: 'durable', configurationKeys: ['retention.ms', 'cleanup.policy'] }],
      });
      t.deepEqual(described.results[0]!.configs.map((c) => [c.name, c.value, c.configSource]), [['cleanup.policy', 'compact', 1], ['retention.ms', '123456', 1]]);
      const kafka = new Kafka({ brokers: [second.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
      await kafka.connect();
      t.true((await kafka.listTopics()).includes('durable-auto'));
      await kafka.disconnect();
      conn.close();
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
