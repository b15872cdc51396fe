/**
 * `tributary consumer-groups`: list and describe groups and reset their offsets, with the flags
 * and output layout of Kafka's `kafka-consumer-groups.sh`. Offsets are reset only while the group
 * has no active members (state Empty, or Dead for a group that does not exist yet), as in Kafka.
 */
import { KafkaAdmin, compareTopicPartitions, type GroupDescription, type TopicPartition } from '../../broker/client/admin.js';
import { exactlyOne, helpText, parseArgs, UsageError, type CommandSpec, type ParsedArgs } from '../args.js';
import { CliError, withClient, type CliIo } from '../common.js';
import { formatGroupMembers, formatGroupOffsets, formatGroupState, formatResetOffsets, type GroupOffsetRow } from '../format.js';

export const consumerGroupsSpec: CommandSpec = {
  name: 'consumer-groups',
  summary: 'List consumer groups, describe them, or reset their offsets.',
  usage: 'tributary consumer-groups --bootstrap-server <host:port> (--list | --describe --group <group> | --reset-offsets --group <group> ...)',
  flags: [
    { name: 'bootstrap-server', kind: 'string', valueName: 'host:port', description: 'Broker(s) to connect to (comma-separated).' },
    { name: 'list', kind: 'boolean', description: 'List all consumer groups.' },
    { name: 'describe', kind: 'boolean', description: 'Describe a group: offsets and lag (default), --members or --state.' },
    { name: 'reset-offsets', kind: 'boolean', description: 'Reset the committed offsets of an inactive group.' },
    { name: 'group', kind: 'string', valueName: 'group', description: 'The consumer group.' },
    { name: 'members', kind: 'boolean', description: 'With --describe: list the members.' },
    { name: 'state', kind: 'boolean', description: 'With --describe: show the group state.' },
    { name: 'offsets', kind: 'boolean', description: 'With --describe: offsets and lag (the default).' },
    { name: 'topic', kind: 'string', valueName: 'topic[:p,...]', description: 'With --reset-offsets: the topic, optionally with partitions.' },
    { name: 'all-topics', kind: 'boolean', description: 'With --reset-offsets: every topic the group has offsets for.' },
    { name: 'to-earliest', kind: 'boolean', description: 'Reset to the earliest offset.' },
    { name: 'to-latest', kind: 'boolean', description: 'Reset to the latest offset.' },
    { name: 'to-offset', kind: 'string', valueName: 'offset', description: 'Reset to this offset (clamped to the log).' },
    { name: 'shift-by', kind: 'string', valueName: 'n', description: 'Move the committed offset by n (clamped to the log).' },
    { name: 'execute', kind: 'boolean', description: 'Apply the reset.' },
    { name: 'dry-run', kind: 'boolean', description: 'Only show the new offsets (the default).' },
    { name: 'help', kind: 'boolean', description: 'Show this help.' },
  ],
};

const ACTIONS = ['list', 'describe', 'reset-offsets'] as const;
const RESET_SPECS = ['to-earliest', 'to-latest', 'to-offset', 'shift-by'] as const;

export async function runConsumerGroups(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, consumerGroupsSpec);
  if (args.has('help')) {
    io.out(helpText(consumerGroupsSpec));
    return 0;
  }
  const action = exactlyOne(args, ACTIONS, 'Command must include exactly one action: --list, --describe or --reset-offsets');
  const reset = action === 'reset-offsets' ? planReset(args) : null;
  const group = action === 'list' ? null : args.requireString('group');
  await withClient(args, 'tributary-consumer-groups', async (client) => {
    const admin = new KafkaAdmin(client);
    if (action === 'list') {
      for (const g of await admin.listGroups()) io.out(`${g.groupId}\n`);
    } else if (reset !== null) {
      await resetOffsets(admin, group!, reset, io);
    } else {
      await describe(admin, group!, args, io);
    }
  });
  return 0;
}

// ---- describe ----

async function describe(admin: KafkaAdmin, groupId: string, args: ParsedArgs, io: CliIo): Promise<void> {
  const [group] = await admin.describeGroups([groupId]);
  if (group === undefined || group.state === 'Dead') throw new CliError(`Consumer group '${groupId}' does not exist.`);
  if (args.has('state')) {
    const c = group.coordinator;
    const lines = formatGroupState({ group: groupId, coordinator: `${c.host}:${c.port} (${c.nodeId})`, assignmentStrategy: group.protocol, state: group.state, members: group.members.length });
    io.out(`\n${lines.join('\n')}\n`);
    return;
  }
  const notice = stateNotice(group);
  if (notice !== null) io.out(`\n${notice}\n`);
  if (args.has('members')) {
    if (group.members.length === 0) return;
    const rows = group.members.map((m) => ({
      group: groupId,
      consumerId: m.memberId,
      host: m.clientHost,
      clientId: m.clientId,
      partitions: (m.assignment ?? []).reduce((n, a) => n + a.partitions.length, 0),
    }));
    io.out(`\n${formatGroupMembers(rows).join('\n')}\n`);
    return;
  }
  const rows = await offsetRows(admin, group);
  if (rows.length > 0) io.out(`\n${formatGroupOffsets(rows).join('\n')}\n`);
}

/** Kafka's notices before the table of a group that is empty or rebalancing. */
export function stateNotice(group: Pick<GroupDescription, 'groupId' | 'state'>): string | null {
  if (group.state === 'Empty') return `Consumer group '${group.groupId}' has no active members.`;
  if (group.state === 'PreparingRebalance' || group.state === 'CompletingRebalance') return `Warning: Consumer group '${group.groupId}' is rebalancing.`;
  return null;
}

async function offsetRows(admin: KafkaAdmin, group: GroupDescription): Promise<GroupOffsetRow[]> {
  const committed = await admin.offsetFetch(group.groupId, null);
  const owners = new Map<string, GroupDescription['members'][number]>();
  for (const m of group.members) for (const a of m.assignment ?? []) for (const p of a.partitions) owners.set(`${a.topic}\u0000${p}`, m);
  const partitions = new Map<string, TopicPartition>();
  for (const c of committed) partitions.set(`${c.topic}\u0000${c.partition}`, { topic: c.topic, partition: c.partition });
  for (const m of group.members) for (const a of m.assignment ?? []) for (const p of a.partitions) partitions.set(`${a.topic}\u0000${p}`, { topic: a.topic, partition: p });
  const ends = new Map<string, number>();
  const list = [...partitions.values()];
  if (list.length > 0) {
    for (const o of await admin.listOffsets(list, 'latest').catch(() => [])) ends.set(`${o.topic}\u0000${o.partition}`, o.offset);
  }
  const committedBy = new Map(committed.map((c) => [`${c.topic}\u0000${c.partition}`, c.offset]));
  return list.sort(compareTopicPartitions).map((tp) => {
    const key = `${tp.topic}\u0000${tp.partition}`;
    const owner = owners.get(key);
    const offset = committedBy.get(key);
    return {
      group: group.groupId,
      topic: tp.topic,
      partition: tp.partition,
      currentOffset: offset === undefined || offset < 0 ? null : offset,
      logEndOffset: ends.get(key) ?? null,
      consumerId: owner?.memberId ?? null,
      host: owner?.clientHost ?? null,
      clientId: owner?.clientId ?? null,
    };
  });
}

// ---- reset-offsets ----

export interface ResetPlan {
  spec: (typeof RESET_SPECS)[number];
  value: number | null;
  topic: string | null;
  partitions: number[] | null;
  allTopics: boolean;
  execute: boolean;
  dryRunImplicit: boolean;
}

/** Validates the reset flags (pure). */
export function planReset(args: ParsedArgs): ResetPlan {
  const spec = exactlyOne(args, RESET_SPECS, 'Option --reset-offsets needs exactly one of --to-earliest, --to-latest, --to-offset or --shift-by') as ResetPlan['spec'];
  const value = spec === 'to-offset' ? args.int('to-offset')! : spec === 'shift-by' ? args.int('shift-by')! : null;
  if (args.has('execute') && args.has('dry-run')) throw new UsageError('Options --execute and --dry-run cannot be used together');
  const topicArg = args.string('topic') ?? null;
  if ((topicArg === null) === !args.has('all-topics')) throw new UsageError('Option --reset-offsets needs exactly one of --topic or --all-topics');
  const { topic, partitions } = topicArg === null ? { topic: null, partitions: null } : parseTopicPartitions(topicArg);
  return { spec, value, topic, partitions, allTopics: args.has('all-topics'), execute: args.has('execute'), dryRunImplicit: !args.has('execute') && !args.has('dry-run') };
}

/** `topic` or `topic:0,1,2`. */
export function parseTopicPartitions(text: string): { topic: string; partitions: number[] | null } {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return { topic: text, partitions: null };
  const list = text.slice(colon + 1).split(',').map((s) => s.trim());
  if (list.some((s) => !/^\d+$/.test(s))) throw new UsageError(`Invalid partitions in '${text}': expected topic:0,1,...`);
  return { topic: text.slice(0, colon), partitions: list.map(Number) };
}

/** The offset a reset moves to, clamped to [earliest, latest] like Kafka. */
export function targetOffset(plan: Pick<ResetPlan, 'spec' | 'value'>, bounds: { earliest: number; latest: number }, committed: number | null): number {
  const clamp = (o: number): number => Math.min(bounds.latest, Math.max(bounds.earliest, o));
  if (plan.spec === 'to-earliest') return bounds.earliest;
  if (plan.spec === 'to-latest') return bounds.latest;
  if (plan.spec === 'to-offset') return clamp(plan.value!);
  return clamp((committed ?? bounds.latest) + plan.value!);
}

async function resetOffsets(admin: KafkaAdmin, groupId: string, plan: ResetPlan, io: CliIo): Promise<void> {
  const [group] = await admin.describeGroups([groupId]);
  const state = group?.state ?? 'Dead';
  if (state !== 'Empty' && state !== 'Dead') {
    throw new CliError(`Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${state}.`);
  }
  const committed = await admin.offsetFetch(groupId, null);
  let partitions: TopicPartition[];
  if (plan.allTopics) {
    partitions = committed.map((c) => ({ topic: c.topic, partition: c.partition }));
  } else {
    const info = await admin.client.topicMetadata(plan.topic!);
    const known = info.partitions.map((p) => p.partition);
    const wanted = plan.partitions ?? known;
    const missing = wanted.filter((p) => !known.includes(p));
    if (missing.length > 0) throw new CliError(`Topic '${plan.topic}' has no partition ${missing[0]}.`);
    partitions = wanted.map((partition) => ({ topic: plan.topic!, partition }));
  }
  if (partitions.length === 0) return;
  const [earliest, latest] = await Promise.all([admin.listOffsets(partitions, 'earliest'), admin.listOffsets(partitions, 'latest')]);
  const key = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;
  const lo = new Map(earliest.map((o) => [key(o), o.offset]));
  const hi = new Map(latest.map((o) => [key(o), o.offset]));
  const current = new Map(committed.map((c) => [key(c), c.offset]));
  const rows = partitions.sort(compareTopicPartitions).map((tp) => {
    const c = current.get(key(tp));
    const newOffset = targetOffset(plan, { earliest: lo.get(key(tp)) ?? 0, latest: hi.get(key(tp)) ?? 0 }, c === undefined || c < 0 ? null : c);
    return { group: groupId, topic: tp.topic, partition: tp.partition, newOffset };
  });
  if (plan.dryRunImplicit) io.err('WARN: No action will be performed as the --execute option is missing. Add --dry-run to keep this behaviour explicitly.\n');
  if (plan.execute) await admin.offsetCommit(groupId, rows.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.newOffset })));
  io.out(`\n${formatResetOffsets(rows).join('\n')}\n`);
}
