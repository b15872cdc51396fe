/**
 * The table of broker configuration keys Tributary knows: Kafka's names, types, defaults,
 * validators and a one-line doc each. Keys Kafka has and Tributary merely accepts (so an existing
 * server.properties loads) say so in their doc: "Accepted, no effect" or "Accepted for later".
 * Tributary-only keys start with `tributary.`.
 *
 * Defaults follow Apache Kafka 4.x except where a single-node embedded broker needs something
 * friendlier; those lines say "Kafka: ..." with Kafka's value:
 * - node.id defaults to 1 (Kafka requires it), log.dir to ./data (Kafka: /tmp/kafka-logs);
 * - offsets.topic.replication.factor and transaction.state.log.replication.factor default to 1
 *   (Kafka: 3) and transaction.state.log.min.isr to 1 (Kafka: 2);
 * - listeners has no controller listener: the single-node controller runs in-process (see
 *   broker-config.ts for when one is required).
 * Pure data; broker-config.ts does the resolving and cross-key checks.
 */
import {
  type ConfigType, type Validator, LONG_MAX_TEXT, atLeast, between, listOf, matching, matchingEach, oneOf,
} from './values.js';

export interface ConfigDef {
  readonly name: string;
  readonly type: ConfigType;
  /** Default as text (what DescribeConfigs shows); null = no value unless set. */
  readonly default: string | null;
  readonly doc: string;
  readonly validator?: Validator;
  /** May be changed at runtime with (Incremental)AlterConfigs on a BROKER resource. */
  readonly dynamic?: boolean;
  readonly sensitive?: boolean;
}

export const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] as const;
export const CLEANUP_POLICIES = ['delete', 'compact'] as const;
export const TIMESTAMP_TYPES = ['CreateTime', 'LogAppendTime'] as const;
export const LONG_MAX = LONG_MAX_TEXT;

const LISTENER = /^[A-Za-z0-9_]+:\/\/(\[[0-9a-fA-F:.]+\]|[^:/\s]*):\d{1,5}$/;
const VOTER = /^\d+@(\[[0-9a-fA-F:.]+\]|[^:/@\s]+):\d{1,5}$/;
const PROTOCOL_MAPPING = /^[A-Za-z0-9_]+:[A-Za-z0-9_]+$/;
const HOST_PORT = /^(https?:\/\/)?(\[[0-9a-fA-F:.]+\]|[^:/\s]*):\d{1,5}\/?$|^$/;

type Extra = Pick<ConfigDef, 'validator' | 'dynamic' | 'sensitive'>;

function def(name: string, type: ConfigType, dflt: string | null, doc: string, extra: Extra = {}): ConfigDef {
  return { name, type, default: dflt, doc, ...extra };
}

const DYN = { dynamic: true } as const;

const SERVER_KEYS: readonly ConfigDef[] = [
  def('node.id', 'int', '1', 'Id of this node in the cluster (Kafka requires it; the embedded default is 1).', { validator: atLeast(0) }),
  def('broker.id', 'int', null, 'Alias of node.id kept for old configs; must agree with node.id when both are set.', { validator: atLeast(0) }),
  def('process.roles', 'list', 'broker,controller', 'Roles of this process: broker, controller, or both (combined mode).', {
    validator: listOf(['broker', 'controller'], { nonEmpty: true }),
  }),
  def('controller.quorum.voters', 'list', '', 'Controller quorum as id@host:port,...; empty = this node alone (in-process controller).', {
    validator: matchingEach(VOTER, 'a list of id@host:port'),
  }),
  def('controller.quorum.bootstrap.servers', 'list', '', 'Accepted for later (dynamic quorum bootstrap): host:port,...'),
  def('controller.listener.names', 'list', 'CONTROLLER', 'Names of the listeners used by the controller.'),
  def('listeners', 'list', 'PLAINTEXT://localhost:9092', 'Listeners to bind, NAME://host:port; an empty host binds all interfaces.', {
    validator: matchingEach(LISTENER, 'a list of NAME://host:port'),
  }),
  def('advertised.listeners', 'list', null, 'Listeners given to clients; default: the non-controller listeners.', {
    validator: matchingEach(LISTENER, 'a list of NAME://host:port'),
  }),
  def('listener.security.protocol.map', 'list',
    'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
    'Listener name to security protocol, NAME:PROTOCOL,... (only PLAINTEXT is implemented).', {
      validator: matchingEach(PROTOCOL_MAPPING, 'a list of LISTENER_NAME:SECURITY_PROTOCOL'),
    }),
  def('inter.broker.listener.name', 'string', null, 'Listener brokers use to talk to each other; default: PLAINTEXT or the first broker listener.'),
  def('security.inter.broker.protocol', 'string', 'PLAINTEXT', 'Accepted; use inter.broker.listener.name instead.', { validator: oneOf('PLAINTEXT') }),
  def('cluster.id', 'string', null, 'Cluster id; normally generated on first start and kept in meta.properties.'),
  def('broker.rack', 'string', null, 'Rack of this broker, reported in Metadata responses.'),
  def('log.dirs', 'list', null, 'Directories holding partition data; overrides log.dir when set.'),
  def('log.dir', 'string', './data', 'Directory holding partition data when log.dirs is not set (Kafka: /tmp/kafka-logs).'),
  def('metadata.log.dir', 'string', null, 'Directory of the metadata log; default: the first log directory.'),
  def('authorizer.class.name', 'class', '', 'Authorization is not implemented yet, so this must stay empty.', {
    validator: matching(/^$/, 'empty (authorization is not implemented yet)'),
  }),
];

const SOCKET_KEYS: readonly ConfigDef[] = [
  def('socket.request.max.bytes', 'int', '104857600', 'Largest request frame accepted; bigger frames close the connection.', { validator: atLeast(1) }),
  def('socket.send.buffer.bytes', 'int', '102400', 'SO_SNDBUF for client sockets; -1 = OS default.', { validator: atLeast(-1) }),
  def('socket.receive.buffer.bytes', 'int', '102400', 'SO_RCVBUF for client sockets; -1 = OS default.', { validator: atLeast(-1) }),
  def('socket.listen.backlog.size', 'int', '50', 'Listen backlog of the Kafka listeners.', { validator: atLeast(1) }),
  def('queued.max.requests', 'int', '500', 'Bound on requests in flight (read, not yet answered) per connection.', { validator: atLeast(1) }),
  def('connections.max.idle.ms', 'long', '600000', 'Idle client connections are closed after this long.'),
  def('max.connections', 'int', '2147483647', 'Largest number of client connections across listeners.', { validator: atLeast(0) }),
  def('num.network.threads', 'int', '3', 'Accepted, no effect: Tributary runs one event loop.', { validator: atLeast(1) }),
  def('num.io.threads', 'int', '8', 'Accepted, no effect: Tributary runs one event loop.', { validator: atLeast(1) }),
  def('background.threads', 'int', '10', 'Accepted, no effect: Tributary runs one event loop.', { validator: atLeast(1) }),
  def('num.recovery.threads.per.data.dir', 'int', '2', 'Accepted, no effect: recovery runs on the event loop.', { validator: atLeast(1) }),
];

const LOG_KEYS: readonly ConfigDef[] = [
  def('num.partitions', 'int', '1', 'Partitions of auto-created topics and of CreateTopics with num_partitions=-1.', { validator: atLeast(1) }),
  def('default.replication.factor', 'int', '1', 'Replication factor of auto-created topics and of CreateTopics with replication_factor=-1.', { validator: atLeast(1) }),
  def('min.insync.replicas', 'int', '1', 'Fewest in-sync replicas for an acks=all produce to succeed.', { validator: atLeast(1), ...DYN }),
  def('auto.create.topics.enable', 'boolean', 'true', 'Create a topic when a Metadata request names an unknown one.'),
  def('delete.topic.enable', 'boolean', 'true', 'Allow DeleteTopics.'),
  def('message.max.bytes', 'int', '1048588', 'Largest record batch a topic accepts (topic: max.message.bytes).', { validator: atLeast(0), ...DYN }),
  def('log.retention.hours', 'int', '168', 'Time-based retention in hours; used when log.retention.minutes and .ms are unset.', { validator: atLeast(-1), ...DYN }),
  def('log.retention.minutes', 'int', null, 'Time-based retention in minutes; used when log.retention.ms is unset.', { validator: atLeast(-1), ...DYN }),
  def('log.retention.ms', 'long', null, 'Time-based retention in ms (wins over minutes and hours); -1 = unlimited.', { validator: atLeast(-1), ...DYN }),
  def('log.retention.bytes', 'long', '-1', 'Size-based retention per partition; -1 = unlimited.', { validator: atLeast(-1), ...DYN }),
  def('log.retention.check.interval.ms', 'long', '300000', 'How often retention runs.', { validator: atLeast(1) }),
  def('log.segment.bytes', 'int', '1073741824', 'Largest segment file before a roll.', { validator: atLeast(14), ...DYN }),
  def('log.roll.hours', 'int', '168', 'Roll the active segment after this many hours; used when log.roll.ms is unset.', { validator: atLeast(1), ...DYN }),
  def('log.roll.ms', 'long', null, 'Roll the active segment after this many ms (wins over log.roll.hours).', { validator: atLeast(1), ...DYN }),
  def('log.roll.jitter.hours', 'int', '0', 'Random jitter subtracted from the roll time, in hours.', { validator: atLeast(0), ...DYN }),
  def('log.roll.jitter.ms', 'long', null, 'Random jitter subtracted from the roll time, in ms (wins over hours).', { validator: atLeast(0), ...DYN }),
  def('log.index.interval.bytes', 'int', '4096', 'Bytes of log between two offset-index entries.', { validator: atLeast(0), ...DYN }),
  def('log.index.size.max.bytes', 'int', '10485760', 'Largest offset or time index file per segment.', { validator: atLeast(4), ...DYN }),
  def('log.flush.interval.messages', 'long', LONG_MAX, 'fsync after this many messages; Long.MAX = leave it to the OS.', { validator: atLeast(1), ...DYN }),
  def('log.flush.interval.ms', 'long', null, 'fsync after a message is this old; unset = log.flush.scheduler.interval.ms.', { validator: atLeast(0), ...DYN }),
  def('log.flush.scheduler.interval.ms', 'long', LONG_MAX, 'How often the flusher checks logs; Long.MAX = never.', { validator: atLeast(0) }),
  def('log.flush.offset.checkpoint.interval.ms', 'int', '60000', 'Most often the recovery points (recovery-point-offset-checkpoint) are rewritten; a stale point only lengthens recovery.', { validator: atLeast(0) }),
  def('log.segment.delete.delay.ms', 'long', '60000', 'Delay before a deleted segment file is removed.', { validator: atLeast(0), ...DYN }),
  def('log.cleanup.policy', 'list', 'delete', 'delete, compact, or both (compaction: accepted for later).', {
    validator: listOf(CLEANUP_POLICIES, { nonEmpty: true }), ...DYN,
  }),
  def('log.cleaner.enable', 'boolean', 'true', 'Accepted for later (compaction).'),
  def('log.cleaner.threads', 'int', '1', 'Accepted for later (compaction).', { validator: atLeast(0) }),
  def('log.cleaner.delete.retention.ms', 'long', '86400000', 'How long delete markers stay in compacted topics.', { validator: atLeast(0), ...DYN }),
  def('log.cleaner.min.compaction.lag.ms', 'long', '0', 'Youngest a message can be to be compacted.', { validator: atLeast(0), ...DYN }),
  def('log.cleaner.max.compaction.lag.ms', 'long', LONG_MAX, 'Oldest a message can be before it must be compacted.', { validator: atLeast(1), ...DYN }),
  def('log.cleaner.min.cleanable.ratio', 'double', '0.5', 'Dirty ratio that makes a log eligible for compaction.', { validator: between(0, 1), ...DYN }),
  def('log.preallocate', 'boolean', 'false', 'Preallocate segment files.', DYN),
  def('log.message.timestamp.type', 'string', 'CreateTime', 'CreateTime (producer) or LogAppendTime (broker) record timestamps.', {
    validator: oneOf(...TIMESTAMP_TYPES), ...DYN,
  }),
  def('log.message.timestamp.before.max.ms', 'long', LONG_MAX, 'Largest allowed gap of a CreateTime timestamp before the broker time.', { validator: atLeast(0), ...DYN }),
  def('log.message.timestamp.after.max.ms', 'long', '3600000', 'Largest allowed gap of a CreateTime timestamp after the broker time.', { validator: atLeast(0), ...DYN }),
  def('compression.type', 'string', 'producer', 'Compression of stored batches; producer = keep what the producer sent.', {
    validator: oneOf(...COMPRESSION_TYPES), ...DYN,
  }),
  def('unclean.leader.election.enable', 'boolean', 'false', 'Allow an out-of-sync replica to become leader (may lose data).', DYN),
  def('auto.leader.rebalance.enable', 'boolean', 'true', 'Accepted for later (preferred leader election).'),
  def('fetch.max.bytes', 'int', '57671680', 'Largest Fetch response the broker builds.', { validator: atLeast(1024) }),
];

const GROUP_KEYS: readonly ConfigDef[] = [
  def('offsets.topic.num.partitions', 'int', '50', 'Partitions of __consumer_offsets (fixed once created).', { validator: atLeast(1) }),
  def('offsets.topic.replication.factor', 'short', '1', 'Replication factor of __consumer_offsets (Kafka: 3).', { validator: atLeast(1) }),
  def('offsets.topic.segment.bytes', 'int', '104857600', 'Segment size of __consumer_offsets.', { validator: atLeast(1) }),
  def('offsets.retention.minutes', 'int', '10080', 'Committed offsets of an empty group expire after this long.', { validator: atLeast(1) }),
  def('offsets.retention.check.interval.ms', 'long', '600000', 'How often expired offsets are removed.', { validator: atLeast(1) }),
  def('offsets.commit.timeout.ms', 'int', '5000', 'Longest an offset commit waits for its write to be replicated.', { validator: atLeast(1) }),
  def('offsets.load.buffer.size', 'int', '5242880', 'Accepted, no effect: bytes read at a time when loading offsets.', { validator: atLeast(1) }),
  def('offset.metadata.max.bytes', 'int', '4096', 'Largest metadata string of a committed offset.', { validator: atLeast(0) }),
  def('group.initial.rebalance.delay.ms', 'int', '3000', 'Wait for more members before the first rebalance of a new group (Kafka quickstart: 0).', { validator: atLeast(0) }),
  def('group.min.session.timeout.ms', 'int', '6000', 'Smallest session timeout a member may ask for.', { validator: atLeast(0) }),
  def('group.max.session.timeout.ms', 'int', '1800000', 'Largest session timeout a member may ask for.', { validator: atLeast(0) }),
  def('group.max.size', 'int', '2147483647', 'Most members in one consumer group.', { validator: atLeast(1) }),
  def('transaction.state.log.num.partitions', 'int', '50', 'Accepted for later (transactions).', { validator: atLeast(1) }),
  def('transaction.state.log.replication.factor', 'short', '1', 'Accepted for later (transactions; Kafka: 3).', { validator: atLeast(1) }),
  def('transaction.state.log.min.isr', 'int', '1', 'Accepted for later (transactions; Kafka: 2).', { validator: atLeast(1) }),
  def('transaction.state.log.segment.bytes', 'int', '104857600', 'Accepted for later (transactions).', { validator: atLeast(1) }),
  def('transactional.id.expiration.ms', 'int', '604800000', 'Accepted for later (transactions).', { validator: atLeast(1) }),
  def('transaction.max.timeout.ms', 'int', '900000', 'Accepted for later (transactions).', { validator: atLeast(1) }),
  def('producer.id.expiration.ms', 'int', '86400000', 'Idempotent producer state expires after this long without writes.', { validator: atLeast(1) }),
];

const REPLICATION_KEYS: readonly ConfigDef[] = [
  def('replica.lag.time.max.ms', 'long', '30000', 'A follower that has not caught up for this long leaves the ISR.', { validator: atLeast(1) }),
  def('replica.fetch.max.bytes', 'int', '1048576', 'Accepted for later: bytes per partition a follower fetches.', { validator: atLeast(0) }),
  def('replica.fetch.response.max.bytes', 'int', '10485760', 'Accepted for later: bytes per follower fetch response.', { validator: atLeast(0) }),
  def('replica.fetch.wait.max.ms', 'int', '500', 'Accepted for later: follower fetch long-poll time.', { validator: atLeast(0) }),
  def('replica.fetch.min.bytes', 'int', '1', 'Accepted for later: follower fetch minimum bytes.', { validator: atLeast(0) }),
  def('replica.fetch.backoff.ms', 'int', '1000', 'Accepted for later: follower back-off after a fetch error.', { validator: atLeast(0) }),
  def('replica.socket.timeout.ms', 'int', '30000', 'Accepted for later: follower socket timeout.'),
  def('replica.socket.receive.buffer.bytes', 'int', '65536', 'Accepted for later: follower SO_RCVBUF.'),
  def('replica.high.watermark.checkpoint.interval.ms', 'long', '5000', 'Accepted for later: high watermark checkpoint interval.', { validator: atLeast(1) }),
  def('replica.selector.class', 'class', null, 'Accepted for later: fetch-from-follower replica selector.'),
  def('num.replica.fetchers', 'int', '1', 'Accepted, no effect: one fetcher per source broker.', { validator: atLeast(1) }),
  def('broker.heartbeat.interval.ms', 'int', '2000', 'Accepted for later: broker-to-controller heartbeat interval.', { validator: atLeast(1) }),
  def('broker.session.timeout.ms', 'int', '9000', 'Accepted for later: a broker silent this long is fenced.', { validator: atLeast(1) }),
  def('controller.quorum.election.timeout.ms', 'int', '1000', 'Accepted for later (Raft).', { validator: atLeast(1) }),
  def('controller.quorum.fetch.timeout.ms', 'int', '2000', 'Accepted for later (Raft).', { validator: atLeast(1) }),
  def('controller.quorum.election.backoff.max.ms', 'int', '1000', 'Accepted for later (Raft).', { validator: atLeast(1) }),
  def('controller.quorum.request.timeout.ms', 'int', '2000', 'Accepted for later (Raft).', { validator: atLeast(1) }),
  def('controller.quorum.append.linger.ms', 'int', '25', 'Accepted for later (Raft).', { validator: atLeast(0) }),
  def('metadata.log.segment.bytes', 'int', '1073741824', 'Accepted for later: metadata log segment size.', { validator: atLeast(12) }),
];

const TRIBUTARY_KEYS: readonly ConfigDef[] = [
  def('tributary.http.listener', 'string', 'http://0.0.0.0:9644',
    'Tributary: address of the HTTP server for /metrics, /healthz and /readyz, [http://]host:port; empty = off.', {
      validator: matching(HOST_PORT, 'http://host:port, host:port, or empty to disable'),
    }),
];

export const BROKER_CONFIG_DEFS: ReadonlyMap<string, ConfigDef> = new Map(
  [...SERVER_KEYS, ...SOCKET_KEYS, ...LOG_KEYS, ...GROUP_KEYS, ...REPLICATION_KEYS, ...TRIBUTARY_KEYS].map((d) => [d.name, d]),
);

/** Environment variable names for a key, following Apache Kafka's docker image convention:
 * prefix + key with `_` -> `__`, `-` -> `___`, `.` -> `_`, upper-cased. Tributary-only keys drop their
 * `tributary.` part (TRIBUTARY_HTTP_LISTENER) and have no KAFKA_ name (null). */
export function envNameFor(prefix: 'TRIBUTARY_' | 'KAFKA_', key: string): string | null {
  const isTributaryKey = key.startsWith('tributary.');
  if (isTributaryKey && prefix === 'KAFKA_') return null;
  const rest = isTributaryKey ? key.slice('tributary.'.length) : key;
  return prefix + rest.replace(/_/g, '__').replace(/-/g, '___').replace(/\./g, '_').toUpperCase();
}
