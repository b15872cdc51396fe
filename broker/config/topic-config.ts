/**
 * Topic configuration: Kafka's per-topic keys, each with the broker key it defaults to
 * (`retention.ms` <- `log.retention.ms`/`.minutes`/`.hours`, ...), validation of topic overrides,
 * the effective config with sources for DescribeConfigs, and the typed `LogConfig` storage uses.
 *
 * A topic's effective value is its override (a ConfigRecord on the TOPIC resource) if any, else the
 * broker's effective value for the synonym key (static or dynamic), else Kafka's default.
 * Validation answers with `INVALID_CONFIG` (40) rather than throwing: it runs on request paths.
 * Pure.
 */
import { type BrokerConfig, ConfigSource, type ConfigSourceCode, ConfigTypeCode, configSourceOf } from './broker-config.js';
import { BROKER_CONFIG_DEFS, CLEANUP_POLICIES, COMPRESSION_TYPES, TIMESTAMP_TYPES } from './definitions.js';
import {
  type ConfigType, type ConfigValue, type Validator, LONG_MAX_TEXT, atLeast, between, closestMatch, listOf, matchingEach, oneOf, parseValue,
} from './values.js';

export const INVALID_CONFIG = 40;

interface TopicConfigDef {
  readonly name: string;
  readonly type: ConfigType;
  readonly doc: string;
  readonly validator?: Validator;
  /** Broker keys this topic key defaults to, highest precedence first (may be empty). */
  readonly brokerSynonyms: readonly string[];
  /** The default as text given the broker config. */
  readonly defaultFrom: (broker: BrokerConfig) => string;
}

/** Long.MAX_VALUE is held as Number.MAX_SAFE_INTEGER; show it the way Kafka does. */
function formatLong(value: number): string {
  return value === Number.MAX_SAFE_INTEGER ? LONG_MAX_TEXT : String(value);
}

function same(brokerKey: string): (broker: BrokerConfig) => string {
  return (broker) => broker.raw.get(brokerKey)?.value ?? '';
}

function topic(
  name: string, type: ConfigType, brokerSynonyms: readonly string[], defaultFrom: (b: BrokerConfig) => string, doc: string, validator?: Validator,
): TopicConfigDef {
  return validator === undefined ? { name, type, brokerSynonyms, defaultFrom, doc } : { name, type, brokerSynonyms, defaultFrom, doc, validator };
}

const THROTTLED_REPLICAS = matchingEach(/^(\*|\d+:\d+)$/, 'a list of partition:broker pairs or *');

const TOPIC_DEFS: readonly TopicConfigDef[] = [
  topic('cleanup.policy', 'list', ['log.cleanup.policy'], same('log.cleanup.policy'), 'delete, compact, or both.', listOf(CLEANUP_POLICIES, { nonEmpty: true })),
  topic('compression.type', 'string', ['compression.type'], same('compression.type'), 'Compression of stored batches; producer keeps the producer\'s.', oneOf(...COMPRESSION_TYPES)),
  topic('delete.retention.ms', 'long', ['log.cleaner.delete.retention.ms'], same('log.cleaner.delete.retention.ms'), 'How long delete markers stay in a compacted topic.', atLeast(0)),
  topic('file.delete.delay.ms', 'long', ['log.segment.delete.delay.ms'], same('log.segment.delete.delay.ms'), 'Delay before a deleted segment file is removed.', atLeast(0)),
  topic('flush.messages', 'long', ['log.flush.interval.messages'], same('log.flush.interval.messages'), 'fsync after this many messages.', atLeast(1)),
  topic('flush.ms', 'long', ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'], (b) => formatLong(b.logFlushIntervalMs), 'fsync after a message is this old.', atLeast(0)),
  topic('follower.replication.throttled.replicas', 'list', [], () => '', 'Accepted for later (replication throttling).', THROTTLED_REPLICAS),
  topic('index.interval.bytes', 'int', ['log.index.interval.bytes'], same('log.index.interval.bytes'), 'Bytes of log between two offset-index entries.', atLeast(0)),
  topic('leader.replication.throttled.replicas', 'list', [], () => '', 'Accepted for later (replication throttling).', THROTTLED_REPLICAS),
  topic('max.compaction.lag.ms', 'long', ['log.cleaner.max.compaction.lag.ms'], same('log.cleaner.max.compaction.lag.ms'), 'Oldest a message can be before it must be compacted.', atLeast(1)),
  topic('max.message.bytes', 'int', ['message.max.bytes'], same('message.max.bytes'), 'Largest record batch the topic accepts.', atLeast(0)),
  topic('message.timestamp.after.max.ms', 'long', ['log.message.timestamp.after.max.ms'], same('log.message.timestamp.after.max.ms'), 'Largest allowed gap of a CreateTime timestamp after broker time.', atLeast(0)),
  topic('message.timestamp.before.max.ms', 'long', ['log.message.timestamp.before.max.ms'], same('log.message.timestamp.before.max.ms'), 'Largest allowed gap of a CreateTime timestamp before broker time.', atLeast(0)),
  topic('message.timestamp.type', 'string', ['log.message.timestamp.type'], same('log.message.timestamp.type'), 'CreateTime or LogAppendTime.', oneOf(...TIMESTAMP_TYPES)),
  topic('min.cleanable.dirty.ratio', 'double', ['log.cleaner.min.cleanable.ratio'], same('log.cleaner.min.cleanable.ratio'), 'Dirty ratio that makes the log eligible for compaction.', between(0, 1)),
  topic('min.compaction.lag.ms', 'long', ['log.cleaner.min.compaction.lag.ms'], same('log.cleaner.min.compaction.lag.ms'), 'Youngest a message can be to be compacted.', atLeast(0)),
  topic('min.insync.replicas', 'int', ['min.insync.replicas'], same('min.insync.replicas'), 'Fewest in-sync replicas for an acks=all produce.', atLeast(1)),
  topic('preallocate', 'boolean', ['log.preallocate'], same('log.preallocate'), 'Preallocate segment files.'),
  topic('retention.bytes', 'long', ['log.retention.bytes'], same('log.retention.bytes'), 'Size-based retention per partition; -1 = unlimited.', atLeast(-1)),
  topic('retention.ms', 'long', ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'], (b) => formatLong(b.logRetentionMs), 'Time-based retention; -1 = unlimited.', atLeast(-1)),
  topic('segment.bytes', 'int', ['log.segment.bytes'], same('log.segment.bytes'), 'Largest segment file before a roll.', atLeast(14)),
  topic('segment.index.bytes', 'int', ['log.index.size.max.bytes'], same('log.index.size.max.bytes'), 'Largest index file per segment.', atLeast(4)),
  topic('segment.jitter.ms', 'long', ['log.roll.jitter.ms', 'log.roll.jitter.hours'], (b) => formatLong(b.logRollJitterMs), 'Random jitter subtracted from segment.ms.', atLeast(0)),
  topic('segment.ms', 'long', ['log.roll.ms', 'log.roll.hours'], (b) => formatLong(b.logRollMs), 'Roll the active segment after this long.', atLeast(1)),
  topic('unclean.leader.election.enable', 'boolean', ['unclean.leader.election.enable'], same('unclean.leader.election.enable'), 'Allow an out-of-sync replica to become leader.'),
];

export const TOPIC_CONFIG_DEFS: ReadonlyMap<string, TopicConfigDef> = new Map(TOPIC_DEFS.map((d) => [d.name, d]));

export type TopicConfigValidation = { readonly ok: true } | { readonly ok: false; readonly errorCode: 40; readonly message: string };

export function isTopicConfigKey(name: string): boolean {
  return TOPIC_CONFIG_DEFS.has(name);
}

/** Is `value` valid for the topic key `name`? Returns what was expected when it is not. */
function checkTopicValue(name: string, value: string): string | null {
  const def = TOPIC_CONFIG_DEFS.get(name);
  if (def === undefined) {
    const suggestion = closestMatch(name, TOPIC_CONFIG_DEFS.keys());
    return `Unknown topic config name: ${name}${suggestion === null ? '' : ` (did you mean ${suggestion}?)`}`;
  }
  const parsed = parseValue(def.type, value, false);
  if (!parsed.ok) return `Invalid value ${value} for configuration ${name}: expected ${parsed.expected}`;
  if (def.validator?.accepts(parsed.value) === false) return `Invalid value ${value} for configuration ${name}: expected ${def.validator.expected}`;
  return null;
}

/** Validates topic overrides (the full set a topic would have). Unknown keys and bad values are INVALID_CONFIG. */
export function validateTopicConfigs(overrides: ReadonlyMap<string, string | null> | Iterable<readonly [string, string | null]>): TopicConfigValidation {
  const map = new Map(overrides);
  for (const [name, value] of map) {
    if (value === null) return invalid(`Null value not supported for topic config ${name}`);
    const problem = checkTopicValue(name, value);
    if (problem !== null) return invalid(problem);
  }
  const minLag = map.get('min.compaction.lag.ms');
  const maxLag = map.get('max.compaction.lag.ms');
  if (minLag != null && maxLag != null && Number(minLag) > Number(maxLag)) {
    return invalid(`min.compaction.lag.ms (${minLag}) must not exceed max.compaction.lag.ms (${maxLag})`);
  }
  return { ok: true };
}

function invalid(message: string): TopicConfigValidation {
  return { ok: false, errorCode: INVALID_CONFIG, message };
}

export interface ConfigSynonym {
  readonly name: string;
  readonly value: string | null;
  readonly source: ConfigSourceCode;
}

export interface TopicConfigEntry {
  readonly name: string;
  readonly value: string;
  readonly source: ConfigSourceCode;
  readonly isDefault: boolean;
  readonly isSensitive: false;
  readonly readOnly: false;
  readonly configType: number;
  readonly documentation: string;
  /** Kafka's DescribeConfigs synonyms, highest precedence first. */
  readonly synonyms: readonly ConfigSynonym[];
}

/** Every topic key with its effective value and source, sorted by name. */
export function effectiveTopicConfig(broker: BrokerConfig, overrides: ReadonlyMap<string, string>): TopicConfigEntry[] {
  return TOPIC_DEFS.map((def) => {
    const synonyms = synonymsOf(def, broker, overrides);
    const winner = synonyms[0];
    const value = overrides.get(def.name) ?? def.defaultFrom(broker);
    const source = winner?.source ?? ConfigSource.DEFAULT_CONFIG;
    return {
      name: def.name,
      value,
      source,
      isDefault: source === ConfigSource.DEFAULT_CONFIG,
      isSensitive: false as const,
      readOnly: false as const,
      configType: ConfigTypeCode[def.type.toUpperCase() as keyof typeof ConfigTypeCode],
      documentation: def.doc,
      synonyms,
    };
  });
}

/**
 * Override first, then the broker keys that are set (in key precedence: log.retention.ms before
 * .minutes before .hours, whatever layer set them, matching how BrokerConfig resolves them), then the
 * built-in default of the primary broker key. The first entry decides the reported source.
 */
function synonymsOf(def: TopicConfigDef, broker: BrokerConfig, overrides: ReadonlyMap<string, string>): ConfigSynonym[] {
  const synonyms: ConfigSynonym[] = [];
  const override = overrides.get(def.name);
  if (override !== undefined) synonyms.push({ name: def.name, value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
  for (const key of def.brokerSynonyms) {
    const entry = broker.raw.get(key);
    if (entry !== undefined && entry.source !== 'default' && entry.value !== null) {
      synonyms.push({ name: key, value: entry.value, source: configSourceOf(entry.source) });
    }
  }
  const withDefault = def.brokerSynonyms.find((key) => BROKER_CONFIG_DEFS.get(key)?.default != null);
  if (withDefault !== undefined) {
    synonyms.push({ name: withDefault, value: BROKER_CONFIG_DEFS.get(withDefault)!.default, source: ConfigSource.DEFAULT_CONFIG });
  }
  return synonyms;
}

/**
 * A topic's typed effective config: what storage needs to run one partition's log (the one
 * definition; `broker/storage/` imports it) plus what the produce path checks. Times in ms, sizes
 * in bytes; -1 = unlimited; Kafka's Long.MAX_VALUE defaults are Number.MAX_SAFE_INTEGER.
 */
export interface LogConfig {
  /** segment.bytes: roll when the active segment would grow past this. */
  readonly segmentBytes: number;
  /** segment.ms: roll when the active segment's first append is older than this. */
  readonly segmentMs: number;
  readonly segmentJitterMs: number;
  /** segment.index.bytes: roll when the offset index would grow past this. */
  readonly segmentIndexBytes: number;
  /** index.interval.bytes: one offset/time index entry per this many appended bytes. */
  readonly indexIntervalBytes: number;
  /** retention.ms: delete closed segments whose newest timestamp is older; -1 = forever. */
  readonly retentionMs: number;
  /** retention.bytes: delete oldest closed segments while the log is bigger; -1 = unbounded. */
  readonly retentionBytes: number;
  /** flush.messages: fsync after this many appended records. */
  readonly flushMessages: number;
  /** flush.ms: fsync when the oldest unflushed append is this old (driven by `Log.maybeFlush`). */
  readonly flushMs: number;
  /** file.delete.delay.ms: accepted, ignored by storage (files are deleted at once). */
  readonly fileDeleteDelayMs: number;
  readonly messageTimestampType: 'CreateTime' | 'LogAppendTime';
  readonly messageTimestampBeforeMaxMs: number;
  readonly messageTimestampAfterMaxMs: number;
  readonly maxMessageBytes: number;
  readonly minInsyncReplicas: number;
  readonly cleanupPolicy: readonly ('delete' | 'compact')[];
  readonly compressionType: string;
  readonly preallocate: boolean;
}

/** The typed effective config of a topic. Overrides must have passed validateTopicConfigs. */
export function toLogConfig(broker: BrokerConfig, overrides: ReadonlyMap<string, string>): LogConfig {
  const values = new Map<string, ConfigValue>();
  for (const def of TOPIC_DEFS) {
    const text = overrides.get(def.name) ?? def.defaultFrom(broker);
    const parsed = parseValue(def.type, text, false);
    if (!parsed.ok) throw new Error(`assertion failed: topic config ${def.name}=${text} was not validated`);
    values.set(def.name, parsed.value);
  }
  const num = (key: string): number => values.get(key) as number;
  const retentionMs = num('retention.ms');
  return {
    segmentBytes: num('segment.bytes'),
    segmentMs: num('segment.ms'),
    segmentJitterMs: num('segment.jitter.ms'),
    segmentIndexBytes: num('segment.index.bytes'),
    indexIntervalBytes: num('index.interval.bytes'),
    retentionMs: retentionMs < 0 ? -1 : retentionMs,
    retentionBytes: num('retention.bytes'),
    flushMessages: num('flush.messages'),
    flushMs: num('flush.ms'),
    fileDeleteDelayMs: num('file.delete.delay.ms'),
    messageTimestampType: values.get('message.timestamp.type') as 'CreateTime' | 'LogAppendTime',
    messageTimestampBeforeMaxMs: num('message.timestamp.before.max.ms'),
    messageTimestampAfterMaxMs: num('message.timestamp.after.max.ms'),
    maxMessageBytes: num('max.message.bytes'),
    minInsyncReplicas: num('min.insync.replicas'),
    cleanupPolicy: values.get('cleanup.policy') as ('delete' | 'compact')[],
    compressionType: values.get('compression.type') as string,
    preallocate: values.get('preallocate') as boolean,
  };
}

/** The type of a topic key, for APPEND/SUBTRACT (only lists) in IncrementalAlterConfigs. */
export function topicConfigType(name: string): ConfigType | null {
  return TOPIC_CONFIG_DEFS.get(name)?.type ?? null;
}
