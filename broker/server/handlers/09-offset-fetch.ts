// OffsetFetch (9): the committed offsets of one group (v1-7) or of several (v8+), for the listed
// partitions or, with `topics: null` (v2+), every partition the group committed. A partition
// without a committed offset answers offset -1 and error NONE, as Kafka does.
//
// Versions 1-9, as Apache Kafka 4 (v0 read offsets from ZooKeeper). Error layout by version:
// v1 has only per-partition errors, so a group-level error is copied into every requested
// partition; v2-7 add a top-level errorCode (the group's); v8+ answer per group. v5-7 and v8+
// return the committed leader epoch. v7+ `requireStable` is accepted and has no effect: without
// transactions no commit is ever pending. v9 (KIP-848) memberId/memberEpoch are passed on; for
// classic groups the coordinator ignores them.
// Known gaps: no authorization (no GROUP_/TOPIC_AUTHORIZATION_FAILED).
import type { OffsetFetchRequestGroup, OffsetFetchResponseGroup, OffsetFetchResponseTopics } from '../../coordinator/types.js';
import { ErrorCode } from '../../protocol/errors.js';
import { OffsetFetchRequest } from '../../protocol/generated/offset-fetch-request.js';
import { OffsetFetchResponse } from '../../protocol/generated/offset-fetch-response.js';
import type { Init } from '../../protocol/primitives.js';
import { defineHandler } from '../handler.js';

const TOP_LEVEL_ERROR_MIN_VERSION = 2;
const BATCHED_MIN_VERSION = 8;
const MEMBER_MIN_VERSION = 9;
const REQUIRE_STABLE_MIN_VERSION = 7;

export const offsetFetchHandler = defineHandler({
  request: OffsetFetchRequest,
  response: OffsetFetchResponse,
  minVersion: 1,
  maxVersion: 9,
  async handle(ctx, req): Promise<Init<OffsetFetchResponse>> {
    const v = ctx.apiVersion;
    const groups: OffsetFetchRequestGroup[] = v >= BATCHED_MIN_VERSION
      ? req.groups.map((g) => ({
          groupId: g.groupId,
          memberId: v >= MEMBER_MIN_VERSION ? g.memberId : null,
          memberEpoch: v >= MEMBER_MIN_VERSION ? g.memberEpoch : -1,
          topics: g.topics?.map((t) => ({ name: t.name, partitionIndexes: t.partitionIndexes })) ?? null,
        }))
      : [{
          groupId: req.groupId,
          memberId: null,
          memberEpoch: -1,
          topics: req.topics?.map((t) => ({ name: t.name, partitionIndexes: t.partitionIndexes })) ?? null,
        }];
    const res = await ctx.broker.groups.call({
      kind: 'offsetFetch',
      apiVersion: v,
      req: { groups, requireStable: v >= REQUIRE_STABLE_MIN_VERSION && req.requireStable },
    });
    if (v >= BATCHED_MIN_VERSION) {
      return {
        throttleTimeMs: 0,
        groups: res.groups.map((g) => ({ groupId: g.groupId, errorCode: g.errorCode, topics: wireTopics(g.topics) })),
      };
    }
    const group = res.groups[0];
    if (group === undefined) throw new Error('assertion failed: the coordinator answered an OffsetFetch without its group');
    return { throttleTimeMs: 0, errorCode: group.errorCode, topics: singleGroupTopics(v, req.topics, group) };
  },
});

/** v1-7 topics; v1 has nowhere else to put a group-level error. */
function singleGroupTopics(
  version: number,
  requested: ReadonlyArray<{ name: string; partitionIndexes: number[] }> | null,
  group: OffsetFetchResponseGroup,
): ReturnType<typeof wireTopics> {
  if (version >= TOP_LEVEL_ERROR_MIN_VERSION || group.errorCode === ErrorCode.NONE) return wireTopics(group.topics);
  return (requested ?? []).map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => ({
      partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: group.errorCode,
    })),
  }));
}

function wireTopics(topics: readonly OffsetFetchResponseTopics[]) {
  return topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({
      partitionIndex: p.partitionIndex,
      committedOffset: BigInt(p.committedOffset),
      committedLeaderEpoch: p.committedLeaderEpoch,
      metadata: p.metadata,
      errorCode: p.errorCode,
    })),
  }));
}
