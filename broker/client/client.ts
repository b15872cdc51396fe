/**
 * `KafkaClient`: bootstrap, version negotiation, cluster metadata and per-node connections for the
 * internal client (CLI, operator, follower fetchers, tests).
 *
 * Contracts:
 * - `connect()` tries the bootstrap servers in order and keeps the first that answers; it then
 *   loads the broker list. Every connection negotiates versions with ApiVersions when it opens (the
 *   newest version we have; if the broker answers UNSUPPORTED_VERSION, again at the version it
 *   reports, or v0). A request then goes out at min(our newest stable version, the broker's
 *   newest); if the ranges do not meet, `send` throws UNSUPPORTED_VERSION before writing anything.
 * - Metadata is a cache refreshed on demand (`refreshMetadata`); callers refresh it after errors
 *   for which `isStaleMetadataError` holds. Nothing refreshes in the background.
 * - One connection per node, opened lazily and shared by all callers; a closed connection is
 *   forgotten and reopened on the next request. Requests are not retried here: producers,
 *   consumers and admin calls decide what is safe to retry.
 * This is an I/O edge (sockets and timers through `Connection`).
 */
import { ApiVersionsRequest } from '../protocol/generated/api-versions-request.js';
import { ApiVersionsResponse } from '../protocol/generated/api-versions-response.js';
import { FindCoordinatorRequest } from '../protocol/generated/find-coordinator-request.js';
import { FindCoordinatorResponse } from '../protocol/generated/find-coordinator-response.js';
import { MetadataRequest } from '../protocol/generated/metadata-request.js';
import { MetadataResponse } from '../protocol/generated/metadata-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { Reader, type Init, type MessageCodec } from '../protocol/primitives.js';
import { Connection, ConnectionError, formatAddress, parseAddress, type ConnectionOptions } from './connection.js';
import { BrokerError, throwIfError } from './errors.js';

export const CLIENT_SOFTWARE_NAME = 'tributary-client';
export const CLIENT_SOFTWARE_VERSION = '0.1.0';

export interface KafkaClientOptions {
  bootstrapServers: string[];
  clientId?: string;
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
}

export interface ApiPair<Req, Res> {
  request: MessageCodec<Req>;
  response: MessageCodec<Res>;
}

export interface VersionRange {
  minVersion: number;
  maxVersion: number;
}

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionInfo {
  partition: number;
  errorCode: number;
  leaderId: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

export interface TopicInfo {
  name: string;
  topicId: string;
  errorCode: number;
  isInternal: boolean;
  /** Sorted by partition. */
  partitions: PartitionInfo[];
}

/** Where a request goes: a node id, any broker, the controller, or a group's coordinator. */
export type Target = number | 'any' | 'controller';

export interface SendOptions {
  /** Never send a version above this (for callers that do not handle newer versions). */
  maxVersion?: number;
  /** False for requests the broker never answers (Produce acks=0). */
  expectResponse?: boolean;
  timeoutMs?: number;
}

interface NodeConnection {
  connection: Connection;
  versions: Map<number, VersionRange>;
}

/** Our newest version of a codec, skipping an unstable newest version. */
export function ourMaxVersion(codec: MessageCodec<unknown>): number {
  return codec.latestVersionUnstable ? codec.maxVersion - 1 : codec.maxVersion;
}

/** The version to use with a broker that supports `broker`, or null when the ranges do not meet. */
export function pickVersion(codec: MessageCodec<unknown>, broker: VersionRange | undefined, maxVersion?: number): number | null {
  if (broker === undefined) return null;
  const version = Math.min(ourMaxVersion(codec), broker.maxVersion, maxVersion ?? Infinity);
  return version >= Math.max(codec.minVersion, broker.minVersion) ? version : null;
}

export class KafkaClient {
  readonly clientId: string;
  private readonly bootstrapServers: Array<{ host: string; port: number }>;
  private readonly requestTimeoutMs: number | undefined;
  private readonly connectTimeoutMs: number | undefined;
  private bootstrap: Promise<NodeConnection> | null = null;
  private readonly nodes = new Map<number, Promise<NodeConnection>>();
  private readonly brokerMap = new Map<number, BrokerInfo>();
  private readonly topicMap = new Map<string, TopicInfo>();
  private closed = false;
  clusterId: string | null = null;
  controllerId = -1;

  constructor(options: KafkaClientOptions) {
    if (options.bootstrapServers.length === 0) throw new Error('At least one bootstrap server is required');
    this.bootstrapServers = options.bootstrapServers.map(parseAddress);
    this.clientId = options.clientId ?? 'tributary';
    this.requestTimeoutMs = options.requestTimeoutMs;
    this.connectTimeoutMs = options.connectTimeoutMs;
  }

  /** Connects to a bootstrap server and loads the broker list. */
  async connect(): Promise<void> {
    await this.refreshMetadata([]);
  }

  get brokers(): BrokerInfo[] {
    return [...this.brokerMap.values()].sort((a, b) => a.nodeId - b.nodeId);
  }

  /** Cached metadata of a topic (refresh first to be current). */
  topic(name: string): TopicInfo | undefined {
    return this.topicMap.get(name);
  }

  topicNameById(topicId: string): string | undefined {
    for (const t of this.topicMap.values()) if (t.topicId === topicId) return t.name;
    return undefined;
  }

  /** Remembers a broker learned outside Metadata (FindCoordinator answers). */
  registerBroker(info: BrokerInfo): void {
    const known = this.brokerMap.get(info.nodeId);
    if (known !== undefined && (known.host !== info.host || known.port !== info.port)) this.forgetNode(info.nodeId);
    this.brokerMap.set(info.nodeId, info);
  }

  /**
   * Fetches metadata for `topics` (null = every topic, [] = brokers only) and updates the cache.
   * Returns the topics of the answer, including those with an error code.
   */
  async refreshMetadata(topics: string[] | null, options: { allowAutoTopicCreation?: boolean } = {}): Promise<TopicInfo[]> {
    // v0 has no way to ask for "no topics" ([] means all); the extra topics are harmless.
    const { response } = await this.request('any', { request: MetadataRequest, response: MetadataResponse }, (v) => ({
      topics: topics === null ? (v === 0 ? [] : null) : topics.map((name) => ({ name })),
      allowAutoTopicCreation: options.allowAutoTopicCreation ?? false,
    }));
    for (const b of response.brokers) this.registerBroker({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack });
    this.clusterId = response.clusterId;
    this.controllerId = response.controllerId;
    const result: TopicInfo[] = response.topics.map((t) => ({
      name: t.name ?? '',
      topicId: t.topicId,
      errorCode: t.errorCode,
      isInternal: t.isInternal,
      partitions: t.partitions
        .map((p) => ({
          partition: p.partitionIndex,
          errorCode: p.errorCode,
          leaderId: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas,
        }))
        .sort((a, b) => a.partition - b.partition),
    }));
    if (topics === null) this.topicMap.clear();
    for (const t of result) {
      if (t.errorCode === ErrorCode.NONE) this.topicMap.set(t.name, t);
      else this.topicMap.delete(t.name);
    }
    return result;
  }

  /** Metadata for one topic, fetched now; throws the topic's error (UNKNOWN_TOPIC_OR_PARTITION, ...). */
  async topicMetadata(name: string): Promise<TopicInfo> {
    const [t] = await this.refreshMetadata([name]);
    if (t === undefined) throw new BrokerError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null, name);
    throwIfError(t.errorCode, null, name);
    return t;
  }

  /** The leader of a partition according to the cache, or -1. */
  leaderOf(topic: string, partition: number): number {
    return this.topicMap.get(topic)?.partitions.find((p) => p.partition === partition)?.leaderId ?? -1;
  }

  /** Looks up a group (keyType 0) or transactional id (keyType 1) coordinator and remembers it. */
  async findCoordinator(key: string, keyType = 0): Promise<BrokerInfo> {
    const { version, response } = await this.request('any', { request: FindCoordinatorRequest, response: FindCoordinatorResponse }, () => ({
      key,
      keyType,
      coordinatorKeys: [key],
    }));
    let info: { errorCode: number; errorMessage: string | null; nodeId: number; host: string; port: number } = response;
    if (version >= 4) {
      const c = response.coordinators[0];
      if (c === undefined) throw new BrokerError(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'FindCoordinator returned no coordinator', key);
      info = c;
    }
    throwIfError(info.errorCode, info.errorMessage, key);
    const broker = { nodeId: info.nodeId, host: info.host, port: info.port, rack: null };
    this.registerBroker(broker);
    return broker;
  }

  /** Sends a request and returns the response. */
  async send<Req, Res>(
    target: Target,
    api: ApiPair<Req, Res>,
    body: Init<Req> | ((version: number) => Init<Req>),
    options: SendOptions = {},
  ): Promise<Res> {
    return (await this.request(target, api, body, options)).response;
  }

  /** Like `send`, also returning the version used (for callers whose decoding depends on it). */
  async request<Req, Res>(
    target: Target,
    api: ApiPair<Req, Res>,
    body: Init<Req> | ((version: number) => Init<Req>),
    options: SendOptions = {},
  ): Promise<{ version: number; response: Res }> {
    const node = await this.connectionFor(target);
    const version = pickVersion(api.request as MessageCodec<unknown>, node.versions.get(api.request.apiKey), options.maxVersion);
    if (version === null) {
      throw new BrokerError(ErrorCode.UNSUPPORTED_VERSION, `${node.connection.address} supports no version of ${api.request.name} that this client knows`);
    }
    const init = typeof body === 'function' ? (body as (v: number) => Init<Req>)(version) : body;
    const sendOptions: { expectResponse?: boolean; timeoutMs?: number } = {};
    if (options.expectResponse !== undefined) sendOptions.expectResponse = options.expectResponse;
    if (options.timeoutMs !== undefined) sendOptions.timeoutMs = options.timeoutMs;
    const response = await node.connection.send(api.request, api.response, version, init, sendOptions);
    return { version, response };
  }

  /** The version a request to `target` would use (connecting if needed), or null. */
  async versionFor(target: Target, codec: MessageCodec<unknown>): Promise<number | null> {
    const node = await this.connectionFor(target);
    return pickVersion(codec, node.versions.get(codec.apiKey));
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [this.bootstrap, ...this.nodes.values()].filter((p): p is Promise<NodeConnection> => p !== null);
    this.bootstrap = null;
    this.nodes.clear();
    await Promise.all(all.map((p) => p.then((n) => n.connection.close(), () => undefined)));
  }

  private async connectionFor(target: Target): Promise<NodeConnection> {
    if (this.closed) throw new ConnectionError('The client is closed');
    if (target === 'controller') {
      return this.controllerId >= 0 && this.brokerMap.has(this.controllerId) ? this.nodeConnection(this.controllerId) : this.anyConnection();
    }
    if (target === 'any') return this.anyConnection();
    return this.nodeConnection(target);
  }

  private async anyConnection(): Promise<NodeConnection> {
    if (this.bootstrap !== null) {
      try {
        const node = await this.bootstrap;
        if (!node.connection.isClosed) return node;
      } catch {
        // fall through and bootstrap again
      }
    }
    this.bootstrap = this.openBootstrap();
    return this.bootstrap;
  }

  private async openBootstrap(): Promise<NodeConnection> {
    const candidates = [...this.bootstrapServers, ...this.brokers.map((b) => ({ host: b.host, port: b.port }))];
    const failures: string[] = [];
    for (const { host, port } of candidates) {
      try {
        return await this.open(host, port);
      } catch (err) {
        failures.push(err instanceof Error ? err.message : String(err));
      }
    }
    throw new ConnectionError(`Could not connect to any bootstrap server: ${failures.join('; ')}`);
  }

  private nodeConnection(nodeId: number): Promise<NodeConnection> {
    const existing = this.nodes.get(nodeId);
    if (existing !== undefined) {
      return existing.then(
        (n) => (n.connection.isClosed ? this.reopenNode(nodeId) : n),
        () => this.reopenNode(nodeId),
      );
    }
    return this.reopenNode(nodeId);
  }

  private reopenNode(nodeId: number): Promise<NodeConnection> {
    const opening = (async () => {
      if (!this.brokerMap.has(nodeId)) await this.refreshMetadata([]);
      const broker = this.brokerMap.get(nodeId);
      if (broker === undefined) throw new ConnectionError(`Broker ${nodeId} is not in the cluster metadata`);
      return this.open(broker.host, broker.port);
    })();
    this.nodes.set(nodeId, opening);
    opening.then(
      (n) => n.connection.onClose(() => {
        if (this.nodes.get(nodeId) === opening) this.nodes.delete(nodeId);
      }),
      () => {
        if (this.nodes.get(nodeId) === opening) this.nodes.delete(nodeId);
      },
    );
    return opening;
  }

  private forgetNode(nodeId: number): void {
    const existing = this.nodes.get(nodeId);
    this.nodes.delete(nodeId);
    existing?.then((n) => n.connection.close(), () => undefined);
  }

  private async open(host: string, port: number): Promise<NodeConnection> {
    const options: ConnectionOptions = {
      host,
      port,
      clientId: this.clientId,
    };
    if (this.requestTimeoutMs !== undefined) options.requestTimeoutMs = this.requestTimeoutMs;
    if (this.connectTimeoutMs !== undefined) options.connectTimeoutMs = this.connectTimeoutMs;
    const connection = await Connection.connect(options);
    try {
      return { connection, versions: await negotiateVersions(connection) };
    } catch (err) {
      connection.close();
      throw err;
    }
  }
}

/** ApiVersions handshake; the broker's version range per API key. */
export async function negotiateVersions(connection: Connection): Promise<Map<number, VersionRange>> {
  const newest = ourMaxVersion(ApiVersionsRequest as MessageCodec<unknown>);
  let response = await requestApiVersions(connection, newest);
  if (response.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
    const theirs = response.apiKeys.find((k) => k.apiKey === ApiVersionsRequest.apiKey);
    response = await requestApiVersions(connection, theirs === undefined ? 0 : Math.min(newest, theirs.maxVersion));
  }
  throwIfError(response.errorCode, null, formatAddress(connection.host, connection.port));
  return new Map(response.apiKeys.map((k) => [k.apiKey, { minVersion: k.minVersion, maxVersion: k.maxVersion }]));
}

/**
 * One ApiVersions exchange. A broker that does not support our version answers in v0 layout with
 * UNSUPPORTED_VERSION, so the body is decoded as v0 whenever its leading error code says so.
 */
function requestApiVersions(connection: Connection, version: number): Promise<ApiVersionsResponse> {
  return connection.request({
    apiKey: ApiVersionsRequest.apiKey,
    apiVersion: version,
    encodeBody: (w) =>
      ApiVersionsRequest.encode(w, version, { clientSoftwareName: CLIENT_SOFTWARE_NAME, clientSoftwareVersion: CLIENT_SOFTWARE_VERSION }),
    decodeBody: (r) => {
      const body = r.raw(r.remaining);
      const code = body.length >= 2 ? body.readInt16BE(0) : ErrorCode.NONE;
      return ApiVersionsResponse.decode(new Reader(body), code === ErrorCode.UNSUPPORTED_VERSION ? 0 : version);
    },
  });
}
