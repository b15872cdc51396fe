// DeleteRecords (21), versions 0-2: moves each partition's log start offset up to the requested
// offset (-1 means the high watermark) and answers the new low watermark. Whole segments below it
// are deleted; records below it in the first segment become unreadable (Fetch answers
// OFFSET_OUT_OF_RANGE, ListOffsets earliest moves). Offsets beyond the high watermark (or negative
// other than -1) answer OFFSET_OUT_OF_RANGE; an offset below the current start is a no-op that
// answers the current start.
//
// Known gaps: timeoutMs is ignored (a single replica completes at once; with followers Kafka waits
// until every replica's log start passed the offset); duplicate partitions are not rejected; no
// authorization, no quotas.
import { ErrorCode } from '../../protocol/errors.js';
import { DeleteRecordsRequest, type DeleteRecordsRequestDeleteRecordsPartition } from '../../protocol/generated/delete-records-request.js';
import { DeleteRecordsResponse, type DeleteRecordsResponseDeleteRecordsPartitionResult } from '../../protocol/generated/delete-records-response.js';
import type { Init } from '../../protocol/primitives.js';
import type { Broker } from '../broker.js';
import { defineHandler } from '../handler.js';
import { lookupLeader, safeNumber } from './data-common.js';

const HIGH_WATERMARK = -1;

export const deleteRecordsHandler = defineHandler({
  request: DeleteRecordsRequest,
  response: DeleteRecordsResponse,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, req) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => deletePartition(ctx.broker, t.name, p)),
      })),
    };
  },
});

function deletePartition(
  broker: Broker,
  topic: string,
  p: DeleteRecordsRequestDeleteRecordsPartition,
): Init<DeleteRecordsResponseDeleteRecordsPartitionResult> {
  const failed = (errorCode: number) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode });
  const found = lookupLeader(broker, broker.image.topicsByName.get(topic), p.partitionIndex);
  if (found.kind === 'error') return failed(found.errorCode);
  const { log } = found;
  const requested = safeNumber(p.offset);
  if (requested === undefined || (requested < 0 && requested !== HIGH_WATERMARK)) return failed(ErrorCode.OFFSET_OUT_OF_RANGE);
  const result = log.deleteRecordsBefore(requested === HIGH_WATERMARK ? log.highWatermark : requested);
  if (result.kind === 'error') return failed(result.errorCode);
  return { partitionIndex: p.partitionIndex, lowWatermark: BigInt(result.logStartOffset), errorCode: ErrorCode.NONE };
}
