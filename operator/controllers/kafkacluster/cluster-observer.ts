/**
 * `ClusterObserver`: what the rollout and scale planners need to know from the Kafka side of a
 * KafkaCluster, and the two Kafka-side actions the scale planner asks for (STYLE rule 5: a narrow
 * interface; `kafka-cluster-observer.ts` implements it over the internal client).
 *
 * The observation is plain data (`KafkaClusterState`) so `plan()` stays pure and unit tests pass a
 * literal. It is either `known` (everything below answered) or `unknown` with the reason (no
 * connection, a timeout, a broker error): the planners never guess, so an unknown state blocks
 * every restart and every scale-down step.
 *
 * Where an API is missing from the broker (its ApiVersions does not list it), the observation says
 * so in `supports` and fills in what it can:
 * - DescribeQuorum missing: `quorum` is null and the plan derives it from the cluster config (the
 *   voters are pods 0..controllerQuorumSize-1, a voter is caught up when its pod is Ready, the
 *   active controller is Metadata's controllerId).
 * - ListPartitionReassignments missing: no reassignment is in flight (`reassigning` is empty).
 * - AlterPartitionReassignments / UnregisterBroker missing: the plan does not ask for them and says
 *   in a condition why the scale-down cannot go on.
 */
import type { QuorumState } from './rollout-planner.js';
import type { Reassignment } from './scale-planner.js';

/** A broker the cluster metadata lists (DescribeCluster, else Metadata). */
export interface KafkaBroker {
  readonly id: number;
  readonly rack?: string;
  readonly fenced?: boolean;
}

/** One partition as Metadata reports it. */
export interface KafkaPartition {
  readonly topic: string;
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

/** Which optional admin APIs the broker answering the observer supports. */
export interface KafkaCapabilities {
  readonly describeQuorum: boolean;
  readonly listPartitionReassignments: boolean;
  readonly alterPartitionReassignments: boolean;
  readonly unregisterBroker: boolean;
}

export interface KnownClusterState {
  readonly kind: 'known';
  /** Registered brokers (fenced ones included, flagged when the broker says so). */
  readonly brokers: readonly KafkaBroker[];
  /** Metadata's controllerId (-1 when none). */
  readonly controllerId: number;
  /** Every partition, internal topics included, sorted by topic then partition. */
  readonly partitions: readonly KafkaPartition[];
  /** Effective `min.insync.replicas` per topic (DescribeConfigs); a missing topic uses the broker default. */
  readonly minInsyncReplicas: Readonly<Record<string, number>>;
  /** From DescribeQuorum; null when the broker does not support it. */
  readonly quorum: QuorumState | null;
  /** Partitions with a reassignment in flight, as `topic/partition`. */
  readonly reassigning: readonly string[];
  readonly supports: KafkaCapabilities;
}

export interface UnknownClusterState {
  readonly kind: 'unknown';
  /** One sentence: why the cluster could not be observed. */
  readonly reason: string;
}

export type KafkaClusterState = KnownClusterState | UnknownClusterState;

/** The outcome of one Kafka-side action. */
export type KafkaActionResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly unsupported: boolean; readonly message: string };

/** One session with one cluster (one client): observe, then act, then close. */
export interface ClusterObserver {
  /** Never throws for an operating error: an unreachable or refusing cluster is `unknown`. */
  observe(): Promise<KafkaClusterState>;
  alterPartitionReassignments(reassignments: readonly Reassignment[]): Promise<KafkaActionResult>;
  unregisterBrokers(brokerIds: readonly number[]): Promise<KafkaActionResult>;
  close(): Promise<void>;
}

/** Opens a session on the brokers at `bootstrapServers` (host:port). */
export type ClusterObserverFactory = (bootstrapServers: readonly string[]) => ClusterObserver;

export const partitionKey = (topic: string, partition: number): string => `${topic}/${partition}`;
