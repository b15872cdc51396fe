// ListOffsets (2), versions 1-10 (v0's "old style" offset lists by segment are not implemented;
// Kafka 4.0 dropped v0 too). Only the leader answers (NOT_LEADER_OR_FOLLOWER otherwise);
// currentLeaderEpoch is fenced from v4.
//
// Special timestamps (Kafka's, KIP-734 / KIP-1005):
//   -2 earliest        -> log start offset, with the epoch that wrote it
//   -1 latest          -> high watermark (read_uncommitted) or last stable offset (read_committed,
//                         the same here), with the current leader epoch
//   -3 max timestamp   -> the first record holding the largest timestamp
//   -4 earliest local  -> the log start offset (no tiered storage: local = whole log)
//   -5 latest tiered   -> offset -1, epoch -1 (nothing is tiered; Kafka answers the same when
//                         remote storage is disabled)
//   >= 0               -> the first record with timestamp >= the target, and its timestamp
// Results at or past the high watermark are not visible yet and answer offset -1, timestamp -1.
// Any other negative timestamp answers INVALID_REQUEST.
//
// The log's time index works per batch, so a timestamp or max-timestamp lookup finds the batch,
// then decodes that one batch (decompressing if needed) to name the exact record, like Kafka. If
// the stored batch cannot be decoded, the answer falls back to the batch's base offset and max
// timestamp.
//
// Known gaps: timeoutMs (v10) is ignored (nothing is ever pending); duplicate partitions in one
// request are answered twice instead of with INVALID_REQUEST; no quotas (throttleTimeMs 0).
import { ErrorCode } from '../../protocol/errors.js';
import { ListOffsetsRequest, type ListOffsetsRequestListOffsetsPartition } from '../../protocol/generated/list-offsets-request.js';
import { ListOffsetsResponse, type ListOffsetsResponseListOffsetsPartitionResponse } from '../../protocol/generated/list-offsets-response.js';
import type { Init } from '../../protocol/primitives.js';
import { decodeRecordBatches } from '../../protocol/records.js';
import type { Log } from '../../storage/log.js';
import type { Broker } from '../broker.js';
import { defineHandler } from '../handler.js';
import { epochForOffset, leaderEpochError, lookupLeader, safeNumber } from './data-common.js';

export const ListOffsetsTimestamp = {
  LATEST: -1,
  EARLIEST: -2,
  MAX_TIMESTAMP: -3,
  EARLIEST_LOCAL: -4,
  LATEST_TIERED: -5,
} as const;

type PartitionResponse = Init<ListOffsetsResponseListOffsetsPartitionResponse>;

/** What a lookup found: an offset, the timestamp there (-1 if none) and the leader epoch. */
interface Found {
  readonly offset: number;
  readonly timestamp: number;
  readonly leaderEpoch: number;
}

const NOT_FOUND: Found = { offset: -1, timestamp: -1, leaderEpoch: -1 };

export const listOffsetsHandler = defineHandler({
  request: ListOffsetsRequest,
  response: ListOffsetsResponse,
  minVersion: 1,
  maxVersion: 10,
  handle(ctx, req) {
    const { broker } = ctx;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => listPartition(broker, t.name, p)),
      })),
    };
  },
});

function listPartition(broker: Broker, topic: string, p: ListOffsetsRequestListOffsetsPartition): PartitionResponse {
  const failed = (errorCode: number): PartitionResponse => ({ partitionIndex: p.partitionIndex, errorCode, timestamp: -1n, offset: -1n, leaderEpoch: -1 });
  const found = lookupLeader(broker, broker.image.topicsByName.get(topic), p.partitionIndex);
  if (found.kind === 'error') return failed(found.errorCode);
  const fenced = leaderEpochError(p.currentLeaderEpoch, found.partition);
  if (fenced !== ErrorCode.NONE) return failed(fenced);
  const timestamp = safeNumber(p.timestamp);
  if (timestamp === undefined || timestamp < ListOffsetsTimestamp.LATEST_TIERED) return failed(ErrorCode.INVALID_REQUEST);
  let result: Found;
  try {
    result = lookup(found.log, timestamp, found.partition.leaderEpoch);
  } catch (error) {
    // offsetForTimestamp throws LogStorageError when the log is (or goes) offline.
    broker.logger.warn(`ListOffsets on ${topic}-${p.partitionIndex} failed: ${(error as Error).message}`);
    return failed(ErrorCode.KAFKA_STORAGE_ERROR);
  }
  return {
    partitionIndex: p.partitionIndex,
    errorCode: ErrorCode.NONE,
    timestamp: BigInt(result.timestamp),
    offset: BigInt(result.offset),
    leaderEpoch: result.leaderEpoch,
  };
}

function lookup(log: Log, timestamp: number, currentLeaderEpoch: number): Found {
  const visibleEnd = log.highWatermark;
  switch (timestamp) {
    case ListOffsetsTimestamp.LATEST:
      return { offset: visibleEnd, timestamp: -1, leaderEpoch: currentLeaderEpoch };
    case ListOffsetsTimestamp.EARLIEST:
    case ListOffsetsTimestamp.EARLIEST_LOCAL:
      return { offset: log.logStartOffset, timestamp: -1, leaderEpoch: epochForOffset(log, log.logStartOffset) };
    case ListOffsetsTimestamp.LATEST_TIERED:
      return NOT_FOUND;
    case ListOffsetsTimestamp.MAX_TIMESTAMP: {
      const max = log.maxTimestampOffset();
      if (max.offset < 0) return NOT_FOUND;
      return visibleOnly(exactRecord(log, max.offset, max.timestamp, (ts) => ts === max.timestamp), visibleEnd);
    }
    default: {
      const batch = log.offsetForTimestamp(timestamp);
      if (batch === undefined) return NOT_FOUND;
      return visibleOnly(exactRecord(log, batch.offset, batch.timestamp, (ts) => ts >= timestamp), visibleEnd);
    }
  }
}

function visibleOnly(found: Found, visibleEnd: number): Found {
  return found.offset >= 0 && found.offset < visibleEnd ? found : NOT_FOUND;
}

/**
 * Decodes the stored batch holding `offset` and returns its first record at or after `offset`
 * (and the log start) whose timestamp matches. Falls back to the batch-level answer when the
 * batch cannot be read or decoded.
 */
function exactRecord(log: Log, offset: number, batchTimestamp: number, matches: (timestamp: number) => boolean): Found {
  const fallback: Found = { offset, timestamp: batchTimestamp, leaderEpoch: epochForOffset(log, offset) };
  const from = Math.max(offset, log.logStartOffset);
  const read = log.read({ fetchOffset: from, maxBytes: 1, minOneBatch: true });
  if (read.kind === 'error' || read.records.length === 0) return fallback;
  let batches;
  try {
    batches = decodeRecordBatches(read.records);
  } catch {
    return fallback;
  }
  for (const batch of batches) {
    const record = batch.records.find((r) => r.offset >= from && matches(r.timestamp));
    if (record !== undefined) {
      const epoch = batch.header.partitionLeaderEpoch;
      return { offset: record.offset, timestamp: record.timestamp, leaderEpoch: epoch >= 0 ? epoch : fallback.leaderEpoch };
    }
  }
  return fallback;
}
