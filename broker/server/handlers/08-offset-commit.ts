// OffsetCommit (8): a group (or a standalone consumer, generation -1) stores its positions. The
// coordinator validates the member and generation, writes one record per partition to
// `__consumer_offsets` and answers once the records are appended; partitions of topics that do
// not exist get UNKNOWN_TOPIC_OR_PARTITION (the coordinator asks the metadata image).
//
// Versions 2-9, as Apache Kafka 4 (v0 stored offsets in ZooKeeper and v1 carried a per-partition
// commit timestamp; both were removed from Kafka). Version mapping: v2-4 carry a retention time,
// ignored (offsets expire by `offsets.retention.minutes` only); v6+ a leader epoch per partition;
// v7+ static membership; v9 (KIP-848) calls the generation a member epoch and answers an unknown
// group with GROUP_ID_NOT_FOUND (decided by the coordinator from `apiVersion`).
// Edge conversion: an offset that is not exact as a JavaScript number (beyond 2^53) is refused
// for its partition with OFFSET_OUT_OF_RANGE and never reaches the coordinator.
// Known gaps: no authorization; no KIP-848 consumer groups (a v9 member epoch is matched against
// the classic generation).
import type { OffsetCommitRequestTopic } from '../../coordinator/types.js';
import { ErrorCode } from '../../protocol/errors.js';
import { OffsetCommitRequest } from '../../protocol/generated/offset-commit-request.js';
import { OffsetCommitResponse } from '../../protocol/generated/offset-commit-response.js';
import { defineHandler } from '../handler.js';

const LEADER_EPOCH_MIN_VERSION = 6;
const STATIC_MEMBERSHIP_MIN_VERSION = 7;

export const offsetCommitHandler = defineHandler({
  request: OffsetCommitRequest,
  response: OffsetCommitResponse,
  minVersion: 2,
  maxVersion: 9,
  async handle(ctx, req) {
    const hasLeaderEpoch = ctx.apiVersion >= LEADER_EPOCH_MIN_VERSION;
    // Partitions whose offset is exact travel to the coordinator; the rest are answered here.
    const topics: OffsetCommitRequestTopic[] = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.filter((p) => isExactOffset(p.committedOffset)).map((p) => ({
        partitionIndex: p.partitionIndex,
        committedOffset: Number(p.committedOffset),
        committedLeaderEpoch: hasLeaderEpoch ? p.committedLeaderEpoch : -1,
        committedMetadata: p.committedMetadata,
      })),
    }));
    const res = await ctx.broker.groups.call({
      kind: 'offsetCommit',
      apiVersion: ctx.apiVersion,
      req: {
        groupId: req.groupId,
        generationIdOrMemberEpoch: req.generationIdOrMemberEpoch,
        memberId: req.memberId,
        groupInstanceId: ctx.apiVersion >= STATIC_MEMBERSHIP_MIN_VERSION ? req.groupInstanceId : null,
        topics,
      },
    });
    // The coordinator answers topic for topic and partition for partition, in request order.
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t, i) => {
        const answered = res.topics[i]?.partitions ?? [];
        let next = 0;
        return {
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode: isExactOffset(p.committedOffset) ? answerAt(answered, next++) : ErrorCode.OFFSET_OUT_OF_RANGE,
          })),
        };
      }),
    };
  },
});

function answerAt(answered: ReadonlyArray<{ errorCode: number }>, index: number): number {
  const answer = answered[index];
  if (answer === undefined) throw new Error('assertion failed: the coordinator answered fewer OffsetCommit partitions than it was given');
  return answer.errorCode;
}

function isExactOffset(offset: bigint): boolean {
  return offset >= BigInt(Number.MIN_SAFE_INTEGER) && offset <= BigInt(Number.MAX_SAFE_INTEGER);
}
