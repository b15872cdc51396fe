/**
 * Starting and stopping the brokers under test, the same way for both systems: a child process on
 * loopback with its own data directory, its pid known (for /proc readings), and a "first successful
 * produce" probe that defines when it is up (W5 start-up and recovery use the same probe).
 *
 * Tributary runs from this checkout, either compiled (the shipped bundle of tools/build.ts, built
 * into the cache, then plain `node`) or through tsx; the report names the mode. Apache Kafka runs from the jars that
 * scripts/kafka-dist.sh caches, in KRaft combined mode with the JVM options of its own
 * kafka-server-start.sh (1 GiB heap, G1). This is an I/O edge: it spawns processes and opens sockets.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '../../broker/client/connection.js';
import { negotiateVersions } from '../../broker/client/client.js';
import { ProduceRequest } from '../../broker/protocol/generated/produce-request.js';
import { ProduceResponse } from '../../broker/protocol/generated/produce-response.js';
import { encodeRecordBatch } from '../../broker/protocol/records.js';
import { buildBundles } from '../../tools/build.js';
import { shippedNodeFlags } from '../../tools/node-flags.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CACHE_DIR = process.env['TRIBUTARY_CACHE'] ?? join(process.env['HOME'] ?? '/tmp', '.cache', 'tributary');

export type System = 'tributary' | 'kafka';
export type TributaryMode = 'compiled' | 'tsx';

export interface BrokerProcess {
  system: System;
  pid: number;
  host: string;
  port: number;
  bootstrap: string;
  dataDir: string;
  logFile: string;
  /** performance.now() when the process was spawned. */
  spawnedAt: number;
  /** SIGTERM, wait up to `timeoutMs`, then SIGKILL. */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL and wait for the exit. */
  kill9(): Promise<void>;
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => child.once('exit', () => resolveExit()));
}

function handleFor(system: System, child: ChildProcess, fields: Omit<BrokerProcess, 'system' | 'pid' | 'stop' | 'kill9' | 'bootstrap'>): BrokerProcess {
  const exited = waitExit(child);
  return {
    system,
    pid: child.pid!,
    bootstrap: `${fields.host}:${fields.port}`,
    ...fields,
    async stop(timeoutMs = 60_000) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

// ---- Tributary ----

/**
 * Builds what ships: the `tributary` bundle of tools/build.ts (`npm run build` without its type
 * check), into the cache rather than the work tree; returns the bundle's path. Its external packages
 * (the native addons) resolve through a node_modules link beside it.
 */
export function buildTributary(): string {
  const outDir = join(CACHE_DIR, 'bench-build');
  const { tributary } = buildBundles(outDir);
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(outDir, 'node_modules'));
  return tributary;
}

export interface TributaryStartOptions {
  mode: TributaryMode;
  /** Compiled CLI path from `buildTributary` (mode 'compiled'). */
  compiledMain?: string;
  port: number;
  httpPort: number;
  dataDir: string;
  overrides?: string[];
  nodeArgs?: string[];
}

/** The broker settings both benchmarks use, beyond the defaults (see the report's settings table). */
export function tributaryOverrides(port: number, httpPort: number, dataDir: string): string[] {
  return [
    `listeners=PLAINTEXT://127.0.0.1:${port}`,
    `log.dirs=${dataDir}`,
    `tributary.http.listener=http://127.0.0.1:${httpPort}`,
    'group.initial.rebalance.delay.ms=0',
    'offsets.topic.num.partitions=10',
    'auto.create.topics.enable=false',
  ];
}

export function startTributary(options: TributaryStartOptions): BrokerProcess {
  mkdirSync(options.dataDir, { recursive: true });
  const logFile = `${options.dataDir}.log`;
  const out = openSync(logFile, 'a');
  const entry = options.mode === 'compiled' ? [options.compiledMain ?? buildTributary()] : ['--import', 'tsx', join(REPO_ROOT, 'cli', 'main.ts')];
  const overrides = [...tributaryOverrides(options.port, options.httpPort, options.dataDir), ...(options.overrides ?? [])];
  // As the tributary command runs it; `nodeArgs` come after (and win).
  const args = [...shippedNodeFlags(), ...(options.nodeArgs ?? []), ...entry, 'broker', 'start', ...overrides.flatMap((o) => ['--override', o])];
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', out, out] });
  closeSync(out);
  return handleFor('tributary', child, { host: '127.0.0.1', port: options.port, dataDir: options.dataDir, logFile, spawnedAt });
}

// ---- Apache Kafka ----

export function kafkaDist(): string {
  return execFileSync(join(REPO_ROOT, 'scripts', 'kafka-dist.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/** JVM options of Kafka's own kafka-server-start.sh / kafka-run-class.sh defaults. */
export const KAFKA_JVM_OPTIONS = [
  '-Xmx1G',
  '-Xms1G',
  '-server',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent',
  '-XX:MaxInlineLevel=15',
  '-Djava.awt.headless=true',
];

export function kafkaServerProperties(port: number, dataDir: string): string {
  return [
    '# Written by bench/lib/brokers.ts: one node, combined roles, loopback only.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${port + 1}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${port + 1}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    `log.dirs=${dataDir}/data`,
    'num.partitions=1',
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=5',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

/**
 * Kafka's cluster id format: 16 random bytes, URL-safe base64 without padding; like Kafka's own
 * Uuid, never one starting with '-', which its CLI would read as a flag.
 */
function kafkaClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Writes server.properties into a fresh `dir` and formats its log dir (one JVM run). */
export function prepareKafka(dist: string, port: number, dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'server.properties'), kafkaServerProperties(port, dir));
  execFileSync(
    'java',
    ['-cp', `${dist}/libs/*`, `-Dlog4j2.configurationFile=${dist}/config/log4j2.properties`, 'kafka.tools.StorageTool', 'format',
      '-t', kafkaClusterId(), '-c', join(dir, 'server.properties')],
    { stdio: 'pipe' },
  );
}

/** Starts Kafka on an already prepared `dir` (a restart keeps its log). */
export function startKafka(dist: string, port: number, dir: string): BrokerProcess {
  const logFile = join(dir, 'kafka.log');
  const out = openSync(logFile, 'a');
  const args = [...KAFKA_JVM_OPTIONS, `-Dlog4j2.configurationFile=${dist}/config/log4j2.properties`, '-cp', `${dist}/libs/*`, 'kafka.Kafka', join(dir, 'server.properties')];
  const spawnedAt = performance.now();
  const child = spawn('java', args, { stdio: ['ignore', out, out] });
  closeSync(out);
  return handleFor('kafka', child, { host: '127.0.0.1', port, dataDir: join(dir, 'data'), logFile, spawnedAt });
}

// ---- the "first successful produce" probe ----

/**
 * Retries one acks=1 produce of a 1-record batch to `topic`-0 every 10 ms until it succeeds; returns
 * the milliseconds from `since` (performance.now()) to that success. A topic that does not exist
 * yet counts as "not up" (so, for a fresh broker, create the topic in `beforeProduce`).
 */
export async function firstProduce(broker: BrokerProcess, topic: string, since: number, timeoutMs = 120_000): Promise<number> {
  const deadline = since + timeoutMs;
  const batch = encodeRecordBatch({ records: [{ value: Buffer.from('probe') }], nowMs: Date.now() });
  let lastError = 'never connected';
  while (performance.now() < deadline) {
    let connection: Connection | null = null;
    try {
      connection = await Connection.connect({ host: broker.host, port: broker.port, clientId: 'bench-probe', connectTimeoutMs: 1_000, requestTimeoutMs: 5_000 });
      const versions = await negotiateVersions(connection);
      const version = Math.min(versions.get(ProduceRequest.apiKey)?.maxVersion ?? 9, 11);
      for (;;) {
        const response = await connection.send(ProduceRequest, ProduceResponse, version, {
          transactionalId: null,
          acks: 1,
          timeoutMs: 5_000,
          topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
        });
        const code = response.responses[0]?.partitionResponses[0]?.errorCode ?? -1;
        if (code === 0) return performance.now() - since;
        lastError = `error code ${code}`;
        if (performance.now() >= deadline) break;
        await sleep(10);
      }
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
      await sleep(10);
    } finally {
      connection?.close();
    }
  }
  throw new Error(`${broker.system} never accepted a produce to ${topic} within ${timeoutMs} ms: ${lastError}`);
}

/** Waits until the port accepts ApiVersions (the broker is listening). */
export async function waitListening(broker: BrokerProcess, timeoutMs = 120_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({ host: broker.host, port: broker.port, clientId: 'bench-probe', connectTimeoutMs: 1_000, requestTimeoutMs: 5_000 });
      await negotiateVersions(connection);
      connection.close();
      return performance.now() - broker.spawnedAt;
    } catch (err) {
      if (performance.now() > deadline) throw new Error(`${broker.system} not listening after ${timeoutMs} ms (log: ${broker.logFile}): ${String(err)}`);
      await sleep(20);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
