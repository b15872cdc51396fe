/**
 * Wrappers around the third-party load generators that the side-by-side benchmark drives against
 * both brokers, each returning parsed figures:
 *   - Apache Kafka's own kafka-tools main classes: ProducerPerformance, ConsumerPerformance,
 *     EndToEndLatency (one JVM per run, from the cached jars);
 *   - librdkafka's rdkafka_performance (built by scripts/setup-bench.sh), in producer, group
 *     consumer and latency (-l) modes;
 *   - the physical limits: iperf3 over loopback and dd with O_DIRECT.
 * Every run is bounded by a timeout; a tool that exits non-zero or prints no summary throws with
 * the tail of its output. This is an I/O edge (child processes, files).
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { quantileSorted } from './stats.js';

const MiB = 1024 * 1024;
/** rdkafka_performance sets linger.ms=1000 for itself; put back librdkafka's own default (5 ms). */
const RDKAFKA_DEFAULT_LINGER = ['-X', 'linger.ms=5'];

export interface RunResult {
  code: number | null;
  output: string;
  ms: number;
}

/** Runs a command to completion (or kills it at `timeoutMs`), collecting stdout + stderr. */
export function run(cmd: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started });
    });
  });
}

function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

export class Tools {
  constructor(
    readonly kafkaDistDir: string,
    readonly rdkafkaPerformance: string,
  ) {}

  private java(mainClass: string, args: string[], timeoutMs: number): Promise<RunResult> {
    return run('java', [
      '-Xmx512m',
      `-Dlog4j2.configurationFile=${this.kafkaDistDir}/config/log4j2.properties`,
      '-cp', `${this.kafkaDistDir}/libs/*`,
      mainClass,
      ...args,
    ], timeoutMs);
  }

  /** ProducerPerformance: `throughput` -1 = as fast as possible. */
  async producerPerformance(o: { bootstrap: string; topic: string; records: number; recordBytes: number; throughput: number; timeoutMs: number }): Promise<ProducerPerf> {
    const r = await this.java('org.apache.kafka.tools.ProducerPerformance', [
      '--topic', o.topic, '--num-records', String(o.records), '--record-size', String(o.recordBytes), '--throughput', String(o.throughput),
      '--command-property', `bootstrap.servers=${o.bootstrap}`, 'acks=1',
    ], o.timeoutMs);
    const m = /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99.9th/.exec(r.output);
    if (r.code !== 0 || m === null) throw new Error(`ProducerPerformance failed (exit ${r.code}):\n${tail(r.output)}`);
    const records = Number(m[1]);
    return {
      records,
      bytes: records * o.recordBytes,
      recordsPerSec: Number(m[2]),
      mibPerSec: Number(m[3]),
      avgMs: Number(m[4]),
      maxMs: Number(m[5]),
      p50Ms: Number(m[6]),
      p99Ms: Number(m[8]),
      p999Ms: Number(m[9]),
    };
  }

  /** ConsumerPerformance (a group consumer) reading `records` from the beginning. */
  async consumerPerformance(o: { bootstrap: string; topic: string; records: number; recordBytes: number; timeoutMs: number }): Promise<ConsumerPerf> {
    const r = await this.java('org.apache.kafka.tools.ConsumerPerformance', [
      '--bootstrap-server', o.bootstrap, '--topic', o.topic, '--num-records', String(o.records), '--timeout', String(Math.min(o.timeoutMs, 60_000)),
    ], o.timeoutMs);
    const line = r.output.split('\n').find((l) => /^\d{4}-\d\d-\d\d .*,/.test(l));
    if (r.code !== 0 || line === undefined) throw new Error(`ConsumerPerformance failed (exit ${r.code}):\n${tail(r.output)}`);
    const cols = line.split(',').map((c) => c.trim());
    // start.time, end.time, MB, MB.sec, nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
    const records = Number(cols[4]);
    return {
      records,
      bytes: records * o.recordBytes,
      mibPerSec: Number(cols[3]),
      fetchMibPerSec: Number(cols[8]),
      fetchRecordsPerSec: Number(cols[9]),
      rebalanceMs: Number(cols[6]),
    };
  }

  /** EndToEndLatency: one record at a time, produce then consume it (acks=1). */
  async endToEndLatency(o: { bootstrap: string; topic: string; records: number; recordBytes: number; timeoutMs: number }): Promise<LatencyFigures> {
    const r = await this.java('org.apache.kafka.tools.EndToEndLatency', [
      '--bootstrap-server', o.bootstrap, '--topic', o.topic, '--num-records', String(o.records), '--producer-acks', '1', '--record-size', String(o.recordBytes),
    ], o.timeoutMs);
    const avg = /Avg latency: ([\d.]+) ms/.exec(r.output);
    const p = /Percentiles: 50th = (\d+), 99th = (\d+), 99.9th = (\d+)/.exec(r.output);
    if (r.code !== 0 || avg === null || p === null) throw new Error(`EndToEndLatency failed (exit ${r.code}):\n${tail(r.output)}`);
    return { count: o.records, avgMs: Number(avg[1]), p50Ms: Number(p[1]), p99Ms: Number(p[2]), p999Ms: Number(p[3]) };
  }

  /** rdkafka_performance producer, librdkafka's default batching, acks=1. */
  async rdkafkaProduce(o: { bootstrap: string; topic: string; records: number; recordBytes: number; timeoutMs: number }): Promise<Throughput> {
    const r = await run(this.rdkafkaPerformance, ['-P', '-t', o.topic, '-s', String(o.recordBytes), '-c', String(o.records), '-a', '1', ...RDKAFKA_DEFAULT_LINGER, '-b', o.bootstrap, '-q'], o.timeoutMs);
    const m = /(\d+) messages produced \((\d+) bytes\), (\d+) delivered .*? in (\d+)ms/.exec(r.output);
    if (r.code !== 0 || m === null || Number(m[3]) !== o.records) throw new Error(`rdkafka_performance -P failed (exit ${r.code}):\n${tail(r.output)}`);
    return throughput(Number(m[3]), Number(m[3]) * o.recordBytes, Number(m[4]));
  }

  /** rdkafka_performance as a group consumer (subscribe) from the earliest offset until `records`. */
  async rdkafkaConsume(o: { bootstrap: string; topic: string; records: number; recordBytes: number; group: string; timeoutMs: number }): Promise<Throughput> {
    const r = await run(this.rdkafkaPerformance, ['-G', o.group, '-t', o.topic, '-c', String(o.records), '-X', 'auto.offset.reset=earliest', '-b', o.bootstrap, '-q'], o.timeoutMs);
    const m = /(\d+) messages \((\d+) bytes\) consumed in (\d+)ms/.exec(r.output);
    if (m === null || Number(m[1]) < o.records) throw new Error(`rdkafka_performance -G failed (exit ${r.code}):\n${tail(r.output)}`);
    return throughput(Number(m[1]), Number(m[1]) * o.recordBytes, Number(m[3]));
  }

  /**
   * End-to-end latency at a fixed rate with librdkafka: a consumer (-l) on partition 0 from the end,
   * then a producer (-l -r rate) writing timestamped payloads; each side logs per-message latency in
   * microseconds (-A). Returns the consumer's (end-to-end) and the producer's (ack) percentiles.
   */
  async rdkafkaLatency(o: { bootstrap: string; topic: string; records: number; recordBytes: number; rate: number; workDir: string; timeoutMs: number }): Promise<{ e2e: LatencyFigures; ack: LatencyFigures }> {
    const consumerFile = join(o.workDir, 'rdk-e2e.txt');
    const producerFile = join(o.workDir, 'rdk-ack.txt');
    rmSync(consumerFile, { force: true });
    rmSync(producerFile, { force: true });
    const consumer = run(this.rdkafkaPerformance, ['-C', '-t', o.topic, '-p', '0', '-o', 'end', '-l', '-A', consumerFile, '-c', String(o.records), '-b', o.bootstrap, '-q'], o.timeoutMs);
    await new Promise((r) => setTimeout(r, 3_000)); // the consumer must sit at the end before the first record
    const producer = await run(this.rdkafkaPerformance, ['-P', '-t', o.topic, '-p', '0', '-s', String(o.recordBytes), '-c', String(o.records), '-r', String(o.rate), '-a', '1', ...RDKAFKA_DEFAULT_LINGER, '-l', '-A', producerFile, '-b', o.bootstrap, '-q'], o.timeoutMs);
    const consumed = await consumer;
    if (producer.code !== 0) throw new Error(`rdkafka_performance -P -l failed (exit ${producer.code}):\n${tail(producer.output)}`);
    const e2e = latencyFile(consumerFile);
    if (e2e.count < o.records * 0.99) throw new Error(`rdkafka_performance -C -l saw ${e2e.count} of ${o.records} records:\n${tail(consumed.output)}`);
    return { e2e, ack: latencyFile(producerFile) };
  }

  /** Loopback TCP throughput with iperf3 (one stream, `seconds`). */
  async loopbackTcp(port: number, seconds: number): Promise<number> {
    const server = run('iperf3', ['-s', '-1', '-p', String(port), '-B', '127.0.0.1'], (seconds + 20) * 1000);
    await new Promise((r) => setTimeout(r, 500));
    const client = await run('iperf3', ['-c', '127.0.0.1', '-p', String(port), '-t', String(seconds), '-J'], (seconds + 15) * 1000);
    await server;
    const json = JSON.parse(client.output) as { end?: { sum_received?: { bits_per_second?: number } } };
    const bps = json.end?.sum_received?.bits_per_second;
    if (bps === undefined) throw new Error(`iperf3 gave no result:\n${tail(client.output)}`);
    return bps / 8 / MiB;
  }

  /** Sequential write of `mib` MiB with dd: O_DIRECT (the device) and buffered + fdatasync. */
  async diskWrite(dir: string, mib: number): Promise<{ directMibPerSec: number; bufferedSyncMibPerSec: number }> {
    const file = join(dir, 'dd-test.bin');
    const once = async (flags: string[]): Promise<number> => {
      const r = await run('dd', ['if=/dev/zero', `of=${file}`, 'bs=1M', `count=${mib}`, ...flags], 600_000);
      rmSync(file, { force: true });
      const m = /copied, ([\d.]+) s/.exec(r.output);
      if (r.code !== 0 || m === null) throw new Error(`dd failed:\n${tail(r.output)}`);
      return mib / Number(m[1]);
    };
    return { directMibPerSec: await once(['oflag=direct']), bufferedSyncMibPerSec: await once(['conv=fdatasync']) };
  }
}

export interface Throughput {
  records: number;
  bytes: number;
  mibPerSec: number;
  recordsPerSec: number;
}

export interface ProducerPerf extends Throughput {
  avgMs: number;
  maxMs: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
}

export interface ConsumerPerf {
  records: number;
  bytes: number;
  mibPerSec: number;
  fetchMibPerSec: number;
  fetchRecordsPerSec: number;
  rebalanceMs: number;
}

export interface LatencyFigures {
  count: number;
  avgMs: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
}

function throughput(records: number, bytes: number, ms: number): Throughput {
  return { records, bytes, mibPerSec: bytes / MiB / (ms / 1000), recordsPerSec: records / (ms / 1000) };
}

function latencyFile(path: string): LatencyFigures {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { count: 0, avgMs: Number.NaN, p50Ms: Number.NaN, p99Ms: Number.NaN, p999Ms: Number.NaN };
  }
  const us = Float64Array.from(text.split('\n').filter((l) => l.trim() !== '').map(Number)).sort();
  const sum = us.reduce((a, b) => a + b, 0);
  return {
    count: us.length,
    avgMs: sum / us.length / 1000,
    p50Ms: quantileSorted(us, 0.5) / 1000,
    p99Ms: quantileSorted(us, 0.99) / 1000,
    p999Ms: quantileSorted(us, 0.999) / 1000,
  };
}
