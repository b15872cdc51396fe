// CLI argument handling (pure): the flag parser, and each command's validation of its flags into a
// plan - Kafka-compatible flag names, one-line usage errors, and the defaults Kafka's tools use.

import test from 'ava';
import { helpText, parseArgs, UsageError, type CommandSpec } from '../../cli/args.js';
import { planBrokerStart } from '../../cli/commands/broker.js';
import { consoleConsumerSpec, planConsumer } from '../../cli/commands/console-consumer.js';
import { consoleProducerSpec, planProducer } from '../../cli/commands/console-producer.js';
import { consumerGroupsSpec, parseTopicPartitions, planReset, targetOffset } from '../../cli/commands/consumer-groups.js';
import { planTopics, topicMatcher, topicsSpec } from '../../cli/commands/topics.js';
import { Compression } from '../../broker/protocol/compression.js';

const spec: CommandSpec = {
  name: 'demo',
  summary: 'Demo.',
  usage: 'demo',
  flags: [
    { name: 'flag', kind: 'boolean', description: 'A switch.' },
    { name: 'name', kind: 'string', description: 'A value.' },
    { name: 'config', kind: 'list', description: 'Repeatable.' },
  ],
};

test('parses booleans, --k v, --k=v (values may contain =) and repeated list flags', (t) => {
  const args = parseArgs(['--flag', '--name', 'x', '--config', 'a=1', '--config=b=2=3'], spec);
  t.true(args.has('flag'));
  t.is(args.string('name'), 'x');
  t.deepEqual(args.list('config'), ['a=1', 'b=2=3']);
});

test('a value may look negative; a following --flag is not taken as a value', (t) => {
  t.is(parseArgs(['--name', '-5'], spec).int('name'), -5);
  t.throws(() => parseArgs(['--name', '--flag'], spec), { instanceOf: UsageError, message: 'Option --name needs a value' });
});

test('unknown flags, stray arguments and values on booleans are usage errors', (t) => {
  t.throws(() => parseArgs(['--nope'], spec), { instanceOf: UsageError, message: "Unknown option --nope for 'demo'" });
  t.throws(() => parseArgs(['stray'], spec), { instanceOf: UsageError, message: "Unexpected argument 'stray' for 'demo'" });
  t.throws(() => parseArgs(['--flag=1'], spec), { instanceOf: UsageError });
  t.throws(() => parseArgs(['--name', 'x1'], spec).int('name'), { message: "Option --name expects an integer, got 'x1'" });
});

test('help lists every flag with its value name', (t) => {
  const text = helpText(topicsSpec);
  for (const f of topicsSpec.flags) t.true(text.includes(`--${f.name}`), f.name);
  t.true(text.includes('--partitions <count>'));
});

test('topics: --create needs --topic; counts must be positive; create-only flags are rejected elsewhere', (t) => {
  const plan = (argv: string[], action: string) => planTopics(parseArgs(argv, topicsSpec), action);
  t.throws(() => plan(['--create'], 'create'), { message: '--create requires --topic' });
  t.throws(() => plan(['--create', '--topic', 't', '--partitions', '0'], 'create'), { message: 'The partitions must be greater than 0' });
  t.throws(() => plan(['--alter', '--topic', 't'], 'alter'), { message: '--alter requires --partitions' });
  t.throws(() => plan(['--describe', '--config', 'a=b'], 'describe'), { instanceOf: UsageError });
  t.throws(() => plan(['--create', '--topic', 't', '--config', 'novalue'], 'create'), { message: "Invalid topic config 'novalue': expected key=value" });
  t.deepEqual(plan(['--create', '--topic', 't', '--partitions', '3', '--replication-factor', '1', '--config', 'retention.ms=10', '--config', 'cleanup.policy=compact'], 'create'), {
    action: 'create',
    topic: 't',
    partitions: 3,
    replicationFactor: 1,
    configs: { 'retention.ms': '10', 'cleanup.policy': 'compact' },
    ifExists: false,
    ifNotExists: false,
    excludeInternal: false,
  });
});

test('topics: --topic is a whole-name regex with commas as alternatives, as in Kafka', (t) => {
  const m = topicMatcher('orders.*,payments');
  t.true(m('orders'));
  t.true(m('orders-eu'));
  t.true(m('payments'));
  t.false(m('payments-eu'));
  t.false(m('old-orders'));
  t.throws(() => topicMatcher('('), { instanceOf: UsageError });
});

test('console-producer: properties, acks and compression', (t) => {
  const plan = planProducer(
    parseArgs(
      ['--topic', 't', '--property', 'parse.key=true', '--property', 'key.separator=:', '--producer-property', 'acks=1', '--compression-codec', 'gzip'],
      consoleProducerSpec,
    ),
  );
  t.deepEqual(plan.lines, { parseKey: true, keySeparator: ':', nullMarker: null });
  t.is(plan.producer.acks, 1);
  t.is(plan.producer.compression, Compression.Gzip);
  t.throws(() => planProducer(parseArgs(['--topic', 't', '--property', 'bogus=1'], consoleProducerSpec)), { message: "Unknown property 'bogus'" });
  t.throws(() => planProducer(parseArgs(['--topic', 't', '--request-required-acks', '2'], consoleProducerSpec)), { instanceOf: UsageError });
  t.throws(() => planProducer(parseArgs(['--topic', 't', '--compression-codec', 'brotli'], consoleProducerSpec)), { instanceOf: UsageError });
  t.throws(() => planProducer(parseArgs([], consoleProducerSpec)), { message: 'Missing required option --topic' });
});

test('console-consumer: --from-beginning means earliest; defaults to latest; limits are validated', (t) => {
  const plan = (argv: string[]) => planConsumer(parseArgs(['--topic', 't', ...argv], consoleConsumerSpec));
  t.is(plan([]).consumer.autoOffsetReset, 'latest');
  t.is(plan([]).consumer.groupId, null);
  const p = plan(['--from-beginning', '--group', 'g', '--max-messages', '5', '--timeout-ms', '2000', '--property', 'print.key=true', '--property', 'key.separator=\\t']);
  t.is(p.consumer.autoOffsetReset, 'earliest');
  t.is(p.consumer.groupId, 'g');
  t.is(p.maxMessages, 5);
  t.is(p.timeoutMs, 2000);
  t.true(p.format.printKey);
  t.is(p.format.keySeparator, '\t');
  t.throws(() => plan(['--max-messages', '0']), { instanceOf: UsageError });
  t.throws(() => plan(['--group', 'g', '--partition', '1']), { instanceOf: UsageError });
  t.throws(() => plan(['--property', 'print.key=yes']), { instanceOf: UsageError });
});

test('consumer-groups: reset needs one spec and one of --topic/--all-topics; dry run is the default', (t) => {
  const plan = (argv: string[]) => planReset(parseArgs(['--reset-offsets', '--group', 'g', ...argv], consumerGroupsSpec));
  t.deepEqual(plan(['--topic', 't', '--to-earliest']), { spec: 'to-earliest', value: null, topic: 't', partitions: null, allTopics: false, execute: false, dryRunImplicit: true });
  t.is(plan(['--topic', 't:0,2', '--to-offset', '7', '--execute']).value, 7);
  t.deepEqual(plan(['--topic', 't:0,2', '--to-latest', '--dry-run']).partitions, [0, 2]);
  t.throws(() => plan(['--topic', 't']), { instanceOf: UsageError });
  t.throws(() => plan(['--to-earliest', '--to-latest', '--topic', 't']), { instanceOf: UsageError });
  t.throws(() => plan(['--to-earliest']), { instanceOf: UsageError });
  t.throws(() => plan(['--to-earliest', '--topic', 't', '--all-topics']), { instanceOf: UsageError });
  t.throws(() => plan(['--to-earliest', '--topic', 't', '--execute', '--dry-run']), { instanceOf: UsageError });
  t.throws(() => parseTopicPartitions('t:x'), { instanceOf: UsageError });
});

test('consumer-groups: reset targets are clamped to the log like Kafka', (t) => {
  const bounds = { earliest: 10, latest: 20 };
  t.is(targetOffset({ spec: 'to-earliest', value: null }, bounds, 15), 10);
  t.is(targetOffset({ spec: 'to-latest', value: null }, bounds, 15), 20);
  t.is(targetOffset({ spec: 'to-offset', value: 5 }, bounds, null), 10);
  t.is(targetOffset({ spec: 'to-offset', value: 99 }, bounds, null), 20);
  t.is(targetOffset({ spec: 'shift-by', value: -3 }, bounds, 15), 12);
  t.is(targetOffset({ spec: 'shift-by', value: 30 }, bounds, 15), 20);
});

test('broker start: --config or a positional file, repeatable --override', (t) => {
  t.deepEqual(planBrokerStart(['start', '--config', 'server.properties', '--override', 'node.id=2', '--override', 'log.dir=/d']), {
    configFile: 'server.properties',
    overrides: ['node.id=2', 'log.dir=/d'],
  });
  t.deepEqual(planBrokerStart(['start', 'my.properties']), { configFile: 'my.properties', overrides: [] });
  t.deepEqual(planBrokerStart(['start']), { overrides: [] });
  t.is(planBrokerStart(['start', '--help']), 'help');
  t.throws(() => planBrokerStart(['stop']), { instanceOf: UsageError });
  t.throws(() => planBrokerStart(['start', '--override', 'nokey']), { instanceOf: UsageError });
  t.throws(() => planBrokerStart(['start', 'a.properties', '--config', 'b.properties']), { instanceOf: UsageError });
});
