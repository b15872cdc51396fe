/**
 * `KafkaAdmin`: admin calls over a `KafkaClient` (topics, partitions, configs, groups, offsets).
 *
 * Contracts:
 * - Every call throws `BrokerError` (a `KafkaError`) with the broker's error code, Kafka's name for
 *   it and the broker's errorMessage when the answer carries an error; for calls over several
 *   resources, the first failing resource's error is thrown (the others may have succeeded).
 * - Topic calls go to the controller (a KRaft broker forwards them); group calls to the group's
 *   coordinator; offset lookups to partition leaders. Coordinator and stale-metadata errors are
 *   retried a few times after looking the coordinator or metadata up again.
 * - Offsets, timestamps and epochs are `number` here (exact up to 2^53), `bigint` only on the wire.
 */
import { CreatePartitionsRequest } from '../protocol/generated/create-partitions-request.js';
import { CreatePartitionsResponse } from '../protocol/generated/create-partitions-response.js';
import { CreateTopicsRequest } from '../protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../protocol/generated/create-topics-response.js';
import { DeleteTopicsRequest } from '../protocol/generated/delete-topics-request.js';
import { DeleteTopicsResponse } from '../protocol/generated/delete-topics-response.js';
import { DescribeConfigsRequest } from '../protocol/generated/describe-configs-request.js';
import { DescribeConfigsResponse } from '../protocol/generated/describe-configs-response.js';
import { DescribeGroupsRequest } from '../protocol/generated/describe-groups-request.js';
import { DescribeGroupsResponse } from '../protocol/generated/describe-groups-response.js';
import { IncrementalAlterConfigsRequest } from '../protocol/generated/incremental-alter-configs-request.js';
import { IncrementalAlterConfigsResponse } from '../protocol/generated/incremental-alter-configs-response.js';
import { ListGroupsRequest } from '../protocol/generated/list-groups-request.js';
import { ListGroupsResponse } from '../protocol/generated/list-groups-response.js';
import { ListOffsetsRequest } from '../protocol/generated/list-offsets-request.js';
import { ListOffsetsResponse } from '../protocol/generated/list-offsets-response.js';
import { OffsetCommitRequest } from '../protocol/generated/offset-commit-request.js';
import { OffsetCommitResponse } from '../protocol/generated/offset-commit-response.js';
import { OffsetFetchRequest } from '../protocol/generated/offset-fetch-request.js';
import { OffsetFetchResponse } from '../protocol/generated/offset-fetch-response.js';
import { ErrorCode } from '../protocol/errors.js';
import type { BrokerInfo, KafkaClient } from './client.js';
import { BrokerError, isCoordinatorError, isStaleMetadataError, throwIfError } from './errors.js';
import { decodeAssignment, decodeSubscription, CONSUMER_PROTOCOL_TYPE, type TopicPartitions } from './consumer-protocol.js';
import { withRetries } from './retry.js';

export const DEFAULT_ADMIN_TIMEOUT_MS = 30_000;

export const ConfigResourceType = { Topic: 2, Broker: 4, BrokerLogger: 8 } as const;
export const ConfigOperation = { Set: 0, Delete: 1, Append: 2, Subtract: 3 } as const;
export const ConfigSource = {
  Unknown: 0,
  DynamicTopic: 1,
  DynamicBroker: 2,
  DynamicDefaultBroker: 3,
  StaticBroker: 4,
  Default: 5,
  DynamicBrokerLogger: 6,
} as const;
/** ListOffsets special timestamps. */
export const OffsetSpec = { Latest: -1, Earliest: -2, MaxTimestamp: -3 } as const;

export interface NewTopic {
  name: string;
  /** -1 (default) lets the broker choose (`num.partitions`). */
  numPartitions?: number;
  /** -1 (default) lets the broker choose (`default.replication.factor`). */
  replicationFactor?: number;
  configs?: Record<string, string>;
  /** Explicit replica assignment: partition index -> broker ids. */
  assignments?: Map<number, number[]>;
}

export interface CreatedTopic {
  name: string;
  topicId: string;
  numPartitions: number;
  replicationFactor: number;
}

export interface PartitionDescription {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

export interface TopicDescription {
  name: string;
  topicId: string;
  isInternal: boolean;
  partitions: PartitionDescription[];
}

export interface ConfigResource {
  type: number;
  name: string;
  /** Only these keys; all when absent. */
  keys?: string[];
}

export interface ConfigEntry {
  name: string;
  value: string | null;
  source: number;
  isDefault: boolean;
  isReadOnly: boolean;
  isSensitive: boolean;
}

export interface ConfigDescription {
  type: number;
  name: string;
  entries: ConfigEntry[];
}

export interface AlterConfigOp {
  name: string;
  op: number;
  value?: string | null;
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
  /** Empty when the broker's ListGroups version predates group states. */
  state: string;
  groupType: string;
}

export interface GroupMemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** Decoded subscription for protocol type `consumer`, else null. */
  subscription: string[] | null;
  /** Decoded assignment for protocol type `consumer`, else null. */
  assignment: TopicPartitions[] | null;
  memberMetadata: Buffer;
  memberAssignment: Buffer;
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  coordinator: BrokerInfo;
  members: GroupMemberDescription[];
}

export type OffsetQuery = 'earliest' | 'latest' | { timestamp: number };

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface ListedOffset extends TopicPartition {
  /** -1 when asking by timestamp and no record is that new. */
  offset: number;
  timestamp: number;
  leaderEpoch: number;
}

export interface CommittedOffset extends TopicPartition {
  /** -1 when the group has no committed offset for the partition. */
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
}

export interface OffsetToCommit extends TopicPartition {
  offset: number;
  metadata?: string | null;
  leaderEpoch?: number;
}

const RETRY = { attempts: 5, backoffMs: 200 };

export class KafkaAdmin {
  readonly client: KafkaClient;
  private readonly timeoutMs: number;

  constructor(client: KafkaClient, options: { timeoutMs?: number } = {}) {
    this.client = client;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_ADMIN_TIMEOUT_MS;
  }

  // ---- topics ----

  async createTopics(topics: NewTopic[], options: { validateOnly?: boolean } = {}): Promise<CreatedTopic[]> {
    const response = await this.client.send('controller', { request: CreateTopicsRequest, response: CreateTopicsResponse }, {
      topics: topics.map((t) => ({
        name: t.name,
        numPartitions: t.numPartitions ?? -1,
        replicationFactor: t.replicationFactor ?? -1,
        assignments: [...(t.assignments ?? new Map<number, number[]>())].map(([partitionIndex, brokerIds]) => ({ partitionIndex, brokerIds })),
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
      timeoutMs: this.timeoutMs,
      validateOnly: options.validateOnly ?? false,
    });
    for (const r of response.topics) throwIfError(r.errorCode, r.errorMessage, r.name);
    return response.topics.map((r) => ({ name: r.name, topicId: r.topicId, numPartitions: r.numPartitions, replicationFactor: r.replicationFactor }));
  }

  async deleteTopics(names: string[]): Promise<void> {
    const response = await this.client.send('controller', { request: DeleteTopicsRequest, response: DeleteTopicsResponse }, {
      topics: names.map((name) => ({ name })),
      topicNames: names,
      timeoutMs: this.timeoutMs,
    });
    for (const r of response.responses) throwIfError(r.errorCode, r.errorMessage, r.name);
  }

  /** Topic names, sorted; internal topics (`__consumer_offsets`) only when asked for. */
  async listTopics(options: { includeInternal?: boolean } = {}): Promise<string[]> {
    const topics = await this.client.refreshMetadata(null);
    return topics
      .filter((t) => t.errorCode === ErrorCode.NONE && (options.includeInternal === true || !t.isInternal))
      .map((t) => t.name)
      .sort();
  }

  /** Describes the named topics (all topics when `names` is absent), sorted by name. */
  async describeTopics(names?: string[]): Promise<TopicDescription[]> {
    const topics = await this.client.refreshMetadata(names ?? null);
    for (const t of topics) throwIfError(t.errorCode, null, t.name);
    return topics
      .map((t) => ({
        name: t.name,
        topicId: t.topicId,
        isInternal: t.isInternal,
        partitions: t.partitions.map((p) => ({
          partition: p.partition,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicas,
          isr: p.isr,
          offlineReplicas: p.offlineReplicas,
        })),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Raises the partition count of each topic to `count`. */
  async createPartitions(topics: Array<{ name: string; count: number }>, options: { validateOnly?: boolean } = {}): Promise<void> {
    const response = await this.client.send('controller', { request: CreatePartitionsRequest, response: CreatePartitionsResponse }, {
      topics: topics.map((t) => ({ name: t.name, count: t.count, assignments: null })),
      timeoutMs: this.timeoutMs,
      validateOnly: options.validateOnly ?? false,
    });
    for (const r of response.results) throwIfError(r.errorCode, r.errorMessage, r.name);
  }

  // ---- configs ----

  async describeConfigs(resources: ConfigResource[]): Promise<ConfigDescription[]> {
    const target = (r: ConfigResource): number | 'any' => (r.type === ConfigResourceType.Broker && /^\d+$/.test(r.name) ? Number(r.name) : 'any');
    const results: ConfigDescription[] = [];
    for (const resource of resources) {
      const { version, response } = await this.client.request(target(resource), { request: DescribeConfigsRequest, response: DescribeConfigsResponse }, {
        resources: [{ resourceType: resource.type, resourceName: resource.name, configurationKeys: resource.keys ?? null }],
        includeSynonyms: false,
        includeDocumentation: false,
      });
      for (const r of response.results) {
        throwIfError(r.errorCode, r.errorMessage, r.resourceName);
        results.push({
          type: r.resourceType,
          name: r.resourceName,
          entries: r.configs.map((c) => ({
            name: c.name,
            value: c.value,
            source: version === 0 ? (c.isDefault ? ConfigSource.Default : ConfigSource.Unknown) : c.configSource,
            isDefault: version === 0 ? c.isDefault : c.configSource === ConfigSource.Default,
            isReadOnly: c.readOnly,
            isSensitive: c.isSensitive,
          })),
        });
      }
    }
    return results;
  }

  async incrementalAlterConfigs(resources: Array<{ type: number; name: string; ops: AlterConfigOp[] }>, options: { validateOnly?: boolean } = {}): Promise<void> {
    for (const resource of resources) {
      const target = resource.type === ConfigResourceType.Broker && /^\d+$/.test(resource.name) ? Number(resource.name) : 'controller';
      const response = await this.client.send(target, { request: IncrementalAlterConfigsRequest, response: IncrementalAlterConfigsResponse }, {
        resources: [
          {
            resourceType: resource.type,
            resourceName: resource.name,
            configs: resource.ops.map((o) => ({ name: o.name, configOperation: o.op, value: o.value ?? null })),
          },
        ],
        validateOnly: options.validateOnly ?? false,
      });
      for (const r of response.responses) throwIfError(r.errorCode, r.errorMessage, r.resourceName);
    }
  }

  // ---- groups ----

  async findCoordinator(key: string, keyType = 0): Promise<BrokerInfo> {
    return withRetries(() => this.client.findCoordinator(key, keyType), RETRY);
  }

  /** Groups known to every broker, sorted by id. */
  async listGroups(): Promise<GroupListing[]> {
    await this.client.refreshMetadata([]);
    const perBroker = await Promise.all(
      this.client.brokers.map(async (b) => {
        const response = await this.client.send(b.nodeId, { request: ListGroupsRequest, response: ListGroupsResponse }, {
          statesFilter: [],
          typesFilter: [],
        });
        throwIfError(response.errorCode, null, `broker ${b.nodeId}`);
        return response.groups;
      }),
    );
    const seen = new Map<string, GroupListing>();
    for (const g of perBroker.flat()) {
      seen.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType, state: g.groupState, groupType: g.groupType });
    }
    return [...seen.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  }

  /** Describes groups; a group that does not exist comes back with state `Dead` and no members. */
  async describeGroups(groupIds: string[]): Promise<GroupDescription[]> {
    return Promise.all(groupIds.map((id) => this.withCoordinator(id, (coordinator) => this.describeGroupAt(id, coordinator))));
  }

  private async describeGroupAt(groupId: string, coordinator: BrokerInfo): Promise<GroupDescription> {
    const response = await this.client.send(coordinator.nodeId, { request: DescribeGroupsRequest, response: DescribeGroupsResponse }, {
      groups: [groupId],
      includeAuthorizedOperations: false,
    });
    const g = response.groups[0];
    if (g === undefined) throw new BrokerError(ErrorCode.UNKNOWN_SERVER_ERROR, 'DescribeGroups returned no group', groupId);
    if (g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND) {
      return { groupId, state: 'Dead', protocolType: '', protocol: '', coordinator, members: [] };
    }
    throwIfError(g.errorCode, null, groupId);
    const isConsumer = g.protocolType === CONSUMER_PROTOCOL_TYPE;
    return {
      groupId: g.groupId,
      state: g.groupState,
      protocolType: g.protocolType,
      protocol: g.protocolData,
      coordinator,
      members: g.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        subscription: isConsumer ? (decodeSubscription(m.memberMetadata)?.topics ?? null) : null,
        assignment: isConsumer ? (decodeAssignment(m.memberAssignment)?.assignedPartitions ?? null) : null,
        memberMetadata: m.memberMetadata,
        memberAssignment: m.memberAssignment,
      })),
    };
  }

  /** Committed offsets of a group; `partitions` null = every partition the group committed. */
  async offsetFetch(groupId: string, partitions: TopicPartition[] | null = null): Promise<CommittedOffset[]> {
    const topics = partitions === null ? null : groupByTopic(partitions).map(({ topic, partitions: p }) => ({ name: topic, partitionIndexes: p }));
    return this.withCoordinator(groupId, async (coordinator) => {
      const { version, response } = await this.client.request(coordinator.nodeId, { request: OffsetFetchRequest, response: OffsetFetchResponse }, {
        groupId,
        topics,
        groups: [{ groupId, memberId: null, memberEpoch: -1, topics }],
        requireStable: false,
      });
      let topicResults: Array<{ name: string; partitions: Array<{ partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; metadata: string | null; errorCode: number }> }>;
      if (version >= 8) {
        const group = response.groups.find((g) => g.groupId === groupId);
        if (group === undefined) throw new BrokerError(ErrorCode.UNKNOWN_SERVER_ERROR, 'OffsetFetch returned no group', groupId);
        throwIfError(group.errorCode, null, groupId);
        topicResults = group.topics;
      } else {
        throwIfError(response.errorCode, null, groupId);
        topicResults = response.topics;
      }
      const result: CommittedOffset[] = [];
      for (const t of topicResults) {
        for (const p of t.partitions) {
          throwIfError(p.errorCode, null, `${t.name}-${p.partitionIndex}`);
          result.push({ topic: t.name, partition: p.partitionIndex, offset: Number(p.committedOffset), leaderEpoch: p.committedLeaderEpoch, metadata: p.metadata });
        }
      }
      return result.sort(compareTopicPartitions);
    });
  }

  /**
   * Commits offsets. Without a generation and member id this is the "simple" commit Kafka accepts
   * only for groups without active members (how reset-offsets works).
   */
  async offsetCommit(groupId: string, offsets: OffsetToCommit[], member: { generationId?: number; memberId?: string; groupInstanceId?: string | null } = {}): Promise<void> {
    const byTopic = new Map<string, OffsetToCommit[]>();
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
    await this.withCoordinator(groupId, async (coordinator) => {
      const response = await this.client.send(coordinator.nodeId, { request: OffsetCommitRequest, response: OffsetCommitResponse }, {
        groupId,
        generationIdOrMemberEpoch: member.generationId ?? -1,
        memberId: member.memberId ?? '',
        groupInstanceId: member.groupInstanceId ?? null,
        retentionTimeMs: -1n,
        topics: [...byTopic].map(([name, list]) => ({
          name,
          partitions: list.map((o) => ({
            partitionIndex: o.partition,
            committedOffset: BigInt(o.offset),
            committedLeaderEpoch: o.leaderEpoch ?? -1,
            commitTimestamp: -1n,
            committedMetadata: o.metadata ?? '',
          })),
        })),
      });
      for (const t of response.topics) for (const p of t.partitions) throwIfError(p.errorCode, null, `${t.name}-${p.partitionIndex}`);
    });
  }

  // ---- offsets ----

  /** Earliest, latest or by-timestamp offsets of partitions, asked of their leaders. */
  async listOffsets(partitions: TopicPartition[], query: OffsetQuery): Promise<ListedOffset[]> {
    const timestamp = query === 'earliest' ? OffsetSpec.Earliest : query === 'latest' ? OffsetSpec.Latest : query.timestamp;
    if (partitions.some((tp) => this.client.leaderOf(tp.topic, tp.partition) < 0)) await this.refreshTopics(partitions);
    return withRetries(
      async () => {
        const byLeader = new Map<number, TopicPartition[]>();
        for (const tp of partitions) {
          const leader = this.client.leaderOf(tp.topic, tp.partition);
          if (leader < 0) throw new BrokerError(ErrorCode.LEADER_NOT_AVAILABLE, null, `${tp.topic}-${tp.partition}`);
          byLeader.set(leader, [...(byLeader.get(leader) ?? []), tp]);
        }
        const results = await Promise.all([...byLeader].map(([leader, tps]) => this.listOffsetsAt(leader, tps, timestamp)));
        return results.flat().sort(compareTopicPartitions);
      },
      { ...RETRY, beforeRetry: () => this.refreshTopics(partitions), isRetriable: isRetriableOffsetError },
    );
  }

  /** Offsets of every partition of a topic, in partition order. */
  async topicOffsets(topic: string, query: OffsetQuery): Promise<ListedOffset[]> {
    const info = await this.client.topicMetadata(topic);
    return this.listOffsets(info.partitions.map((p) => ({ topic, partition: p.partition })), query);
  }

  private async listOffsetsAt(leader: number, partitions: TopicPartition[], timestamp: number): Promise<ListedOffset[]> {
    const { version, response } = await this.client.request(leader, { request: ListOffsetsRequest, response: ListOffsetsResponse }, {
      replicaId: -1,
      isolationLevel: 0,
      topics: groupByTopic(partitions).map(({ topic, partitions: p }) => ({
        name: topic,
        partitions: p.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp: BigInt(timestamp), maxNumOffsets: 1 })),
      })),
      timeoutMs: this.timeoutMs,
    });
    const result: ListedOffset[] = [];
    for (const t of response.topics) {
      for (const p of t.partitions) {
        throwIfError(p.errorCode, null, `${t.name}-${p.partitionIndex}`);
        const offset = version === 0 ? Number(p.oldStyleOffsets[0] ?? -1n) : Number(p.offset);
        result.push({ topic: t.name, partition: p.partitionIndex, offset, timestamp: Number(p.timestamp), leaderEpoch: p.leaderEpoch });
      }
    }
    return result;
  }

  private async refreshTopics(partitions: TopicPartition[]): Promise<void> {
    await this.client.refreshMetadata([...new Set(partitions.map((p) => p.topic))]);
  }

  private async withCoordinator<T>(groupId: string, fn: (coordinator: BrokerInfo) => Promise<T>): Promise<T> {
    return withRetries(async () => fn(await this.client.findCoordinator(groupId)), {
      ...RETRY,
      isRetriable: (e) => e instanceof BrokerError && (isCoordinatorError(e.code) || e.code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS),
    });
  }
}

function isRetriableOffsetError(e: unknown): boolean {
  return e instanceof BrokerError && (isStaleMetadataError(e.code) || e.code === ErrorCode.OFFSET_NOT_AVAILABLE);
}

export function groupByTopic(partitions: TopicPartition[]): TopicPartitions[] {
  const map = new Map<string, number[]>();
  for (const tp of partitions) map.set(tp.topic, [...(map.get(tp.topic) ?? []), tp.partition]);
  return [...map].map(([topic, p]) => ({ topic, partitions: p.sort((a, b) => a - b) }));
}

export function compareTopicPartitions(a: TopicPartition, b: TopicPartition): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return a.partition - b.partition;
}
