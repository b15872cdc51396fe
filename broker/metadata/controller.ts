/**
 * The single-node controller: admin requests in, `{records, results}` out. Pure: it reads a
 * `MetadataImage`, never changes it, and takes ids from the injected `newUuid`. The caller must make
 * the records durable (metadata-store.ts, later Raft) and apply them to its image before it sends
 * the results, so a client never sees success for a change that a restart would forget.
 * With `validateOnly` the results are the same and `records` is empty.
 *
 * Records for one request form one batch; a batch is applied atomically by the store.
 * Departures from Kafka: replica placement starts at a broker chosen from the topic id (Kafka draws a
 * random start) and is not rack-aware yet; with no registered broker in the image, this node counts
 * as the only live broker (single-node start-up, before it registers itself).
 * Config changes (AlterConfigs, IncrementalAlterConfigs) live in config-changes.ts and are
 * re-exported here.
 */
import { type BrokerConfig, applyDynamicBrokerConfigs } from '../config/broker-config.js';
import { type TopicConfigEntry, effectiveTopicConfig, validateTopicConfigs } from '../config/topic-config.js';
import * as E from './error-codes.js';
import { type MetadataImage, type TopicImage, brokerConfigs, liveBrokerIds } from './image.js';
import { ConfigResourceType, type MetadataRecord, type PartitionRecord } from './records.js';
import { collisionKey, topicNameProblem } from './topic-names.js';
import { ZERO_UUID } from './uuid.js';

export { alterConfigs, incrementalAlterConfigs } from './config-changes.js';
export type { AlterConfigsResource, AlterConfigsResult, IncrementalAlterConfigsResource } from './config-changes.js';

export interface ControllerContext {
  readonly nodeId: number;
  /** The static broker config: num.partitions, default.replication.factor, delete.topic.enable and the
   * broker defaults of topic configs. Dynamic broker configs are read from the image. */
  readonly defaults: BrokerConfig;
  readonly validateOnly?: boolean;
  /** A fresh topic id: 22-char URL-safe base64 of 16 random bytes (uuid.ts). */
  readonly newUuid: () => string;
}

export interface ControllerResult<R> {
  readonly records: MetadataRecord[];
  readonly results: R[];
}

export interface ReplicaAssignment {
  readonly partitionIndex: number;
  readonly brokerIds: readonly number[];
}

export interface CreatableTopic {
  readonly name: string;
  /** -1 = num.partitions. */
  readonly numPartitions: number;
  /** -1 = default.replication.factor. */
  readonly replicationFactor: number;
  readonly assignments?: readonly ReplicaAssignment[];
  readonly configs?: readonly { readonly name: string; readonly value: string | null }[];
}

export interface CreateTopicResult {
  readonly name: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
  /** ZERO_UUID on error. */
  readonly topicId: string;
  /** -1 on error. */
  readonly numPartitions: number;
  /** -1 on error. */
  readonly replicationFactor: number;
  /** Effective topic config; empty on error. */
  readonly configs: readonly TopicConfigEntry[];
}

class RequestError extends Error {
  constructor(readonly errorCode: number, message: string) {
    super(message);
  }
}

function fail(errorCode: number, message: string): never {
  throw new RequestError(errorCode, message);
}

/** Answers a request error as a result, rethrows anything else (a bug). */
function catchRequestError<R>(body: () => R, onError: (errorCode: number, message: string) => R): R {
  try {
    return body();
  } catch (error) {
    if (error instanceof RequestError) return onError(error.errorCode, error.message);
    throw error;
  }
}

/** Static config plus the dynamic broker configs in the image (cluster default, then this node). */
export function effectiveBrokerConfig(image: MetadataImage, ctx: Pick<ControllerContext, 'nodeId' | 'defaults'>): BrokerConfig {
  const clusterDefaults = brokerConfigs(image, null);
  const perBroker = brokerConfigs(image, ctx.nodeId);
  if (clusterDefaults.size === 0 && perBroker.size === 0) return ctx.defaults;
  return applyDynamicBrokerConfigs(ctx.defaults, { clusterDefaults, perBroker });
}

/** Unfenced brokers, or this node alone when none has registered yet. */
function liveBrokers(image: MetadataImage, nodeId: number): number[] {
  const live = liveBrokerIds(image);
  return live.length > 0 ? live : [nodeId];
}

function duplicates<T>(items: readonly T[]): Set<T> {
  const seen = new Set<T>();
  const repeated = new Set<T>();
  for (const item of items) (seen.has(item) ? repeated : seen).add(item);
  return repeated;
}

// ---- CreateTopics ----

export function createTopics(image: MetadataImage, requests: readonly CreatableTopic[], ctx: ControllerContext): ControllerResult<CreateTopicResult> {
  const broker = effectiveBrokerConfig(image, ctx);
  const live = liveBrokers(image, ctx.nodeId);
  const repeated = duplicates(requests.map((r) => r.name));
  const taken = new Map<string, string>();
  for (const name of image.topicsByName.keys()) taken.set(collisionKey(name), name);
  const records: MetadataRecord[] = [];
  const results = requests.map((request) => catchRequestError(
    () => {
      if (repeated.has(request.name)) fail(E.INVALID_REQUEST, `Duplicate topic name ${request.name} in the request`);
      const created = createOneTopic(image, request, { broker, live, taken, newUuid: ctx.newUuid });
      taken.set(collisionKey(request.name), request.name);
      records.push(...created.records);
      return created.result;
    },
    (errorCode, errorMessage): CreateTopicResult => ({
      name: request.name, errorCode, errorMessage, topicId: ZERO_UUID, numPartitions: -1, replicationFactor: -1, configs: [],
    }),
  ));
  return { records: ctx.validateOnly === true ? [] : records, results };
}

interface CreateOneContext {
  readonly broker: BrokerConfig;
  readonly live: readonly number[];
  readonly taken: ReadonlyMap<string, string>;
  readonly newUuid: () => string;
}

function createOneTopic(image: MetadataImage, request: CreatableTopic, ctx: CreateOneContext): { records: MetadataRecord[]; result: CreateTopicResult } {
  const nameProblem = topicNameProblem(request.name);
  if (nameProblem !== null) fail(E.INVALID_TOPIC_EXCEPTION, nameProblem);
  if (image.topicsByName.has(request.name)) fail(E.TOPIC_ALREADY_EXISTS, `Topic '${request.name}' already exists.`);
  const collidesWith = ctx.taken.get(collisionKey(request.name));
  if (collidesWith !== undefined) {
    fail(E.INVALID_TOPIC_EXCEPTION, `Topic '${request.name}' collides with existing topic: ${collidesWith}`);
  }
  const overrides = topicOverrides(request.configs ?? []);
  const topicId = ctx.newUuid();
  const replicas = placeReplicas(request, topicId, ctx);
  const records: MetadataRecord[] = [{ type: 'Topic', name: request.name, topicId }];
  for (const [name, value] of overrides) {
    records.push({ type: 'Config', resourceType: ConfigResourceType.TOPIC, resourceName: request.name, name, value });
  }
  replicas.forEach((brokerIds, partitionId) => records.push(newPartition(topicId, partitionId, brokerIds)));
  return {
    records,
    result: {
      name: request.name,
      errorCode: E.NONE,
      errorMessage: null,
      topicId,
      numPartitions: replicas.length,
      replicationFactor: replicas[0]!.length,
      configs: effectiveTopicConfig(ctx.broker, overrides),
    },
  };
}

function topicOverrides(configs: readonly { readonly name: string; readonly value: string | null }[]): Map<string, string> {
  const repeated = duplicates(configs.map((c) => c.name));
  if (repeated.size > 0) fail(E.INVALID_REQUEST, `Duplicate config keys in the request: ${[...repeated].join(', ')}`);
  const validation = validateTopicConfigs(configs.map((c) => [c.name, c.value] as const));
  if (!validation.ok) fail(validation.errorCode, validation.message);
  return new Map(configs.map((c) => [c.name, c.value!]));
}

function newPartition(topicId: string, partitionId: number, replicas: readonly number[]): PartitionRecord {
  return { type: 'Partition', topicId, partitionId, replicas, isr: replicas, leader: replicas[0]!, leaderEpoch: 0, partitionEpoch: 0 };
}

/** Replica lists for each partition of a new topic, from manual assignments or round-robin. */
function placeReplicas(request: CreatableTopic, topicId: string, ctx: CreateOneContext): number[][] {
  const assignments = request.assignments ?? [];
  if (assignments.length > 0) {
    if (request.numPartitions !== -1 || request.replicationFactor !== -1) {
      fail(E.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.');
    }
    const sorted = [...assignments].sort((a, b) => a.partitionIndex - b.partitionIndex);
    sorted.forEach((a, i) => {
      if (a.partitionIndex !== i) fail(E.INVALID_REPLICA_ASSIGNMENT, 'Partitions should be consecutive, starting at 0, and listed once each');
    });
    const replicationFactor = sorted[0]!.brokerIds.length;
    return sorted.map((a) => checkManualReplicas(a.partitionIndex, a.brokerIds, replicationFactor, ctx.live));
  }
  const numPartitions = request.numPartitions === -1 ? ctx.broker.numPartitions : request.numPartitions;
  const replicationFactor = request.replicationFactor === -1 ? ctx.broker.defaultReplicationFactor : request.replicationFactor;
  if (numPartitions <= 0) fail(E.INVALID_PARTITIONS, `Number of partitions was set to an invalid non-positive value (${numPartitions}).`);
  if (replicationFactor <= 0) fail(E.INVALID_REPLICATION_FACTOR, `Replication factor must be larger than 0, or -1 to use the default value.`);
  return roundRobin({ firstPartition: 0, count: numPartitions, replicationFactor, live: ctx.live, seed: topicId });
}

function checkManualReplicas(partitionIndex: number, brokerIds: readonly number[], replicationFactor: number, live: readonly number[]): number[] {
  if (brokerIds.length === 0) fail(E.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment for partition ${partitionIndex} is empty`);
  if (duplicates(brokerIds).size > 0) {
    fail(E.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment for partition ${partitionIndex} contains duplicate broker ids`);
  }
  if (brokerIds.length !== replicationFactor) {
    fail(E.INVALID_REPLICA_ASSIGNMENT,
      `Partition ${partitionIndex} has ${brokerIds.length} replica(s), which is not consistent with the replication factor ${replicationFactor} of the other partitions`);
  }
  const unknown = brokerIds.filter((id) => !live.includes(id));
  if (unknown.length > 0) {
    fail(E.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment for partition ${partitionIndex} names broker(s) ${unknown.join(', ')}, which are not live`);
  }
  return [...brokerIds];
}

interface RoundRobinInput {
  readonly firstPartition: number;
  readonly count: number;
  readonly replicationFactor: number;
  readonly live: readonly number[];
  readonly seed: string;
}

/** Partition p gets brokers start+p, start+p+1, ... (mod live brokers); start comes from the topic id. */
function roundRobin(input: RoundRobinInput): number[][] {
  const { live, replicationFactor } = input;
  if (replicationFactor > live.length) {
    fail(E.INVALID_REPLICATION_FACTOR,
      `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only ${live.length} broker(s) are registered.`);
  }
  let start = 0;
  for (let i = 0; i < input.seed.length; i += 1) start = (start + input.seed.charCodeAt(i)) % live.length;
  const placement: number[][] = [];
  for (let p = input.firstPartition; p < input.firstPartition + input.count; p += 1) {
    placement.push(Array.from({ length: replicationFactor }, (_, r) => live[(start + p + r) % live.length]!));
  }
  return placement;
}

// ---- DeleteTopics ----

export interface DeletableTopic {
  /** Either name or topicId (ZERO_UUID counts as absent). */
  readonly name: string | null;
  readonly topicId: string | null;
}

export interface DeleteTopicResult {
  readonly name: string | null;
  readonly topicId: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export function deleteTopics(image: MetadataImage, requests: readonly DeletableTopic[], ctx: ControllerContext): ControllerResult<DeleteTopicResult> {
  const deleteEnabled = effectiveBrokerConfig(image, ctx).deleteTopicEnable;
  const resolved = requests.map((request) => catchRequestError(
    (): TopicImage | RequestError => resolveTopic(image, request),
    (errorCode, message) => new RequestError(errorCode, message),
  ));
  const repeated = duplicates(resolved.filter((r): r is TopicImage => !(r instanceof RequestError)).map((t) => t.topicId));
  const records: MetadataRecord[] = [];
  const results = resolved.map((topic, i): DeleteTopicResult => {
    const request = requests[i]!;
    const failed = (errorCode: number, errorMessage: string): DeleteTopicResult =>
      ({ name: request.name, topicId: request.topicId ?? ZERO_UUID, errorCode, errorMessage });
    if (topic instanceof RequestError) return failed(topic.errorCode, topic.message);
    if (!deleteEnabled) return failed(E.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled (delete.topic.enable=false).');
    if (repeated.has(topic.topicId)) return failed(E.INVALID_REQUEST, `Duplicate topic ${topic.name} in the request`);
    records.push({ type: 'RemoveTopic', topicId: topic.topicId });
    return { name: topic.name, topicId: topic.topicId, errorCode: E.NONE, errorMessage: null };
  });
  return { records: ctx.validateOnly === true ? [] : records, results };
}

function resolveTopic(image: MetadataImage, request: DeletableTopic): TopicImage {
  const topicId = request.topicId === ZERO_UUID ? null : request.topicId;
  if (request.name !== null && topicId !== null) fail(E.INVALID_REQUEST, 'Give a topic name or a topic id, not both');
  if (topicId !== null) {
    return image.topicsById.get(topicId) ?? fail(E.UNKNOWN_TOPIC_ID, `Unknown topic id ${topicId}`);
  }
  if (request.name === null) fail(E.INVALID_REQUEST, 'Neither a topic name nor a topic id was given');
  return image.topicsByName.get(request.name) ?? fail(E.UNKNOWN_TOPIC_OR_PARTITION, `Unknown topic ${request.name}`);
}

// ---- CreatePartitions ----

export interface CreatePartitionsTopic {
  readonly name: string;
  /** The new total number of partitions. */
  readonly count: number;
  /** Replicas of each new partition, in order; null = automatic. */
  readonly assignments: readonly { readonly brokerIds: readonly number[] }[] | null;
}

export interface CreatePartitionsResult {
  readonly name: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export function createPartitions(image: MetadataImage, requests: readonly CreatePartitionsTopic[], ctx: ControllerContext): ControllerResult<CreatePartitionsResult> {
  const live = liveBrokers(image, ctx.nodeId);
  const repeated = duplicates(requests.map((r) => r.name));
  const records: MetadataRecord[] = [];
  const results = requests.map((request) => catchRequestError(
    (): CreatePartitionsResult => {
      if (repeated.has(request.name)) fail(E.INVALID_REQUEST, `Duplicate topic name ${request.name} in the request`);
      records.push(...addPartitions(image, request, live));
      return { name: request.name, errorCode: E.NONE, errorMessage: null };
    },
    (errorCode, errorMessage) => ({ name: request.name, errorCode, errorMessage }),
  ));
  return { records: ctx.validateOnly === true ? [] : records, results };
}

function addPartitions(image: MetadataImage, request: CreatePartitionsTopic, live: readonly number[]): PartitionRecord[] {
  const topic = image.topicsByName.get(request.name) ?? fail(E.UNKNOWN_TOPIC_OR_PARTITION, `Unknown topic ${request.name}`);
  const current = topic.partitions.length;
  if (request.count === current) fail(E.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`);
  if (request.count < current) {
    fail(E.INVALID_PARTITIONS, `The topic ${request.name} currently has ${current} partition(s); ${request.count} would not be an increase.`);
  }
  const added = request.count - current;
  const replicationFactor = topic.partitions[0]?.replicas.length ?? 1;
  let placement: number[][];
  if (request.assignments !== null) {
    if (request.assignments.length !== added) {
      fail(E.INVALID_REPLICA_ASSIGNMENT, `Increasing the number of partitions by ${added} but ${request.assignments.length} assignments provided.`);
    }
    placement = request.assignments.map((a, i) => checkManualReplicas(current + i, a.brokerIds, replicationFactor, live));
  } else {
    placement = roundRobin({ firstPartition: current, count: added, replicationFactor, live, seed: topic.topicId });
  }
  return placement.map((replicas, i) => newPartition(topic.topicId, current + i, replicas));
}
