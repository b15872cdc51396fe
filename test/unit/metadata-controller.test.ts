import test from 'ava';
import { loadBrokerConfig } from '../../broker/config/broker-config.js';
import {
  type ControllerContext, alterConfigs, createPartitions, createTopics, deleteTopics, incrementalAlterConfigs,
} from '../../broker/metadata/controller.js';
import { EMPTY_IMAGE, type MetadataImage, applyRecords, brokerConfigs, topicConfigs } from '../../broker/metadata/image.js';
import { ConfigResourceType, type MetadataRecord } from '../../broker/metadata/records.js';
import { uuidFromBytes } from '../../broker/metadata/uuid.js';

const TOPIC = ConfigResourceType.TOPIC;
const BROKER = ConfigResourceType.BROKER;

function context(overrides: Partial<ControllerContext> = {}, brokerFile = ''): ControllerContext {
  let next = 1;
  return {
    nodeId: 1,
    defaults: loadBrokerConfig({ file: brokerFile }),
    newUuid: () => uuidFromBytes(Uint8Array.from({ length: 16 }, (_, i) => (i === 15 ? next++ : 7))),
    ...overrides,
  };
}

function register(...brokerIds: number[]): MetadataRecord[] {
  return brokerIds.map((brokerId) => ({ type: 'RegisterBroker', brokerId, brokerEpoch: 1, incarnationId: `i${brokerId}`, endpoints: [], rack: null, fenced: false }));
}

function withTopics(image: MetadataImage, ctx: ControllerContext, ...names: string[]): MetadataImage {
  const { records, results } = createTopics(image, names.map((name) => ({ name, numPartitions: 2, replicationFactor: -1 })), ctx);
  for (const r of results) if (r.errorCode !== 0) throw new Error(r.errorMessage ?? 'create failed');
  return applyRecords(image, records);
}

test('createTopics emits Topic, Config and Partition records and answers with the effective config', (t) => {
  const ctx = context();
  const { records, results } = createTopics(EMPTY_IMAGE, [{ name: 'orders', numPartitions: 3, replicationFactor: 1, configs: [{ name: 'retention.ms', value: '1000' }] }], ctx);
  t.deepEqual(records.map((r) => r.type), ['Topic', 'Config', 'Partition', 'Partition', 'Partition']);
  const [result] = results;
  t.like(result, { name: 'orders', errorCode: 0, errorMessage: null, numPartitions: 3, replicationFactor: 1 });
  t.is(result!.topicId.length, 22);
  t.like(result!.configs.find((c) => c.name === 'retention.ms'), { value: '1000', source: 1 });
  const image = applyRecords(EMPTY_IMAGE, records);
  const topic = image.topicsByName.get('orders')!;
  t.is(topic.topicId, result!.topicId);
  t.deepEqual(topic.partitions.map((p) => [p.replicas, p.isr, p.leader, p.leaderEpoch]), [[[1], [1], 1, 0], [[1], [1], 1, 0], [[1], [1], 1, 0]]);
  t.deepEqual([...topicConfigs(image, 'orders')], [['retention.ms', '1000']]);
});

test('createTopics uses num.partitions and default.replication.factor for -1', (t) => {
  const ctx = context({}, 'num.partitions=4');
  const { results } = createTopics(EMPTY_IMAGE, [{ name: 'a', numPartitions: -1, replicationFactor: -1 }], ctx);
  t.like(results[0], { errorCode: 0, numPartitions: 4, replicationFactor: 1 });
});

const createErrors: [string, { name: string; numPartitions: number; replicationFactor: number; configs?: { name: string; value: string | null }[] }, number, RegExp][] = [
  ['illegal character', { name: 'a/b', numPartitions: 1, replicationFactor: 1 }, 17, /contains a character other than/],
  ['empty name', { name: '', numPartitions: 1, replicationFactor: 1 }, 17, /can't be empty/],
  ['"."', { name: '.', numPartitions: 1, replicationFactor: 1 }, 17, /cannot be "." or ".."/],
  ['too long', { name: 'x'.repeat(250), numPartitions: 1, replicationFactor: 1 }, 17, /longer than 249/],
  ['zero partitions', { name: 'a', numPartitions: 0, replicationFactor: 1 }, 37, /invalid non-positive value \(0\)/],
  ['zero replication factor', { name: 'a', numPartitions: 1, replicationFactor: 0 }, 38, /must be larger than 0/],
  ['replication factor above live brokers', { name: 'a', numPartitions: 1, replicationFactor: 3 }, 38, /only 1 broker\(s\) are registered/],
  ['bad config', { name: 'a', numPartitions: 1, replicationFactor: 1, configs: [{ name: 'retention.ms', value: 'x' }] }, 40, /retention.ms/],
  ['unknown config', { name: 'a', numPartitions: 1, replicationFactor: 1, configs: [{ name: 'retention.hours', value: '1' }] }, 40, /Unknown topic config name/],
];

for (const [title, request, errorCode, message] of createErrors) {
  test(`createTopics error: ${title}`, (t) => {
    const { records, results } = createTopics(EMPTY_IMAGE, [request], context());
    t.deepEqual(records, []);
    t.like(results[0], { errorCode, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', numPartitions: -1, replicationFactor: -1 });
    t.regex(results[0]!.errorMessage!, message);
  });
}

test('createTopics: TOPIC_ALREADY_EXISTS, \'.\'/\'_\' collisions, duplicates in one request', (t) => {
  const ctx = context();
  const image = withTopics(EMPTY_IMAGE, ctx, 'my.topic');
  const { records, results } = createTopics(image, [
    { name: 'my.topic', numPartitions: 1, replicationFactor: 1 },
    { name: 'my_topic', numPartitions: 1, replicationFactor: 1 },
    { name: 'dup', numPartitions: 1, replicationFactor: 1 },
    { name: 'dup', numPartitions: 1, replicationFactor: 1 },
    { name: 'new.one', numPartitions: 1, replicationFactor: 1 },
    { name: 'new_one', numPartitions: 1, replicationFactor: 1 },
  ], ctx);
  t.deepEqual(results.map((r) => r.errorCode), [36, 17, 42, 42, 0, 17]);
  t.regex(results[1]!.errorMessage!, /collides with existing topic: my.topic/);
  t.deepEqual(records.filter((r) => r.type === 'Topic').map((r) => (r as { name: string }).name), ['new.one']);
});

test('createTopics spreads replicas over live brokers and honours manual assignments', (t) => {
  const ctx = context();
  const image = applyRecords(EMPTY_IMAGE, register(1, 2, 3));
  const auto = createTopics(image, [{ name: 'a', numPartitions: 3, replicationFactor: 2 }], ctx);
  const created = applyRecords(image, auto.records).topicsByName.get('a')!;
  const leaders = created.partitions.map((p) => p.leader).sort();
  t.deepEqual(leaders, [1, 2, 3], 'one leader per broker');
  for (const p of created.partitions) t.is(new Set(p.replicas).size, 2);
  const manual = createTopics(image, [{ name: 'b', numPartitions: -1, replicationFactor: -1, assignments: [
    { partitionIndex: 1, brokerIds: [3, 1] }, { partitionIndex: 0, brokerIds: [2, 3] },
  ] }], ctx);
  t.is(manual.results[0]!.errorCode, 0);
  t.deepEqual(applyRecords(image, manual.records).topicsByName.get('b')!.partitions.map((p) => [p.replicas, p.leader]), [[[2, 3], 2], [[3, 1], 3]]);
});

test('createTopics rejects bad manual assignments', (t) => {
  const ctx = context();
  const image = applyRecords(EMPTY_IMAGE, register(1, 2));
  const cases: [CreatableAssignments, number][] = [
    [[{ partitionIndex: 0, brokerIds: [1, 1] }], 39],
    [[{ partitionIndex: 0, brokerIds: [1, 9] }], 39],
    [[{ partitionIndex: 1, brokerIds: [1] }], 39],
    [[{ partitionIndex: 0, brokerIds: [1] }, { partitionIndex: 1, brokerIds: [1, 2] }], 39],
    [[{ partitionIndex: 0, brokerIds: [] }], 39],
  ];
  for (const [assignments, errorCode] of cases) {
    t.is(createTopics(image, [{ name: 'x', numPartitions: -1, replicationFactor: -1, assignments }], ctx).results[0]!.errorCode, errorCode);
  }
  t.is(createTopics(image, [{ name: 'x', numPartitions: 1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1] }] }], ctx).results[0]!.errorCode, 42);
});

type CreatableAssignments = { partitionIndex: number; brokerIds: number[] }[];

test('validateOnly answers like a real request but emits no records', (t) => {
  const ctx = context({ validateOnly: true });
  const { records, results } = createTopics(EMPTY_IMAGE, [{ name: 'a', numPartitions: 2, replicationFactor: 1 }], ctx);
  t.deepEqual(records, []);
  t.like(results[0], { errorCode: 0, numPartitions: 2 });
});

test('deleteTopics by name and by id, with the error codes for unknown, duplicate and disabled', (t) => {
  const ctx = context();
  const image = withTopics(EMPTY_IMAGE, ctx, 'a', 'b', 'c');
  const bId = image.topicsByName.get('b')!.topicId;
  const { records, results } = deleteTopics(image, [
    { name: 'a', topicId: null },
    { name: null, topicId: bId },
    { name: 'zzz', topicId: null },
    { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAg' },
    { name: 'c', topicId: null },
    { name: 'c', topicId: null },
    { name: null, topicId: null },
  ], ctx);
  t.deepEqual(results.map((r) => r.errorCode), [0, 0, 3, 100, 42, 42, 42]);
  t.like(results[1], { name: 'b', topicId: bId });
  const after = applyRecords(image, records);
  t.deepEqual([...after.topicsByName.keys()], ['c']);
  const disabled = deleteTopics(image, [{ name: 'a', topicId: null }], context({}, 'delete.topic.enable=false'));
  t.deepEqual(disabled.records, []);
  t.is(disabled.results[0]!.errorCode, 73);
});

test('createPartitions grows a topic and refuses to shrink or stand still', (t) => {
  const ctx = context();
  const image = withTopics(EMPTY_IMAGE, ctx, 'a');
  const { records, results } = createPartitions(image, [
    { name: 'a', count: 5, assignments: null },
    { name: 'missing', count: 5, assignments: null },
  ], ctx);
  t.deepEqual(results.map((r) => r.errorCode), [0, 3]);
  const grown = applyRecords(image, records).topicsByName.get('a')!;
  t.deepEqual(grown.partitions.map((p) => p.partitionId), [0, 1, 2, 3, 4]);
  const same = createPartitions(image, [{ name: 'a', count: 2, assignments: null }], ctx).results[0]!;
  t.like(same, { errorCode: 37, errorMessage: 'Topic already has 2 partition(s).' });
  const fewer = createPartitions(image, [{ name: 'a', count: 1, assignments: null }], ctx).results[0]!;
  t.is(fewer.errorCode, 37);
  t.regex(fewer.errorMessage!, /1 would not be an increase/);
  const badAssignment = createPartitions(image, [{ name: 'a', count: 4, assignments: [{ brokerIds: [1] }] }], ctx).results[0]!;
  t.is(badAssignment.errorCode, 39);
  const dup = createPartitions(image, [{ name: 'a', count: 4, assignments: null }, { name: 'a', count: 5, assignments: null }], ctx);
  t.deepEqual(dup.results.map((r) => r.errorCode), [42, 42]);
  t.deepEqual(dup.records, []);
});

test('incrementalAlterConfigs SET/DELETE/APPEND/SUBTRACT on a topic', (t) => {
  const ctx = context();
  let image = withTopics(EMPTY_IMAGE, ctx, 'a');
  const run = (configs: { name: string; configOperation: number; value: string | null }[]) => {
    const { records, results } = incrementalAlterConfigs(image, [{ resourceType: TOPIC, resourceName: 'a', configs }], ctx);
    image = applyRecords(image, records);
    return results[0]!;
  };
  t.is(run([{ name: 'retention.ms', configOperation: 0, value: '100' }, { name: 'segment.bytes', configOperation: 0, value: '2000' }]).errorCode, 0);
  t.deepEqual(Object.fromEntries(topicConfigs(image, 'a')), { 'retention.ms': '100', 'segment.bytes': '2000' });
  t.is(run([{ name: 'cleanup.policy', configOperation: 2, value: 'compact' }]).errorCode, 0);
  t.is(topicConfigs(image, 'a').get('cleanup.policy'), 'delete,compact', 'APPEND starts from the effective default');
  t.is(run([{ name: 'cleanup.policy', configOperation: 3, value: 'delete' }]).errorCode, 0);
  t.is(topicConfigs(image, 'a').get('cleanup.policy'), 'compact');
  t.is(run([{ name: 'retention.ms', configOperation: 1, value: null }]).errorCode, 0);
  t.false(topicConfigs(image, 'a').has('retention.ms'));
  t.like(run([{ name: 'retention.ms', configOperation: 2, value: '5' }]), { errorCode: 40, errorMessage: "Can't APPEND to key retention.ms because its type is not LIST." });
  t.is(run([{ name: 'cleanup.policy', configOperation: 3, value: 'compact' }]).errorCode, 40, 'an empty cleanup.policy is invalid');
  t.is(run([{ name: 'retention.ms', configOperation: 0, value: 'x' }]).errorCode, 40);
  t.is(run([{ name: 'retention.ms', configOperation: 9, value: '1' }]).errorCode, 42);
  t.is(run([{ name: 'retention.ms', configOperation: 0, value: '1' }, { name: 'retention.ms', configOperation: 1, value: null }]).errorCode, 42);
  t.deepEqual(Object.fromEntries(topicConfigs(image, 'a')), { 'segment.bytes': '2000', 'cleanup.policy': 'compact' }, 'failed changes leave no trace');
});

test('alterConfigs replaces all overrides of a topic', (t) => {
  const ctx = context();
  let image = withTopics(EMPTY_IMAGE, ctx, 'a');
  image = applyRecords(image, incrementalAlterConfigs(image, [{ resourceType: TOPIC, resourceName: 'a', configs: [{ name: 'retention.ms', configOperation: 0, value: '1' }] }], ctx).records);
  const { records, results } = alterConfigs(image, [
    { resourceType: TOPIC, resourceName: 'a', configs: [{ name: 'segment.bytes', value: '5000' }] },
    { resourceType: TOPIC, resourceName: 'nope', configs: [] },
    { resourceType: 8, resourceName: 'x', configs: [] },
  ], ctx);
  t.deepEqual(results.map((r) => r.errorCode), [0, 3, 42]);
  t.deepEqual(records, [
    { type: 'Config', resourceType: TOPIC, resourceName: 'a', name: 'segment.bytes', value: '5000' },
    { type: 'Config', resourceType: TOPIC, resourceName: 'a', name: 'retention.ms', value: null },
  ]);
});

test('broker resources: only dynamic keys, cluster default or a known node id', (t) => {
  const ctx = context();
  const set = (resourceName: string, name: string, value: string) =>
    incrementalAlterConfigs(EMPTY_IMAGE, [{ resourceType: BROKER, resourceName, configs: [{ name, configOperation: 0, value }] }], ctx);
  const ok = set('', 'log.retention.ms', '1000');
  t.is(ok.results[0]!.errorCode, 0);
  t.deepEqual([...brokerConfigs(applyRecords(EMPTY_IMAGE, ok.records), null)], [['log.retention.ms', '1000']]);
  t.is(set('1', 'message.max.bytes', '100').results[0]!.errorCode, 0);
  t.like(set('1', 'num.partitions', '3').results[0], { errorCode: 40, errorMessage: 'Cannot update these configs dynamically: [num.partitions]' });
  t.is(set('1', 'log.retention.ms', 'soon').results[0]!.errorCode, 40);
  t.is(set('7', 'log.retention.ms', '1').results[0]!.errorCode, 42);
  t.is(set('abc', 'log.retention.ms', '1').results[0]!.errorCode, 42);
});

test('topic defaults follow dynamic broker configs in CreateTopics results', (t) => {
  const ctx = context();
  const image = applyRecords(EMPTY_IMAGE, [{ type: 'Config', resourceType: BROKER, resourceName: '', name: 'log.retention.ms', value: '42' }]);
  const { results } = createTopics(image, [{ name: 'a', numPartitions: 1, replicationFactor: 1 }], ctx);
  t.like(results[0]!.configs.find((c) => c.name === 'retention.ms'), { value: '42', source: 3 });
});
