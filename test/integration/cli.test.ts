// The README quick start, run as a user would: the `tributary` CLI as a separate process against a
// real broker, with kafkajs checking what the CLI claims.
import test from 'ava';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../helpers/in-process-broker.js';
import { runNode, type NodeRun } from '../helpers/run-node.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function cli(args: readonly string[], stdin = ''): Promise<NodeRun> {
  return runNode(join(root, 'bin', 'tributary.js'), args, { cwd: root, stdin });
}

let tb: TestBroker;
test.before(async () => {
  tb = await startTestBroker();
});
test.after.always(async () => {
  await tb?.stop();
});

test.serial('quick start: create, describe, produce keyed lines, consume in a group, describe the group', async (t) => {
  const bs = ['--bootstrap-server', tb.bootstrap];
  const created = await cli(['topics', ...bs, '--create', '--topic', 'quickstart', '--partitions', '3', '--replication-factor', '1']);
  t.is(created.code, 0, created.stderr);
  t.regex(created.stdout, /Created topic quickstart/);

  const described = await cli(['topics', ...bs, '--describe', '--topic', 'quickstart']);
  t.is(described.code, 0, described.stderr);
  t.regex(described.stdout, /Topic: quickstart\tTopicId: \S+\tPartitionCount: 3\tReplicationFactor: 1/);
  t.is(described.stdout.match(/\tPartition: \d\tLeader: 1\tReplicas: 1\tIsr: 1/g)?.length, 3);

  const lines = Array.from({ length: 100 }, (_, i) => `key${i % 10}:value${i}`).join('\n') + '\n';
  const produced = await cli(['console-producer', ...bs, '--topic', 'quickstart', '--property', 'parse.key=true', '--property', 'key.separator=:'], lines);
  t.is(produced.code, 0, produced.stderr);

  const consumed = await cli([
    'console-consumer', ...bs, '--topic', 'quickstart', '--from-beginning', '--group', 'qs-readers',
    '--max-messages', '100', '--property', 'print.key=true', '--property', 'key.separator=:',
  ]);
  t.is(consumed.code, 0, consumed.stderr);
  const got = consumed.stdout.trim().split('\n').sort();
  const want = lines.trim().split('\n').sort();
  t.deepEqual(got, want, 'every produced line comes back once with its key');

  // kafkajs agrees on where the records went: all 100, keyed records in one partition per key.
  const admin = new Kafka({ brokers: [tb.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets('quickstart');
  t.is(offsets.reduce((n, p) => n + Number(p.high), 0), 100);
  const committed = await admin.fetchOffsets({ groupId: 'qs-readers', topics: ['quickstart'] });
  t.deepEqual(
    committed[0]!.partitions.map((p) => p.offset).sort(),
    offsets.map((p) => p.high).sort(),
    'the console consumer committed every partition to its end',
  );
  await admin.disconnect();

  const groups = await cli(['consumer-groups', ...bs, '--describe', '--group', 'qs-readers']);
  t.is(groups.code, 0, groups.stderr);
  t.regex(groups.stdout, /GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG/);
  t.is(groups.stdout.match(/qs-readers\s+quickstart\s+\d\s+\d+\s+\d+\s+0\s/g)?.length, 3, 'three partitions with lag 0');

  const listed = await cli(['consumer-groups', ...bs, '--list']);
  t.regex(listed.stdout, /^qs-readers$/m);
});

test.serial('reset offsets to earliest, then the group reads everything again', async (t) => {
  const bs = ['--bootstrap-server', tb.bootstrap];
  const reset = await cli(['consumer-groups', ...bs, '--reset-offsets', '--group', 'qs-readers', '--topic', 'quickstart', '--to-earliest', '--execute']);
  t.is(reset.code, 0, reset.stderr);
  const again = await cli(['console-consumer', ...bs, '--topic', 'quickstart', '--group', 'qs-readers', '--max-messages', '100', '--timeout-ms', '20000']);
  t.is(again.code, 0, again.stderr);
  t.is(again.stdout.trim().split('\n').length, 100);
});

test.serial('alter partitions, then delete the topic', async (t) => {
  const bs = ['--bootstrap-server', tb.bootstrap];
  const altered = await cli(['topics', ...bs, '--alter', '--topic', 'quickstart', '--partitions', '5']);
  t.is(altered.code, 0, altered.stderr);
  const described = await cli(['topics', ...bs, '--describe', '--topic', 'quickstart']);
  t.regex(described.stdout, /PartitionCount: 5/);
  const deleted = await cli(['topics', ...bs, '--delete', '--topic', 'quickstart']);
  t.is(deleted.code, 0, deleted.stderr);
  const listed = await cli(['topics', ...bs, '--list']);
  t.notRegex(listed.stdout, /^quickstart$/m);
});

test.serial('errors are one clear line and exit code 1', async (t) => {
  const bs = ['--bootstrap-server', tb.bootstrap];
  await cli(['topics', ...bs, '--create', '--topic', 'dup', '--partitions', '1', '--replication-factor', '1']);
  const again = await cli(['topics', ...bs, '--create', '--topic', 'dup', '--partitions', '1', '--replication-factor', '1']);
  t.is(again.code, 1);
  t.regex(again.stderr, /^Error: Topic 'dup' already exists\./m);
  const badConfig = await cli(['topics', ...bs, '--create', '--topic', 'bad', '--partitions', '1', '--replication-factor', '1', '--config', 'retention.ms=soon']);
  t.is(badConfig.code, 1);
  t.regex(badConfig.stderr, /retention\.ms/);
  const unreachable = await cli(['topics', '--bootstrap-server', '127.0.0.1:1', '--list']);
  t.is(unreachable.code, 1);
  t.regex(unreachable.stderr, /^Error: .*127\.0\.0\.1:1/m);
});
