/**
 * The load generator behind `npm run bench`: produce throughput (closed loop, N requests in flight),
 * produce latency (open loop at a fixed rate, latency measured from the intended send time so a
 * stall is not hidden by the generator waiting for it), and consume throughput (fetch from offset 0
 * with large byte limits).
 *
 * Record batches are built once with `encodeRecordBatch` and re-sent: with producerId -1 the broker
 * does no sequence checking and stamps offsets itself, so identical bytes are valid every time.
 * Any error code in a response fails the workload (a benchmark of rejected writes measures nothing).
 */
import { ProduceRequest } from '../../broker/protocol/generated/produce-request.js';
import { ProduceResponse } from '../../broker/protocol/generated/produce-response.js';
import { FetchRequest } from '../../broker/protocol/generated/fetch-request.js';
import { FetchResponse } from '../../broker/protocol/generated/fetch-response.js';
import { decodeResponseHeader, responseHeaderVersion } from '../../broker/protocol/header.js';
import { Reader } from '../../broker/protocol/primitives.js';
import { encodeRecordBatch } from '../../broker/protocol/records.js';
import { Pipe, buildFrame } from './pipe.js';

const CLIENT_ID = 'tributary-bench';

export interface Target {
  host: string;
  port: number;
  topic: string;
  topicId: string;
  partitions: number;
  produceVersion: number;
  fetchVersion: number;
}

/** Records of `recordBytes` bytes each (no key) so that the batch is about `batchBytes`. */
export function buildBatch(recordBytes: number, batchBytes: number): { batch: Buffer; records: number } {
  const perRecordOverhead = 8 + (recordBytes >= 64 ? 2 : 1) + 2; // length, attrs, deltas, key -1, value len, headers
  const records = Math.max(1, Math.floor((batchBytes - 61) / (recordBytes + perRecordOverhead)));
  const value = Buffer.alloc(recordBytes, 0x61);
  const batch = encodeRecordBatch({ records: Array.from({ length: records }, () => ({ value })), nowMs: Date.now() });
  return { batch, records };
}

function produceFrame(target: Target, partition: number, batch: Buffer, acks: number): Buffer {
  return buildFrame(ProduceRequest.apiKey, target.produceVersion, CLIENT_ID, (w) =>
    ProduceRequest.encode(w, target.produceVersion, {
      transactionalId: null,
      acks,
      timeoutMs: 30_000,
      topicData: [{ name: target.topic, partitionData: [{ index: partition, records: batch }] }],
    }),
  );
}

function checkProduceResponse(body: Buffer, version: number): void {
  const r = new Reader(body);
  decodeResponseHeader(r, responseHeaderVersion(ProduceRequest.apiKey, version));
  const response = ProduceResponse.decode(r, version);
  for (const t of response.responses) {
    for (const p of t.partitionResponses) {
      if (p.errorCode !== 0) throw new Error(`produce to ${t.name}-${p.index} failed with error code ${p.errorCode}`);
    }
  }
}

export interface ThroughputResult {
  records: number;
  bytes: number;
  requests: number;
  seconds: number;
}

export interface ProduceThroughputOptions {
  recordBytes: number;
  batchBytes: number;
  inFlight: number;
  durationMs: number;
  connections: number;
}

/** Closed loop: each connection keeps `inFlight` produce requests outstanding for `durationMs`. */
export async function produceThroughput(target: Target, options: ProduceThroughputOptions): Promise<ThroughputResult> {
  const { batch, records } = buildBatch(options.recordBytes, options.batchBytes);
  const pipes = await Promise.all(Array.from({ length: options.connections }, () => Pipe.connect(target.host, target.port)));
  let requests = 0;
  let nextPartition = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  await new Promise<void>((resolve, reject) => {
    let outstanding = 0;
    let failed = false;
    const launch = (pipe: Pipe, frames: Buffer[], slot: number): void => {
      const partition = nextPartition++ % target.partitions;
      const frame = frames[slot * target.partitions + partition]!;
      outstanding++;
      pipe.send(frame, (body, error) => {
        outstanding--;
        if (failed) return;
        try {
          if (error !== null) throw error;
          checkProduceResponse(body, target.produceVersion);
        } catch (err) {
          failed = true;
          reject(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        requests++;
        if (performance.now() < deadline) launch(pipe, frames, slot);
        else if (outstanding === 0) resolve();
      });
    };
    for (const pipe of pipes) {
      // One frame per (slot, partition): a slot's frame is only re-sent after its response arrived.
      const frames: Buffer[] = [];
      for (let slot = 0; slot < options.inFlight; slot++) {
        for (let p = 0; p < target.partitions; p++) frames.push(produceFrame(target, p, batch, 1));
      }
      for (let slot = 0; slot < options.inFlight; slot++) launch(pipe, frames, slot);
    }
  });
  const seconds = (performance.now() - started) / 1000;
  for (const pipe of pipes) pipe.close();
  return { records: requests * records, bytes: requests * records * options.recordBytes, requests, seconds };
}

export interface LatencyOptions {
  recordBytes: number;
  recordsPerRequest: number;
  recordsPerSecond: number;
  durationMs: number;
}

export interface LatencyResult {
  latenciesMs: number[];
  records: number;
  seconds: number;
  /** Requests that were sent later than 5 ms after their intended time (the generator lagged). */
  lateSends: number;
}

/** Open loop at a fixed rate; each latency runs from the intended send time to the response. */
export async function produceLatency(target: Target, options: LatencyOptions): Promise<LatencyResult> {
  const value = Buffer.alloc(options.recordBytes, 0x62);
  const batch = encodeRecordBatch({ records: Array.from({ length: options.recordsPerRequest }, () => ({ value })), nowMs: Date.now() });
  const pipe = await Pipe.connect(target.host, target.port);
  const intervalMs = (1000 * options.recordsPerRequest) / options.recordsPerSecond;
  const free: Buffer[] = [];
  const latenciesMs: number[] = [];
  let lateSends = 0;
  let sent = 0;
  let partition = 0;
  const started = performance.now();
  const total = Math.max(1, Math.floor(options.durationMs / intervalMs));
  await new Promise<void>((resolve, reject) => {
    let done = 0;
    const tick = (): void => {
      const now = performance.now();
      while (sent < total && started + sent * intervalMs <= now) {
        const intended = started + sent * intervalMs;
        if (now - intended > 5) lateSends++;
        const frame = free.pop() ?? produceFrame(target, partition, batch, 1);
        partition = (partition + 1) % target.partitions;
        sent++;
        pipe.send(frame, (body, error) => {
          try {
            if (error !== null) throw error;
            checkProduceResponse(body, target.produceVersion);
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
            return;
          }
          latenciesMs.push(performance.now() - intended);
          free.push(frame);
          if (++done === total) resolve();
        });
      }
      if (sent < total) setTimeout(tick, Math.max(0, started + sent * intervalMs - performance.now()));
    };
    tick();
  });
  const seconds = (performance.now() - started) / 1000;
  pipe.close();
  return { latenciesMs, records: total * options.recordsPerRequest, seconds, lateSends };
}

export interface ConsumeOptions {
  /** Read each partition from 0 up to this offset. */
  endOffsets: number[];
  maxBytes: number;
  partitionMaxBytes: number;
}

/** Walks complete batches in `records`: bytes and records in them, and the next offset to fetch. */
export function walkBatches(records: Buffer): { bytes: number; records: number; nextOffset: number } {
  let pos = 0;
  let count = 0;
  let nextOffset = -1;
  while (pos + 61 <= records.length) {
    const size = records.readInt32BE(pos + 8) + 12;
    if (pos + size > records.length) break;
    const lastOffsetDelta = records.readInt32BE(pos + 23);
    nextOffset = Number(records.readBigInt64BE(pos)) + lastOffsetDelta + 1;
    count += lastOffsetDelta + 1;
    pos += size;
  }
  return { bytes: pos, records: count, nextOffset };
}

/** One fetch in flight per partition, each from where the previous one ended. */
export async function consumeThroughput(target: Target, options: ConsumeOptions): Promise<ThroughputResult> {
  const pipe = await Pipe.connect(target.host, target.port);
  let bytes = 0;
  let records = 0;
  let requests = 0;
  const started = performance.now();
  const fetchFrom = (partition: number, offset: number): Promise<{ records: Buffer | null; errorCode: number }> =>
    new Promise((resolve, reject) => {
      const frame = buildFrame(FetchRequest.apiKey, target.fetchVersion, CLIENT_ID, (w) =>
        FetchRequest.encode(w, target.fetchVersion, {
          replicaId: -1,
          maxWaitMs: 500,
          minBytes: 1,
          maxBytes: options.maxBytes,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [{ topic: target.topic, topicId: target.topicId, partitions: [{ partition, fetchOffset: BigInt(offset), partitionMaxBytes: options.partitionMaxBytes }] }],
        }),
      );
      pipe.send(frame, (body, error) => {
        if (error !== null) return reject(error);
        const r = new Reader(body);
        decodeResponseHeader(r, responseHeaderVersion(FetchRequest.apiKey, target.fetchVersion));
        const response = FetchResponse.decode(r, target.fetchVersion);
        const p = response.responses[0]?.partitions[0];
        resolve({ records: p?.records ?? null, errorCode: p?.errorCode ?? response.errorCode });
      });
    });
  const readPartition = async (partition: number, endOffset: number): Promise<void> => {
    let offset = 0;
    while (offset < endOffset) {
      const result = await fetchFrom(partition, offset);
      requests++;
      if (result.errorCode !== 0) throw new Error(`fetch ${target.topic}-${partition}@${offset} failed with error code ${result.errorCode}`);
      const walked = walkBatches(result.records ?? Buffer.alloc(0));
      if (walked.nextOffset < 0) throw new Error(`fetch ${target.topic}-${partition}@${offset} returned no complete batch`);
      bytes += walked.bytes;
      records += walked.records;
      offset = walked.nextOffset;
    }
  };
  await Promise.all(options.endOffsets.map((end, p) => readPartition(p, end)));
  const seconds = (performance.now() - started) / 1000;
  pipe.close();
  return { records, bytes, requests, seconds };
}
