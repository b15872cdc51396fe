// Produce (0), versions 3-11: record batch v2 only (v0-2 carry message format v0/v1, which Kafka
// 4.0 dropped too). Per partition, independently of the others: leader check -> batch framing,
// size and CRC-32C (validateBatches; exactly one batch per partition, as Kafka requires from v3)
// -> CreateTime bounds -> idempotence check, offset/epoch stamping and append (Log.appendAsLeader)
// -> high watermark and long-poll wake-up (Broker.onAppended) -> metrics. The batch bytes are never
// re-encoded and records are never looked at one by one.
//
// acks: 0 appends and sends no response; 1 answers after the local append; -1 (all) also answers
// at once today because a single replica commits on append (the high watermark is moved to the log
// end by onAppended). `awaitCommitted` below is the seam where acks=-1 will park until the high
// watermark passes every appended batch once followers exist. Any other acks value answers
// INVALID_REQUIRED_ACKS on every partition, appending nothing.
//
// Known gaps:
// - Transactions: a request with a transactionalId, or a transactional batch, answers
//   TRANSACTIONAL_ID_AUTHORIZATION_FAILED for that partition (InitProducerId does the same, so a
//   transactional client fails at once with a non-retriable error instead of retrying forever).
// - acks=0 errors are dropped silently; Kafka closes the connection to make the client refresh
//   metadata (handlers cannot close connections yet).
// - Timestamp bounds (message.timestamp.{before,after}.max.ms) are checked per batch: the batch's
//   max timestamp against "after" (exact), its base timestamp (the first record's) against
//   "before" (a record later in the batch that is too old is not caught). recordErrors is empty.
// - compression.type other than "producer" is not applied (batches are stored as sent).
// - No quotas: throttleTimeMs is always 0. NOT_LEADER_OR_FOLLOWER carries no currentLeader /
//   nodeEndpoints hints (KIP-951); clients fall back to a metadata refresh.
import { ErrorCode } from '../../protocol/errors.js';
import { ProduceRequest } from '../../protocol/generated/produce-request.js';
import {
  ProduceResponse,
  type ProduceResponsePartitionProduceResponse,
  type ProduceResponseTopicProduceResponse,
} from '../../protocol/generated/produce-response.js';
import type { Init } from '../../protocol/primitives.js';
import { TimestampType, validateBatches, type BatchView } from '../../protocol/record-batch.js';
import type { LogConfig } from '../../config/topic-config.js';
import type { Log } from '../../storage/log.js';
import type { Broker } from '../broker.js';
import { defineHandler } from '../handler.js';
import { lookupLeader } from './data-common.js';

type PartitionResponse = Init<ProduceResponsePartitionProduceResponse>;

/** An appended partition whose answer may have to wait for replication (acks=-1). */
interface Appended {
  readonly log: Log;
  readonly lastOffset: number;
  readonly response: PartitionResponse;
}

const VALID_ACKS = new Set([-1, 0, 1]);

export const produceHandler = defineHandler({
  request: ProduceRequest,
  response: ProduceResponse,
  minVersion: 3,
  maxVersion: 11,
  // The append copies each batch into the log file and nothing else keeps a view of `records`.
  releasesRequestBytes: true,
  handle(ctx, req) {
    const { broker } = ctx;
    const appended: Appended[] = [];
    const responses: Array<Init<ProduceResponseTopicProduceResponse>> = req.topicData.map((topicData) => ({
      name: topicData.name,
      partitionResponses: topicData.partitionData.map((p) => {
        if (!VALID_ACKS.has(req.acks)) return errorResponse(p.index, ErrorCode.INVALID_REQUIRED_ACKS, `acks must be -1, 0 or 1, not ${req.acks}`);
        if (req.transactionalId !== null) return transactionsUnsupported(p.index);
        const outcome = producePartition(broker, { topic: topicData.name, partition: p.index, records: p.records, acks: req.acks });
        if (outcome.kind === 'error') return errorResponse(p.index, outcome.errorCode, outcome.message);
        appended.push(outcome);
        return outcome.response;
      }),
    }));
    if (req.acks === 0) return null;
    const response = { responses, throttleTimeMs: 0 };
    // Only acks=-1 may have to wait; acks=1 answers synchronously (no extra promise on the hot path).
    return req.acks === -1 ? awaitCommitted(appended, req.timeoutMs).then(() => response) : response;
  },
});

interface PartitionProduce {
  readonly topic: string;
  readonly partition: number;
  readonly records: Buffer | null;
  readonly acks: number;
}

type Outcome = (Appended & { kind: 'appended' }) | { kind: 'error'; errorCode: number; message: string };

function producePartition(broker: Broker, p: PartitionProduce): Outcome {
  const found = lookupLeader(broker, broker.image.topicsByName.get(p.topic), p.partition);
  if (found.kind === 'error') return found;
  const { log, partition } = found;
  const config = broker.logConfigFor(p.topic);
  if (p.acks === -1 && partition.isr.length < config.minInsyncReplicas) {
    return fail(ErrorCode.NOT_ENOUGH_REPLICAS, `${partition.isr.length} in-sync replicas, min.insync.replicas is ${config.minInsyncReplicas}`);
  }
  const records = p.records ?? Buffer.alloc(0);
  const validated = validateBatches(records, { maxBatchBytes: config.maxMessageBytes, maxRecordsBytes: config.segmentBytes, requireSingleBatch: true });
  if (!validated.ok) return fail(validated.errorCode, validated.message);
  if (validated.batches.some((b) => b.isTransactional)) return fail(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, TRANSACTIONS_UNSUPPORTED);
  const nowMs = broker.clock.nowMs();
  const timestampProblem = checkTimestamps(validated.batches, config, nowMs);
  if (timestampProblem !== undefined) return fail(ErrorCode.INVALID_TIMESTAMP, timestampProblem);

  const result = log.appendAsLeader(records, validated.batches, { leaderEpoch: partition.leaderEpoch, nowMs });
  if (result.kind === 'error') return fail(result.errorCode, result.message);
  const response: PartitionResponse = {
    index: p.partition,
    errorCode: ErrorCode.NONE,
    baseOffset: BigInt(result.baseOffset),
    logAppendTimeMs: BigInt(result.kind === 'appended' ? result.logAppendTimeMs : -1),
    logStartOffset: BigInt(log.logStartOffset),
    errorMessage: null,
  };
  if (result.kind === 'appended') {
    broker.onAppended(log, records.length);
    broker.metrics.recordProduce(p.topic, validated.recordCount, records.length);
  }
  return { kind: 'appended', log, lastOffset: result.lastOffset, response };
}

/**
 * CreateTime bounds (Kafka's message.timestamp.before/after.max.ms), skipped for LogAppendTime
 * topics and for batches without timestamps (-1).
 */
function checkTimestamps(batches: readonly BatchView[], config: LogConfig, nowMs: number): string | undefined {
  if (config.messageTimestampType !== 'CreateTime') return undefined;
  for (const b of batches) {
    if (b.timestampType !== TimestampType.CreateTime) continue;
    if (b.maxTimestamp >= 0 && b.maxTimestamp - nowMs > config.messageTimestampAfterMaxMs) {
      return `timestamp ${b.maxTimestamp} is more than message.timestamp.after.max.ms=${config.messageTimestampAfterMaxMs} after the broker time ${nowMs}`;
    }
    if (b.baseTimestamp >= 0 && nowMs - b.baseTimestamp > config.messageTimestampBeforeMaxMs) {
      return `timestamp ${b.baseTimestamp} is more than message.timestamp.before.max.ms=${config.messageTimestampBeforeMaxMs} before the broker time ${nowMs}`;
    }
  }
  return undefined;
}

/**
 * acks=-1: resolves when the high watermark passed `lastOffset` of every appended partition, or
 * after `timeoutMs` (then the late ones answer REQUEST_TIMED_OUT, keeping their offsets, as Kafka).
 * With a single replica the high watermark equals the log end after every append, so this never
 * waits. With followers: park in a delayed-produce purgatory keyed like DelayedFetches.
 */
function awaitCommitted(appended: readonly Appended[], _timeoutMs: number): Promise<void> {
  const pending = appended.filter((a) => a.log.highWatermark <= a.lastOffset);
  if (pending.length > 0) throw new Error(`assertion failed: ${pending.length} partition(s) not committed after a single-replica append`);
  return Promise.resolve();
}

const TRANSACTIONS_UNSUPPORTED = 'transactions are not supported by this broker yet; use an idempotent producer without a transactional.id';

function transactionsUnsupported(index: number): PartitionResponse {
  return errorResponse(index, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, TRANSACTIONS_UNSUPPORTED);
}

function errorResponse(index: number, errorCode: number, message: string): PartitionResponse {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, errorMessage: message };
}

function fail(errorCode: number, message: string): { kind: 'error'; errorCode: number; message: string } {
  return { kind: 'error', errorCode, message };
}
