// The broker process's wiring: config, metadata (single-node controller over the metadata store),
// partition logs, the group coordinator, listeners and HTTP. Handlers reach everything through
// this object. Start-up order: metadata replay -> log recovery -> register -> internal topics ->
// groups loaded -> listeners -> ready. Shutdown is the reverse, answering in-flight requests first.
import { hostname } from 'node:os';
import { loadedGroupCoordinator, type GroupService } from './group-service.js';
import { DelayedFetches, partitionKey } from './delayed-fetch.js';
import { createFrameHandler } from './dispatch.js';
import { Listener } from './listener.js';
import { BufferPool } from './buffer-pool.js';
import { HandlerRegistry, apiName } from './registry.js';
import { allHandlers } from './handlers/index.js';
import type { ApiHandler } from './handler.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { toLogConfig, type LogConfig } from '../config/topic-config.js';
import { createMetrics, type BrokerMetrics } from '../http/metrics.js';
import { startHttpServer, type RunningHttpServer } from '../http/server.js';
import { systemClock, type Clock, type Timer } from '../io/clock.js';
import { joinPath, type FileSystem } from '../io/fs.js';
import { createLogger, type Logger } from '../io/logger.js';
import { NodeFileSystem } from '../io/node-fs.js';
import { systemRandom, type RandomSource } from '../io/random.js';
import { createTopics, effectiveBrokerConfig, type ControllerContext } from '../metadata/controller.js';
import { applyRecords, EMPTY_IMAGE, topicConfigs, type MetadataImage } from '../metadata/image.js';
import { MetadataStore } from '../metadata/metadata-store.js';
import type { BrokerEndpoint, MetadataRecord } from '../metadata/records.js';
import { uuidFromBytes } from '../metadata/uuid.js';
import { parseProperties } from '../config/properties.js';
import { LogManager, META_PROPERTIES } from '../storage/log-manager.js';
import type { Log } from '../storage/log.js';

export const OFFSETS_TOPIC = '__consumer_offsets';
const PRODUCER_ID_BLOCK = 1000;

export interface BrokerOptions {
  readonly config: BrokerConfig;
  readonly fs?: FileSystem;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly random?: RandomSource;
  readonly handlers?: readonly ApiHandler[];
}

export class Broker {
  readonly fetches: DelayedFetches;
  /** Fetch read buffers (1 MiB: the default max.partition.fetch.bytes), see buffer-pool.ts. */
  readonly readBuffers = new BufferPool(1024 * 1024, 64);
  /**
   * Request frames that span socket reads (large produce requests), see frame-reader.ts. 1 MiB
   * holds a default-sized request of librdkafka (message.max.bytes) and of the Java producer.
   */
  readonly requestBuffers = new BufferPool(1024 * 1024 + 64 * 1024, 16);
  readonly metrics: BrokerMetrics;
  readonly nodeId: number;
  groups!: GroupService;
  private imageValue: MetadataImage;
  private readonly listeners: Listener[] = [];
  private http: RunningHttpServer | null = null;
  private readonly timers: Timer[] = [];
  private ready = false;
  private stopping: Promise<void> | null = null;
  private nextProducerId = 0;
  private producerIdLimit = 0;
  private metadataQueue: Promise<unknown> = Promise.resolve();
  private readonly logConfigs = new Map<string, LogConfig>();
  private effectiveConfig: BrokerConfig | null = null;

  private constructor(
    readonly config: BrokerConfig,
    readonly clusterId: string,
    readonly fs: FileSystem,
    readonly clock: Clock,
    readonly logger: Logger,
    readonly random: RandomSource,
    private readonly store: MetadataStore,
    image: MetadataImage,
    readonly logs: LogManager,
  ) {
    this.nodeId = config.nodeId;
    this.imageValue = image;
    this.fetches = new DelayedFetches(clock);
    this.metrics = createMetrics();
  }

  static async start(options: BrokerOptions): Promise<Broker> {
    const { config } = options;
    const fs = options.fs ?? new NodeFileSystem();
    const clock = options.clock ?? systemClock;
    const logger = options.logger ?? createLogger();
    const random = options.random ?? systemRandom;
    const startedMs = clock.monotonicMs();

    const clusterId = config.clusterId ?? readClusterId(fs, config.logDirs) ?? uuidFromBytes(random.bytes(16));
    const opened = await MetadataStore.open(config.metadataLogDir);
    if (opened.truncatedBytes > 0) {
      logger.warn(`metadata log had a torn tail of ${opened.truncatedBytes} bytes; truncated it (the last change before the crash was not committed)`);
    }
    let image = EMPTY_IMAGE;
    for (const batch of opened.batches) image = applyRecords(image, batch);

    const logs = LogManager.open({
      fs,
      logDirs: config.logDirs,
      clusterId,
      nodeId: config.nodeId,
      nowMs: clock.nowMs(),
      recoveryPointCheckpointIntervalMs: config.logFlushOffsetCheckpointIntervalMs,
      onCheckpointFailure: (dir, message) =>
        logger.warn(`cannot write recovery points in ${dir} (${message}); the next unclean restart will scan more of the log. Check the disk and permissions of that directory`),
      configFor: (topic) => toLogConfig(effectiveBrokerConfig(image, { nodeId: config.nodeId, defaults: config }), topicConfigs(image, topic)),
    });
    for (const report of logs.reports) {
      if (report.error) logger.error(`partition ${report.topic}-${report.partition} is offline: ${report.error}; its data is kept in ${report.dir} for inspection`);
      for (const issue of report.issues) logger.warn(`${report.topic}-${report.partition}: ${issue.message}`, { kind: issue.kind });
    }
    const recovered = logs.recoverySummary();
    logger.info(
      `opened ${logs.size} partition logs; clean shutdown marker found in ${logs.cleanShutdownDirs.length} of ${config.logDirs.length} log dirs; ` +
        `${recovered.scanned} active segment(s) CRC-scanned in full, ${recovered.fromRecoveryPoint} from their recovery point ` +
        `(${(recovered.scannedBytes / 1048576).toFixed(1)} MiB CRC-checked)` +
        logs.recoveryPointFallbacks.map((f) => `; no recovery points for ${f.logDir}: ${f.reason}`).join(''),
    );

    const broker = new Broker(config, clusterId, fs, clock, logger, random, opened.store, image, logs);
    await broker.registerSelf();
    broker.syncLogsWithImage();
    await broker.ensureOffsetsTopic();
    broker.groups = loadedGroupCoordinator(broker);
    await broker.startListeners(options.handlers ?? allHandlers);
    await broker.startHttp();
    broker.startTimers();
    broker.ready = true;
    logger.info(
      `Tributary broker ${config.nodeId} of cluster ${clusterId} ready in ${Math.round(clock.monotonicMs() - startedMs)} ms: ` +
        broker.listeners.map((l, i) => `${config.listeners[i]!.name}://${config.listeners[i]!.host}:${l.port}`).join(', ') +
        (broker.http ? `, http on port ${broker.http.port}` : ''),
    );
    return broker;
  }

  get image(): MetadataImage {
    return this.imageValue;
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Kafka port of listener `name` as bound (useful with port 0). */
  boundPort(listenerName: string): number | undefined {
    const index = this.config.listeners.findIndex((l) => l.name === listenerName);
    return index < 0 ? undefined : this.listeners[index]?.port;
  }

  controllerContext(validateOnly = false): ControllerContext {
    return {
      nodeId: this.nodeId,
      defaults: this.config,
      validateOnly,
      newUuid: () => uuidFromBytes(this.random.bytes(16)),
    };
  }

  /**
   * Persists metadata records (fsync), then applies them to the image and the local logs.
   * Serialised, so two concurrent admin requests see each other's effects in order.
   */
  commitMetadata(records: readonly MetadataRecord[]): Promise<void> {
    if (records.length === 0) return this.metadataQueue.then(() => undefined);
    const done = this.metadataQueue.then(async () => {
      await this.store.append(records);
      this.setImage(applyRecords(this.imageValue, records));
    });
    this.metadataQueue = done.catch(() => undefined);
    return done;
  }

  /** Runs a controller decision against the newest image and commits its records. */
  runController<R>(decide: (image: MetadataImage) => { records: MetadataRecord[]; results: R[] }): Promise<R[]> {
    const done = this.metadataQueue.then(async () => {
      const { records, results } = decide(this.imageValue);
      if (records.length > 0) {
        await this.store.append(records);
        this.setImage(applyRecords(this.imageValue, records));
      }
      return results;
    });
    this.metadataQueue = done.catch(() => undefined);
    return done;
  }

  /** Effective log config of a topic: topic overrides over dynamic broker configs over static ones. Cached per image. */
  logConfigFor(topic: string): LogConfig {
    let config = this.logConfigs.get(topic);
    if (!config) {
      this.effectiveConfig ??= effectiveBrokerConfig(this.imageValue, { nodeId: this.nodeId, defaults: this.config });
      config = toLogConfig(this.effectiveConfig, topicConfigs(this.imageValue, topic));
      this.logConfigs.set(topic, config);
    }
    return config;
  }

  private setImage(image: MetadataImage): void {
    this.imageValue = image;
    this.logConfigs.clear();
    this.effectiveConfig = null;
    this.syncLogsWithImage();
  }

  /** The local log of a partition this broker leads, or undefined. */
  leaderLog(topic: string, partition: number): Log | undefined {
    const t = this.imageValue.topicsByName.get(topic);
    const p = t?.partitions[partition];
    if (!p || p.leader !== this.nodeId) return undefined;
    return this.logs.get(topic, partition);
  }

  leaderEpochOf(topic: string, partition: number): number {
    return this.imageValue.topicsByName.get(topic)?.partitions[partition]?.leaderEpoch ?? -1;
  }

  /** After an append: advance the high watermark (single replica: all of it) and wake fetchers. */
  onAppended(log: Log, bytes: number): void {
    log.highWatermark = log.logEndOffset;
    this.fetches.notify(partitionKey(log.topic, log.partition), bytes);
  }

  /** Producer ids come in blocks persisted before use, so ids are never reused after a restart. */
  allocateProducerId(): number {
    if (this.nextProducerId >= this.producerIdLimit) {
      const path = joinPath(this.config.metadataLogDir, '__cluster_metadata-0', 'producer-id-block');
      const start = this.fs.exists(path) ? Number(this.fs.readFile(path).toString('utf8').trim()) : 0;
      const next = Number.isSafeInteger(start) && start >= 0 ? start : 0;
      this.fs.writeFileAtomic(path, String(next + PRODUCER_ID_BLOCK));
      this.nextProducerId = next;
      this.producerIdLimit = next + PRODUCER_ID_BLOCK;
    }
    return this.nextProducerId++;
  }

  /** Endpoints advertised for the listener a client connected through. */
  advertisedEndpoint(listenerName: string): { host: string; port: number } {
    const advertised = this.config.advertisedListeners.find((l) => l.name === listenerName) ?? this.config.advertisedListeners[0];
    if (!advertised) throw new Error('assertion failed: no advertised listener');
    const port = advertised.port === 0 ? (this.boundPort(advertised.name) ?? 0) : advertised.port;
    return { host: reachableHost(advertised.host), port };
  }

  async createInternalTopic(name: string, numPartitions: number, configs: Record<string, string>): Promise<void> {
    if (this.imageValue.topicsByName.has(name)) return;
    const [result] = await this.runController((image) =>
      createTopics(
        image,
        [{ name, numPartitions, replicationFactor: 1, configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }],
        this.controllerContext(),
      ),
    );
    if (result && result.errorCode !== 0) throw new Error(`cannot create internal topic ${name}: ${result.errorMessage}`);
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.ready = false;
    for (const timer of this.timers) timer.cancel();
    this.fetches.releaseAll();
    await Promise.all(this.listeners.map((l) => l.close()));
    this.groups?.close();
    await this.metadataQueue;
    this.logs.flushAll();
    this.logs.closeAll();
    await this.store.close();
    await this.http?.close();
    this.logger.info('broker stopped cleanly; all logs flushed');
  }

  private async registerSelf(): Promise<void> {
    const endpoints: BrokerEndpoint[] = this.config.advertisedListeners.map((l) => ({
      name: l.name,
      host: l.host,
      port: l.port,
      securityProtocol: l.securityProtocol,
    }));
    const current = this.imageValue.brokers.get(this.nodeId);
    if (current && !current.fenced && JSON.stringify(current.endpoints) === JSON.stringify(endpoints) && current.rack === this.config.brokerRack) return;
    await this.commitMetadata([
      {
        type: 'RegisterBroker',
        brokerId: this.nodeId,
        brokerEpoch: this.imageValue.recordCount,
        incarnationId: uuidFromBytes(this.random.bytes(16)),
        endpoints,
        rack: this.config.brokerRack,
        fenced: false,
      },
    ]);
  }

  private async ensureOffsetsTopic(): Promise<void> {
    await this.createInternalTopic(OFFSETS_TOPIC, this.config.offsetsTopicNumPartitions, {
      'cleanup.policy': 'compact',
      'compression.type': 'producer',
      'segment.bytes': String(this.config.offsetsTopicSegmentBytes),
    });
  }

  /** Creates local logs for partitions this node hosts, deletes logs of topics that are gone. */
  private syncLogsWithImage(): void {
    const nowMs = this.clock.nowMs();
    const wanted = new Set<string>();
    for (const topic of this.imageValue.topicsByName.values()) {
      const config = this.logConfigFor(topic.name);
      for (const p of topic.partitions) {
        if (!p.replicas.includes(this.nodeId)) continue;
        wanted.add(partitionKey(topic.name, p.partitionId));
        let log = this.logs.get(topic.name, p.partitionId);
        if (!log) {
          log = this.logs.create({ topic: topic.name, partition: p.partitionId, topicId: topic.topicId, config, nowMs });
        } else {
          log.updateConfig(config);
          // A crash before a new partition's first record may have lost partition.metadata.
          log.adoptTopicId(topic.topicId);
        }
        // Single replica: everything recovered is committed.
        log.highWatermark = log.logEndOffset;
        // Like Kafka, a new leader records its epoch at the log end before any append, so
        // OffsetForLeaderEpoch answers for the current epoch straight away.
        if (p.leader === this.nodeId && p.leaderEpoch > log.leaderEpochCache.latestEpoch) {
          log.leaderEpochCache.assign(p.leaderEpoch, log.logEndOffset);
        }
      }
    }
    for (const log of [...this.logs.all()]) {
      if (!wanted.has(partitionKey(log.topic, log.partition))) {
        this.logs.delete(log.topic, log.partition);
        this.fetches.notify(partitionKey(log.topic, log.partition), 0);
      }
    }
    this.metrics.setPartitions(this.logs.size);
  }

  private async startListeners(handlers: readonly ApiHandler[]): Promise<void> {
    const registry = new HandlerRegistry(handlers);
    const handler = createFrameHandler({
      registry,
      broker: this,
      clock: this.clock,
      logger: this.logger.child('request'),
      observer: { onRequest: (apiKey, ms) => this.metrics.observeRequest(apiName(apiKey), ms / 1000) },
    });
    const log = this.logger.child('network');
    for (const l of this.config.listeners) {
      if (this.config.controllerListenerNames.includes(l.name)) continue;
      const listener = new Listener({
        name: l.name,
        host: l.host,
        port: l.port,
        limits: { maxFrameBytes: this.config.socketRequestMaxBytes, maxInFlight: Math.max(1, Math.min(this.config.queuedMaxRequests, 1000)) },
        handler,
        framePool: this.requestBuffers,
        events: {
          onOpen: () => this.metrics.setConnections(this.connectionCount()),
          onClose: () => this.metrics.setConnections(this.connectionCount()),
          onProtocolViolation: (info, reason) => log.warn(`closing connection ${info.remoteAddress} on ${info.listenerName}: ${reason}`),
          onHandlerFailure: (info, error) =>
            log.error(`bug: a request handler failed; closed connection ${info.remoteAddress} (please report this with the stack)`, { error }),
        },
      });
      try {
        await listener.listen();
      } catch (error) {
        throw new Error(`cannot listen on ${l.name}://${l.host}:${l.port} (${(error as Error).message}); is another broker running? Change "listeners" to use a free port`);
      }
      this.listeners.push(listener);
    }
  }

  private connectionCount(): number {
    return this.listeners.reduce((n, l) => n + l.connectionCount, 0);
  }

  private async startHttp(): Promise<void> {
    const http = this.config.httpListener;
    if (!http) return;
    this.metrics.setLogSizeSource(() => {
      const byTopic = new Map<string, number>();
      for (const log of this.logs.all()) byTopic.set(log.topic, (byTopic.get(log.topic) ?? 0) + log.sizeBytes);
      return byTopic.entries();
    });
    try {
      this.http = await startHttpServer({
        host: http.host,
        port: http.port,
        metrics: this.metrics,
        isReady: () => (this.ready ? { ready: true } : { ready: false, reason: 'starting: recovering logs or opening listeners' }),
      });
    } catch (error) {
      await Promise.all(this.listeners.map((l) => l.close()));
      throw new Error(
        `cannot serve HTTP on ${http.host}:${http.port} (${(error as Error).message}); set tributary.http.listener to a free port, or to an empty value to turn HTTP off`,
      );
    }
  }

  private startTimers(): void {
    const every = (periodMs: number, fn: () => void): void => {
      const arm = (): void => {
        const timer = this.clock.setTimer(periodMs, () => {
          try {
            fn();
          } catch (error) {
            this.logger.error('periodic task failed', { error });
          }
          arm();
        });
        this.timers[index] = timer;
      };
      const index = this.timers.length;
      this.timers.push({ cancel: () => undefined });
      arm();
    };
    every(Math.max(1000, Math.min(this.config.logRetentionCheckIntervalMs, 2_147_483_647)), () => {
      const deleted = this.logs.runRetention(this.clock.nowMs());
      if (deleted > 0) this.logger.info(`retention deleted ${deleted} segment(s)`);
    });
    every(1000, () => this.logs.maybeFlushAll(this.clock.nowMs()));
  }
}

function readClusterId(fs: FileSystem, logDirs: readonly string[]): string | undefined {
  for (const dir of logDirs) {
    const path = joinPath(dir, META_PROPERTIES);
    if (!fs.exists(path)) continue;
    const id = parseProperties(fs.readFile(path).toString('utf8')).get('cluster.id');
    if (id) return id;
  }
  return undefined;
}

function reachableHost(host: string): string {
  return host === '' || host === '0.0.0.0' || host === '::' ? hostname() : host;
}
