import test from 'ava';
import { fc, testProp } from '@fast-check/ava';
import { EMPTY_IMAGE, apply, applyRecords, brokerConfigs, liveBrokerIds, topicConfigs } from '../../broker/metadata/image.js';
import { ConfigResourceType, type MetadataRecord } from '../../broker/metadata/records.js';
import { isUuid, uuidFromBytes } from '../../broker/metadata/uuid.js';

const T1 = 'AAAAAAAAAAAAAAAAAAAAAg';
const T2 = 'AAAAAAAAAAAAAAAAAAAAAw';

const topicWithTwoPartitions: MetadataRecord[] = [
  { type: 'RegisterBroker', brokerId: 1, brokerEpoch: 5, incarnationId: 'inc', endpoints: [], rack: null, fenced: false },
  { type: 'Topic', name: 'orders', topicId: T1 },
  { type: 'Config', resourceType: ConfigResourceType.TOPIC, resourceName: 'orders', name: 'retention.ms', value: '1000' },
  { type: 'Partition', topicId: T1, partitionId: 0, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 },
  { type: 'Partition', topicId: T1, partitionId: 1, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 },
];

test('the reducer builds topics by name and by id, partitions, configs and brokers', (t) => {
  const image = applyRecords(EMPTY_IMAGE, topicWithTwoPartitions);
  const topic = image.topicsByName.get('orders')!;
  t.is(image.topicsById.get(T1), topic);
  t.is(topic.partitions.length, 2);
  t.deepEqual(topic.partitions[1], { partitionId: 1, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 });
  t.deepEqual([...topicConfigs(image, 'orders')], [['retention.ms', '1000']]);
  t.deepEqual(liveBrokerIds(image), [1]);
  t.is(image.recordCount, 5);
});

test('applying one record at a time equals applying the batch', (t) => {
  const oneByOne = topicWithTwoPartitions.reduce(apply, EMPTY_IMAGE);
  t.deepEqual(oneByOne, applyRecords(EMPTY_IMAGE, topicWithTwoPartitions));
});

test('images are persistent: applying does not change the old image', (t) => {
  const before = applyRecords(EMPTY_IMAGE, topicWithTwoPartitions);
  const snapshot = structuredClone(before);
  const after = apply(before, { type: 'PartitionChange', topicId: T1, partitionId: 0, leader: -1, isr: [] });
  t.deepEqual(before, snapshot);
  t.not(after.topicsByName.get('orders'), before.topicsByName.get('orders'));
  t.is(after.brokers, before.brokers, 'untouched maps are shared');
});

test('PartitionChange bumps partitionEpoch always and leaderEpoch on a leader change', (t) => {
  let image = applyRecords(EMPTY_IMAGE, topicWithTwoPartitions);
  image = apply(image, { type: 'PartitionChange', topicId: T1, partitionId: 0, isr: [1] });
  t.like(image.topicsById.get(T1)!.partitions[0], { leaderEpoch: 0, partitionEpoch: 1 });
  image = apply(image, { type: 'PartitionChange', topicId: T1, partitionId: 0, leader: -1, isr: [] });
  t.like(image.topicsById.get(T1)!.partitions[0], { leader: -1, isr: [], leaderEpoch: 1, partitionEpoch: 2 });
});

test('RemoveTopic drops the topic from both indexes and its configs; the name can be reused', (t) => {
  let image = applyRecords(EMPTY_IMAGE, topicWithTwoPartitions);
  image = applyRecords(image, [{ type: 'RemoveTopic', topicId: T1 }, { type: 'Topic', name: 'orders', topicId: T2 }]);
  t.is(image.topicsById.get(T1), undefined);
  t.is(image.topicsByName.get('orders')!.topicId, T2);
  t.is(topicConfigs(image, 'orders').size, 0);
});

test('Config with value null removes the override; broker configs are kept per node and cluster-wide', (t) => {
  const B = ConfigResourceType.BROKER;
  let image = applyRecords(EMPTY_IMAGE, [
    { type: 'Config', resourceType: B, resourceName: '', name: 'log.retention.ms', value: '5' },
    { type: 'Config', resourceType: B, resourceName: '1', name: 'message.max.bytes', value: '10' },
  ]);
  t.deepEqual([...brokerConfigs(image, null)], [['log.retention.ms', '5']]);
  t.deepEqual([...brokerConfigs(image, 1)], [['message.max.bytes', '10']]);
  image = apply(image, { type: 'Config', resourceType: B, resourceName: '', name: 'log.retention.ms', value: null });
  t.is(brokerConfigs(image, null).size, 0);
});

test('fencing a broker removes it from the live brokers', (t) => {
  let image = applyRecords(EMPTY_IMAGE, topicWithTwoPartitions);
  image = apply(image, { type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 6, fenced: true });
  t.deepEqual(liveBrokerIds(image), []);
  t.is(image.brokers.get(1)!.brokerEpoch, 6);
});

test('inconsistent records are assertion failures', (t) => {
  t.throws(() => apply(EMPTY_IMAGE, { type: 'RemoveTopic', topicId: T1 }), { message: /assertion failed/ });
  const image = applyRecords(EMPTY_IMAGE, topicWithTwoPartitions);
  t.throws(() => apply(image, { type: 'Topic', name: 'orders', topicId: T2 }), { message: /created twice/ });
  t.throws(() => apply(image, { type: 'Partition', topicId: T1, partitionId: 5, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 }),
    { message: /not contiguous/ });
});

testProp('the reducer result does not depend on how records are split into batches',
  [fc.integer({ min: 1, max: 20 }), fc.array(fc.nat(), { maxLength: 5 })],
  (t, partitions, cuts) => {
    const records: MetadataRecord[] = [{ type: 'Topic', name: 't', topicId: T1 }];
    for (let p = 0; p < partitions; p += 1) {
      records.push({ type: 'Partition', topicId: T1, partitionId: p, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 });
      if (p % 3 === 0) records.push({ type: 'PartitionChange', topicId: T1, partitionId: p, leader: 2 });
    }
    const points = [...new Set(cuts.map((c) => c % records.length))].sort((a, b) => a - b);
    let image = EMPTY_IMAGE;
    let start = 0;
    for (const point of [...points, records.length]) {
      image = applyRecords(image, records.slice(start, point));
      start = point;
    }
    t.deepEqual(image, applyRecords(EMPTY_IMAGE, records));
  });

test('uuidFromBytes gives Kafka\'s 22-char URL-safe base64 form', (t) => {
  const id = uuidFromBytes(Uint8Array.from({ length: 16 }, (_, i) => i * 17));
  t.is(id.length, 22);
  t.true(isUuid(id));
  t.throws(() => uuidFromBytes(new Uint8Array(16)), { message: /reserved/ });
});
