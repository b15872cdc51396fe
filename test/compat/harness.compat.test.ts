// The harness's own pure parts, checked without a broker: the Java-compatible key partitioner
// and the record-by-record checks that judge every client.
import test from 'ava';
import kafkajs from 'kafkajs';
import { javaKeyPartition, makeRecords, type SeenRecord } from './harness/records.js';
import { findDeliveryProblems, findSetDifferences } from './harness/verify.js';

// Partitions the Java client (kafka-console-producer 4.4.0) chose for these keys with 3 partitions.
const javaChoices: Array<[string, number]> = [['a', 1], ['b', 2], ['c', 1], ['d', 2], ['key-000', 1], ['key-001', 2]];

for (const [key, partition] of javaChoices) {
  test(`key ${key} goes to partition ${partition} of 3, as with the Java client`, (t) => {
    t.is(javaKeyPartition(key, 3), partition);
  });
}

test('the key partitioner agrees with kafkajs DefaultPartitioner (Java-compatible murmur2) on 2000 keys', (t) => {
  const partitioner = kafkajs.Partitioners.DefaultPartitioner();
  const partitionMetadata = [0, 1, 2, 3, 4, 5, 6].map((partitionId) => ({
    partitionErrorCode: 0, partitionId, leader: 1, replicas: [1], isr: [1], offlineReplicas: [],
  }));
  for (const record of makeRecords(2000, 'x')) {
    const key = `${record.key}-${record.index}`;
    const expected = partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
    t.is(javaKeyPartition(key, 7), expected, key);
  }
});

const sent = makeRecords(6, 'unit');
function deliveredInOrder(): SeenRecord[] {
  const nextOffset = new Map<number, number>();
  return sent.map((r) => {
    const partition = javaKeyPartition(r.key, 3);
    const offset = nextOffset.get(partition) ?? 0;
    nextOffset.set(partition, offset + 1);
    return { partition, offset, key: r.key, value: r.value };
  });
}

test('a faithful delivery has no problems', (t) => {
  t.deepEqual(findDeliveryProblems({ sent, consumed: deliveredInOrder(), partitionCount: 3 }), []);
});

test('a lost record, a duplicate, a wrong partition and reordering are each reported', (t) => {
  const good = deliveredInOrder();
  const lost = findDeliveryProblems({ sent, consumed: good.slice(1), partitionCount: 3 });
  t.true(lost.some((p) => p.includes('never consumed')), lost.join('\n'));
  const duplicated = findDeliveryProblems({ sent, consumed: [...good, good[0]!], partitionCount: 3 });
  t.true(duplicated.some((p) => p.startsWith('duplicate')), duplicated.join('\n'));
  const misplaced = findDeliveryProblems({ sent, consumed: [{ ...good[0]!, partition: (good[0]!.partition + 1) % 3 }, ...good.slice(1)], partitionCount: 3 });
  t.true(misplaced.some((p) => p.includes('murmur2')), misplaced.join('\n'));
  const samePartition = good.filter((r) => r.partition === good[0]!.partition);
  if (samePartition.length >= 2) {
    const [first, second] = samePartition as [SeenRecord, SeenRecord];
    const swapped = good.map((r) => (r === first ? { ...second, offset: first.offset } : r === second ? { ...first, offset: second.offset } : r));
    const reordered = findDeliveryProblems({ sent, consumed: swapped, partitionCount: 3 });
    t.true(reordered.some((p) => p.includes('send order')), reordered.join('\n'));
  }
});

test('set differences name the records only one side has', (t) => {
  const good = deliveredInOrder();
  t.deepEqual(findSetDifferences('a', good, 'b', [...good].reverse()), []);
  const problems = findSetDifferences('a', good, 'b', good.slice(1));
  t.true(problems.some((p) => p.startsWith('a has, b lacks')), problems.join('\n'));
});
