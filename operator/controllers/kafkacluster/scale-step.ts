/**
 * The scaling part of `plan()`: observed StatefulSet, pods, claims and Kafka state -> `planScale`
 * -> the StatefulSet size, Kafka actions, claims to delete, `status.scaleDown`, conditions. Pure.
 *
 * Over the planner, this step adds what depends on the Kafka side being reachable and capable:
 * - Kafka state unknown (not observed, unreachable): scaling up (or staying) is safe and goes on;
 *   a scale-down does not move at all (the StatefulSet keeps its size, `status.scaleDown` is
 *   Blocked, Degraded says why) and no claim is deleted (whether a broker is empty is unknown).
 * - The planner wants reassignments but the broker lacks AlterPartitionReassignments: nothing is
 *   submitted, the StatefulSet keeps its size, Degraded/ReassignmentUnsupported says so.
 * - The planner wants UnregisterBroker but the broker lacks it: Degraded/UnregisterUnsupported;
 *   the claims of still-registered brokers stay (the planner never deletes those).
 * The user's spec is never written: the size comes out as the StatefulSet's replicas only.
 */
import type { KafkaCluster, ScaleDownStatus } from '../../api/v1alpha1.js';
import type { KubeEvent } from '../../kube/api.js';
import { partitionKey, type KafkaClusterState } from './cluster-observer.js';
import { rfc3339 } from './rollout-planner.js';
import { drainingBrokers, planScale, type Reassignment, type ScaleInput, type ScalePlan } from './scale-planner.js';
import type { ConditionInput } from './status.js';

export const REASSIGNMENT_UNSUPPORTED = 'scale-down needs partition reassignment, which this broker version does not support yet';

export interface ScaleStepInput {
  readonly cluster: KafkaCluster;
  /** The StatefulSet's spec.replicas, absent before it exists. */
  readonly statefulSetReplicas?: number;
  readonly podOrdinals: readonly number[];
  readonly claimOrdinals: readonly number[];
  readonly kafka: KafkaClusterState | undefined;
  readonly quorumSize: number;
  readonly nowMs: number;
}

export interface ScaleStep {
  readonly replicas: number;
  readonly reassignments: Reassignment[];
  readonly unregister: number[];
  readonly deleteClaims: number[];
  readonly scaleDown?: ScaleDownStatus;
  readonly progressing?: ConditionInput;
  readonly degraded?: ConditionInput;
  readonly events: KubeEvent[];
  /** The decision depends on the Kafka side (draining, rebalancing, claims to judge). */
  readonly needsKafka: boolean;
}

export function scaleStep(input: ScaleStepInput): ScaleStep {
  const { cluster } = input;
  const previous = cluster.status?.scaleDown;
  const base: ScaleInput = {
    desiredBrokers: cluster.spec.brokers,
    ...(input.statefulSetReplicas === undefined ? {} : { statefulSetReplicas: input.statefulSetReplicas }),
    podOrdinals: input.podOrdinals,
    brokers: [],
    partitions: [],
    voters: Array.from({ length: input.quorumSize }, (_, i) => i),
    rebalanceOnScale: cluster.spec.rebalanceOnScale,
    deleteClaim: cluster.spec.storage.deleteClaim,
    claimOrdinals: input.claimOrdinals,
    nowMs: input.nowMs,
    ...(previous ? { previous } : {}),
  };
  const draining = drainingBrokers(base);
  const needsKafka =
    draining.length > 0 || previous !== undefined || base.rebalanceOnScale || (base.deleteClaim && input.claimOrdinals.some((o) => o >= base.desiredBrokers));
  const kafka = input.kafka;
  if (kafka?.kind !== 'known') {
    const reason = kafka === undefined ? 'not observed yet' : kafka.reason;
    return unknownState(input, draining, reason, needsKafka);
  }
  const planned = planScale({
    ...base,
    brokers: kafka.brokers.map((b) => ({ id: b.id, registered: true, ...(b.fenced ? { fenced: true } : {}), ...(b.rack ? { rack: b.rack } : {}) })),
    partitions: kafka.partitions.map((p) => ({ topic: p.topic, partition: p.partition, replicas: p.replicas, ...(kafka.reassigning.includes(partitionKey(p.topic, p.partition)) ? { reassigning: true } : {}) })),
    voters: kafka.quorum?.voters ?? base.voters,
  });
  return withCapabilities(input, planned, kafka.supports, needsKafka);
}

function unknownState(input: ScaleStepInput, draining: readonly number[], reason: string, needsKafka: boolean): ScaleStep {
  const { cluster } = input;
  const previous = cluster.status?.scaleDown;
  const replicas = Math.max(input.statefulSetReplicas ?? 0, cluster.spec.brokers);
  if (draining.length === 0) {
    // Growing or steady is safe blind; a finished drain waiting to unregister keeps its status.
    return { replicas: cluster.spec.brokers, reassignments: [], unregister: [], deleteClaims: [], ...(previous ? { scaleDown: previous } : {}), events: [], needsKafka };
  }
  const message = `cluster state unknown (${reason}): the scale-down waits; nothing is drained or removed until the cluster answers`;
  const scaleDown: ScaleDownStatus = {
    fromBrokers: previous?.fromBrokers ?? replicas,
    toBrokers: cluster.spec.brokers,
    draining: [...draining],
    ...(previous?.remainingReplicas === undefined ? {} : { remainingReplicas: previous.remainingReplicas }),
    phase: 'Blocked',
    message,
    since: sinceFor(previous, 'Blocked', message, input.nowMs),
  };
  const degraded: ConditionInput = { type: 'Degraded', status: 'True', reason: 'ScaleDownBlocked', message };
  return { replicas, reassignments: [], unregister: [], deleteClaims: [], scaleDown, degraded, events: phaseEvents(previous, scaleDown), needsKafka };
}

function withCapabilities(input: ScaleStepInput, planned: ScalePlan, supports: { alterPartitionReassignments: boolean; unregisterBroker: boolean }, needsKafka: boolean): ScaleStep {
  const previous = input.cluster.status?.scaleDown;
  let { reassignments, unregister, scaleDown } = planned;
  let progressing: ConditionInput | undefined = planned.condition?.type === 'Progressing' ? planned.condition : undefined;
  let degraded: ConditionInput | undefined = planned.condition?.type === 'Degraded' ? planned.condition : undefined;
  if (reassignments.length > 0 && !supports.alterPartitionReassignments) {
    reassignments = [];
    if (scaleDown) {
      const message = `${REASSIGNMENT_UNSUPPORTED}: ${scaleDown.message ?? ''}; the StatefulSet keeps ${planned.statefulSetReplicas} brokers`;
      scaleDown = { ...scaleDown, phase: 'Blocked', message, since: sinceFor(previous, 'Blocked', message, input.nowMs) };
      progressing = undefined;
      degraded = { type: 'Degraded', status: 'True', reason: 'ReassignmentUnsupported', message };
    } else {
      progressing = undefined;
      degraded = { type: 'Degraded', status: 'True', reason: 'ReassignmentUnsupported', message: 'rebalanceOnScale needs partition reassignment, which this broker version does not support yet' };
    }
  }
  if (unregister.length > 0 && !supports.unregisterBroker) {
    const message = `brokers ${unregister.join(', ')} are stopped and empty but cannot be unregistered: this broker version does not support UnregisterBroker yet`;
    unregister = [];
    degraded = { type: 'Degraded', status: 'True', reason: 'UnregisterUnsupported', message };
    if (scaleDown) scaleDown = { ...scaleDown, message };
  }
  return {
    replicas: planned.statefulSetReplicas,
    reassignments,
    unregister,
    deleteClaims: planned.deleteClaims,
    ...(scaleDown ? { scaleDown } : {}),
    ...(progressing ? { progressing } : {}),
    ...(degraded ? { degraded } : {}),
    events: phaseEvents(previous, scaleDown),
    needsKafka,
  };
}

/** Keeps `since` while the phase stays (Blocked: while the message stays too). */
function sinceFor(previous: ScaleDownStatus | undefined, phase: ScaleDownStatus['phase'], message: string, nowMs: number): string {
  const same = previous?.phase === phase && (phase !== 'Blocked' || previous.message === message);
  return same && previous?.since !== undefined ? previous.since : rfc3339(nowMs);
}

/** A Normal event when a scale-down enters a new phase (Blocked is reported by Degraded) or ends. */
function phaseEvents(previous: ScaleDownStatus | undefined, next: ScaleDownStatus | undefined): KubeEvent[] {
  if (next && next.phase !== previous?.phase && next.phase !== 'Blocked') {
    return [{ type: 'Normal', reason: `ScaleDown${next.phase}`, message: next.message ?? '' }];
  }
  if (previous && !next) return [{ type: 'Normal', reason: 'ScaleDownFinished', message: `scaled down to ${previous.toBrokers} brokers` }];
  return [];
}
