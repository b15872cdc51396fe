/**
 * `ClusterObserver` over the internal Kafka client (`broker/client/`): one `KafkaClient` per
 * session, opened on the cluster's bootstrap servers.
 *
 * What `observe()` asks, in order (each step bounded; see below):
 *   1. Metadata for every topic (brokers, controllerId, partitions with replicas and ISR); the
 *      connection's ApiVersions answer tells which optional APIs the broker has (`supports`).
 *   2. DescribeCluster (registered brokers) when supported, else Metadata's broker list.
 *   3. DescribeConfigs `min.insync.replicas` of every topic, in batches of `TOPICS_PER_REQUEST_MAX`.
 *   4. DescribeQuorum of `__cluster_metadata`-0 when supported. A voter counts as caught up when it
 *      is the leader, its log end offset has reached the high watermark, or it was caught up within
 *      `QUORUM_CAUGHT_UP_LAG_MS_MAX` (the leader's lastCaughtUpTimestamp).
 *   5. ListPartitionReassignments when supported.
 * Bounds: connect and request timeouts on the client, and `timeoutMs` for the whole observation
 * (a broker that accepts connections but never answers cannot hang a reconcile).
 * Errors: connection failures, timeouts and broker error codes make the state `unknown` with a
 * sentence naming the bootstrap servers; anything else is a bug and is rethrown.
 * This is an I/O edge: sockets (through `KafkaClient`) and one timer (through `Clock`).
 */
import type { KafkaClient, TopicInfo } from '../../../broker/client/client.js';
import { ConnectionError, RequestTimeoutError } from '../../../broker/client/connection.js';
import { BrokerError, throwIfError } from '../../../broker/client/errors.js';
import { ErrorCode, KafkaError, errorInfo } from '../../../broker/protocol/errors.js';
import { AlterPartitionReassignmentsRequest } from '../../../broker/protocol/generated/alter-partition-reassignments-request.js';
import { AlterPartitionReassignmentsResponse } from '../../../broker/protocol/generated/alter-partition-reassignments-response.js';
import { DescribeClusterRequest } from '../../../broker/protocol/generated/describe-cluster-request.js';
import { DescribeClusterResponse } from '../../../broker/protocol/generated/describe-cluster-response.js';
import { DescribeConfigsRequest } from '../../../broker/protocol/generated/describe-configs-request.js';
import { DescribeConfigsResponse } from '../../../broker/protocol/generated/describe-configs-response.js';
import { DescribeQuorumRequest } from '../../../broker/protocol/generated/describe-quorum-request.js';
import { DescribeQuorumResponse } from '../../../broker/protocol/generated/describe-quorum-response.js';
import { ListPartitionReassignmentsRequest } from '../../../broker/protocol/generated/list-partition-reassignments-request.js';
import { ListPartitionReassignmentsResponse } from '../../../broker/protocol/generated/list-partition-reassignments-response.js';
import { UnregisterBrokerRequest } from '../../../broker/protocol/generated/unregister-broker-request.js';
import { UnregisterBrokerResponse } from '../../../broker/protocol/generated/unregister-broker-response.js';
import type { MessageCodec } from '../../../broker/protocol/primitives.js';
import type { Clock } from '../../runtime/clock.js';
import { withDeadline as boundedBy } from '../../runtime/deadline.js';
import { operatorKafkaClient } from '../../runtime/kafka-client.js';
import type { QuorumState } from './rollout-planner.js';
import type { Reassignment } from './scale-planner.js';
import {
  partitionKey, type ClusterObserver, type ClusterObserverFactory, type KafkaActionResult, type KafkaBroker, type KafkaCapabilities,
  type KafkaClusterState, type KafkaPartition,
} from './cluster-observer.js';

export const DEFAULT_OBSERVE_TIMEOUT_MS = 10_000;
const TOPICS_PER_REQUEST_MAX = 100;
const QUORUM_CAUGHT_UP_LAG_MS_MAX = 10_000;
const METADATA_TOPIC = '__cluster_metadata';
const TOPIC_RESOURCE = 2;
const REASSIGNMENT_TIMEOUT_MS = 30_000;

/** The cluster did not answer within the deadline. */
export class ObserveDeadlineError extends Error {
  override readonly name = 'ObserveDeadlineError';
}

/** A sentence for an operating error, or null for anything else (a bug: rethrow). */
export function describeKafkaFailure(error: unknown): { message: string; unsupported: boolean } | null {
  if (error instanceof ConnectionError || error instanceof RequestTimeoutError || error instanceof ObserveDeadlineError) {
    return { message: error.message, unsupported: false };
  }
  if (error instanceof KafkaError) {
    const text = error instanceof BrokerError ? error.userMessage : errorInfo(error.code).message;
    return { message: `${errorInfo(error.code).name}: ${text.replace(/\.$/, '')}`, unsupported: error.code === ErrorCode.UNSUPPORTED_VERSION };
  }
  return null;
}

function withDeadline<T>(clock: Clock, timeoutMs: number, what: string, work: () => Promise<T>): Promise<T> {
  return boundedBy(clock, timeoutMs, what, work, (message) => new ObserveDeadlineError(message));
}

export function kafkaClusterObserverFactory(clock: Clock, options: { timeoutMs?: number; clientId?: string } = {}): ClusterObserverFactory {
  const timeoutMs = options.timeoutMs ?? DEFAULT_OBSERVE_TIMEOUT_MS;
  return (bootstrapServers) => {
    const client = operatorKafkaClient(bootstrapServers, { timeoutMs, clientId: options.clientId });
    const where = `bootstrap ${bootstrapServers.join(',')}`;
    const act = async (what: string, work: () => Promise<void>): Promise<KafkaActionResult> => {
      try {
        await withDeadline(clock, timeoutMs, `${what} (${where})`, work);
        return { ok: true };
      } catch (error) {
        const failure = describeKafkaFailure(error);
        if (failure === null) throw error;
        return { ok: false, ...failure };
      }
    };
    return {
      async observe(): Promise<KafkaClusterState> {
        try {
          return await withDeadline(clock, timeoutMs, `observing the cluster (${where})`, () => observeWith(client, clock));
        } catch (error) {
          const failure = describeKafkaFailure(error);
          if (failure === null) throw error;
          return { kind: 'unknown', reason: `the cluster at ${bootstrapServers.join(',')} did not answer: ${failure.message}` };
        }
      },
      alterPartitionReassignments: (reassignments) => act('reassigning partitions', () => alterReassignments(client, reassignments)),
      unregisterBrokers: (ids) => act(`unregistering brokers ${ids.join(', ')}`, () => unregister(client, ids)),
      close: () => client.close(),
    };
  };
}

async function supported(client: KafkaClient, codec: MessageCodec<unknown>): Promise<boolean> {
  return (await client.versionFor('any', codec)) !== null;
}

async function observeWith(client: KafkaClient, clock: Clock): Promise<KafkaClusterState> {
  const topics = (await client.refreshMetadata(null)).filter((t) => t.errorCode === ErrorCode.NONE);
  const supports: KafkaCapabilities = {
    describeQuorum: await supported(client, DescribeQuorumRequest as MessageCodec<unknown>),
    listPartitionReassignments: await supported(client, ListPartitionReassignmentsRequest as MessageCodec<unknown>),
    alterPartitionReassignments: await supported(client, AlterPartitionReassignmentsRequest as MessageCodec<unknown>),
    unregisterBroker: await supported(client, UnregisterBrokerRequest as MessageCodec<unknown>),
  };
  const brokers = (await supported(client, DescribeClusterRequest as MessageCodec<unknown>))
    ? await describeClusterBrokers(client)
    : client.brokers.map((b): KafkaBroker => ({ id: b.nodeId, ...(b.rack ? { rack: b.rack } : {}) }));
  return {
    kind: 'known',
    brokers: brokers.sort((a, b) => a.id - b.id),
    controllerId: client.controllerId,
    partitions: partitionsOf(topics),
    minInsyncReplicas: await minInsyncReplicas(client, topics.map((t) => t.name)),
    quorum: supports.describeQuorum ? await describeQuorum(client, clock.nowMs()) : null,
    reassigning: supports.listPartitionReassignments ? await listReassignments(client) : [],
    supports,
  };
}

function partitionsOf(topics: readonly TopicInfo[]): KafkaPartition[] {
  return topics
    .flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition, replicas: p.replicas, isr: p.isr })))
    .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}

async function describeClusterBrokers(client: KafkaClient): Promise<KafkaBroker[]> {
  const response = await client.send('any', { request: DescribeClusterRequest, response: DescribeClusterResponse }, {
    includeClusterAuthorizedOperations: false,
    endpointType: 1,
  });
  throwIfError(response.errorCode, response.errorMessage, 'DescribeCluster');
  return response.brokers.map((b) => ({ id: b.brokerId, ...(b.rack ? { rack: b.rack } : {}) }));
}

async function minInsyncReplicas(client: KafkaClient, topics: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (let i = 0; i < topics.length; i += TOPICS_PER_REQUEST_MAX) {
    const batch = topics.slice(i, i + TOPICS_PER_REQUEST_MAX);
    const response = await client.send('any', { request: DescribeConfigsRequest, response: DescribeConfigsResponse }, {
      resources: batch.map((name) => ({ resourceType: TOPIC_RESOURCE, resourceName: name, configurationKeys: ['min.insync.replicas'] })),
      includeSynonyms: false,
      includeDocumentation: false,
    });
    for (const result of response.results) {
      if (result.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) continue; // deleted since Metadata
      throwIfError(result.errorCode, result.errorMessage, result.resourceName);
      const value = Number(result.configs.find((c) => c.name === 'min.insync.replicas')?.value);
      if (Number.isInteger(value) && value >= 1) out[result.resourceName] = value;
    }
  }
  return out;
}

async function describeQuorum(client: KafkaClient, nowMs: number): Promise<QuorumState> {
  const response = await client.send('any', { request: DescribeQuorumRequest, response: DescribeQuorumResponse }, {
    topics: [{ topicName: METADATA_TOPIC, partitions: [{ partitionIndex: 0 }] }],
  });
  throwIfError(response.errorCode, response.errorMessage, 'DescribeQuorum');
  const p = response.topics[0]?.partitions[0];
  if (p === undefined) throw new BrokerError(ErrorCode.UNKNOWN_SERVER_ERROR, 'DescribeQuorum returned no partition', METADATA_TOPIC);
  throwIfError(p.errorCode, p.errorMessage, METADATA_TOPIC);
  const caughtUp = p.currentVoters
    .filter((v) => {
      if (v.replicaId === p.leaderId || v.logEndOffset >= p.highWatermark) return true;
      const at = Number(v.lastCaughtUpTimestamp);
      return at >= 0 && nowMs - at <= QUORUM_CAUGHT_UP_LAG_MS_MAX;
    })
    .map((v) => v.replicaId);
  return { voters: p.currentVoters.map((v) => v.replicaId), caughtUp, ...(p.leaderId >= 0 ? { leader: p.leaderId } : {}) };
}

async function listReassignments(client: KafkaClient): Promise<string[]> {
  const response = await client.send('controller', { request: ListPartitionReassignmentsRequest, response: ListPartitionReassignmentsResponse }, {
    timeoutMs: REASSIGNMENT_TIMEOUT_MS,
    topics: null,
  });
  throwIfError(response.errorCode, response.errorMessage, 'ListPartitionReassignments');
  return response.topics.flatMap((t) => t.partitions.map((p) => partitionKey(t.name, p.partitionIndex))).sort();
}

async function alterReassignments(client: KafkaClient, reassignments: readonly Reassignment[]): Promise<void> {
  const byTopic = new Map<string, Reassignment[]>();
  for (const r of reassignments) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
  const response = await client.send('controller', { request: AlterPartitionReassignmentsRequest, response: AlterPartitionReassignmentsResponse }, {
    timeoutMs: REASSIGNMENT_TIMEOUT_MS,
    topics: [...byTopic].map(([name, list]) => ({ name, partitions: list.map((r) => ({ partitionIndex: r.partition, replicas: r.replicas })) })),
  });
  throwIfError(response.errorCode, response.errorMessage, 'AlterPartitionReassignments');
  for (const t of response.responses) for (const p of t.partitions) throwIfError(p.errorCode, p.errorMessage, partitionKey(t.name, p.partitionIndex));
}

async function unregister(client: KafkaClient, ids: readonly number[]): Promise<void> {
  for (const brokerId of ids) {
    const response = await client.send('controller', { request: UnregisterBrokerRequest, response: UnregisterBrokerResponse }, { brokerId });
    if (response.errorCode === ErrorCode.BROKER_ID_NOT_REGISTERED) continue; // already gone: the goal holds
    throwIfError(response.errorCode, response.errorMessage, `broker ${brokerId}`);
  }
}
