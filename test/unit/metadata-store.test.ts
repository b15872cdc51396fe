import test from 'ava';
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMPTY_IMAGE, applyRecords } from '../../broker/metadata/image.js';
import { MetadataStore, decodeMetadataLog, encodeMetadataBatch, metadataLogPath } from '../../broker/metadata/metadata-store.js';
import type { MetadataRecord } from '../../broker/metadata/records.js';

const T1 = 'AAAAAAAAAAAAAAAAAAAAAg';
const batch1: MetadataRecord[] = [
  { type: 'Topic', name: 'a', topicId: T1 },
  { type: 'Partition', topicId: T1, partitionId: 0, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 },
];
const batch2: MetadataRecord[] = [{ type: 'Config', resourceType: 2, resourceName: 'a', name: 'retention.ms', value: '5' }];
const batch3: MetadataRecord[] = [{ type: 'RemoveTopic', topicId: T1 }];

async function withTempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-metadata-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('appended batches replay in order after reopening', async (t) => {
  await withTempDir(async (dir) => {
    const first = await MetadataStore.open(dir);
    t.deepEqual(first.batches, []);
    t.is(first.store.path, join(dir, '__cluster_metadata-0', 'metadata.log'));
    await first.store.append(batch1);
    await first.store.append(batch2);
    await first.store.close();
    const second = await MetadataStore.open(dir);
    t.deepEqual(second.batches, [batch1, batch2]);
    t.is(second.truncatedBytes, 0);
    await second.store.append(batch3);
    await second.store.close();
    const third = await MetadataStore.open(dir);
    t.deepEqual(third.batches, [batch1, batch2, batch3]);
    const image = third.batches.reduce(applyRecords, EMPTY_IMAGE);
    t.is(image.topicsByName.size, 0);
    await third.store.close();
  });
});

test('concurrent appends are written one after another', async (t) => {
  await withTempDir(async (dir) => {
    const { store } = await MetadataStore.open(dir);
    await Promise.all([store.append(batch1), store.append(batch2), store.append(batch3)]);
    await store.close();
    const reopened = await MetadataStore.open(dir);
    t.deepEqual(reopened.batches, [batch1, batch2, batch3]);
    await reopened.store.close();
  });
});

for (const cut of [1, 4, 8, 9]) {
  test(`a torn tail (last batch missing ${cut} byte(s)) is truncated on open and the log stays appendable`, async (t) => {
    await withTempDir(async (dir) => {
      const { store } = await MetadataStore.open(dir);
      await store.append(batch1);
      await store.append(batch2);
      await store.close();
      const path = metadataLogPath(dir);
      const full = (await stat(path)).size;
      await truncate(path, full - cut);
      const reopened = await MetadataStore.open(dir);
      t.deepEqual(reopened.batches, [batch1]);
      t.is(reopened.truncatedBytes, encodeMetadataBatch(batch2).length - cut);
      t.is((await stat(path)).size, encodeMetadataBatch(batch1).length);
      await reopened.store.append(batch3);
      await reopened.store.close();
      const again = await MetadataStore.open(dir);
      t.deepEqual(again.batches, [batch1, batch3]);
      await again.store.close();
    });
  });
}

test('a batch whose CRC does not match ends the log', async (t) => {
  await withTempDir(async (dir) => {
    const { store } = await MetadataStore.open(dir);
    await store.append(batch1);
    await store.append(batch2);
    await store.close();
    const path = metadataLogPath(dir);
    const bytes = await readFile(path);
    bytes[bytes.length - 3] ^= 0xff;
    await writeFile(path, bytes);
    const reopened = await MetadataStore.open(dir);
    t.deepEqual(reopened.batches, [batch1]);
    t.true(reopened.truncatedBytes > 0);
    await reopened.store.close();
  });
});

test('decodeMetadataLog: garbage after good batches is not replayed', (t) => {
  const good = encodeMetadataBatch(batch1);
  const decoded = decodeMetadataLog(Buffer.concat([good, Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 1])]));
  t.deepEqual(decoded.batches, [batch1]);
  t.is(decoded.validBytes, good.length);
});
