/**
 * `npm run bench` (issue 2): one Tributary broker from this checkout, measured by a load generator
 * that does almost no work per request (bench/lib/loadgen.ts), printed as a Markdown table.
 *
 * Workloads (each `--seconds`, default 10; `--smoke` = 2 s for CI):
 *   produce throughput  1 KiB records in prebuilt ~64 KiB batches, acks=1, 8 requests in flight
 *   produce latency     open loop at a fixed moderate rate, p50/p99/p99.9 from intended send time
 *   consume throughput  fetch everything the throughput run wrote, from offset 0, 32 MiB per fetch
 * Beside each: the broker's CPU seconds and peak RSS during it (from /proc).
 *
 * Usage: node --import tsx bench/broker-bench.ts [--seconds N] [--smoke] [--tsx]
 *          [--bootstrap host:port]   measure an already running broker (Tributary or Kafka)
 *          [--cpu-prof DIR]          start the broker under `node --cpu-prof` (profile written on exit)
 *          [--record-bytes 1024] [--batch-kib 64] [--in-flight 8] [--connections 1] [--partitions 1]
 *          [--latency-rate 5000 (records/s)] [--latency-batch 5 (records per request)] [--json FILE]
 *          [--workloads produce,latency,consume]   a subset (e.g. `produce` for a produce-only profile)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaClient } from '../broker/client/client.js';
import { KafkaAdmin } from '../broker/client/admin.js';
import { parseAddress } from '../broker/client/connection.js';
import { ProduceRequest } from '../broker/protocol/generated/produce-request.js';
import { FetchRequest } from '../broker/protocol/generated/fetch-request.js';
import { Args } from './lib/args.js';
import { buildTributary, firstProduce, startTributary, waitListening, type BrokerProcess } from './lib/brokers.js';
import { consumeThroughput, produceLatency, produceThroughput, type Target } from './lib/loadgen.js';
import { measureWindow, loadAverage, type ResourceUse } from './lib/proc.js';
import { fmt, summarizeLatencies } from './lib/stats.js';

const MiB = 1024 * 1024;
const KNOWN = ['seconds', 'smoke', 'tsx', 'bootstrap', 'cpu-prof', 'record-bytes', 'batch-kib', 'in-flight', 'connections',
  'partitions', 'latency-rate', 'latency-batch', 'json', 'port', 'workloads'];

interface Row {
  workload: string;
  mbPerSec: number;
  recordsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  resources: ResourceUse | null;
  note: string;
}

async function withWindow<T>(pid: number | null, run: () => Promise<T>): Promise<{ result: T; resources: ResourceUse | null }> {
  const close = pid === null ? null : measureWindow(pid);
  const result = await run();
  return { result, resources: close === null ? null : close() };
}

async function main(): Promise<void> {
  const args = new Args(process.argv.slice(2), ['smoke', 'tsx']);
  const unknown = args.unknown(KNOWN);
  if (unknown.length > 0) throw new Error(`unknown option(s): ${unknown.map((u) => `--${u}`).join(', ')}`);
  const smoke = args.flag('smoke');
  const seconds = args.number('seconds', smoke ? 2 : 10);
  const recordBytes = args.number('record-bytes', 1024);
  const partitions = args.number('partitions', 1);
  const cpuProf = args.optional('cpu-prof');

  let broker: BrokerProcess | null = null;
  let dataDir: string | null = null;
  let startup = 'external broker';
  let bootstrap = args.optional('bootstrap');
  if (bootstrap === undefined) {
    const mode = args.flag('tsx') ? 'tsx' : 'compiled';
    const buildStarted = performance.now();
    const compiledMain = mode === 'compiled' ? buildTributary() : undefined;
    const buildMs = performance.now() - buildStarted;
    dataDir = mkdtempSync(join(tmpdir(), 'tributary-bench-'));
    const port = args.number('port', 19192);
    broker = startTributary({
      mode,
      ...(compiledMain !== undefined ? { compiledMain } : {}),
      port,
      httpPort: port + 1,
      dataDir: join(dataDir, 'data'),
      nodeArgs: cpuProf === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`],
    });
    const started = broker;
    const listeningMs = await waitListening(started).catch(async (err: unknown) => {
      await started.stop();
      rmSync(dataDir ?? '', { recursive: true, force: true });
      throw err;
    });
    startup = mode === 'compiled'
      ? `bundled as shipped (tools/build.ts) into the cache (${fmt(buildMs / 1000, 1)} s), run with plain node; listening after ${fmt(listeningMs, 0)} ms`
      : `TypeScript through tsx; listening after ${fmt(listeningMs, 0)} ms`;
    bootstrap = broker.bootstrap;
  }
  const { host, port } = parseAddress(bootstrap);
  const client = new KafkaClient({ bootstrapServers: [bootstrap], clientId: 'tributary-bench' });
  const admin = new KafkaAdmin(client);
  try {
    const topic = `bench-${Date.now()}`;
    await admin.createTopics([{ name: topic, numPartitions: partitions, replicationFactor: 1 }]);
    if (broker !== null) await firstProduce(broker, topic, performance.now());
    const info = (await client.refreshMetadata([topic]))[0]!;
    const target: Target = {
      host,
      port,
      topic,
      topicId: info.topicId,
      partitions,
      produceVersion: (await client.versionFor('any', ProduceRequest)) ?? 9,
      fetchVersion: (await client.versionFor('any', FetchRequest)) ?? 12,
    };
    const pid = broker?.pid ?? null;
    const rows: Row[] = [];
    const loadBefore = loadAverage();

    const workloads = new Set(args.string('workloads', 'produce,latency,consume').split(','));
    const run = { args, target, pid, recordBytes, seconds };
    if (workloads.has('produce')) rows.push(await produceRow(run));
    if (workloads.has('latency')) rows.push(await latencyRow(run));
    if (workloads.has('consume')) {
      const ends = await admin.listOffsets(Array.from({ length: partitions }, (_, p) => ({ topic, partition: p })), 'latest');
      rows.push(await consumeRow(run, ends.map((e) => e.offset)));
    }

    const table = renderTable(rows, { startup, seconds, loadBefore, loadAfter: loadAverage(), bootstrap });
    process.stdout.write(table);
    const jsonPath = args.optional('json');
    if (jsonPath !== undefined) writeFileSync(jsonPath, JSON.stringify({ startup, seconds, rows }, null, 2));
  } finally {
    await client.close();
    if (broker !== null) await broker.stop();
    if (dataDir !== null) rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Run {
  args: Args;
  target: Target;
  pid: number | null;
  recordBytes: number;
  seconds: number;
}

async function produceRow(run: Run): Promise<Row> {
  const { args, recordBytes } = run;
  const batchKiB = args.number('batch-kib', 64);
  const inFlight = args.number('in-flight', 8);
  const connections = args.number('connections', 1);
  const tp = await withWindow(run.pid, () => produceThroughput(run.target, {
    recordBytes, batchBytes: batchKiB * 1024, inFlight, connections, durationMs: run.seconds * 1000,
  }));
  return {
    workload: `produce ${recordBytes} B records, acks=1, ${batchKiB} KiB batches, ${inFlight} in flight x ${connections} conn`,
    mbPerSec: tp.result.bytes / MiB / tp.result.seconds,
    recordsPerSec: tp.result.records / tp.result.seconds,
    p50Ms: Number.NaN, p99Ms: Number.NaN, p999Ms: Number.NaN,
    resources: tp.resources,
    note: `${tp.result.requests} requests`,
  };
}

async function latencyRow(run: Run): Promise<Row> {
  const { args, recordBytes } = run;
  const rate = args.number('latency-rate', 5000);
  const perRequest = args.number('latency-batch', 5);
  const lat = await withWindow(run.pid, () => produceLatency(run.target, {
    recordBytes, recordsPerRequest: perRequest, recordsPerSecond: rate, durationMs: run.seconds * 1000,
  }));
  const summary = summarizeLatencies(lat.result.latenciesMs);
  const late = lat.result.lateSends > 0 ? `, ${lat.result.lateSends} sent >5 ms late` : '';
  return {
    workload: `produce latency at ${rate} records/s (${perRequest} per request), acks=1`,
    mbPerSec: (lat.result.records * recordBytes) / MiB / lat.result.seconds,
    recordsPerSec: lat.result.records / lat.result.seconds,
    p50Ms: summary.p50Ms, p99Ms: summary.p99Ms, p999Ms: summary.p999Ms,
    resources: lat.resources,
    note: `${summary.count} requests, max ${fmt(summary.maxMs, 1)} ms${late}`,
  };
}

async function consumeRow(run: Run, endOffsets: number[]): Promise<Row> {
  const cons = await withWindow(run.pid, () => consumeThroughput(run.target, { endOffsets, maxBytes: 64 * MiB, partitionMaxBytes: 32 * MiB }));
  return {
    workload: 'consume from offset 0 (everything written above), 32 MiB per fetch',
    mbPerSec: (cons.result.records * run.recordBytes) / MiB / cons.result.seconds,
    recordsPerSec: cons.result.records / cons.result.seconds,
    p50Ms: Number.NaN, p99Ms: Number.NaN, p999Ms: Number.NaN,
    resources: cons.resources,
    note: `${cons.result.requests} fetches, ${fmt(cons.result.bytes / MiB, 0)} MiB on the wire in ${fmt(cons.result.seconds, 1)} s`,
  };
}

function renderTable(rows: Row[], meta: { startup: string; seconds: number; loadBefore: number; loadAfter: number; bootstrap: string }): string {
  const lines = [
    `## Tributary broker benchmark (${new Date().toISOString()})`,
    '',
    `Broker: ${meta.bootstrap}, ${meta.startup}. ${meta.seconds} s per workload. ` +
      `Load average ${fmt(meta.loadBefore, 2)} before, ${fmt(meta.loadAfter, 2)} after (2-core machine shared with other work: figures are noisy).`,
    '',
    '| workload | MB/s | records/s | p50 ms | p99 ms | p99.9 ms | broker CPU s | broker peak RSS MiB | notes |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.workload} | ${fmt(r.mbPerSec, 1)} | ${fmt(r.recordsPerSec, 0)} | ${fmt(r.p50Ms, 2)} | ${fmt(r.p99Ms, 2)} | ${fmt(r.p999Ms, 2)} | ` +
      `${r.resources === null ? '-' : fmt(r.resources.cpuSeconds, 1)} | ${r.resources === null ? '-' : fmt(r.resources.peakRssMiB, 0)} | ${r.note} |`);
  }
  lines.push('', 'MB/s counts record payload bytes (MiB = 1,048,576 bytes).', '');
  return lines.join('\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
