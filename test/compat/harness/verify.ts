/**
 * Pure checks of what a client delivered against what it was given. Each returns a list of
 * problems (empty when all is well), capped so a broken broker yields a readable failure.
 */
import { javaKeyPartition, type SeenRecord, type SentRecord } from './records.js';

const problemCountMax = 20;

export interface DeliveryCheck {
  sent: readonly SentRecord[];
  /** In the order the consumer returned them. */
  consumed: readonly SeenRecord[];
  partitionCount: number;
}

/**
 * Every sent record arrives exactly once, in the partition its key hashes to, at offsets 0, 1, 2, …
 * of that partition, and in send order within the partition.
 */
export function findDeliveryProblems(check: DeliveryCheck): string[] {
  const problems: string[] = [];
  const sentByValue = new Map(check.sent.map((r) => [r.value, r]));
  const seenIndexes = new Set<number>();
  const lastByPartition = new Map<number, { offset: number; index: number }>();
  for (const record of check.consumed) {
    const sent = sentByValue.get(record.value);
    if (sent === undefined) {
      problems.push(`unexpected record ${describe(record)}`);
      continue;
    }
    if (seenIndexes.has(sent.index)) problems.push(`duplicate record ${describe(record)}`);
    seenIndexes.add(sent.index);
    if (record.key !== sent.key) problems.push(`key ${record.key} != sent key ${sent.key} in ${describe(record)}`);
    const expectedPartition = javaKeyPartition(sent.key, check.partitionCount);
    if (record.partition !== expectedPartition) {
      problems.push(`partition ${record.partition} != ${expectedPartition} (murmur2 of key) in ${describe(record)}`);
    }
    const last = lastByPartition.get(record.partition) ?? { offset: -1, index: -1 };
    if (record.offset !== last.offset + 1) {
      problems.push(`offset ${record.offset} follows ${last.offset} in partition ${record.partition}`);
    }
    if (sent.index <= last.index) {
      problems.push(`record ${sent.index} after record ${last.index} in partition ${record.partition} (send order broken)`);
    }
    lastByPartition.set(record.partition, { offset: record.offset, index: sent.index });
  }
  const missing = check.sent.filter((r) => !seenIndexes.has(r.index));
  if (missing.length > 0) {
    problems.push(`${missing.length} records never consumed, first: ${missing.slice(0, 3).map((r) => r.index).join(', ')}`);
  }
  return capped(problems);
}

/** The same records at the same partitions and offsets, whatever the order of the two lists. */
export function findSetDifferences(
  leftName: string,
  left: readonly SeenRecord[],
  rightName: string,
  right: readonly SeenRecord[],
): string[] {
  const problems: string[] = [];
  const rightKeys = new Set(right.map(describe));
  const leftKeys = new Set(left.map(describe));
  for (const key of leftKeys) if (!rightKeys.has(key)) problems.push(`${leftName} has, ${rightName} lacks: ${key}`);
  for (const key of rightKeys) if (!leftKeys.has(key)) problems.push(`${rightName} has, ${leftName} lacks: ${key}`);
  if (left.length !== right.length) problems.push(`${leftName} has ${left.length} records, ${rightName} ${right.length}`);
  return capped(problems);
}

function describe(record: SeenRecord): string {
  return `p${record.partition}@${record.offset} ${record.key}=${record.value.slice(0, 32)}`;
}

function capped(problems: string[]): string[] {
  if (problems.length <= problemCountMax) return problems;
  return [...problems.slice(0, problemCountMax), `… and ${problems.length - problemCountMax} more`];
}
