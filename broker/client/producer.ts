/**
 * `Producer`: writes records to a topic through a `KafkaClient`.
 *
 * Contracts:
 * - Partitioning: an explicit `partition` wins; a keyed record goes where the Java client's
 *   default partitioner puts it (murmur2, see partitioner.ts); unkeyed records of one `send` call
 *   all go to one partition, and the next call moves to the next partition (a coarse form of
 *   Kafka's sticky partitioner).
 * - Each `send` makes one v2 batch per partition (split when large), one Produce request per
 *   leader, and resolves when every batch is acknowledged per `acks` (default -1 = all ISR).
 *   `send` calls are serialized: a call starts after the previous one finished, so records of
 *   successive calls stay in order per partition.
 * - Retriable errors (leader moved, not enough replicas, timeouts, dropped connections) refresh
 *   metadata and resend the same batch bytes, up to `retries` times. With `idempotent: true` the
 *   producer gets a producer id from InitProducerId and numbers batches per partition, so a resent
 *   batch the broker already has is answered as a duplicate instead of written twice.
 * - Time: record timestamps default to the wall clock (this is an I/O edge).
 */
import { InitProducerIdRequest } from '../protocol/generated/init-producer-id-request.js';
import { InitProducerIdResponse } from '../protocol/generated/init-producer-id-response.js';
import { ProduceRequest } from '../protocol/generated/produce-request.js';
import { ProduceResponse } from '../protocol/generated/produce-response.js';
import { Compression } from '../protocol/compression.js';
import { ErrorCode, errorInfo } from '../protocol/errors.js';
import { encodeRecordBatch, type Bytes, type RecordInput } from '../protocol/records.js';
import type { KafkaClient } from './client.js';
import { ConnectionError, RequestTimeoutError } from './connection.js';
import { BrokerError, isStaleMetadataError, throwIfError } from './errors.js';
import { partitionForKey } from './partitioner.js';
import { sleep } from './retry.js';

export interface ProducerOptions {
  /** -1 (all in-sync replicas, default), 1 (leader) or 0 (no answer). */
  acks?: -1 | 0 | 1;
  /** How long the broker may wait for replication (Produce `timeoutMs`). */
  timeoutMs?: number;
  idempotent?: boolean;
  compression?: Compression;
  retries?: number;
  retryBackoffMs?: number;
  /** A batch is closed once its estimated size passes this many bytes. */
  batchBytesMax?: number;
}

export interface ProducerRecord {
  key?: Bytes;
  value: Bytes;
  headers?: Array<{ key: string; value?: Bytes }>;
  partition?: number;
  timestamp?: number;
}

export interface RecordMetadata {
  topic: string;
  partition: number;
  /** -1 with acks=0, or when the broker reported the batch as a duplicate. */
  offset: number;
}

const PRODUCE_MIN_VERSION = 3; // the first version that carries v2 record batches
const RECORD_OVERHEAD_BYTES = 24;
const INT32_MAX = 0x7fffffff;

interface PendingBatch {
  partition: number;
  /** Indexes of the batch's records in the `send` call. */
  indexes: number[];
  bytes: Buffer;
  baseOffset: number;
  done: boolean;
}

export class Producer {
  private readonly client: KafkaClient;
  private readonly acks: -1 | 0 | 1;
  private readonly timeoutMs: number;
  private readonly idempotent: boolean;
  private readonly compression: Compression;
  private readonly retries: number;
  private readonly retryBackoffMs: number;
  private readonly batchBytesMax: number;
  private readonly stickyCounter = new Map<string, number>();
  private readonly sequences = new Map<string, number>();
  private producerId = -1;
  private producerEpoch = -1;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(client: KafkaClient, options: ProducerOptions = {}) {
    this.client = client;
    this.acks = options.acks ?? -1;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.idempotent = options.idempotent ?? false;
    if (this.idempotent && this.acks !== -1) throw new Error('An idempotent producer needs acks=-1 (all)');
    this.compression = options.compression ?? Compression.None;
    this.retries = options.retries ?? 5;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.batchBytesMax = options.batchBytesMax ?? 512 * 1024;
  }

  /** Writes `records` to `topic`; resolves with each record's partition and offset, in input order. */
  send(topic: string, records: ProducerRecord[]): Promise<RecordMetadata[]> {
    const run = this.tail.then(() => this.sendNow(topic, records));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Waits for sends in progress. The client stays open (it belongs to the caller). */
  async close(): Promise<void> {
    await this.tail;
  }

  private async sendNow(topic: string, records: ProducerRecord[]): Promise<RecordMetadata[]> {
    if (records.length === 0) return [];
    if (this.idempotent && this.producerId < 0) await this.initProducerId();
    let info = this.client.topic(topic) ?? (await this.client.topicMetadata(topic));
    if (info.partitions.some((p) => p.leaderId < 0)) info = await this.client.topicMetadata(topic);
    const numPartitions = info.partitions.length;
    const sticky = this.nextSticky(topic, numPartitions);
    const partitions = records.map((r) => this.partitionOf(r, numPartitions, sticky));
    for (const p of partitions) {
      if (!(p >= 0 && p < numPartitions)) throw new BrokerError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null, `${topic}-${p}`);
    }
    const batches = this.makeBatches(topic, records, partitions);
    await this.deliver(topic, batches);
    const offsets: RecordMetadata[] = new Array(records.length);
    for (const b of batches.flat()) {
      b.indexes.forEach((index, i) => {
        offsets[index] = { topic, partition: b.partition, offset: b.baseOffset < 0 ? -1 : b.baseOffset + i };
      });
    }
    return offsets;
  }

  private partitionOf(record: ProducerRecord, numPartitions: number, sticky: number): number {
    if (record.partition !== undefined) return record.partition;
    if (record.key !== undefined && record.key !== null) {
      const key = typeof record.key === 'string' ? Buffer.from(record.key, 'utf8') : record.key;
      return partitionForKey(key, numPartitions);
    }
    return sticky;
  }

  private nextSticky(topic: string, numPartitions: number): number {
    const next = this.stickyCounter.get(topic) ?? Math.floor(Math.random() * numPartitions);
    this.stickyCounter.set(topic, next + 1);
    return next % numPartitions;
  }

  /** Groups records per partition into batches no larger than `batchBytesMax` (estimated). */
  private makeBatches(topic: string, records: ProducerRecord[], partitions: number[]): PendingBatch[][] {
    const perPartition = new Map<number, number[][]>();
    const sizes = new Map<number, number>();
    records.forEach((r, index) => {
      const p = partitions[index]!;
      const groups = perPartition.get(p) ?? [[]];
      perPartition.set(p, groups);
      const size = estimateSize(r);
      if ((sizes.get(p) ?? 0) + size > this.batchBytesMax && groups[groups.length - 1]!.length > 0) {
        groups.push([]);
        sizes.set(p, 0);
      }
      groups[groups.length - 1]!.push(index);
      sizes.set(p, (sizes.get(p) ?? 0) + size);
    });
    // Round i holds batch i of every partition: Produce carries one batch per partition.
    const rounds: PendingBatch[][] = [];
    const nowMs = Date.now();
    for (const [partition, groups] of perPartition) {
      groups.forEach((indexes, round) => {
        (rounds[round] ??= []).push(this.encode(topic, records, partition, indexes, nowMs));
      });
    }
    return rounds;
  }

  private encode(topic: string, records: ProducerRecord[], partition: number, indexes: number[], nowMs: number): PendingBatch {
    const inputs: RecordInput[] = indexes.map((i) => {
      const r = records[i]!;
      const input: RecordInput = { key: r.key ?? null, value: r.value };
      if (r.headers !== undefined) input.headers = r.headers;
      if (r.timestamp !== undefined) input.timestamp = r.timestamp;
      return input;
    });
    const options: Parameters<typeof encodeRecordBatch>[0] = { records: inputs, nowMs, compression: this.compression };
    if (this.idempotent) {
      options.producerId = this.producerId;
      options.producerEpoch = this.producerEpoch;
      const key = `${topic}-${partition}`;
      options.baseSequence = this.sequences.get(key) ?? 0;
      this.sequences.set(key, (options.baseSequence + indexes.length) % (INT32_MAX + 1));
    }
    return { partition, indexes, bytes: encodeRecordBatch(options), baseOffset: -1, done: false };
  }

  private async deliver(topic: string, rounds: PendingBatch[][]): Promise<void> {
    for (const round of rounds) {
      for (let attempt = 0; ; attempt++) {
        const pending = round.filter((b) => !b.done);
        if (pending.length === 0) break;
        let retriable: unknown = null;
        const byLeader = new Map<number, PendingBatch[]>();
        for (const b of pending) {
          const leader = this.client.leaderOf(topic, b.partition);
          if (leader < 0) retriable = new BrokerError(ErrorCode.LEADER_NOT_AVAILABLE, null, `${topic}-${b.partition}`);
          else byLeader.set(leader, [...(byLeader.get(leader) ?? []), b]);
        }
        const outcomes = await Promise.allSettled([...byLeader].map(([leader, bs]) => this.produceTo(leader, topic, bs)));
        for (const o of outcomes) {
          if (o.status === 'rejected') {
            if (!isRetriableProduceError(o.reason) || attempt >= this.retries) throw o.reason;
            retriable = o.reason;
          }
        }
        if (retriable === null) continue;
        if (attempt >= this.retries) throw retriable;
        await sleep(this.retryBackoffMs * (attempt + 1));
        await this.client.refreshMetadata([topic]).catch(() => undefined);
      }
    }
  }

  /** One Produce request to `leader`; marks batches done, throws the first error. */
  private async produceTo(leader: number, topic: string, batches: PendingBatch[]): Promise<void> {
    const { version, response } = await this.client.request(
      leader,
      { request: ProduceRequest, response: ProduceResponse },
      {
        transactionalId: null,
        acks: this.acks,
        timeoutMs: this.timeoutMs,
        topicData: [{ name: topic, partitionData: batches.map((b) => ({ index: b.partition, records: b.bytes })) }],
      },
      { expectResponse: this.acks !== 0, timeoutMs: this.timeoutMs + 5_000 },
    );
    if (version < PRODUCE_MIN_VERSION) throw new BrokerError(ErrorCode.UNSUPPORTED_VERSION, 'the broker does not accept v2 record batches');
    if (this.acks === 0) {
      for (const b of batches) b.done = true;
      return;
    }
    let firstError: unknown = null;
    for (const t of response.responses) {
      for (const p of t.partitionResponses) {
        const batch = batches.find((b) => b.partition === p.index);
        if (batch === undefined) continue;
        if (p.errorCode === ErrorCode.NONE || (this.idempotent && p.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER)) {
          batch.done = true;
          batch.baseOffset = p.errorCode === ErrorCode.NONE ? Number(p.baseOffset) : -1;
          continue;
        }
        const detail = p.errorMessage ?? p.recordErrors.map((e) => e.batchIndexErrorMessage).find((m) => m !== null) ?? null;
        firstError ??= new BrokerError(p.errorCode, detail, `${t.name}-${p.index}`);
      }
    }
    if (firstError !== null) throw firstError;
    const missing = batches.find((b) => !b.done);
    if (missing !== undefined) throw new BrokerError(ErrorCode.UNKNOWN_SERVER_ERROR, 'Produce response left out a partition', `${topic}-${missing.partition}`);
  }

  private async initProducerId(): Promise<void> {
    const response = await this.client.send('any', { request: InitProducerIdRequest, response: InitProducerIdResponse }, {
      transactionalId: null,
      transactionTimeoutMs: 60_000,
      producerId: -1n,
      producerEpoch: -1,
    });
    throwIfError(response.errorCode, null, 'InitProducerId');
    this.producerId = Number(response.producerId);
    this.producerEpoch = response.producerEpoch;
    this.sequences.clear();
  }
}

function estimateSize(r: ProducerRecord): number {
  const len = (b: Bytes | undefined): number => (b === undefined || b === null ? 0 : typeof b === 'string' ? Buffer.byteLength(b) : b.length);
  let size = RECORD_OVERHEAD_BYTES + len(r.key) + len(r.value);
  for (const h of r.headers ?? []) size += Buffer.byteLength(h.key) + len(h.value) + 4;
  return size;
}

function isRetriableProduceError(e: unknown): boolean {
  if (e instanceof ConnectionError || e instanceof RequestTimeoutError) return true;
  if (!(e instanceof BrokerError)) return false;
  if (e.code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER || e.code === ErrorCode.INVALID_PRODUCER_EPOCH) return false;
  return isStaleMetadataError(e.code) || errorInfo(e.code).retriable;
}
