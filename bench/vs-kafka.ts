/**
 * `npm run bench:vs-kafka` (issue 4): Tributary and Apache Kafka side by side on this machine, with
 * the same clients (Kafka's own kafka-tools and librdkafka's rdkafka_performance), the same
 * partition counts and comparable settings, alternating the two systems over several rounds and
 * reporting each Tributary/Kafka ratio as median and spread (this machine is shared and noisy; ratios
 * of back-to-back runs hold better than absolute figures).
 *
 * Per round and system ("session"): fresh data dir, then
 *   W5 start-up (empty)  -> W1 produce (Java + librdkafka; 1 KiB x 1 and 6 partitions; 100 B)
 *   -> W3 latency at a fixed rate -> W2 fill + consume (Java + librdkafka) -> W5 restart with the
 *   log, recovery after kill -9, recovery after kill -9 right after a burst -> W7 1,000 partitions; W4 (peak RSS, CPU s per GiB) is read from
 *   /proc around W1 and W2. The physical limits (loopback TCP, sequential disk write) are measured
 *   once per run. W6 (replication) is declared and skipped until replication exists.
 *
 * Output: bench/results/<date>-vs-kafka.md, .svg and .json.
 * Usage: node --import tsx bench/vs-kafka.ts [--smoke] [--rounds 3] [--produce-mib 512]
 *          [--fill-mib 1024] [--seconds 10] [--w3-rate N] [--tsx] [--out DIR] [--skip-limits]
 *        node --import tsx bench/vs-kafka.ts --render bench/results/<date>-vs-kafka.json   (re-render only)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { KafkaAdmin } from '../broker/client/admin.js';
import { KafkaClient } from '../broker/client/client.js';
import { shippedNodeFlags } from '../tools/node-flags.js';
import { Args } from './lib/args.js';
import {
  REPO_ROOT, buildTributary, firstProduce, kafkaDist, prepareKafka, startKafka, startTributary, waitListening,
  KAFKA_JVM_OPTIONS, tributaryOverrides, type BrokerProcess,
} from './lib/brokers.js';
import { describeMachine, loadAverage, measureWindow, sampleProcess } from './lib/proc.js';
import { Results, type Sample, type SystemName } from './lib/results.js';
import { summarizeLatencies } from './lib/stats.js';
import { Tools } from './lib/tools.js';
import { METRICS } from './lib/vs-kafka-metrics.js';
import { renderReport, renderSvg, type ReportMeta } from './lib/vs-kafka-report.js';

const GiB = 1024 * 1024 * 1024;
const KAFKA_PORT = 19292;
const TRIBUTARY_PORT = 19392;
const TOOL_TIMEOUT_MS = 15 * 60_000;

export interface Settings {
  smoke: boolean;
  rounds: number;
  produceMiB: number;
  fillMiB: number;
  seconds: number;
  w3Rate: number | null;
  w7Partitions: number;
  tributaryMode: 'compiled' | 'tsx';
  skipLimits: boolean;
  outDir: string;
}

interface Context {
  settings: Settings;
  results: Results;
  tools: Tools;
  dist: string;
  compiledMain: string | undefined;
  w3Rate: number | null;
  log: (msg: string) => void;
}

/** One broker of one session: how to (re)start it and the probe topic used by W5. */
interface Subject {
  system: SystemName;
  round: number;
  dir: string;
  start(): BrokerProcess;
}

const TOPICS = {
  probe: 'probe',
  w1Java1: 'w1-java-1p',
  w1Java6: 'w1-java-6p',
  w1JavaSmall: 'w1-java-100b',
  w1Rdk1: 'w1-rdk-1p',
  w1Rdk6: 'w1-rdk-6p',
  w1RdkSmall: 'w1-rdk-100b',
  w3: 'w3-latency',
  w3e2e: 'w3-e2e',
  w2: 'w2-fill',
  w5Hot: 'w5-unflushed',
  w7: 'w7-many',
};

function parseSettings(argv: string[]): Settings {
  const args = new Args(argv, ['smoke', 'tsx', 'skip-limits']);
  const unknown = args.unknown(['smoke', 'tsx', 'skip-limits', 'rounds', 'produce-mib', 'fill-mib', 'seconds', 'w3-rate', 'w7-partitions', 'out']);
  if (unknown.length > 0) throw new Error(`unknown option(s): ${unknown.map((u) => `--${u}`).join(', ')}`);
  const smoke = args.flag('smoke');
  const w3 = args.optional('w3-rate');
  return {
    smoke,
    rounds: args.number('rounds', smoke ? 1 : 3),
    produceMiB: args.number('produce-mib', smoke ? 8 : 512),
    fillMiB: args.number('fill-mib', smoke ? 16 : 1024),
    seconds: args.number('seconds', smoke ? 2 : 10),
    w3Rate: w3 === undefined ? null : Number(w3),
    w7Partitions: args.number('w7-partitions', smoke ? 200 : 1000),
    tributaryMode: args.flag('tsx') ? 'tsx' : 'compiled',
    skipLimits: args.flag('skip-limits') || smoke,
    outDir: args.string('out', join(REPO_ROOT, 'bench', 'results')),
  };
}

function subjectFor(ctx: Context, system: SystemName, round: number): Subject {
  const dir = mkdtempSync(join(tmpdir(), `bench-${system}-r${round}-`));
  if (system === 'kafka') {
    prepareKafka(ctx.dist, KAFKA_PORT, dir);
    return { system, round, dir, start: () => startKafka(ctx.dist, KAFKA_PORT, dir) };
  }
  return {
    system, round, dir,
    start: () => startTributary({
      mode: ctx.settings.tributaryMode,
      ...(ctx.compiledMain !== undefined ? { compiledMain: ctx.compiledMain } : {}),
      port: TRIBUTARY_PORT, httpPort: TRIBUTARY_PORT + 1, dataDir: join(dir, 'data'),
    }),
  };
}

async function withAdmin<T>(broker: BrokerProcess, fn: (admin: KafkaAdmin, client: KafkaClient) => Promise<T>): Promise<T> {
  const client = new KafkaClient({ bootstrapServers: [broker.bootstrap], clientId: 'bench-admin' });
  try {
    return await fn(new KafkaAdmin(client), client);
  } finally {
    await client.close();
  }
}

/** Runs one step; a failure is written down and the session goes on with the next step. */
async function step(ctx: Context, s: Subject, name: string, fn: () => Promise<void>): Promise<void> {
  ctx.log(`  ${s.system} r${s.round}: ${name}`);
  try {
    await fn();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    ctx.results.errors.push(`round ${s.round}, ${s.system}, ${name}: ${msg.split('\n').slice(0, 6).join(' / ')}`);
    ctx.log(`    FAILED: ${msg.split('\n')[0]}`);
  }
}

async function session(ctx: Context, system: SystemName, round: number): Promise<void> {
  const s = subjectFor(ctx, system, round);
  const { results } = ctx;
  ctx.log(`round ${round}: ${system} (dir ${s.dir}, load ${loadAverage()})`);
  const errorsBefore = results.errors.length;
  let broker = s.start();
  try {
    await waitListening(broker);
    await withAdmin(broker, (admin) => admin.createTopics([
      { name: TOPICS.probe, numPartitions: 1, replicationFactor: 1 },
      { name: TOPICS.w1Java1, numPartitions: 1, replicationFactor: 1 },
      { name: TOPICS.w1Java6, numPartitions: 6, replicationFactor: 1 },
      { name: TOPICS.w1JavaSmall, numPartitions: 1, replicationFactor: 1 },
      { name: TOPICS.w1Rdk1, numPartitions: 1, replicationFactor: 1 },
      { name: TOPICS.w1Rdk6, numPartitions: 6, replicationFactor: 1 },
      { name: TOPICS.w1RdkSmall, numPartitions: 1, replicationFactor: 1 },
      { name: TOPICS.w3, numPartitions: 1, replicationFactor: 1 },
      { name: TOPICS.w3e2e, numPartitions: 1, replicationFactor: 1 },
      { name: TOPICS.w2, numPartitions: 6, replicationFactor: 1 },
      { name: TOPICS.w5Hot, numPartitions: 1, replicationFactor: 1 },
    ]));
    await firstProduce(broker, TOPICS.probe, performance.now());
    await broker.stop();
    broker = s.start();
    results.record('w5.startup.empty', system, round, await firstProduce(broker, TOPICS.probe, broker.spawnedAt));
    results.record('w4.idle.rss', system, round, sampleProcess(broker.pid).rssMiB);
    await w1(ctx, s, broker);
    await w3(ctx, s, broker);
    await w2(ctx, s, broker);
    broker = await w5(ctx, s, broker);
    await w7(ctx, s, broker);
  } finally {
    await broker.stop();
    if (results.errors.length === errorsBefore) {
      rmSync(s.dir, { recursive: true, force: true });
    } else {
      rmSync(join(s.dir, 'data'), { recursive: true, force: true });
      ctx.log(`  kept the broker log of this session in ${s.dir}`);
    }
  }
}

async function w1(ctx: Context, s: Subject, broker: BrokerProcess): Promise<void> {
  const records = Math.max(1000, Math.round((ctx.settings.produceMiB * 1024 * 1024) / 1024));
  const small = records * 2;
  const bootstrap = broker.bootstrap;
  const timeoutMs = TOOL_TIMEOUT_MS;
  const { results, tools } = ctx;
  await step(ctx, s, 'W1 Java 1 KiB x 1 partition', async () => {
    const close = measureWindow(broker.pid);
    const r = await tools.producerPerformance({ bootstrap, topic: TOPICS.w1Java1, records, recordBytes: 1024, throughput: -1, timeoutMs });
    const use = close();
    results.record('w1.java.1p', s.system, s.round, r.mibPerSec);
    results.record('w4.w1.rss', s.system, s.round, use.peakRssMiB);
    results.record('w4.w1.cpu', s.system, s.round, use.cpuSeconds / (r.bytes / GiB));
    if (s.system === 'kafka' && ctx.w3Rate === null) ctx.w3Rate = Math.max(100, Math.round(r.recordsPerSec / 2));
  });
  await step(ctx, s, 'W1 Java 1 KiB x 6 partitions', async () => {
    const r = await tools.producerPerformance({ bootstrap, topic: TOPICS.w1Java6, records, recordBytes: 1024, throughput: -1, timeoutMs });
    results.record('w1.java.6p', s.system, s.round, r.mibPerSec);
  });
  await step(ctx, s, 'W1 Java 100 B x 1 partition', async () => {
    const r = await tools.producerPerformance({ bootstrap, topic: TOPICS.w1JavaSmall, records: small, recordBytes: 100, throughput: -1, timeoutMs });
    results.record('w1.java.100b', s.system, s.round, r.recordsPerSec);
  });
  await step(ctx, s, 'W1 librdkafka 1 KiB x 1 partition', async () => {
    const r = await tools.rdkafkaProduce({ bootstrap, topic: TOPICS.w1Rdk1, records, recordBytes: 1024, timeoutMs });
    results.record('w1.rdk.1p', s.system, s.round, r.mibPerSec);
  });
  await step(ctx, s, 'W1 librdkafka 1 KiB x 6 partitions', async () => {
    const r = await tools.rdkafkaProduce({ bootstrap, topic: TOPICS.w1Rdk6, records, recordBytes: 1024, timeoutMs });
    results.record('w1.rdk.6p', s.system, s.round, r.mibPerSec);
  });
  await step(ctx, s, 'W1 librdkafka 100 B x 1 partition', async () => {
    const r = await tools.rdkafkaProduce({ bootstrap, topic: TOPICS.w1RdkSmall, records: small, recordBytes: 100, timeoutMs });
    results.record('w1.rdk.100b', s.system, s.round, r.recordsPerSec);
  });
}

async function w3(ctx: Context, s: Subject, broker: BrokerProcess): Promise<void> {
  const rate = ctx.w3Rate ?? 5000;
  const records = Math.max(200, Math.round(rate * ctx.settings.seconds));
  const { results, tools } = ctx;
  const bootstrap = broker.bootstrap;
  await step(ctx, s, `W3 Java ProducerPerformance at ${rate} records/s`, async () => {
    const r = await tools.producerPerformance({ bootstrap, topic: TOPICS.w3, records, recordBytes: 1024, throughput: rate, timeoutMs: TOOL_TIMEOUT_MS });
    results.record('w3.java.ack.p50', s.system, s.round, r.p50Ms);
    results.record('w3.java.ack.p99', s.system, s.round, r.p99Ms);
    results.record('w3.java.ack.p999', s.system, s.round, r.p999Ms);
  });
  await step(ctx, s, `W3 librdkafka end-to-end at ${rate} records/s`, async () => {
    const r = await tools.rdkafkaLatency({ bootstrap, topic: TOPICS.w3, records, recordBytes: 1024, rate, workDir: s.dir, timeoutMs: TOOL_TIMEOUT_MS });
    results.record('w3.rdk.e2e.p50', s.system, s.round, r.e2e.p50Ms);
    results.record('w3.rdk.e2e.p99', s.system, s.round, r.e2e.p99Ms);
    results.record('w3.rdk.e2e.p999', s.system, s.round, r.e2e.p999Ms);
    results.record('w3.rdk.ack.p99', s.system, s.round, r.ack.p99Ms);
  });
  await step(ctx, s, 'W3 Java EndToEndLatency (one record at a time)', async () => {
    const r = await tools.endToEndLatency({ bootstrap, topic: TOPICS.w3e2e, records: Math.max(200, ctx.settings.seconds * 300), recordBytes: 1024, timeoutMs: TOOL_TIMEOUT_MS });
    results.record('w3.java.e2e.p50', s.system, s.round, r.p50Ms);
    results.record('w3.java.e2e.p99', s.system, s.round, r.p99Ms);
    results.record('w3.java.e2e.p999', s.system, s.round, r.p999Ms);
  });
}

async function w2(ctx: Context, s: Subject, broker: BrokerProcess): Promise<void> {
  const records = Math.max(1000, Math.round(ctx.settings.fillMiB * 1024));
  const { results, tools } = ctx;
  const bootstrap = broker.bootstrap;
  let filled = false;
  await step(ctx, s, `W2 fill ${ctx.settings.fillMiB} MiB (Java, 6 partitions)`, async () => {
    const r = await tools.producerPerformance({ bootstrap, topic: TOPICS.w2, records, recordBytes: 1024, throughput: -1, timeoutMs: TOOL_TIMEOUT_MS });
    results.record('w2.fill', s.system, s.round, r.mibPerSec);
    filled = true;
  });
  if (!filled) return;
  await step(ctx, s, 'W2 consume (Java ConsumerPerformance)', async () => {
    const close = measureWindow(broker.pid);
    const r = await tools.consumerPerformance({ bootstrap, topic: TOPICS.w2, records, recordBytes: 1024, timeoutMs: TOOL_TIMEOUT_MS });
    const use = close();
    results.record('w2.java', s.system, s.round, r.fetchMibPerSec);
    results.record('w4.w2.rss', s.system, s.round, use.peakRssMiB);
    results.record('w4.w2.cpu', s.system, s.round, use.cpuSeconds / (r.bytes / GiB));
  });
  await step(ctx, s, 'W2 consume (librdkafka group consumer)', async () => {
    const r = await tools.rdkafkaConsume({ bootstrap, topic: TOPICS.w2, records, recordBytes: 1024, group: `rdk-${s.round}`, timeoutMs: TOOL_TIMEOUT_MS });
    results.record('w2.rdk', s.system, s.round, r.mibPerSec);
  });
}

function duMiB(dir: string): number {
  try {
    return Number(execFileSync('du', ['-sm', dir], { encoding: 'utf8' }).split('\t')[0]);
  } catch {
    return Number.NaN;
  }
}

async function w5(ctx: Context, s: Subject, first: BrokerProcess): Promise<BrokerProcess> {
  let broker = first;
  ctx.results.record('w5.log.size', s.system, s.round, duMiB(broker.dataDir));
  await step(ctx, s, 'W5 clean shutdown + start-up with the log', async () => {
    const stopStarted = performance.now();
    await broker.stop();
    ctx.results.record('w5.shutdown', s.system, s.round, performance.now() - stopStarted);
    broker = s.start();
    ctx.results.record('w5.startup.log', s.system, s.round, await firstProduce(broker, TOPICS.probe, broker.spawnedAt));
  });
  await step(ctx, s, 'W5 kill -9 + recovery', async () => {
    await broker.kill9();
    broker = s.start();
    ctx.results.record('w5.recovery', s.system, s.round, await firstProduce(broker, TOPICS.probe, broker.spawnedAt));
  });
  // The worst case for recovery: the kill lands right after a burst, before anything flushed it.
  await step(ctx, s, `W5 kill -9 right after writing ${ctx.settings.fillMiB} MiB + recovery`, async () => {
    const records = Math.max(1000, Math.round(ctx.settings.fillMiB * 1024));
    await ctx.tools.rdkafkaProduce({ bootstrap: broker.bootstrap, topic: TOPICS.w5Hot, records, recordBytes: 1024, timeoutMs: TOOL_TIMEOUT_MS });
    await broker.kill9();
    broker = s.start();
    ctx.results.record('w5.recovery.unflushed', s.system, s.round, await firstProduce(broker, TOPICS.probe, broker.spawnedAt));
  });
  return broker;
}

async function w7(ctx: Context, s: Subject, broker: BrokerProcess): Promise<void> {
  const n = ctx.settings.w7Partitions;
  await step(ctx, s, `W7 ${n} partitions`, async () => {
    await withAdmin(broker, async (admin, client) => {
      const started = performance.now();
      await admin.createTopics([{ name: TOPICS.w7, numPartitions: n, replicationFactor: 1 }]);
      ctx.results.record('w7.create', s.system, s.round, performance.now() - started);
      const latencies: number[] = [];
      for (let i = 0; i < 30; i++) {
        const t0 = performance.now();
        const topics = await client.refreshMetadata([TOPICS.w7]);
        latencies.push(performance.now() - t0);
        if (topics[0]?.partitions.length !== n) { latencies.length = 0; await new Promise((r) => setTimeout(r, 100)); }
      }
      ctx.results.record('w7.metadata.p50', s.system, s.round, summarizeLatencies(latencies).p50Ms);
    });
    const records = Math.max(1000, Math.round((ctx.settings.produceMiB * 1024) / 2));
    const r = await ctx.tools.producerPerformance({ bootstrap: broker.bootstrap, topic: TOPICS.w7, records, recordBytes: 1024, throughput: -1, timeoutMs: TOOL_TIMEOUT_MS });
    ctx.results.record('w7.produce', s.system, s.round, r.mibPerSec);
  });
}

async function physicalLimits(ctx: Context): Promise<Record<string, number>> {
  const limits: Record<string, number> = {};
  if (ctx.settings.skipLimits) return limits;
  const dir = mkdtempSync(join(tmpdir(), 'bench-limits-'));
  try {
    ctx.log('physical limits: iperf3 loopback, dd');
    limits['loopback TCP, one iperf3 stream (MiB/s)'] = await ctx.tools.loopbackTcp(19500, Math.max(3, Math.min(10, ctx.settings.seconds)));
    const disk = await ctx.tools.diskWrite(dir, ctx.settings.smoke ? 64 : 1024);
    limits['sequential write, dd bs=1M oflag=direct (MiB/s)'] = disk.directMibPerSec;
    limits['sequential write, dd bs=1M conv=fdatasync (MiB/s)'] = disk.bufferedSyncMibPerSec;
  } catch (err) {
    ctx.results.errors.push(`physical limits: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return limits;
}

function settingsTable(ctx: Context): Array<[string, string]> {
  const st = ctx.settings;
  return [
    ['rounds', `${st.rounds} (odd rounds Kafka first, even rounds Tributary first)`],
    ['Tributary', `this checkout, ${st.tributaryMode === 'compiled' ? 'bundled as shipped (npm run build: tools/build.ts, esbuild) and run with plain node' : 'TypeScript through tsx'} ${process.version} ${shippedNodeFlags().join(' ')} (bin/tributary.js's flags); overrides: ${tributaryOverrides(TRIBUTARY_PORT, TRIBUTARY_PORT + 1, '<dir>').join(', ')}`],
    ['Apache Kafka', `4.4.0 jars from Maven Central (scripts/kafka-dist.sh), KRaft combined broker+controller, JVM: ${KAFKA_JVM_OPTIONS.join(' ')} (kafka-server-start.sh defaults)`],
    ['flush / retention', 'both defaults: no forced fsync (log.flush.interval.messages/ms unset: page cache, fsync on segment roll and shutdown), log.segment.bytes 1 GiB, retention 168 h, no size limit'],
    ['partitions', 'W1: 1 and 6; 100 B: 1; W2: 6; W3: 1; W7: ' + st.w7Partitions],
    ['replication', 'factor 1 (single node); W6 not run'],
    ['W1 volume', `${st.produceMiB} MiB of 1 KiB records per run (100 B runs: twice the record count); acks=1; client default batching`],
    ['W2 volume', `${st.fillMiB} MiB of 1 KiB records in 6 partitions, filled by ProducerPerformance, read from the beginning`],
    ['W3', `fixed rate ${ctx.w3Rate ?? 'n/a'} records/s of 1 KiB (${st.w3Rate === null ? "half of Kafka's round-1 W1 Java 1-partition rate" : 'set with --w3-rate'}), ${st.seconds} s per latency run`],
    ['clients', 'kafka-tools 4.4.0 ProducerPerformance / ConsumerPerformance / EndToEndLatency (JVM -Xmx512m); librdkafka 2.0.2 rdkafka_performance (Debian example source; -X linger.ms=5 restores the librdkafka default, the tool itself sets 1000)'],
    ['W4', 'peak RSS = VmHWM after resetting it (clear_refs 5) at the workload start; CPU = utime+stime of the broker process during the workload / GiB moved'],
    ['W5', 'spawn of the broker process to the first acks=1 produce answered without error (probe retries every 10 ms)'],
  ];
}

/** `--render FILE.json`: re-renders the .md and .svg beside a saved run's .json (no benchmark). */
function rerender(jsonPath: string): void {
  const data = JSON.parse(readFileSync(jsonPath, 'utf8')) as { meta: ReportMeta; samples: Sample[]; errors: string[] };
  const results = new Results();
  for (const m of METRICS) results.define(m);
  for (const s of data.samples) results.record(s.metric, s.system, s.round, s.value);
  results.errors.push(...data.errors);
  const base = jsonPath.replace(/\.json$/, '');
  writeFileSync(`${base}.md`, renderReport(results, data.meta, `${basename(base)}.svg`));
  writeFileSync(`${base}.svg`, renderSvg(results, data.meta));
  process.stderr.write(`re-rendered ${base}.md and .svg\n`);
}

async function main(): Promise<void> {
  const renderIndex = process.argv.indexOf('--render');
  if (renderIndex >= 0) return rerender(process.argv[renderIndex + 1] ?? '');
  const settings = parseSettings(process.argv.slice(2));
  const started = Date.now();
  const log = (msg: string): void => { process.stderr.write(`[vs-kafka +${Math.round((Date.now() - started) / 1000)}s] ${msg}\n`); };
  const machine = describeMachine();
  const setup = execFileSync(join(REPO_ROOT, 'scripts', 'setup-bench.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n');
  const ctx: Context = {
    settings,
    results: new Results(),
    tools: new Tools(kafkaDist(), setup[setup.length - 1]!),
    dist: kafkaDist(),
    compiledMain: settings.tributaryMode === 'compiled' ? buildTributary() : undefined,
    w3Rate: settings.w3Rate,
    log,
  };
  for (const m of METRICS) ctx.results.define(m);
  const limits = await physicalLimits(ctx);
  for (let round = 1; round <= settings.rounds; round++) {
    const order: SystemName[] = round % 2 === 1 ? ['kafka', 'tributary'] : ['tributary', 'kafka'];
    for (const system of order) {
      try {
        await session(ctx, system, round);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        ctx.results.errors.push(`round ${round}, ${system}: session aborted: ${msg.split('\n').slice(0, 6).join(' / ')}`);
        log(`  session aborted: ${msg}`);
      }
    }
  }
  const date = new Date().toISOString().slice(0, 10);
  mkdirSync(settings.outDir, { recursive: true });
  const suffix = reportSuffix(settings, date);
  const base = join(settings.outDir, `${date}-vs-kafka${suffix}`);
  const command = `node --import tsx bench/vs-kafka.ts ${process.argv.slice(2).join(' ')}`.trim();
  const meta = { date, command, machine, settings: settingsTable(ctx), limits, durationS: (Date.now() - started) / 1000, loadAtEnd: loadAverage() };
  writeFileSync(`${base}.md`, renderReport(ctx.results, meta, `${date}-vs-kafka${suffix}.svg`));
  writeFileSync(`${base}.svg`, renderSvg(ctx.results, meta));
  writeFileSync(`${base}.json`, JSON.stringify({ meta, samples: ctx.results.samples, errors: ctx.results.errors }, null, 1));
  log(`wrote ${base}.md, .svg, .json in ${Math.round(meta.durationS)} s; ${ctx.results.errors.length} step(s) failed`);
  if (ctx.results.errors.length > 0) {
    for (const e of ctx.results.errors) log(`  failed: ${e}`);
    process.exitCode = 1;
  }
}

/** '-smoke' for smoke runs; '-2', '-3', ... when a report of the same date exists (keeps earlier runs). */
function reportSuffix(settings: Settings, date: string): string {
  if (settings.smoke) return '-smoke';
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? '' : `-${n}`;
    if (!existsSync(join(settings.outDir, `${date}-vs-kafka${suffix}.md`))) return suffix;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`vs-kafka failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
