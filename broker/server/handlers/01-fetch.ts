// Fetch (1), versions 4-17 (v0-3 would need down-conversion to message format v0/v1, which Kafka
// 4.0 dropped too). Topics by name up to v12, by topic id from v13 (unknown id: UNKNOWN_TOPIC_ID).
//
// Per partition, in request order: leader check -> currentLeaderEpoch fencing (v9+) -> Log.read of
// whole stored batches from fetchOffset, never past the high watermark. The bytes read from disk
// go into the response by reference (Writer.raw splices buffers >= 512 bytes), never re-encoded.
// CRCs are checked only for bytes not yet known good (Segment.verifiedEnd): what this process
// appended is served without CRC work, data found on disk at start is checked once. Reads go into
// pooled buffers (buffer-pool.ts), returned once the answer has been written (ctx.afterSend).
// Byte limits as Kafka: each partition gets min(partitionMaxBytes, what is left of maxBytes); the
// first partition that returns data may exceed both by one batch (so a consumer always progresses).
// Errors: fetchOffset outside [logStartOffset, logEndOffset] is OFFSET_OUT_OF_RANGE; error entries
// carry highWatermark/lastStableOffset/logStartOffset -1 and empty records, as Kafka's do.
//
// Long poll: when the first pass found fewer than minBytes, no partition failed and maxWaitMs > 0,
// the request parks in DelayedFetches until enough bytes are appended to its partitions or
// maxWaitMs passes, then reads everything once more and answers with whatever is there.
//
// Fetch sessions (KIP-227) are refused cleanly: every answer has sessionId 0, which makes clients
// keep sending full fetches. An incremental fetch (session epoch other than 0 or -1, as Kafka
// tells them apart) answers FETCH_SESSION_ID_NOT_FOUND at the top level so the client starts over
// with a full fetch.
//
// Known gaps:
// - Replica (follower) fetches (replicaId >= 0, or ReplicaState from v15) are not implemented:
//   every partition answers NOT_LEADER_OR_FOLLOWER. No divergingEpoch, no lastFetchedEpoch check.
// - read_committed reads like read_uncommitted (no transactions: lastStableOffset = high
//   watermark, abortedTransactions is empty for read_committed and null otherwise).
// - No rack-aware preferred read replica (always -1), no currentLeader / nodeEndpoints hints, no
//   quotas (throttleTimeMs 0), forgottenTopicsData is ignored (no sessions to forget from).
import { ErrorCode } from '../../protocol/errors.js';
import { FetchRequest, type FetchRequestFetchPartition } from '../../protocol/generated/fetch-request.js';
import { FetchResponse, type FetchResponseFetchableTopicResponse, type FetchResponsePartitionData } from '../../protocol/generated/fetch-response.js';
import type { Init } from '../../protocol/primitives.js';
import type { TopicImage } from '../../metadata/image.js';
import type { Broker } from '../broker.js';
import { partitionKey } from '../delayed-fetch.js';
import { defineHandler, type RequestContext } from '../handler.js';
import { leaderEpochError, lookupLeader, safeNumber } from './data-common.js';

const READ_COMMITTED = 1;
const EMPTY_RECORDS = Buffer.alloc(0);

type PartitionData = Init<FetchResponsePartitionData>;

/** Where a request's topic entry points: the image entry (if any) and what to call it. */
interface ResolvedTopic {
  readonly image: TopicImage | undefined;
  /** Error for every partition when the topic cannot be resolved. */
  readonly unknownError: number;
  readonly topic: string;
  readonly topicId: string;
}

/** One pass over the request: the response entries and what the long poll needs to know. */
interface FetchPass {
  readonly responses: Array<Init<FetchResponseFetchableTopicResponse>>;
  bytes: number;
  /** A partition answered an error: Kafka answers at once rather than long-polling. */
  hasError: boolean;
  readonly waitKeys: string[];
  /** Per topic: [records, bytes], reported to metrics for the pass that is answered. */
  readonly perTopic: Map<string, [number, number]>;
  /** Pooled buffers the reads were lent (the answer's records are views of them). */
  readonly leased: Buffer[];
}

export const fetchHandler = defineHandler({
  request: FetchRequest,
  response: FetchResponse,
  minVersion: 4,
  maxVersion: 17,
  async handle(ctx, req) {
    if (!isFullFetch(req.sessionEpoch)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] };
    }
    const replicaId = ctx.apiVersion >= 15 ? req.replicaState.replicaId : req.replicaId;
    const pool = ctx.broker.readBuffers;
    let pass = readAll(ctx, req, replicaId >= 0);
    if (pass.bytes < req.minBytes && req.maxWaitMs > 0 && !pass.hasError && pass.waitKeys.length > 0) {
      await ctx.broker.fetches.wait(pass.waitKeys, req.minBytes - pass.bytes, req.maxWaitMs);
      for (const buffer of pass.leased) pool.give(buffer); // that pass is not answered
      pass = readAll(ctx, req, replicaId >= 0);
    }
    const answered = pass.leased;
    ctx.afterSend(() => {
      for (const buffer of answered) pool.give(buffer);
    });
    for (const [topic, [records, bytes]] of pass.perTopic) ctx.broker.metrics.recordFetch(topic, records, bytes);
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: pass.responses };
  },
});

/** Epoch 0 (open a session) and -1 (no session / close it) are full fetches; others are incremental. */
function isFullFetch(sessionEpoch: number): boolean {
  return sessionEpoch === 0 || sessionEpoch === -1;
}

function readAll(ctx: RequestContext, req: FetchRequest, isReplica: boolean): FetchPass {
  const { broker } = ctx;
  const usesTopicIds = ctx.apiVersion >= 13;
  const abortedTransactions = req.isolationLevel === READ_COMMITTED ? [] : null;
  const pass: FetchPass = { responses: [], bytes: 0, hasError: false, waitKeys: [], perTopic: new Map(), leased: [] };
  const allocate = (length: number): Buffer => {
    const buffer = broker.readBuffers.take(length);
    pass.leased.push(buffer);
    return buffer;
  };
  let budget = Math.max(0, req.maxBytes);
  for (const t of req.topics) {
    const resolved = resolveTopic(broker, t.topic, t.topicId, usesTopicIds);
    const partitions: PartitionData[] = [];
    for (const p of t.partitions) {
      const errorCode = isReplica ? ErrorCode.NOT_LEADER_OR_FOLLOWER : resolved.unknownError;
      if (errorCode !== ErrorCode.NONE) {
        partitions.push({ ...errorPartition(p.partition, errorCode), abortedTransactions });
        pass.hasError = true;
        continue;
      }
      const read = readPartition(broker, resolved.image!, p, { maxBytes: budget, minOneBatch: pass.bytes === 0, allocate });
      if (read.data.errorCode !== ErrorCode.NONE) pass.hasError = true;
      else pass.waitKeys.push(partitionKey(resolved.image!.name, p.partition));
      partitions.push({ ...read.data, abortedTransactions });
      if (read.bytes > 0) {
        pass.bytes += read.bytes;
        budget = Math.max(0, budget - read.bytes);
        const seen = pass.perTopic.get(resolved.image!.name) ?? [0, 0];
        pass.perTopic.set(resolved.image!.name, [seen[0] + read.recordCount, seen[1] + read.bytes]);
      }
    }
    pass.responses.push({ topic: resolved.topic, topicId: resolved.topicId, partitions });
  }
  return pass;
}

function resolveTopic(broker: Broker, name: string, topicId: string, usesTopicIds: boolean): ResolvedTopic {
  if (usesTopicIds) {
    const image = broker.image.topicsById.get(topicId);
    return { image, unknownError: image ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_ID, topic: image?.name ?? '', topicId };
  }
  const image = broker.image.topicsByName.get(name);
  return { image, unknownError: image ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, topic: name, topicId: image?.topicId ?? '' };
}

interface PartitionRead {
  readonly data: PartitionData;
  readonly bytes: number;
  readonly recordCount: number;
}

function readPartition(
  broker: Broker,
  topic: TopicImage,
  p: FetchRequestFetchPartition,
  limits: { maxBytes: number; minOneBatch: boolean; allocate: (length: number) => Buffer },
): PartitionRead {
  const failed = (errorCode: number): PartitionRead => ({ data: errorPartition(p.partition, errorCode), bytes: 0, recordCount: 0 });
  const found = lookupLeader(broker, topic, p.partition);
  if (found.kind === 'error') return failed(found.errorCode);
  const fenced = leaderEpochError(p.currentLeaderEpoch, found.partition);
  if (fenced !== ErrorCode.NONE) return failed(fenced);
  const { log } = found;
  const fetchOffset = safeNumber(p.fetchOffset);
  if (fetchOffset === undefined) return failed(ErrorCode.OFFSET_OUT_OF_RANGE);
  const highWatermark = log.highWatermark;
  const read = log.read({
    fetchOffset,
    maxBytes: Math.max(0, Math.min(p.partitionMaxBytes, limits.maxBytes)),
    maxOffset: highWatermark,
    minOneBatch: limits.minOneBatch,
    allocate: limits.allocate,
  });
  if (read.kind === 'error') return failed(read.errorCode);
  const records = read.records.length === 0 ? EMPTY_RECORDS : read.records;
  return {
    data: {
      partitionIndex: p.partition,
      errorCode: ErrorCode.NONE,
      highWatermark: BigInt(highWatermark),
      lastStableOffset: BigInt(highWatermark),
      logStartOffset: BigInt(log.logStartOffset),
      preferredReadReplica: -1,
      records,
    },
    bytes: records.length,
    recordCount: read.recordCount,
  };
}

function errorPartition(partitionIndex: number, errorCode: number): PartitionData {
  return {
    partitionIndex,
    errorCode,
    highWatermark: -1n,
    lastStableOffset: -1n,
    logStartOffset: -1n,
    preferredReadReplica: -1,
    records: EMPTY_RECORDS,
  };
}
