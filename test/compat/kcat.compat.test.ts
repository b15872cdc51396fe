// kcat (librdkafka, Debian's build) against the broker under test: the scenario of
// harness/scenario.ts. kcat has no admin API, so the harness creates the topic with kafkajs;
// kcat keeps librdkafka's defaults (no idempotence) except for the Java-compatible partitioner.
import test from 'ava';
import { requireCommand } from './harness/env.js';
import { runToolOk } from './harness/process.js';
import { parseRecordLines } from './harness/records.js';
import { runScenario, type ClientDriver } from './harness/scenario.js';

interface KcatTopicMetadata {
  topics: Array<{ topic: string; partitions: Array<{ partition: number; leader: number }> }>;
}

function kcatDriver(logVersion: (line: string) => void): ClientDriver {
  return {
    name: 'kcat',
    requireInstalled: async () => {
      requireCommand('kcat');
      const { stdout } = await runToolOk({ command: 'kcat', args: ['-V'], timeoutMs: 10_000 });
      logVersion(stdout.split('\n').find((line) => line.includes('librdkafka')) ?? stdout.split('\n')[0] ?? '');
    },
    produce: async (ctx) => {
      await runToolOk({
        command: 'kcat',
        args: ['-b', ctx.bootstrap, '-P', '-t', ctx.topic, '-K', '\t', '-X', 'partitioner=murmur2_random', '-X', 'linger.ms=5'],
        stdinPath: ctx.inputPath,
        timeoutMs: ctx.toolTimeoutMs,
      });
      return null;
    },
    consume: async (ctx) => {
      const { stdout } = await runToolOk({
        command: 'kcat',
        args: [
          '-b', ctx.bootstrap, '-G', ctx.group, '-X', 'auto.offset.reset=earliest',
          '-c', String(ctx.recordCount), '-f', '%p\t%o\t%k\t%s\n', '-q', ctx.topic,
        ],
        timeoutMs: ctx.toolTimeoutMs,
      });
      return parseRecordLines(stdout);
    },
    afterConsume: async (ctx, t) => {
      const { stdout } = await runToolOk({
        command: 'kcat',
        args: ['-b', ctx.bootstrap, '-L', '-J', '-t', ctx.topic],
        timeoutMs: 30_000,
      });
      const metadata = JSON.parse(stdout) as KcatTopicMetadata;
      const partitions = metadata.topics.find((topic) => topic.topic === ctx.topic)?.partitions ?? [];
      t.deepEqual(
        partitions.map((p) => ({ partition: p.partition, hasLeader: p.leader >= 0 })).sort((a, b) => a.partition - b.partition),
        [0, 1, 2].map((partition) => ({ partition, hasLeader: true })),
        'kcat -L sees 3 led partitions',
      );
    },
  };
}

test('kcat produces, consumes in a group and commits 10,000 keyed records', async (t) => {
  await runScenario(t, kcatDriver((line) => t.log(line.trim())));
});
