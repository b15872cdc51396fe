/**
 * Broker configuration: layers of `key=value` text resolved against the key table in
 * definitions.ts into one typed, validated `BrokerConfig`.
 *
 * Precedence, lowest to highest: defaults < server.properties < environment < `--override k=v`
 * (later overrides win over earlier ones). Dynamic broker configs written through AlterConfigs sit
 * on top of all of these (`applyDynamicBrokerConfigs`), as in Kafka.
 *
 * Environment: `TRIBUTARY_<KEY>` and, as Apache Kafka's docker image does, `KAFKA_<KEY>`, where KEY
 * is the key upper-cased with `.` -> `_` (`_` -> `__`, `-` -> `___`). When both are set,
 * TRIBUTARY_ wins. Other KAFKA_* variables (KAFKA_HEAP_OPTS, ...) are ignored; a TRIBUTARY_* variable
 * that matches no key is reported in `warnings` (it may belong to the CLI) rather than rejected.
 *
 * Anything else that is unknown or invalid throws `ConfigError` naming the key, the value, what was
 * expected and where the value came from. Pure: the caller reads the file and the environment.
 */
import { ConfigError } from './config-error.js';
import { BROKER_CONFIG_DEFS, type ConfigDef, envNameFor } from './definitions.js';
import { parseProperties } from './properties.js';
import { type ConfigValue, closestMatch, parseValue } from './values.js';

export { ConfigError } from './config-error.js';
export { parseProperties } from './properties.js';

export type ConfigOrigin = 'default' | 'file' | 'env' | 'override' | 'dynamic-default' | 'dynamic-broker';

export interface RawConfigEntry {
  /** Effective value as text (trimmed); null = unset. */
  readonly value: string | null;
  readonly source: ConfigOrigin;
  /** Where exactly: the file name, the environment variable, or `--override`. */
  readonly from: string;
}

export interface Listener {
  readonly name: string;
  /** '' = all interfaces. IPv6 hosts without brackets. */
  readonly host: string;
  readonly port: number;
  readonly securityProtocol: string;
}

export interface HttpListener {
  readonly host: string;
  readonly port: number;
}

export interface BrokerConfig {
  readonly nodeId: number;
  readonly processRoles: readonly ('broker' | 'controller')[];
  readonly controllerQuorumVoters: readonly { readonly id: number; readonly host: string; readonly port: number }[];
  readonly controllerListenerNames: readonly string[];
  readonly listeners: readonly Listener[];
  /** Resolved: advertised.listeners, or the non-controller listeners (hosts unchanged; the server
   * substitutes a reachable host for '' / 0.0.0.0). */
  readonly advertisedListeners: readonly Listener[];
  readonly listenerSecurityProtocolMap: ReadonlyMap<string, string>;
  /** Resolved; null on a controller-only node. */
  readonly interBrokerListenerName: string | null;
  readonly clusterId: string | null;
  readonly brokerRack: string | null;
  /** Resolved: log.dirs, else [log.dir]. */
  readonly logDirs: readonly string[];
  readonly metadataLogDir: string;
  readonly numPartitions: number;
  readonly defaultReplicationFactor: number;
  readonly minInsyncReplicas: number;
  readonly autoCreateTopicsEnable: boolean;
  readonly deleteTopicEnable: boolean;
  readonly messageMaxBytes: number;
  readonly fetchMaxBytes: number;
  readonly socketRequestMaxBytes: number;
  readonly socketSendBufferBytes: number;
  readonly socketReceiveBufferBytes: number;
  readonly socketListenBacklogSize: number;
  readonly queuedMaxRequests: number;
  readonly connectionsMaxIdleMs: number;
  readonly maxConnections: number;
  /** Resolved: log.retention.ms > minutes > hours; -1 = unlimited. */
  readonly logRetentionMs: number;
  readonly logRetentionBytes: number;
  readonly logRetentionCheckIntervalMs: number;
  readonly logSegmentBytes: number;
  /** Resolved: log.roll.ms > log.roll.hours. */
  readonly logRollMs: number;
  /** Resolved: log.roll.jitter.ms > log.roll.jitter.hours. */
  readonly logRollJitterMs: number;
  readonly logIndexIntervalBytes: number;
  readonly logIndexSizeMaxBytes: number;
  readonly logFlushIntervalMessages: number;
  /** Resolved: log.flush.interval.ms, else log.flush.scheduler.interval.ms. */
  readonly logFlushIntervalMs: number;
  /** log.flush.offset.checkpoint.interval.ms: passed to `LogManager` as `recoveryPointCheckpointIntervalMs`. */
  readonly logFlushOffsetCheckpointIntervalMs: number;
  readonly logSegmentDeleteDelayMs: number;
  readonly logCleanupPolicy: readonly string[];
  readonly logMessageTimestampType: 'CreateTime' | 'LogAppendTime';
  readonly logMessageTimestampBeforeMaxMs: number;
  readonly logMessageTimestampAfterMaxMs: number;
  readonly compressionType: string;
  readonly uncleanLeaderElectionEnable: boolean;
  readonly offsetsTopicNumPartitions: number;
  readonly offsetsTopicReplicationFactor: number;
  readonly offsetsTopicSegmentBytes: number;
  readonly offsetsRetentionMs: number;
  readonly offsetsRetentionCheckIntervalMs: number;
  readonly offsetsCommitTimeoutMs: number;
  readonly offsetMetadataMaxBytes: number;
  readonly groupInitialRebalanceDelayMs: number;
  readonly groupMinSessionTimeoutMs: number;
  readonly groupMaxSessionTimeoutMs: number;
  readonly groupMaxSize: number;
  readonly producerIdExpirationMs: number;
  readonly replicaLagTimeMaxMs: number;
  /** null = HTTP server off. */
  readonly httpListener: HttpListener | null;
  /** Every known key with its effective text value and where it came from. */
  readonly raw: ReadonlyMap<string, RawConfigEntry>;
  readonly warnings: readonly string[];
}

export interface LoadBrokerConfigOptions {
  /** Contents of server.properties, if any. */
  readonly file?: string;
  /** Name used in messages; default "server.properties". */
  readonly fileName?: string;
  /** `key=value` strings from `--override`, applied in order. */
  readonly overrides?: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Supported security protocols; listeners mapped to anything else are rejected at start-up. */
const SUPPORTED_SECURITY_PROTOCOLS = new Set(['PLAINTEXT']);

export function loadBrokerConfig(options: LoadBrokerConfigOptions = {}): BrokerConfig {
  const raw = new Map<string, RawConfigEntry>();
  for (const def of BROKER_CONFIG_DEFS.values()) raw.set(def.name, { value: def.default, source: 'default', from: 'default' });
  const warnings: string[] = [];
  if (options.file !== undefined) {
    const fileName = options.fileName ?? 'server.properties';
    for (const [key, value] of parseProperties(options.file)) {
      raw.set(requireKnownKey(key, `in ${fileName}`), { value: value.trim(), source: 'file', from: fileName });
    }
  }
  for (const [key, entry] of readEnvironment(options.env ?? {}, warnings)) raw.set(key, entry);
  for (const override of options.overrides ?? []) {
    const eq = override.indexOf('=');
    if (eq <= 0) throw new ConfigError(`Malformed --override "${override}": expected key=value`);
    const key = requireKnownKey(override.slice(0, eq).trim(), 'in --override');
    raw.set(key, { value: override.slice(eq + 1).trim(), source: 'override', from: '--override' });
  }
  return buildBrokerConfig(raw, warnings);
}

/**
 * Layers dynamic broker configs (ConfigRecords for BROKER resources) over a loaded config:
 * `clusterDefaults` (resource name "") and then `perBroker` (resource name = this node id).
 * Throws ConfigError for values the controller should not have accepted.
 */
export function applyDynamicBrokerConfigs(
  config: BrokerConfig,
  dynamic: { readonly clusterDefaults?: ReadonlyMap<string, string>; readonly perBroker?: ReadonlyMap<string, string> },
): BrokerConfig {
  const raw = new Map(config.raw);
  for (const [source, values] of [['dynamic-default', dynamic.clusterDefaults], ['dynamic-broker', dynamic.perBroker]] as const) {
    for (const [key, value] of values ?? []) {
      raw.set(requireKnownKey(key, 'in a dynamic broker config'), { value: value.trim(), source, from: source });
    }
  }
  return buildBrokerConfig(raw, [...config.warnings]);
}

/**
 * Can `name` be set to `value` with AlterConfigs on a BROKER resource? Returns the problem, or null.
 * Cross-key checks need the whole config: run applyDynamicBrokerConfigs afterwards for those.
 */
export function checkDynamicBrokerConfig(name: string, value: string): string | null {
  const def = BROKER_CONFIG_DEFS.get(name);
  if (def === undefined) {
    const suggestion = closestMatch(name, BROKER_CONFIG_DEFS.keys());
    return `Unknown broker config name: ${name}${suggestion === null ? '' : ` (did you mean ${suggestion}?)`}`;
  }
  if (def.dynamic !== true) return `Cannot update these configs dynamically: [${name}]`;
  try {
    parseChecked(def, { value, source: 'dynamic-broker', from: 'AlterConfigs' });
    return null;
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
}

function requireKnownKey(key: string, where: string): string {
  if (BROKER_CONFIG_DEFS.has(key)) return key;
  const suggestion = closestMatch(key, BROKER_CONFIG_DEFS.keys());
  const hint = suggestion === null ? '' : ` (did you mean "${suggestion}"?)`;
  throw new ConfigError(`Unknown config key "${key}" ${where}${hint}`, key);
}

/** TRIBUTARY_* variables read elsewhere (broker/io/logger.ts), not config keys. */
const NON_CONFIG_ENV = new Set(['TRIBUTARY_LOG_LEVEL', 'TRIBUTARY_LOG_FORMAT', 'TRIBUTARY_DEBUG']);

function readEnvironment(env: Readonly<Record<string, string | undefined>>, warnings: string[]): Map<string, RawConfigEntry> {
  const found = new Map<string, RawConfigEntry>();
  const claimed = new Set<string>();
  for (const def of BROKER_CONFIG_DEFS.values()) {
    for (const prefix of ['KAFKA_', 'TRIBUTARY_'] as const) {
      const name = envNameFor(prefix, def.name);
      if (name === null) continue;
      claimed.add(name);
      const value = env[name];
      if (value !== undefined) found.set(def.name, { value: value.trim(), source: 'env', from: name });
    }
  }
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('TRIBUTARY_') || claimed.has(name) || NON_CONFIG_ENV.has(name) || env[name] === undefined) continue;
    const guess = name.slice('TRIBUTARY_'.length).toLowerCase().replace(/_/g, '.');
    const suggestion = closestMatch(guess, BROKER_CONFIG_DEFS.keys());
    const hint = suggestion === null ? '' : ` (did you mean ${envNameFor('TRIBUTARY_', suggestion)}?)`;
    warnings.push(`Environment variable ${name} matches no config key and was ignored${hint}`);
  }
  return found;
}

// ---- resolving ----

type Values = ReadonlyMap<string, ConfigValue>;

function parseAll(raw: ReadonlyMap<string, RawConfigEntry>): Values {
  const values = new Map<string, ConfigValue>();
  for (const [key, entry] of raw) {
    const def = BROKER_CONFIG_DEFS.get(key)!;
    values.set(key, parseChecked(def, entry));
  }
  return values;
}

function parseChecked(def: ConfigDef, entry: RawConfigEntry): ConfigValue {
  const parsed = parseValue(def.type, entry.value, def.default === null);
  const expected = !parsed.ok ? parsed.expected : def.validator?.accepts(parsed.value) === false ? def.validator.expected : null;
  if (expected !== null) {
    const shown = def.sensitive === true ? '[hidden]' : JSON.stringify(entry.value);
    throw new ConfigError(`Invalid value ${shown} for config key "${def.name}" (from ${entry.from}): expected ${expected}`, def.name);
  }
  return parsed.ok ? parsed.value : null;
}

function buildBrokerConfig(raw: ReadonlyMap<string, RawConfigEntry>, warnings: string[]): BrokerConfig {
  const v = parseAll(raw);
  const int = (key: string): number => v.get(key) as number;
  const optInt = (key: string): number | null => v.get(key) as number | null;
  const str = (key: string): string | null => v.get(key) as string | null;
  const list = (key: string): readonly string[] => v.get(key) as readonly string[];
  const bool = (key: string): boolean => v.get(key) as boolean;
  const net = resolveNetwork(raw, v);
  const configuredDirs = v.get('log.dirs') as readonly string[] | null;
  const logDirs = configuredDirs !== null && configuredDirs.length > 0 ? configuredDirs : [str('log.dir')!];
  if (logDirs.length === 0 || logDirs.some((dir) => dir === '')) {
    throw new ConfigError(`No usable log directory in ${JSON.stringify(logDirs.join(','))}: expected at least one non-empty path in log.dirs or log.dir`, 'log.dirs');
  }
  const groupMin = int('group.min.session.timeout.ms');
  const groupMax = int('group.max.session.timeout.ms');
  if (groupMin > groupMax) {
    throw new ConfigError(`group.min.session.timeout.ms (${groupMin}) must not exceed group.max.session.timeout.ms (${groupMax})`, 'group.min.session.timeout.ms');
  }
  return {
    ...net,
    clusterId: str('cluster.id') || null,
    brokerRack: str('broker.rack') || null,
    logDirs,
    metadataLogDir: str('metadata.log.dir') || logDirs[0]!,
    numPartitions: int('num.partitions'),
    defaultReplicationFactor: int('default.replication.factor'),
    minInsyncReplicas: int('min.insync.replicas'),
    autoCreateTopicsEnable: bool('auto.create.topics.enable'),
    deleteTopicEnable: bool('delete.topic.enable'),
    messageMaxBytes: int('message.max.bytes'),
    fetchMaxBytes: int('fetch.max.bytes'),
    socketRequestMaxBytes: int('socket.request.max.bytes'),
    socketSendBufferBytes: int('socket.send.buffer.bytes'),
    socketReceiveBufferBytes: int('socket.receive.buffer.bytes'),
    socketListenBacklogSize: int('socket.listen.backlog.size'),
    queuedMaxRequests: int('queued.max.requests'),
    connectionsMaxIdleMs: int('connections.max.idle.ms'),
    maxConnections: int('max.connections'),
    logRetentionMs: resolveRetentionMs(v),
    logRetentionBytes: int('log.retention.bytes'),
    logRetentionCheckIntervalMs: int('log.retention.check.interval.ms'),
    logSegmentBytes: int('log.segment.bytes'),
    logRollMs: optInt('log.roll.ms') ?? int('log.roll.hours') * HOUR_MS,
    logRollJitterMs: optInt('log.roll.jitter.ms') ?? int('log.roll.jitter.hours') * HOUR_MS,
    logIndexIntervalBytes: int('log.index.interval.bytes'),
    logIndexSizeMaxBytes: int('log.index.size.max.bytes'),
    logFlushIntervalMessages: int('log.flush.interval.messages'),
    logFlushIntervalMs: optInt('log.flush.interval.ms') ?? int('log.flush.scheduler.interval.ms'),
    logFlushOffsetCheckpointIntervalMs: int('log.flush.offset.checkpoint.interval.ms'),
    logSegmentDeleteDelayMs: int('log.segment.delete.delay.ms'),
    logCleanupPolicy: list('log.cleanup.policy'),
    logMessageTimestampType: str('log.message.timestamp.type') as 'CreateTime' | 'LogAppendTime',
    logMessageTimestampBeforeMaxMs: int('log.message.timestamp.before.max.ms'),
    logMessageTimestampAfterMaxMs: int('log.message.timestamp.after.max.ms'),
    compressionType: str('compression.type')!,
    uncleanLeaderElectionEnable: bool('unclean.leader.election.enable'),
    offsetsTopicNumPartitions: int('offsets.topic.num.partitions'),
    offsetsTopicReplicationFactor: int('offsets.topic.replication.factor'),
    offsetsTopicSegmentBytes: int('offsets.topic.segment.bytes'),
    offsetsRetentionMs: int('offsets.retention.minutes') * MINUTE_MS,
    offsetsRetentionCheckIntervalMs: int('offsets.retention.check.interval.ms'),
    offsetsCommitTimeoutMs: int('offsets.commit.timeout.ms'),
    offsetMetadataMaxBytes: int('offset.metadata.max.bytes'),
    groupInitialRebalanceDelayMs: int('group.initial.rebalance.delay.ms'),
    groupMinSessionTimeoutMs: groupMin,
    groupMaxSessionTimeoutMs: groupMax,
    groupMaxSize: int('group.max.size'),
    producerIdExpirationMs: int('producer.id.expiration.ms'),
    replicaLagTimeMaxMs: int('replica.lag.time.max.ms'),
    httpListener: parseHttpListener(str('tributary.http.listener') ?? ''),
    raw,
    warnings,
  };
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** Kafka's precedence: log.retention.ms, else minutes, else hours; any negative value = unlimited. */
function resolveRetentionMs(v: Values): number {
  const ms = v.get('log.retention.ms') as number | null;
  const minutes = v.get('log.retention.minutes') as number | null;
  const hours = v.get('log.retention.hours') as number;
  const retentionMs = ms ?? (minutes !== null ? minutes * MINUTE_MS : hours * HOUR_MS);
  return retentionMs < 0 ? -1 : retentionMs;
}

type NetworkConfig = Pick<BrokerConfig, 'nodeId' | 'processRoles' | 'controllerQuorumVoters' | 'controllerListenerNames'
  | 'listeners' | 'advertisedListeners' | 'listenerSecurityProtocolMap' | 'interBrokerListenerName'>;

function resolveNetwork(raw: ReadonlyMap<string, RawConfigEntry>, v: Values): NetworkConfig {
  const nodeId = resolveNodeId(raw, v);
  const processRoles = v.get('process.roles') as ('broker' | 'controller')[];
  const controllerListenerNames = v.get('controller.listener.names') as string[];
  const protocolMap = new Map((v.get('listener.security.protocol.map') as string[]).map((item) => item.split(':') as [string, string]));
  const listeners = parseListeners(v.get('listeners') as string[], protocolMap, 'listeners');
  const advertisedText = v.get('advertised.listeners') as string[] | null;
  const isControllerListener = (l: Listener): boolean => controllerListenerNames.includes(l.name);
  const advertisedListeners = advertisedText === null || advertisedText.length === 0
    ? listeners.filter((l) => !isControllerListener(l))
    : parseListeners(advertisedText, protocolMap, 'advertised.listeners');
  for (const l of advertisedListeners) {
    if (!listeners.some((bound) => bound.name === l.name)) {
      throw new ConfigError(`advertised.listeners names listener "${l.name}", which is not in listeners`, 'advertised.listeners');
    }
  }
  const controllerQuorumVoters = (v.get('controller.quorum.voters') as string[]).map(parseVoter);
  const isBroker = processRoles.includes('broker');
  if (processRoles.includes('controller') && controllerQuorumVoters.length > 0) {
    checkQuorumMembership(nodeId, controllerQuorumVoters, listeners, controllerListenerNames);
  }
  const brokerListeners = listeners.filter((l) => !isControllerListener(l));
  if (isBroker && brokerListeners.length === 0) {
    throw new ConfigError('listeners has no broker listener: every listener is a controller listener', 'listeners');
  }
  const interBrokerListenerName = isBroker ? resolveInterBrokerListener(v.get('inter.broker.listener.name') as string | null, brokerListeners) : null;
  return {
    nodeId, processRoles, controllerQuorumVoters, controllerListenerNames, listeners, advertisedListeners,
    listenerSecurityProtocolMap: protocolMap, interBrokerListenerName,
  };
}

function resolveNodeId(raw: ReadonlyMap<string, RawConfigEntry>, v: Values): number {
  const nodeIdSet = raw.get('node.id')!.source !== 'default';
  const brokerId = v.get('broker.id') as number | null;
  const nodeId = v.get('node.id') as number;
  if (brokerId === null) return nodeId;
  if (nodeIdSet && brokerId !== nodeId) {
    throw new ConfigError(`node.id (${nodeId}) and broker.id (${brokerId}) disagree: set only node.id`, 'broker.id');
  }
  return brokerId;
}

function parseListeners(items: readonly string[], protocolMap: ReadonlyMap<string, string>, key: string): Listener[] {
  const listeners = items.map((item): Listener => {
    const match = /^([A-Za-z0-9_]+):\/\/(\[([^\]]+)\]|[^:/]*):(\d+)$/.exec(item)!;
    const name = match[1]!;
    const securityProtocol = protocolMap.get(name);
    if (securityProtocol === undefined) {
      throw new ConfigError(`Listener "${name}" in ${key} has no entry in listener.security.protocol.map`, key);
    }
    if (!SUPPORTED_SECURITY_PROTOCOLS.has(securityProtocol)) {
      throw new ConfigError(`Listener "${name}" in ${key} uses security protocol ${securityProtocol}; only PLAINTEXT is supported so far`, key);
    }
    return { name, host: match[3] ?? match[2]!, port: checkPort(Number(match[4]), key, item), securityProtocol };
  });
  const names = listeners.map((l) => l.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) throw new ConfigError(`Listener name "${duplicate}" appears twice in ${key}`, key);
  return listeners;
}

function checkPort(port: number, key: string, item: string): number {
  if (port > 65535) throw new ConfigError(`Invalid port in ${key} entry "${item}": expected 0..65535`, key);
  return port;
}

function parseVoter(item: string): { id: number; host: string; port: number } {
  const match = /^(\d+)@(\[([^\]]+)\]|[^:]+):(\d+)$/.exec(item)!;
  return { id: Number(match[1]), host: match[3] ?? match[2]!, port: checkPort(Number(match[4]), 'controller.quorum.voters', item) };
}

function checkQuorumMembership(
  nodeId: number,
  voters: readonly { id: number }[],
  listeners: readonly Listener[],
  controllerListenerNames: readonly string[],
): void {
  if (!voters.some((voter) => voter.id === nodeId)) {
    throw new ConfigError(`This node (node.id=${nodeId}) has the controller role but is not in controller.quorum.voters`, 'controller.quorum.voters');
  }
  if (!listeners.some((l) => controllerListenerNames.includes(l.name))) {
    throw new ConfigError(
      `A controller in a multi-node quorum needs a listener named in controller.listener.names (${controllerListenerNames.join(',')}), e.g. CONTROLLER://:9093`,
      'listeners',
    );
  }
}

function resolveInterBrokerListener(configured: string | null, brokerListeners: readonly Listener[]): string {
  if (configured === null || configured === '') {
    return (brokerListeners.find((l) => l.name === 'PLAINTEXT') ?? brokerListeners[0]!).name;
  }
  if (!brokerListeners.some((l) => l.name === configured)) {
    throw new ConfigError(`inter.broker.listener.name "${configured}" is not a broker listener in listeners`, 'inter.broker.listener.name');
  }
  return configured;
}

function parseHttpListener(text: string): HttpListener | null {
  if (text === '') return null;
  const match = /^(?:https?:\/\/)?(\[([^\]]+)\]|[^:/]*):(\d+)\/?$/.exec(text)!;
  const port = checkPort(Number(match[3]), 'tributary.http.listener', text);
  return { host: match[2] ?? (match[1] || '0.0.0.0'), port };
}

// ---- DescribeConfigs ----

/** Kafka's DescribeConfigs config source enum. */
export const ConfigSource = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;
export type ConfigSourceCode = (typeof ConfigSource)[keyof typeof ConfigSource];

/** Kafka's DescribeConfigs config type enum (v3+). */
export const ConfigTypeCode = {
  UNKNOWN: 0, BOOLEAN: 1, STRING: 2, INT: 3, SHORT: 4, LONG: 5, DOUBLE: 6, LIST: 7, CLASS: 8, PASSWORD: 9,
} as const;

export interface DescribedConfig {
  readonly name: string;
  /** null for unset keys and for sensitive ones. */
  readonly value: string | null;
  /** Kafka's ConfigSource code. */
  readonly source: ConfigSourceCode;
  readonly origin: ConfigOrigin;
  readonly isSensitive: boolean;
  readonly readOnly: boolean;
  readonly isDefault: boolean;
  readonly configType: number;
  readonly documentation: string;
}

export function configSourceOf(origin: ConfigOrigin): ConfigSourceCode {
  switch (origin) {
    case 'default':
      return ConfigSource.DEFAULT_CONFIG;
    case 'dynamic-default':
      return ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG;
    case 'dynamic-broker':
      return ConfigSource.DYNAMIC_BROKER_CONFIG;
    case 'file':
    case 'env':
    case 'override':
      return ConfigSource.STATIC_BROKER_CONFIG;
  }
}

/** Every broker key, sorted by name, as DescribeConfigs on a BROKER resource reports it. */
export function describeBrokerConfig(config: BrokerConfig): DescribedConfig[] {
  return [...config.raw.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, entry]) => {
      const def = BROKER_CONFIG_DEFS.get(name)!;
      const isSensitive = def.sensitive === true;
      return {
        name,
        value: isSensitive ? null : entry.value,
        source: configSourceOf(entry.source),
        origin: entry.source,
        isSensitive,
        readOnly: def.dynamic !== true,
        isDefault: entry.source === 'default',
        configType: ConfigTypeCode[def.type.toUpperCase() as keyof typeof ConfigTypeCode],
        documentation: def.doc,
      };
    });
}
