// Shared by the data-path handlers (Produce, Fetch, ListOffsets, DeleteRecords,
// OffsetForLeaderEpoch): finding the local leader log of a partition, leader-epoch fencing, and
// the int64 <-> number conversions at the wire edge (architecture.md: offsets are `number` inside
// the broker, `bigint` on the wire).
//
// Contract: nothing here throws on client input; every problem is a Kafka error code.
import { ErrorCode } from '../../protocol/errors.js';
import type { PartitionImage, TopicImage } from '../../metadata/image.js';
import type { Log } from '../../storage/log.js';
import type { Broker } from '../broker.js';

export type LeaderLookup =
  | { readonly kind: 'leader'; readonly log: Log; readonly topic: TopicImage; readonly partition: PartitionImage }
  | { readonly kind: 'error'; readonly errorCode: number; readonly message: string };

/**
 * The local log of `topic`-`partitionIndex` if this broker leads it. Unknown topic or partition:
 * UNKNOWN_TOPIC_OR_PARTITION; led elsewhere (or leaderless): NOT_LEADER_OR_FOLLOWER, so clients
 * refresh metadata; hosted here but the log failed to open or went offline: KAFKA_STORAGE_ERROR.
 */
export function lookupLeader(broker: Broker, topic: TopicImage | undefined, partitionIndex: number): LeaderLookup {
  const partition = topic?.partitions[partitionIndex];
  if (topic === undefined || partition === undefined) {
    return { kind: 'error', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: 'This server does not host this topic-partition.' };
  }
  const where = `${topic.name}-${partitionIndex}`;
  if (partition.leader !== broker.nodeId) {
    return { kind: 'error', errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, message: `broker ${broker.nodeId} is not the leader of ${where} (leader: ${partition.leader})` };
  }
  const log = broker.logs.get(topic.name, partitionIndex);
  if (log === undefined || log.offline) {
    return { kind: 'error', errorCode: ErrorCode.KAFKA_STORAGE_ERROR, message: `the log of ${where} is offline on broker ${broker.nodeId}` };
  }
  return { kind: 'leader', log, topic, partition };
}

/**
 * Kafka's check of a request's `currentLeaderEpoch` (KIP-320): -1 skips it; older than ours is
 * FENCED_LEADER_EPOCH (the client's metadata is stale), newer is UNKNOWN_LEADER_EPOCH (ours is).
 */
export function leaderEpochError(currentLeaderEpoch: number, partition: PartitionImage): number {
  if (currentLeaderEpoch < 0) return ErrorCode.NONE;
  if (currentLeaderEpoch < partition.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
  if (currentLeaderEpoch > partition.leaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
  return ErrorCode.NONE;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/** A wire int64 as a `number`, or undefined when it is beyond +-2^53 (no real offset is). */
export function safeNumber(value: bigint): number | undefined {
  return value > MAX_SAFE || value < MIN_SAFE ? undefined : Number(value);
}

/** The leader epoch that wrote `offset` (largest cache entry starting at or before it), or -1. */
export function epochForOffset(log: Log, offset: number): number {
  let epoch = -1;
  for (const entry of log.leaderEpochCache.all) {
    if (entry.startOffset > offset) break;
    epoch = entry.epoch;
  }
  return epoch;
}
