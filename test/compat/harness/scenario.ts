/**
 * The one scenario every third-party client plays against the broker under test:
 *
 *   1. create a fresh topic with 3 partitions (with the client's own admin API where it has one),
 *   2. produce 10,000 keyed records from one producer, keyed with the Java client's partitioner,
 *   3. consume them all in a fresh consumer group and commit,
 *   4. check record by record: each exactly once, in its key's partition, at contiguous offsets,
 *      in send order within the partition; the producer's acks (where the tool reports them) name
 *      the same partitions and offsets; kafkajs reads the very same records back; and the group's
 *      committed offsets reached every partition's end.
 *
 * Each phase is timed and logged with t.log, so a slow broker shows up even when it is correct.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import {
  assertBrokerReachable,
  createTopicWithKafkajs,
  describeTopic,
  fetchGroupProgress,
  readTopicWithKafkajs,
} from './broker.js';
import { bootstrap, partitionCount, recordCount } from './env.js';
import { makeRecords, writeRecordsFile, type SeenRecord, type SentRecord } from './records.js';
import { findDeliveryProblems, findSetDifferences } from './verify.js';

export interface ScenarioContext {
  bootstrap: string;
  topic: string;
  group: string;
  partitionCount: number;
  recordCount: number;
  /** `key<TAB>value` per line, in send order. */
  inputPath: string;
  records: readonly SentRecord[];
  /** Per-tool-run timeout. */
  toolTimeoutMs: number;
}

export interface ClientDriver {
  /** Short, topic-name-safe name of the client. */
  name: string;
  /** Checks that the tool is installed; throws MissingToolError naming the setup command. */
  requireInstalled: () => Promise<void>;
  /** Creates ctx.topic; absent when the tool has no admin API (the harness uses kafkajs). */
  createTopic?: (ctx: ScenarioContext) => Promise<void>;
  /** Produces ctx.inputPath; returns the acks as records, or null when the tool reports none. */
  produce: (ctx: ScenarioContext) => Promise<SeenRecord[] | null>;
  /** Consumes ctx.recordCount records in ctx.group, commits, and returns them in arrival order. */
  consume: (ctx: ScenarioContext) => Promise<SeenRecord[]>;
  /** Tool-specific checks once the group has consumed everything (e.g. describing the group). */
  afterConsume?: (ctx: ScenarioContext, t: ExecutionContext) => Promise<void>;
}

async function timed<T>(timings: string[], phase: string, work: () => Promise<T>): Promise<T> {
  const startedMs = performance.now();
  const result = await work();
  timings.push(`${phase} ${((performance.now() - startedMs) / 1000).toFixed(1)}s`);
  return result;
}

export async function runScenario(t: ExecutionContext, driver: ClientDriver): Promise<void> {
  await driver.requireInstalled();
  await assertBrokerReachable(bootstrap);
  const runId = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
  const workDir = mkdtempSync(join(tmpdir(), `compat-${driver.name}-`));
  const ctx: ScenarioContext = {
    bootstrap,
    topic: `compat-${driver.name}-${runId}`,
    group: `compat-${driver.name}-${runId}-group`,
    partitionCount,
    recordCount,
    inputPath: join(workDir, 'records.tsv'),
    records: makeRecords(recordCount, driver.name),
    toolTimeoutMs: 120_000,
  };
  writeRecordsFile(ctx.inputPath, ctx.records);
  t.log(`${driver.name}: topic ${ctx.topic} group ${ctx.group} at ${bootstrap}`);
  const timings: string[] = [];
  try {
    await timed(timings, 'create', async () => {
      if (driver.createTopic === undefined) await createTopicWithKafkajs(bootstrap, ctx.topic, partitionCount);
      else await driver.createTopic(ctx);
    });
    const partitions = await describeTopic(bootstrap, ctx.topic);
    t.deepEqual(partitions, [0, 1, 2].map((partition) => ({ partition, hasLeader: true })), 'topic has 3 led partitions');

    const acks = await timed(timings, 'produce', () => driver.produce(ctx));
    const consumed = await timed(timings, 'consume', () => driver.consume(ctx));
    t.deepEqual(findDeliveryProblems({ sent: ctx.records, consumed, partitionCount }), [], 'consumed records');
    if (acks === null) t.log('the producer tool reports no acks; its records are judged by what was consumed');
    else t.deepEqual(findSetDifferences('acks', acks, 'consumed', consumed), [], 'acks name what was consumed');

    const stored = await timed(timings, 'kafkajs-read', () =>
      readTopicWithKafkajs(bootstrap, ctx.topic, recordCount, 60_000),
    );
    t.deepEqual(findSetDifferences('consumed', consumed, 'kafkajs', stored), [], 'kafkajs reads the same records');

    const progress = await fetchGroupProgress(bootstrap, ctx.group, ctx.topic);
    t.is(progress.reduce((sum, p) => sum + p.endOffset, 0), recordCount, 'partition end offsets sum to the record count');
    t.deepEqual(
      progress.filter((p) => p.committedOffset !== p.endOffset),
      [],
      'the group committed every partition up to its end',
    );
    if (driver.afterConsume !== undefined) await timed(timings, 'after', () => driver.afterConsume!(ctx, t));
  } finally {
    t.log(`${driver.name} timings: ${timings.join(', ')}`);
    rmSync(workDir, { recursive: true, force: true });
  }
}
