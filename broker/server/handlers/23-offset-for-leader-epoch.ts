// OffsetForLeaderEpoch (23), versions 0-4: for each partition, the largest leader epoch <= the
// requested one and the offset where the next epoch starts (the log end for the current epoch),
// from the log's leader-epoch cache. Consumers use it to detect log truncation after a leader
// change (KIP-320), followers to find where to truncate. Only the leader answers.
// currentLeaderEpoch (v2+) is fenced: older -> FENCED_LEADER_EPOCH, newer -> UNKNOWN_LEADER_EPOCH.
//
// Kafka writes the new leader epoch into the cache (at the log end) as soon as a replica becomes
// leader; here the cache only learns an epoch from the first append under it. Until then this
// handler answers as if that entry existed (`withCurrentEpoch`): otherwise a consumer asking about
// the current epoch of a partition with no appends since the leader change would get "undefined"
// and reset its position.
//
// Known gaps: replicaId (v3+) is not checked (no followers); no quotas (throttleTimeMs 0).
import { ErrorCode } from '../../protocol/errors.js';
import {
  OffsetForLeaderEpochRequest,
  type OffsetForLeaderEpochRequestOffsetForLeaderPartition,
} from '../../protocol/generated/offset-for-leader-epoch-request.js';
import {
  OffsetForLeaderEpochResponse,
  type OffsetForLeaderEpochResponseEpochEndOffset,
} from '../../protocol/generated/offset-for-leader-epoch-response.js';
import type { Init } from '../../protocol/primitives.js';
import type { EpochEndOffset } from '../../storage/leader-epoch-cache.js';
import type { Log } from '../../storage/log.js';
import type { Broker } from '../broker.js';
import { defineHandler } from '../handler.js';
import { leaderEpochError, lookupLeader } from './data-common.js';

export const offsetForLeaderEpochHandler = defineHandler({
  request: OffsetForLeaderEpochRequest,
  response: OffsetForLeaderEpochResponse,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, req) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => endOffsetFor(ctx.broker, t.topic, p)),
      })),
    };
  },
});

function endOffsetFor(
  broker: Broker,
  topic: string,
  p: OffsetForLeaderEpochRequestOffsetForLeaderPartition,
): Init<OffsetForLeaderEpochResponseEpochEndOffset> {
  const failed = (errorCode: number) => ({ errorCode, partition: p.partition, leaderEpoch: -1, endOffset: -1n });
  const found = lookupLeader(broker, broker.image.topicsByName.get(topic), p.partition);
  if (found.kind === 'error') return failed(found.errorCode);
  const fenced = leaderEpochError(p.currentLeaderEpoch, found.partition);
  if (fenced !== ErrorCode.NONE) return failed(fenced);
  const answer = withCurrentEpoch(found.log, found.partition.leaderEpoch, p.leaderEpoch);
  return { errorCode: ErrorCode.NONE, partition: p.partition, leaderEpoch: answer.epoch, endOffset: BigInt(answer.endOffset) };
}

/**
 * `log.endOffsetForEpoch(requested)` as if the cache also held (currentEpoch, logEndOffset) when
 * its latest epoch is older: that entry is what Kafka assigns on becoming leader, and it would
 * still start at the log end because nothing was appended under it yet.
 */
export function withCurrentEpoch(log: Log, currentEpoch: number, requested: number): EpochEndOffset {
  const latest = log.leaderEpochCache.latestEpoch;
  if (requested < 0 || currentEpoch <= latest || requested <= latest || requested > currentEpoch) {
    return log.endOffsetForEpoch(requested);
  }
  // latest < requested <= currentEpoch: the implied entry is the next epoch after `requested`
  // (or `requested` itself); its start offset is the log end.
  const floor = requested === currentEpoch || latest < 0 ? requested : latest;
  return { epoch: floor, endOffset: log.logEndOffset };
}
