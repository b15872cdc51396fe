// Topic administration judged by kafkajs's admin client (CreateTopics v0-3, DeleteTopics v0-1,
// CreatePartitions v0-1, Metadata v0-6) plus raw requests at the newest versions, which kafkajs
// does not speak (CreateTopics v7, DeleteTopics v6, CreatePartitions v3, DescribeCluster v0-1).
import test from 'ava';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Connection } from '../../broker/client/connection.js';
import { ErrorCode } from '../../broker/protocol/errors.js';
import { CreatePartitionsRequest } from '../../broker/protocol/generated/create-partitions-request.js';
import { CreatePartitionsResponse } from '../../broker/protocol/generated/create-partitions-response.js';
import { CreateTopicsRequest } from '../../broker/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../broker/protocol/generated/create-topics-response.js';
import { DeleteTopicsRequest } from '../../broker/protocol/generated/delete-topics-request.js';
import { DeleteTopicsResponse } from '../../broker/protocol/generated/delete-topics-response.js';
import { DescribeClusterRequest } from '../../broker/protocol/generated/describe-cluster-request.js';
import { DescribeClusterResponse } from '../../broker/protocol/generated/describe-cluster-response.js';
import { startTestBroker, type TestBroker } from '../helpers/in-process-broker.js';

let tb: TestBroker;
let admin: Admin;
let raw: Connection;

test.before(async () => {
  tb = await startTestBroker();
  admin = new Kafka({ brokers: [tb.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  await admin.connect();
  raw = await Connection.connect({ host: '127.0.0.1', port: tb.port, clientId: 'admin-topics-test' });
});

test.after.always(async () => {
  raw?.close();
  await admin?.disconnect();
  await tb?.stop();
});

test('kafkajs creates topics; they are listed and described with a leader, replicas and isr', async (t) => {
  t.true(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }, { topic: 'payments' }] }));
  const names = await admin.listTopics();
  t.true(names.includes('orders') && names.includes('payments'));
  const { topics } = await admin.fetchTopicMetadata({ topics: ['orders', 'payments'] });
  const orders = topics.find((x) => x.name === 'orders')!;
  t.is(orders.partitions.length, 3);
  for (const p of orders.partitions) {
    t.is(p.leader, tb.broker.nodeId);
    t.deepEqual(p.replicas, [tb.broker.nodeId]);
    t.deepEqual(p.isr, [tb.broker.nodeId]);
  }
  t.is(topics.find((x) => x.name === 'payments')!.partitions.length, 1, 'numPartitions -1 = num.partitions (1)');
  t.truthy(tb.broker.logs.get('orders', 2), 'the broker created the local logs before answering');
});

test('creating an existing topic answers TOPIC_ALREADY_EXISTS (kafkajs returns false)', async (t) => {
  await admin.createTopics({ topics: [{ topic: 'dup-topic' }] });
  t.false(await admin.createTopics({ topics: [{ topic: 'dup-topic' }] }));
  const response = await raw.send(CreateTopicsRequest, CreateTopicsResponse, 7, { topics: [{ name: 'dup-topic', numPartitions: 1, replicationFactor: 1 }] });
  t.is(response.topics[0]!.errorCode, ErrorCode.TOPIC_ALREADY_EXISTS);
  t.regex(response.topics[0]!.errorMessage ?? '', /already exists/);
});

test('validateOnly checks everything and creates nothing', async (t) => {
  t.true(await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'validate-only', numPartitions: 2 }] }));
  t.false((await admin.listTopics()).includes('validate-only'));
  t.is(tb.broker.image.topicsByName.get('validate-only'), undefined);
  const response = await raw.send(CreateTopicsRequest, CreateTopicsResponse, 7, {
    topics: [{ name: 'validate-only', numPartitions: 2, replicationFactor: 1, configs: [{ name: 'retention.ms', value: 'soon' }] }],
    validateOnly: true,
  });
  t.is(response.topics[0]!.errorCode, ErrorCode.INVALID_CONFIG, 'validateOnly still validates configs');
});

test('illegal topic names answer INVALID_TOPIC_EXCEPTION with a message', async (t) => {
  const error = await t.throwsAsync(admin.createTopics({ topics: [{ topic: 'bad name!' }] }));
  t.regex(JSON.stringify((error as { errors?: unknown[] }).errors ?? error?.message), /INVALID_TOPIC_EXCEPTION|not valid/i);
  const response = await raw.send(CreateTopicsRequest, CreateTopicsResponse, 5, {
    topics: [{ name: 'bad name!', numPartitions: 1, replicationFactor: 1 }, { name: '..', numPartitions: 1, replicationFactor: 1 }],
  });
  t.deepEqual(response.topics.map((x) => x.errorCode), [ErrorCode.INVALID_TOPIC_EXCEPTION, ErrorCode.INVALID_TOPIC_EXCEPTION]);
  t.regex(response.topics[0]!.errorMessage ?? '', /illegal/);
});

test('an invalid config answers INVALID_CONFIG with the reason and creates nothing', async (t) => {
  const response = await raw.send(CreateTopicsRequest, CreateTopicsResponse, 4, {
    topics: [
      { name: 'bad-config', numPartitions: 1, replicationFactor: 1, configs: [{ name: 'cleanup.policy', value: 'shred' }] },
      { name: 'unknown-config', numPartitions: 1, replicationFactor: 1, configs: [{ name: 'retention.msec', value: '1' }] },
    ],
  });
  t.deepEqual(response.topics.map((x) => x.errorCode), [ErrorCode.INVALID_CONFIG, ErrorCode.INVALID_CONFIG]);
  t.regex(response.topics[0]!.errorMessage ?? '', /cleanup\.policy/);
  t.regex(response.topics[1]!.errorMessage ?? '', /retention\.msec.*did you mean retention\.ms/);
  t.is(tb.broker.image.topicsByName.get('bad-config'), undefined);
  const viaKafkajs = await t.throwsAsync(admin.createTopics({ topics: [{ topic: 'bad-config', configEntries: [{ name: 'cleanup.policy', value: 'shred' }] }] }));
  t.regex(JSON.stringify((viaKafkajs as { errors?: unknown[] }).errors ?? viaKafkajs?.message), /INVALID_CONFIG|Configuration is invalid/i);
});

test('CreateTopics v7 answers topic id, partition count, replication factor and the effective configs', async (t) => {
  const response = await raw.send(CreateTopicsRequest, CreateTopicsResponse, 7, {
    topics: [{ name: 'v7-topic', numPartitions: -1, replicationFactor: -1, configs: [{ name: 'retention.ms', value: '60000' }] }],
  });
  const result = response.topics[0]!;
  t.is(result.errorCode, ErrorCode.NONE);
  t.is(result.errorMessage, null);
  t.is(result.topicId, tb.broker.image.topicsByName.get('v7-topic')!.topicId);
  t.is(result.numPartitions, 1);
  t.is(result.replicationFactor, 1);
  const retention = result.configs!.find((c) => c.name === 'retention.ms')!;
  t.deepEqual({ value: retention.value, configSource: retention.configSource, readOnly: retention.readOnly }, { value: '60000', configSource: 1, readOnly: false });
  t.is(result.configs!.find((c) => c.name === 'cleanup.policy')!.configSource, 5, 'an untouched key comes from the default');
});

test('a name listed twice answers INVALID_REQUEST once and creates nothing', async (t) => {
  const response = await raw.send(CreateTopicsRequest, CreateTopicsResponse, 7, {
    topics: [{ name: 'twice', numPartitions: 1, replicationFactor: 1 }, { name: 'twice', numPartitions: 1, replicationFactor: 1 }],
  });
  t.is(response.topics.length, 1);
  t.is(response.topics[0]!.errorCode, ErrorCode.INVALID_REQUEST);
  t.is(tb.broker.image.topicsByName.get('twice'), undefined);
});

test('manual replica assignments and bad partition counts or replication factors', async (t) => {
  const node = tb.broker.nodeId;
  const response = await raw.send(CreateTopicsRequest, CreateTopicsResponse, 7, {
    topics: [
      { name: 'assigned', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [node] }, { partitionIndex: 1, brokerIds: [node] }] },
      { name: 'assigned-missing-broker', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [node + 41] }] },
      { name: 'zero-partitions', numPartitions: 0, replicationFactor: 1 },
      { name: 'too-many-replicas', numPartitions: 1, replicationFactor: 3 },
    ],
  });
  t.deepEqual(response.topics.map((x) => [x.name, x.errorCode]), [
    ['assigned', ErrorCode.NONE],
    ['assigned-missing-broker', ErrorCode.INVALID_REPLICA_ASSIGNMENT],
    ['zero-partitions', ErrorCode.INVALID_PARTITIONS],
    ['too-many-replicas', ErrorCode.INVALID_REPLICATION_FACTOR],
  ]);
  t.is(tb.broker.image.topicsByName.get('assigned')!.partitions.length, 2);
  t.regex(response.topics[3]!.errorMessage ?? '', /replication factor of 3/);
});

test('kafkajs adds partitions; shrinking or keeping the count is INVALID_PARTITIONS', async (t) => {
  await admin.createTopics({ topics: [{ topic: 'growing', numPartitions: 1 }] });
  await admin.createPartitions({ topicPartitions: [{ topic: 'growing', count: 4 }] });
  const { topics } = await admin.fetchTopicMetadata({ topics: ['growing'] });
  t.is(topics[0]!.partitions.length, 4);
  t.truthy(tb.broker.logs.get('growing', 3));
  const response = await raw.send(CreatePartitionsRequest, CreatePartitionsResponse, 3, {
    topics: [
      { name: 'growing', count: 2, assignments: null },
      { name: 'growing-unknown', count: 2, assignments: null },
      { name: '__consumer_offsets', count: 10, assignments: null },
    ],
    timeoutMs: 1000,
    validateOnly: false,
  });
  t.deepEqual(response.results.map((r) => r.errorCode), [ErrorCode.INVALID_PARTITIONS, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.INVALID_REQUEST]);
  t.regex(response.results[0]!.errorMessage ?? '', /4 partition/);
  const validated = await raw.send(CreatePartitionsRequest, CreatePartitionsResponse, 0, {
    topics: [{ name: 'growing', count: 6, assignments: null }],
    timeoutMs: 1000,
    validateOnly: true,
  });
  t.is(validated.results[0]!.errorCode, ErrorCode.NONE);
  t.is(tb.broker.image.topicsByName.get('growing')!.partitions.length, 4, 'validateOnly added nothing');
});

test('kafkajs deletes topics; their logs go; unknown names answer UNKNOWN_TOPIC_OR_PARTITION', async (t) => {
  await admin.createTopics({ topics: [{ topic: 'doomed', numPartitions: 2 }] });
  t.truthy(tb.broker.logs.get('doomed', 1));
  await admin.deleteTopics({ topics: ['doomed'] });
  t.false((await admin.listTopics()).includes('doomed'));
  t.is(tb.broker.logs.get('doomed', 1), undefined, 'the local logs are gone');
  const response = await raw.send(DeleteTopicsRequest, DeleteTopicsResponse, 5, { topicNames: ['doomed'], timeoutMs: 1000 });
  t.is(response.responses[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  t.is(response.responses[0]!.name, 'doomed');
});

test('DeleteTopics v6 deletes by topic id and answers the name; unknown ids answer UNKNOWN_TOPIC_ID', async (t) => {
  await admin.createTopics({ topics: [{ topic: 'by-id' }] });
  const topicId = tb.broker.image.topicsByName.get('by-id')!.topicId;
  const response = await raw.send(DeleteTopicsRequest, DeleteTopicsResponse, 6, {
    topics: [{ name: null, topicId }, { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAg' }],
    timeoutMs: 1000,
  });
  t.deepEqual(response.responses.map((r) => [r.name, r.errorCode]), [['by-id', ErrorCode.NONE], [null, ErrorCode.UNKNOWN_TOPIC_ID]]);
  t.is(tb.broker.image.topicsById.get(topicId), undefined);
});

test('deleting __consumer_offsets is refused with INVALID_REQUEST, by name and by id', async (t) => {
  const offsets = tb.broker.image.topicsByName.get('__consumer_offsets')!;
  const byName = await raw.send(DeleteTopicsRequest, DeleteTopicsResponse, 5, { topicNames: ['__consumer_offsets'], timeoutMs: 1000 });
  t.is(byName.responses[0]!.errorCode, ErrorCode.INVALID_REQUEST);
  t.regex(byName.responses[0]!.errorMessage ?? '', /internal topic/);
  const byId = await raw.send(DeleteTopicsRequest, DeleteTopicsResponse, 6, { topics: [{ name: null, topicId: offsets.topicId }], timeoutMs: 1000 });
  t.deepEqual([byId.responses[0]!.name, byId.responses[0]!.errorCode], ['__consumer_offsets', ErrorCode.INVALID_REQUEST]);
  t.truthy(tb.broker.image.topicsByName.get('__consumer_offsets'), 'still there');
});

test('kafkajs describeCluster names this node as broker and controller', async (t) => {
  const cluster = await admin.describeCluster();
  t.is(cluster.clusterId, tb.broker.clusterId);
  t.is(cluster.controller, tb.broker.nodeId);
  t.deepEqual(cluster.brokers, [{ nodeId: tb.broker.nodeId, host: '127.0.0.1', port: tb.port }], 'the bound port, not the configured 0');
});

test('DescribeCluster v0/v1 lists brokers; controller endpoints are a mismatched endpoint type', async (t) => {
  for (const version of [0, 1]) {
    const response = await raw.send(DescribeClusterRequest, DescribeClusterResponse, version, { includeClusterAuthorizedOperations: true });
    t.is(response.errorCode, ErrorCode.NONE);
    t.is(response.clusterId, tb.broker.clusterId);
    t.is(response.controllerId, tb.broker.nodeId);
    t.deepEqual(response.brokers, [{ brokerId: tb.broker.nodeId, host: '127.0.0.1', port: tb.port, rack: null }]);
    t.not(response.clusterAuthorizedOperations, -2147483648);
  }
  const plain = await raw.send(DescribeClusterRequest, DescribeClusterResponse, 1, {});
  t.is(plain.clusterAuthorizedOperations, -2147483648, 'not requested');
  t.is(plain.endpointType, 1);
  const controllers = await raw.send(DescribeClusterRequest, DescribeClusterResponse, 1, { endpointType: 2 });
  t.is(controllers.errorCode, ErrorCode.MISMATCHED_ENDPOINT_TYPE);
});

test('topic deletion is refused when delete.topic.enable=false', async (t) => {
  const locked = await startTestBroker({ overrides: ['delete.topic.enable=false'] });
  const conn = await Connection.connect({ host: '127.0.0.1', port: locked.port, clientId: 'admin-topics-test' });
  try {
    await conn.send(CreateTopicsRequest, CreateTopicsResponse, 7, { topics: [{ name: 'kept', numPartitions: 1, replicationFactor: 1 }] });
    const response = await conn.send(DeleteTopicsRequest, DeleteTopicsResponse, 6, { topics: [{ name: 'kept' }], timeoutMs: 1000 });
    t.is(response.responses[0]!.errorCode, ErrorCode.TOPIC_DELETION_DISABLED);
    t.truthy(locked.broker.image.topicsByName.get('kept'));
  } finally {
    conn.close();
    await locked.stop();
  }
});
