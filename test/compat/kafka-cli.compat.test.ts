// Apache Kafka's own command-line tools against the broker under test: kafka-topics (--create,
// --describe, --list), kafka-console-producer, kafka-console-consumer in a group, and
// kafka-consumer-groups (--list, --describe). Each is the tool's main class run on the jars that
// scripts/kafka-dist.sh cached, exactly what the bin/*.sh wrappers of the release run.
import test, { type ExecutionContext } from 'ava';
import {
  kafkaLibsClasspath,
  kafkaLog4jConfig,
  kafkaVersion,
  requireCommand,
  requireFile,
} from './harness/env.js';
import { runToolOk, type ToolResult } from './harness/process.js';
import type { SeenRecord } from './harness/records.js';
import { runScenario, type ClientDriver, type ScenarioContext } from './harness/scenario.js';

const mainClass = {
  topics: 'org.apache.kafka.tools.TopicCommand',
  consoleProducer: 'org.apache.kafka.tools.ConsoleProducer',
  consoleConsumer: 'org.apache.kafka.tools.consumer.ConsoleConsumer',
  consumerGroups: 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
} as const;

function kafkaTool(ctx: ScenarioContext, main: string, args: string[], stdinPath?: string): Promise<ToolResult> {
  return runToolOk({
    command: 'java',
    args: ['-Xmx512m', '-cp', kafkaLibsClasspath, `-Dlog4j2.configurationFile=${kafkaLog4jConfig}`, main,
      '--bootstrap-server', ctx.bootstrap, ...args],
    timeoutMs: ctx.toolTimeoutMs,
    ...(stdinPath === undefined ? {} : { stdinPath }),
  });
}

/** kafka-console-consumer prints `Partition:P<TAB>Offset:O<TAB>key<TAB>value` with our properties. */
export function parseConsoleConsumerLines(stdout: string): SeenRecord[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('Partition:'))
    .map((line) => {
      const match = /^Partition:(\d+)\tOffset:(\d+)\t([^\t]*)\t(.*)$/.exec(line);
      if (match === null) throw new Error(`unexpected console-consumer line ${JSON.stringify(line)}`);
      return { partition: Number(match[1]), offset: Number(match[2]), key: match[3]!, value: match[4]! };
    });
}

interface GroupRow {
  partition: number;
  currentOffset: number;
  logEndOffset: number;
  lag: number;
}

/** Rows of `kafka-consumer-groups --describe` for one topic (columns are whitespace separated). */
export function parseGroupDescribe(stdout: string, topic: string): GroupRow[] {
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols[1] === topic)
    .map((cols) => ({
      partition: Number(cols[2]),
      currentOffset: Number(cols[3]),
      logEndOffset: Number(cols[4]),
      lag: Number(cols[5]),
    }))
    .sort((a, b) => a.partition - b.partition);
}

async function createAndInspectTopic(ctx: ScenarioContext, t: ExecutionContext): Promise<void> {
  await kafkaTool(ctx, mainClass.topics, ['--create', '--topic', ctx.topic,
    '--partitions', String(ctx.partitionCount), '--replication-factor', '1']);
  const described = (await kafkaTool(ctx, mainClass.topics, ['--describe', '--topic', ctx.topic])).stdout;
  t.regex(described, new RegExp(`Topic: ${ctx.topic}\\s.*PartitionCount: 3\\s.*ReplicationFactor: 1`), 'describe header');
  const partitionLines = described.split('\n').filter((line) => /\sPartition: \d+\s+Leader: \d+/.test(line));
  t.is(partitionLines.length, 3, `describe lists 3 partitions with leaders:\n${described}`);
  const listed = (await kafkaTool(ctx, mainClass.topics, ['--list'])).stdout.split('\n');
  t.true(listed.includes(ctx.topic), 'kafka-topics --list names the topic');
}

function cliDriver(t: ExecutionContext): ClientDriver {
  return {
    name: 'kafka-cli',
    requireInstalled: async () => {
      requireCommand('java');
      requireFile(kafkaLibsClasspath.replace(/\*$/, `kafka-tools-${kafkaVersion}.jar`), `Apache Kafka ${kafkaVersion} tools`);
    },
    createTopic: (ctx) => createAndInspectTopic(ctx, t),
    produce: async (ctx) => {
      await kafkaTool(ctx, mainClass.consoleProducer, ['--topic', ctx.topic, '--reader-property', 'parse.key=true'],
        ctx.inputPath);
      return null;
    },
    consume: async (ctx) => {
      const { stdout } = await kafkaTool(ctx, mainClass.consoleConsumer, [
        '--topic', ctx.topic, '--group', ctx.group, '--from-beginning',
        '--max-messages', String(ctx.recordCount), '--timeout-ms', '60000',
        '--formatter-property', 'print.partition=true', '--formatter-property', 'print.offset=true',
        '--formatter-property', 'print.key=true',
      ]);
      return parseConsoleConsumerLines(stdout);
    },
    afterConsume: async (ctx) => {
      const groups = (await kafkaTool(ctx, mainClass.consumerGroups, ['--list'])).stdout.split('\n');
      t.true(groups.includes(ctx.group), 'kafka-consumer-groups --list names the group');
      const { stdout } = await kafkaTool(ctx, mainClass.consumerGroups, ['--describe', '--group', ctx.group]);
      const rows = parseGroupDescribe(stdout, ctx.topic);
      t.is(rows.length, 3, `describe shows 3 partitions:\n${stdout}`);
      t.deepEqual(rows.filter((r) => r.lag !== 0 || r.currentOffset !== r.logEndOffset), [], 'no lag left');
      t.is(rows.reduce((sum, r) => sum + r.logEndOffset, 0), ctx.recordCount, 'log-end offsets sum to the record count');
    },
  };
}

test(`Apache Kafka ${kafkaVersion} CLI tools create, describe, list, produce, consume in a group and describe the group`, async (t) => {
  await runScenario(t, cliDriver(t));
});
