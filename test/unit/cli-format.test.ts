// CLI output (pure): the layouts scripts written for Kafka's tools parse - topic describe lines,
// consumer-group tables, console-consumer record lines and console-producer line parsing.

import test from 'ava';
import {
  DEFAULT_RECORD_FORMAT,
  formatGroupOffsets,
  formatRecord,
  formatResetOffsets,
  formatTable,
  formatTopicDescription,
  lag,
  lineFormatFromProperties,
  parseLine,
  recordFormatFromProperties,
} from '../../cli/format.js';
import { stateNotice } from '../../cli/commands/consumer-groups.js';
import { collisionWarning } from '../../cli/commands/topics.js';

test('topic describe: Kafka layout, non-default configs only, "none" for a missing leader', (t) => {
  const lines = formatTopicDescription(
    {
      name: 'orders',
      topicId: 'abcdefghijklmnopqrstuv',
      isInternal: false,
      partitions: [
        { partition: 0, leader: 1, leaderEpoch: 0, replicas: [1, 2], isr: [1, 2], offlineReplicas: [] },
        { partition: 1, leader: -1, leaderEpoch: 0, replicas: [2, 1], isr: [], offlineReplicas: [] },
      ],
    },
    [
      { name: 'retention.ms', value: '1000', source: 1, isDefault: false, isReadOnly: false, isSensitive: false },
      { name: 'segment.bytes', value: '1073741824', source: 5, isDefault: true, isReadOnly: false, isSensitive: false },
      { name: 'cleanup.policy', value: 'compact', source: 1, isDefault: false, isReadOnly: false, isSensitive: false },
    ],
  );
  t.deepEqual(lines, [
    'Topic: orders\tTopicId: abcdefghijklmnopqrstuv\tPartitionCount: 2\tReplicationFactor: 2\tConfigs: retention.ms=1000,cleanup.policy=compact',
    '\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1,2\tIsr: 1,2',
    '\tTopic: orders\tPartition: 1\tLeader: none\tReplicas: 2,1\tIsr: ',
  ]);
});

test('tables: left-aligned, minimum widths, one space between columns, last column unpadded', (t) => {
  t.deepEqual(formatTable(['A', 'BB', 'C'], [['xxxx', 'y', 'z']], [2, 3, 9]), ['A    BB  C', 'xxxx y   z']);
});

test('consumer-groups describe: Kafka columns, "-" for unknowns, lag never negative', (t) => {
  const lines = formatGroupOffsets([
    { group: 'g', topic: 't', partition: 0, currentOffset: 5, logEndOffset: 8, consumerId: 'consumer-1-abc', host: '/127.0.0.1', clientId: 'consumer-1' },
    { group: 'g', topic: 't', partition: 1, currentOffset: null, logEndOffset: 3, consumerId: null, host: null, clientId: null },
  ]);
  t.is(lines[0]!.split(/\s+/).join(' '), 'GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID');
  t.deepEqual(lines[1]!.split(/\s+/), ['g', 't', '0', '5', '8', '3', 'consumer-1-abc', '/127.0.0.1', 'consumer-1']);
  t.deepEqual(lines[2]!.split(/\s+/), ['g', 't', '1', '-', '3', '-', '-', '-', '-']);
  // Every header starts where its column's values start.
  for (const header of ['TOPIC', 'PARTITION', 'LAG', 'CLIENT-ID']) t.is(lines[1]![lines[0]!.indexOf(header) - 1], ' ');
  t.is(lag({ currentOffset: 10, logEndOffset: 4 }), 0);
  t.is(lag({ currentOffset: null, logEndOffset: 4 }), null);
});

test('consumer-groups notices for empty and rebalancing groups', (t) => {
  t.is(stateNotice({ groupId: 'g', state: 'Empty' }), "Consumer group 'g' has no active members.");
  t.is(stateNotice({ groupId: 'g', state: 'PreparingRebalance' }), "Warning: Consumer group 'g' is rebalancing.");
  t.is(stateNotice({ groupId: 'g', state: 'Stable' }), null);
});

test('reset-offsets result table', (t) => {
  const lines = formatResetOffsets([{ group: 'g', topic: 't', partition: 0, newOffset: 42 }]);
  t.deepEqual(lines.map((l) => l.split(/\s+/)), [['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'], ['g', 't', '0', '42']]);
});

const record = { partition: 2, offset: 7, timestamp: 1700000000000, key: Buffer.from('k'), value: Buffer.from('v') };

test('console-consumer prints the value by default, key+separator+value with print.key', (t) => {
  t.is(formatRecord(record, DEFAULT_RECORD_FORMAT), 'v\n');
  t.is(formatRecord(record, recordFormatFromProperties({ 'print.key': 'true', 'key.separator': ':' })), 'k:v\n');
  t.is(formatRecord({ ...record, key: null }, recordFormatFromProperties({ 'print.key': 'true' })), 'null\tv\n');
  t.is(
    formatRecord(record, recordFormatFromProperties({ 'print.timestamp': 'true', 'print.partition': 'true', 'print.offset': 'true', 'print.key': 'true' })),
    'CreateTime:1700000000000\tPartition:2\tOffset:7\tk\tv\n',
  );
  t.throws(() => recordFormatFromProperties({ 'print.colour': 'true' }));
});

test('console-producer lines: whole line as value, or key up to the first separator', (t) => {
  const plain = lineFormatFromProperties({});
  t.deepEqual(parseLine('a:b:c', 1, plain), { key: null, value: 'a:b:c' });
  const keyed = lineFormatFromProperties({ 'parse.key': 'true', 'key.separator': ':' });
  t.deepEqual(parseLine('a:b:c', 1, keyed), { key: 'a', value: 'b:c' });
  t.deepEqual(parseLine(':v', 1, keyed), { key: '', value: 'v' });
  t.throws(() => parseLine('nokey', 3, keyed), { message: "No key separator found on line number 3: 'nokey'" });
  const marker = lineFormatFromProperties({ 'parse.key': 'true', 'null.marker': 'NULL' });
  t.deepEqual(parseLine('NULL\tNULL', 1, marker), { key: null, value: null });
});

test("topic names with '.' or '_' get Kafka's metric collision warning", (t) => {
  t.truthy(collisionWarning('a.b'));
  t.truthy(collisionWarning('a_b'));
  t.is(collisionWarning('a-b'), null);
});
