/**
 * Which `__consumer_offsets` partition owns a group: Kafka's
 * `Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions`, bit for bit, so a Tributary
 * cluster and Kafka tooling agree on the coordinator of every group.
 */

/** Java's `String.hashCode()`: s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code units, in int32. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's `Utils.abs`: like Math.abs, except that Integer.MIN_VALUE maps to 0. */
export function kafkaAbs(n: number): number {
  return n === -0x80000000 ? 0 : Math.abs(n);
}

export function partitionFor(groupId: string, numPartitions: number): number {
  if (!Number.isInteger(numPartitions) || numPartitions <= 0) {
    throw new Error(`assertion: numPartitions must be a positive integer, got ${numPartitions}`);
  }
  return kafkaAbs(javaStringHashCode(groupId)) % numPartitions;
}
