/**
 * `tributary topics`: create, list, describe, delete and alter topics, with the flags and output
 * of Kafka's `kafka-topics.sh`. As there, `--topic` is a regular expression (commas separate
 * alternatives) for every action except --create.
 */
import { ConfigResourceType, KafkaAdmin } from '../../broker/client/admin.js';
import { BrokerError } from '../../broker/client/errors.js';
import { ErrorCode } from '../../broker/protocol/errors.js';
import { exactlyOne, helpText, parseArgs, parseKeyValues, UsageError, type CommandSpec, type ParsedArgs } from '../args.js';
import { CliError, withClient, type CliIo } from '../common.js';
import { formatTopicDescription } from '../format.js';

export const topicsSpec: CommandSpec = {
  name: 'topics',
  summary: 'Create, delete, describe, list or change topics.',
  usage: 'tributary topics --bootstrap-server <host:port> (--create | --list | --describe | --delete | --alter) [options]',
  flags: [
    { name: 'bootstrap-server', kind: 'string', valueName: 'host:port', description: 'Broker(s) to connect to (comma-separated).' },
    { name: 'create', kind: 'boolean', description: 'Create a topic.' },
    { name: 'list', kind: 'boolean', description: 'List topic names.' },
    { name: 'describe', kind: 'boolean', description: 'Describe topics (all, or those matching --topic).' },
    { name: 'delete', kind: 'boolean', description: 'Delete the topics matching --topic.' },
    { name: 'alter', kind: 'boolean', description: 'Raise the partition count of the topics matching --topic.' },
    { name: 'topic', kind: 'string', valueName: 'topic', description: 'Topic name (a regular expression except with --create).' },
    { name: 'partitions', kind: 'string', valueName: 'count', description: 'Partition count (--create, --alter).' },
    { name: 'replication-factor', kind: 'string', valueName: 'n', description: 'Replicas per partition (--create).' },
    { name: 'config', kind: 'list', valueName: 'key=value', description: 'Topic config override (--create); repeatable.' },
    { name: 'if-not-exists', kind: 'boolean', description: 'With --create: do nothing if the topic exists.' },
    { name: 'if-exists', kind: 'boolean', description: 'With --alter, --delete, --describe: do nothing if no topic matches.' },
    { name: 'exclude-internal', kind: 'boolean', description: 'Leave internal topics out of --list and --describe.' },
    { name: 'help', kind: 'boolean', description: 'Show this help.' },
  ],
};

const ACTIONS = ['create', 'list', 'describe', 'delete', 'alter'] as const;

export async function runTopics(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, topicsSpec);
  if (args.has('help')) {
    io.out(helpText(topicsSpec));
    return 0;
  }
  const action = exactlyOne(args, ACTIONS, 'Command must include exactly one action: --list, --describe, --create, --alter or --delete');
  const plan = planTopics(args, action);
  await withClient(args, 'tributary-topics', async (client) => {
    const admin = new KafkaAdmin(client);
    if (plan.action === 'create') await create(admin, plan, io);
    else if (plan.action === 'list') await list(admin, plan, io);
    else if (plan.action === 'describe') await describe(admin, plan, io);
    else if (plan.action === 'delete') await remove(admin, plan);
    else await alter(admin, plan);
  });
  return 0;
}

export interface TopicsPlan {
  action: (typeof ACTIONS)[number];
  topic: string | null;
  partitions: number | null;
  replicationFactor: number | null;
  configs: Record<string, string>;
  ifExists: boolean;
  ifNotExists: boolean;
  excludeInternal: boolean;
}

/** Validates the flags of one action (pure). */
export function planTopics(args: ParsedArgs, action: string): TopicsPlan {
  const plan: TopicsPlan = {
    action: action as TopicsPlan['action'],
    topic: args.string('topic') ?? null,
    partitions: args.int('partitions') ?? null,
    replicationFactor: args.int('replication-factor') ?? null,
    configs: parseKeyValues(args.list('config'), 'topic config'),
    ifExists: args.has('if-exists'),
    ifNotExists: args.has('if-not-exists'),
    excludeInternal: args.has('exclude-internal'),
  };
  const needsTopic = plan.action === 'create' || plan.action === 'delete' || plan.action === 'alter';
  if (needsTopic && plan.topic === null) throw new UsageError(`--${plan.action} requires --topic`);
  if (plan.partitions !== null && plan.partitions < 1) throw new UsageError('The partitions must be greater than 0');
  if (plan.replicationFactor !== null && plan.replicationFactor < 1) throw new UsageError('The replication factor must be greater than 0');
  if (plan.action === 'alter' && plan.partitions === null) throw new UsageError('--alter requires --partitions');
  if (plan.action !== 'create' && (plan.replicationFactor !== null || Object.keys(plan.configs).length > 0)) {
    throw new UsageError('--replication-factor and --config are only valid with --create');
  }
  return plan;
}

/** Kafka's `--topic` matching: a whole-name regular expression, commas meaning "or". */
export function topicMatcher(pattern: string): (name: string) => boolean {
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern.split(',').map((p) => p.trim()).join('|')})$`);
  } catch {
    throw new UsageError(`Invalid topic pattern '${pattern}'`);
  }
  return (name) => re.test(name);
}

/** Kafka's warning for names that collide in metric names. */
export function collisionWarning(topic: string): string | null {
  return topic.includes('.') || topic.includes('_')
    ? "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both."
    : null;
}

async function create(admin: KafkaAdmin, plan: TopicsPlan, io: CliIo): Promise<void> {
  const topic = plan.topic!;
  const warning = collisionWarning(topic);
  if (warning !== null) io.out(`${warning}\n`);
  try {
    await admin.createTopics([
      { name: topic, numPartitions: plan.partitions ?? -1, replicationFactor: plan.replicationFactor ?? -1, configs: plan.configs },
    ]);
  } catch (err) {
    if (plan.ifNotExists && BrokerError.hasCode(err, ErrorCode.TOPIC_ALREADY_EXISTS)) return;
    if (BrokerError.hasCode(err, ErrorCode.TOPIC_ALREADY_EXISTS)) throw new CliError(`Topic '${topic}' already exists.`);
    throw err;
  }
  io.out(`Created topic ${topic}.\n`);
}

async function matchingTopics(admin: KafkaAdmin, plan: TopicsPlan): Promise<string[]> {
  const all = await admin.listTopics({ includeInternal: !plan.excludeInternal });
  if (plan.topic === null) return all;
  const matches = all.filter(topicMatcher(plan.topic));
  if (matches.length === 0 && !plan.ifExists) throw new CliError(`Topic '${plan.topic}' does not exist as expected`);
  return matches;
}

async function list(admin: KafkaAdmin, plan: TopicsPlan, io: CliIo): Promise<void> {
  const names = await admin.listTopics({ includeInternal: !plan.excludeInternal });
  const shown = plan.topic === null ? names : names.filter(topicMatcher(plan.topic));
  for (const name of shown) io.out(`${name}\n`);
}

async function describe(admin: KafkaAdmin, plan: TopicsPlan, io: CliIo): Promise<void> {
  const names = await matchingTopics(admin, plan);
  if (names.length === 0) return;
  const topics = await admin.describeTopics(names);
  for (const topic of topics) {
    const [configs] = await admin.describeConfigs([{ type: ConfigResourceType.Topic, name: topic.name }]);
    for (const line of formatTopicDescription(topic, configs?.entries ?? [])) io.out(`${line}\n`);
  }
}

async function remove(admin: KafkaAdmin, plan: TopicsPlan): Promise<void> {
  const names = await matchingTopics(admin, plan);
  if (names.length > 0) await admin.deleteTopics(names);
}

async function alter(admin: KafkaAdmin, plan: TopicsPlan): Promise<void> {
  const names = await matchingTopics(admin, plan);
  if (names.length > 0) await admin.createPartitions(names.map((name) => ({ name, count: plan.partitions! })));
}
