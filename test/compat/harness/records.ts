/**
 * The records every client produces, the one line format every driver prints, and the Java
 * client's key → partition rule.
 *
 * Drivers print one record per line as `partition<TAB>offset<TAB>key<TAB>value`; keys and values are
 * ASCII without tabs or newlines, so the format needs no escaping.
 */
import { writeFileSync } from 'node:fs';

export interface SentRecord {
  /** Position in the producer's input: the order the producer sent it in. */
  index: number;
  key: string;
  value: string;
}

export interface SeenRecord {
  partition: number;
  offset: number;
  key: string;
  value: string;
}

const distinctKeyCount = 1000;

/** `count` records with 1000 distinct keys (so every partition gets some) and ~90-byte values
 * that carry their own index and the client's name. */
export function makeRecords(count: number, clientName: string): SentRecord[] {
  const filler = 'x'.repeat(60);
  return Array.from({ length: count }, (_, index) => ({
    index,
    key: `key-${String(index % distinctKeyCount).padStart(3, '0')}`,
    value: `value-${String(index).padStart(6, '0')}-${clientName}-${filler}`,
  }));
}

/** The producer input file: `key<TAB>value` per line, in send order. */
export function writeRecordsFile(path: string, records: readonly SentRecord[]): void {
  writeFileSync(path, records.map((r) => `${r.key}\t${r.value}\n`).join(''));
}

export function parseRecordLines(stdout: string): SeenRecord[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [partition, offset, key, value] = line.split('\t');
      if (partition === undefined || offset === undefined || key === undefined || value === undefined) {
        throw new Error(`not a partition/offset/key/value line: ${JSON.stringify(line)}`);
      }
      return { partition: Number(partition), offset: Number(offset), key, value };
    });
}

/** Kafka's murmur2 (32-bit, seed 0x9747b28c) over the key's UTF-8 bytes, as a signed int32. */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = (0x9747b28c ^ length) | 0;
  const wholeWords = length >>> 2;
  for (let i = 0; i < wholeWords; i++) {
    const at = i * 4;
    let k = data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = wholeWords * 4;
  const rest = length % 4;
  if (rest === 3) h ^= data[tail + 2]! << 16;
  if (rest >= 2) h ^= data[tail + 1]! << 8;
  if (rest >= 1) h = Math.imul(h ^ data[tail]!, m);
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The Java client's default partition for a keyed record (also kafka-python's, and librdkafka's
 * with partitioner=murmur2_random). */
export function javaKeyPartition(key: string, partitionCount: number): number {
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitionCount;
}
