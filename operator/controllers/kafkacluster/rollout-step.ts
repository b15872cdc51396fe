/**
 * The rolling-restart part of `plan()`: observed pods + Kafka state -> `planRollout` -> at most one
 * pod to delete, `status.rollout`, a Progressing condition and Events. Pure.
 *
 * Holds that stop every restart before the planner's own rules (reported as each broker's
 * `blockedBy`, so `kubectl get kc -o yaml` says why nothing moves):
 * - the Kafka side is unknown (not observed, unreachable, refusing): never restart blind;
 * - the StatefulSet has not yet taken the desired pod template (the operator applies it in this
 *   reconcile, or the StatefulSet controller has not observed it yet): a pod deleted now would come
 *   back with the old template.
 * Quorum: DescribeQuorum's answer when the broker has it; otherwise derived from the cluster config:
 * voters are ordinals 0..controllerQuorumSize-1, a voter is caught up when its pod is Ready, and the
 * active controller is Metadata's controllerId.
 *
 * Events: RollingRestartStarted (status.rollout becomes non-empty), RollingRestart (each pod
 * deletion), RollingRestartBlocked (Warning, when the roll enters a blocked state that is not just
 * waiting for the last restarted broker), RollingRestartFinished (status.rollout empties).
 */
import type { KafkaCluster, RolloutEntry } from '../../api/v1alpha1.js';
import type { KubeEvent, ObjectRef } from '../../kube/api.js';
import type { KafkaClusterState, KnownClusterState } from './cluster-observer.js';
import { rolloutBrokers, type DesiredPod, type PodObserved } from './broker-pods.js';
import { conditionOf, type ConditionInput } from './status.js';
import type { ClusterNames } from './names.js';
import { clusterGate, planRollout, type QuorumState, type RolloutBroker, type RolloutPartition } from './rollout-planner.js';

export const ROLLING_RESTART = 'RollingRestart';
export const ROLLING_RESTART_BLOCKED = 'RollingRestartBlocked';

export interface RolloutStepInput {
  readonly cluster: KafkaCluster;
  readonly names: ClusterNames;
  readonly pods: readonly PodObserved[];
  /** The StatefulSet's current size (ordinals below it without a pod are being created). */
  readonly slots: number;
  readonly desired: DesiredPod;
  readonly kafka: KafkaClusterState | undefined;
  /** Why the StatefulSet cannot take restarts yet, if so. */
  readonly statefulSetHold: string | undefined;
  readonly quorumSize: number;
  readonly nowMs: number;
}

export interface RolloutStep {
  readonly entries: RolloutEntry[];
  readonly restart?: { readonly broker: number; readonly pod: ObjectRef; readonly reason: string };
  readonly progressing?: ConditionInput;
  readonly events: KubeEvent[];
  /** Some broker needs a restart: the Kafka side must be observed to decide. */
  readonly needsKafka: boolean;
}

export function rolloutStep(input: RolloutStepInput): RolloutStep {
  const { cluster, names, kafka } = input;
  const brokers = rolloutBrokers(names, input.pods, input.slots, input.desired);
  const needsKafka = brokers.some((b) => b.changes.length > 0);
  const known = kafka?.kind === 'known' ? kafka : undefined;
  const partitions = known ? rolloutPartitions(known, cluster) : [];
  const kafkaHold =
    kafka === undefined
      ? 'cluster state unknown (not observed yet): no broker restarts until the cluster answers'
      : kafka.kind === 'unknown'
        ? `cluster state unknown: ${kafka.reason}; no broker restarts until the cluster answers`
        : undefined;
  const hold = kafkaHold ?? input.statefulSetHold;
  const rollout = planRollout({
    brokers,
    partitions,
    quorum: quorumOf(known, brokers, input.quorumSize),
    nowMs: input.nowMs,
    ...(cluster.status?.rollout ? { previous: cluster.status.rollout } : {}),
    ...(hold === undefined ? {} : { hold }),
  });
  const entries = rollout.entries;
  const restartEntry = rollout.restart === undefined ? undefined : entries.find((e) => e.broker === rollout.restart);
  const restart = restartEntry
    ? { broker: restartEntry.broker, reason: restartEntry.reason, pod: { apiVersion: 'v1', kind: 'Pod', namespace: names.namespace, name: names.pod(restartEntry.broker) } }
    : undefined;
  // Waiting for the broker restarted last (or for the StatefulSet) is progress; anything else is blocked.
  const settling = input.statefulSetHold !== undefined || clusterGate({ brokers, partitions }) !== undefined;
  const blocked = entries.length > 0 && restart === undefined && (kafkaHold !== undefined || !settling);
  const progressing: ConditionInput | undefined =
    entries.length === 0 ? undefined : { type: 'Progressing', status: 'True', reason: blocked ? ROLLING_RESTART_BLOCKED : ROLLING_RESTART, message: rollout.message ?? '' };
  return {
    entries,
    ...(restart ? { restart } : {}),
    ...(progressing ? { progressing } : {}),
    events: rolloutEvents(cluster, entries, restart, progressing),
    needsKafka,
  };
}

function defaultMinInsyncReplicas(cluster: KafkaCluster): number {
  const value = Number(cluster.spec.config?.['min.insync.replicas'] ?? '1');
  return Number.isInteger(value) && value >= 1 ? value : 1;
}

function rolloutPartitions(kafka: KnownClusterState, cluster: KafkaCluster): RolloutPartition[] {
  const fallback = defaultMinInsyncReplicas(cluster);
  return kafka.partitions.map((p) => ({ ...p, minInsyncReplicas: kafka.minInsyncReplicas[p.topic] ?? fallback }));
}

/** DescribeQuorum's view, or the one derived from the cluster config (see the module header). */
export function quorumOf(kafka: KnownClusterState | undefined, brokers: readonly RolloutBroker[], quorumSize: number): QuorumState {
  if (kafka?.quorum) return kafka.quorum;
  const voters = Array.from({ length: quorumSize }, (_, i) => i);
  const caughtUp = voters.filter((id) => brokers.find((b) => b.id === id)?.ready === true);
  const leader = kafka !== undefined && voters.includes(kafka.controllerId) ? kafka.controllerId : undefined;
  return { voters, caughtUp, ...(leader === undefined ? {} : { leader }) };
}

function rolloutEvents(
  cluster: KafkaCluster,
  entries: readonly RolloutEntry[],
  restart: RolloutStep['restart'],
  progressing: ConditionInput | undefined,
): KubeEvent[] {
  const before = cluster.status?.rollout ?? [];
  const events: KubeEvent[] = [];
  if (before.length === 0 && entries.length > 0) {
    events.push({ type: 'Normal', reason: 'RollingRestartStarted', message: `${entries.length} broker(s) to restart: ${entries[0]!.reason}` });
  }
  if (restart) events.push({ type: 'Normal', reason: ROLLING_RESTART, message: `restarting broker ${restart.broker} (${restart.reason})` });
  const wasBlocked = conditionOf(cluster.status?.conditions, 'Progressing')?.reason === ROLLING_RESTART_BLOCKED;
  if (progressing?.reason === ROLLING_RESTART_BLOCKED && !wasBlocked) {
    events.push({ type: 'Warning', reason: ROLLING_RESTART_BLOCKED, message: progressing.message });
  }
  if (before.length > 0 && entries.length === 0) {
    events.push({ type: 'Normal', reason: 'RollingRestartFinished', message: 'every broker runs the desired image and config' });
  }
  return events;
}
