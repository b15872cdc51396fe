/**
 * Scale planner for a KafkaCluster: the StatefulSet replica count to set, the partition
 * reassignments to submit (AlterPartitionReassignments), the brokers to unregister, the volume
 * claims that may go, and `status.scaleDown` plus a condition saying what is happening.
 *
 * Pure: no I/O, no clock (`nowMs` comes in), deterministic (ties break by broker id, partitions are
 * visited by topic then partition). Level-based: everything is derived from what is observed now;
 * the previous `status.scaleDown` is read only for `fromBrokers` and to keep `since` stable.
 *
 * Scale up: the StatefulSet goes to `spec.brokers` at once. With `rebalanceOnScale`, once every
 * broker below `spec.brokers` is registered and no reassignment is in flight, replicas move from
 * the most to the least loaded brokers until replica counts differ by at most one (so new, empty
 * brokers fill up). Moves keep the replica's position (a moved preferred leader hands leadership
 * to the new broker) and never reduce the number of distinct racks a partition spans when every
 * broker's rack is known.
 *
 * Scale down, highest ordinals first (the StatefulSet only removes from the top):
 *   Draining              replicas on brokers >= spec.brokers are reassigned to the remaining
 *                         brokers (least loaded, other racks preferred); the StatefulSet keeps
 *                         its size.
 *   Blocked               the remaining registered brokers cannot hold some partition's replication
 *                         factor, or a draining broker is a controller quorum voter: nothing moves,
 *                         nothing shrinks, a Degraded condition says why (data is never dropped).
 *   Shrinking             the draining brokers are empty: the StatefulSet goes to spec.brokers and
 *                         their pods stop (controlled shutdown fences them).
 *   WaitingForUnregister  the pods are gone: the operator unregisters the brokers (UnregisterBroker)
 *                         until the metadata no longer lists them; then `status.scaleDown` clears.
 * Departure from the wording ("empty and unregistered, only then lower the StatefulSet"):
 * a running KRaft broker registers itself again on its next heartbeat, so it can only be
 * unregistered after its pod stops, as Kafka's own docs order it. The data safety the wording is
 * after holds: the StatefulSet only shrinks below a broker once it holds no replica, and a claim is
 * only deleted once its broker holds no replica, has no pod and is unregistered.
 */
import type { ScaleDownStatus } from '../../api/v1alpha1.js';
import { rfc3339 } from './rollout-planner.js';

export interface ScaleBroker {
  /** Node id = pod ordinal. */
  readonly id: number;
  /** Listed in the cluster metadata (registered, fenced or not). */
  readonly registered: boolean;
  readonly fenced?: boolean;
  /** `broker.rack`, when rack awareness is on and the broker reported one. */
  readonly rack?: string;
}

export interface ScalePartition {
  readonly topic: string;
  readonly partition: number;
  readonly replicas: readonly number[];
  /** A reassignment of this partition is in flight (adding or removing replicas). */
  readonly reassigning?: boolean;
}

export interface ScaleInput {
  /** `spec.brokers`. */
  readonly desiredBrokers: number;
  /** The StatefulSet's `spec.replicas`; absent before it exists. */
  readonly statefulSetReplicas?: number;
  /** Ordinals of the broker pods that exist (terminating ones included). */
  readonly podOrdinals: readonly number[];
  /** Brokers as the cluster metadata lists them. */
  readonly brokers: readonly ScaleBroker[];
  readonly partitions: readonly ScalePartition[];
  /** Controller quorum voters (node ids). */
  readonly voters: readonly number[];
  readonly rebalanceOnScale: boolean;
  /** `spec.storage.deleteClaim`. */
  readonly deleteClaim: boolean;
  /** Ordinals whose PersistentVolumeClaim exists. */
  readonly claimOrdinals: readonly number[];
  readonly nowMs: number;
  /** `status.scaleDown` as last written. */
  readonly previous?: ScaleDownStatus;
  /** Bound on reassignments per plan; the rest follow on later reconciles. Default 200. */
  readonly maxMovesPerStep?: number;
}

export interface Reassignment {
  readonly topic: string;
  readonly partition: number;
  /** The full new replica list (AlterPartitionReassignments' `replicas`). */
  readonly replicas: number[];
}

/** A condition to set; the controller adds `lastTransitionTime` and `observedGeneration`. */
export interface PlannedCondition {
  readonly type: 'Progressing' | 'Degraded';
  readonly status: 'True';
  readonly reason: 'ScalingDown' | 'ScaleDownBlocked' | 'Rebalancing';
  readonly message: string;
}

export interface ScalePlan {
  /** Set the StatefulSet's `spec.replicas` to this. */
  readonly statefulSetReplicas: number;
  /** Submit these reassignments (each partition at most once), sorted by topic and partition. */
  readonly reassignments: Reassignment[];
  /** Call UnregisterBroker for these node ids. */
  readonly unregister: number[];
  /** Delete the PersistentVolumeClaims of these ordinals (only with deleteClaim; brokers empty and gone). */
  readonly deleteClaims: number[];
  /** `status.scaleDown`; absent: remove it from the status. */
  readonly scaleDown?: ScaleDownStatus;
  readonly condition?: PlannedCondition;
}

const DEFAULT_MOVES_PER_STEP_MAX = 200;
const MESSAGE_LENGTH_MAX = 4096;

export function planScale(input: ScaleInput): ScalePlan {
  const draining = drainingBrokers(input);
  if (draining.length === 0) return planSteady(input);
  return planScaleDown(input, draining);
}

/** Ordinals at or above spec.brokers that still have a pod, a registration or a StatefulSet slot; highest first. */
export function drainingBrokers(input: ScaleInput): number[] {
  const top = Math.max(
    input.statefulSetReplicas ?? 0,
    ...input.podOrdinals.map((o) => o + 1),
    ...input.brokers.filter((b) => b.registered).map((b) => b.id + 1),
  );
  const ids: number[] = [];
  for (let id = top - 1; id >= input.desiredBrokers; id--) ids.push(id);
  return ids;
}

// ---------------------------------------------------------------------------------------------
// Steady state and scale up

function planSteady(input: ScaleInput): ScalePlan {
  const base = { statefulSetReplicas: input.desiredBrokers, unregister: [], deleteClaims: claimsToDelete(input, input.desiredBrokers) };
  if (!input.rebalanceOnScale) return { ...base, reassignments: [] };
  const members = range(input.desiredBrokers);
  const live = liveBrokers(input, members);
  const missing = members.filter((id) => !live.has(id));
  if (missing.length > 0 || input.partitions.some((p) => p.reassigning)) return { ...base, reassignments: [] };
  const reassignments = balance(input, [...live.values()]);
  if (reassignments.length === 0) return { ...base, reassignments };
  const message = `rebalancing: moving ${reassignments.length} partition replica set(s) to even out brokers 0-${input.desiredBrokers - 1}`;
  return { ...base, reassignments, condition: { type: 'Progressing', status: 'True', reason: 'Rebalancing', message } };
}

// ---------------------------------------------------------------------------------------------
// Scale down

function planScaleDown(input: ScaleInput, draining: number[]): ScalePlan {
  const drainingSet = new Set(draining);
  const current = Math.max(input.statefulSetReplicas ?? 0, input.desiredBrokers);
  const remainingReplicas = input.partitions.reduce((n, p) => n + p.replicas.filter((r) => drainingSet.has(r)).length, 0);
  const blocked = drainBlock(input, draining, drainingSet);
  const status = (phase: ScaleDownStatus['phase'], message: string): ScaleDownStatus => ({
    fromBrokers: input.previous?.fromBrokers ?? Math.max(current, draining[0]! + 1),
    toBrokers: input.desiredBrokers,
    draining,
    remainingReplicas,
    phase,
    message: clip(message),
    since: input.previous?.phase === phase && input.previous.since !== undefined ? input.previous.since : rfc3339(input.nowMs),
  });
  const who = `broker${draining.length === 1 ? '' : 's'} ${draining.join(', ')}`;
  const deleteClaims = claimsToDelete(input, input.desiredBrokers);
  if (blocked !== undefined) {
    const scaleDown = status('Blocked', blocked);
    const condition = { type: 'Degraded', status: 'True', reason: 'ScaleDownBlocked', message: scaleDown.message! } as const;
    return { statefulSetReplicas: current, reassignments: [], unregister: [], deleteClaims, scaleDown, condition };
  }
  if (remainingReplicas > 0) {
    const reassignments = drain(input, drainingSet);
    const scaleDown = status('Draining', `moving ${remainingReplicas} replica(s) off ${who} before the StatefulSet shrinks`);
    return { statefulSetReplicas: current, reassignments, unregister: [], deleteClaims, scaleDown, condition: progressing(scaleDown) };
  }
  const podsLeft = input.podOrdinals.filter((o) => drainingSet.has(o));
  if (current > input.desiredBrokers || podsLeft.length > 0) {
    const scaleDown = status('Shrinking', `${who} empty: StatefulSet down to ${input.desiredBrokers}, waiting for ${podsLeft.length} pod(s) to stop`);
    return { statefulSetReplicas: input.desiredBrokers, reassignments: [], unregister: [], deleteClaims, scaleDown, condition: progressing(scaleDown) };
  }
  const unregister = input.brokers.filter((b) => b.registered && drainingSet.has(b.id)).map((b) => b.id).sort((a, b) => b - a);
  const scaleDown = status('WaitingForUnregister', `${who} stopped: unregistering ${unregister.join(', ')}`);
  return { statefulSetReplicas: input.desiredBrokers, reassignments: [], unregister, deleteClaims, scaleDown, condition: progressing(scaleDown) };
}

function progressing(scaleDown: ScaleDownStatus): PlannedCondition {
  return { type: 'Progressing', status: 'True', reason: 'ScalingDown', message: scaleDown.message! };
}

/** Why draining cannot proceed without losing data or the quorum, or undefined. */
function drainBlock(input: ScaleInput, draining: readonly number[], drainingSet: ReadonlySet<number>): string | undefined {
  const voters = draining.filter((id) => input.voters.includes(id));
  if (voters.length > 0) {
    return `cannot drain broker(s) ${voters.join(', ')}: controller quorum voters (${[...input.voters].sort((a, b) => a - b).join(', ')}) must stay`;
  }
  const targets = liveBrokers(input, range(input.desiredBrokers));
  const tooWide = sortedPartitions(input.partitions).filter(
    (p) => p.replicas.some((r) => drainingSet.has(r)) && new Set(p.replicas).size > targets.size,
  );
  if (tooWide.length === 0) return undefined;
  const first = tooWide[0]!;
  const more = tooWide.length > 1 ? ` (and ${tooWide.length - 1} more partition(s))` : '';
  const registered = targets.size === input.desiredBrokers ? '' : ` registered and unfenced (of ${input.desiredBrokers})`;
  return (
    `cannot drain ${draining.join(', ')}: partition ${first.topic}/${first.partition} has replication factor ${first.replicas.length} ` +
    `but only ${targets.size} broker(s) would remain${registered}${more}; lower the replication factor or keep more brokers`
  );
}

// ---------------------------------------------------------------------------------------------
// Placement

interface Placement {
  readonly brokers: ReadonlyMap<number, ScaleBroker>;
  readonly load: Map<number, number>;
  /** Racks are used only when every candidate broker has one. */
  readonly rackAware: boolean;
}

function placement(input: ScaleInput, candidates: readonly ScaleBroker[]): Placement {
  const load = new Map(candidates.map((b) => [b.id, 0]));
  for (const p of input.partitions) for (const r of p.replicas) if (load.has(r)) load.set(r, load.get(r)! + 1);
  const rackAware = candidates.length > 0 && candidates.every((b) => b.rack !== undefined && b.rack !== '');
  return { brokers: new Map(candidates.map((b) => [b.id, b])), load, rackAware };
}

function rackOf(place: Placement, id: number): string | undefined {
  return place.rackAware ? (place.brokers.get(id)?.rack ?? `unknown:${id}`) : undefined;
}

function distinctRacks(place: Placement, replicas: readonly number[]): number {
  return new Set(replicas.map((id) => rackOf(place, id) ?? String(id))).size;
}

/** Replace `from` by `to` in place, keeping the replica's position. */
function replaced(replicas: readonly number[], from: number, to: number): number[] {
  return replicas.map((r) => (r === from ? to : r));
}

/** Reassignments that move every replica off the draining brokers. */
function drain(input: ScaleInput, drainingSet: ReadonlySet<number>): Reassignment[] {
  const place = placement(input, [...liveBrokers(input, range(input.desiredBrokers)).values()]);
  const movesMax = input.maxMovesPerStep ?? DEFAULT_MOVES_PER_STEP_MAX;
  const moves: Reassignment[] = [];
  for (const p of sortedPartitions(input.partitions)) {
    if (moves.length >= movesMax) break;
    if (p.reassigning || !p.replicas.some((r) => drainingSet.has(r))) continue;
    let replicas = [...p.replicas];
    for (const from of p.replicas.filter((r) => drainingSet.has(r))) {
      const to = bestTarget(place, replicas.filter((r) => r !== from));
      if (to === undefined) break; // drainBlock rules this out; stay safe regardless
      replicas = replaced(replicas, from, to);
      place.load.set(to, place.load.get(to)! + 1);
    }
    if (!replicas.some((r) => drainingSet.has(r))) moves.push({ topic: p.topic, partition: p.partition, replicas });
  }
  return moves;
}

/** Least loaded broker not yet a replica, preferring racks the other replicas do not use. */
function bestTarget(place: Placement, others: readonly number[]): number | undefined {
  const usedRacks = new Set(others.map((id) => rackOf(place, id)));
  let best: { id: number; key: [number, number, number] } | undefined;
  for (const [id, load] of place.load) {
    if (others.includes(id)) continue;
    const key: [number, number, number] = [usedRacks.has(rackOf(place, id)) && place.rackAware ? 1 : 0, load, id];
    if (best === undefined || compareKeys(key, best.key) < 0) best = { id, key };
  }
  return best?.id;
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** Moves from the most to the least loaded brokers until loads differ by at most one. */
function balance(input: ScaleInput, members: readonly ScaleBroker[]): Reassignment[] {
  const place = placement(input, members);
  const movesMax = input.maxMovesPerStep ?? DEFAULT_MOVES_PER_STEP_MAX;
  const current = new Map(sortedPartitions(input.partitions).map((p) => [`${p.topic}\u0000${p.partition}`, { ...p, replicas: [...p.replicas] }]));
  const moved = new Set<string>();
  while (moved.size < movesMax) {
    const move = findBalancingMove(place, current, moved);
    if (move === undefined) break;
    const p = current.get(move.key)!;
    p.replicas = replaced(p.replicas, move.from, move.to);
    place.load.set(move.from, place.load.get(move.from)! - 1);
    place.load.set(move.to, place.load.get(move.to)! + 1);
    moved.add(move.key);
  }
  return [...moved].sort(compareKeyStrings).map((key) => {
    const p = current.get(key)!;
    return { topic: p.topic, partition: p.partition, replicas: p.replicas };
  });
}

interface Move {
  readonly key: string;
  readonly from: number;
  readonly to: number;
}

function findBalancingMove(place: Placement, partitions: ReadonlyMap<string, ScalePartition>, moved: ReadonlySet<string>): Move | undefined {
  const byLoad = [...place.load.entries()].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  for (let d = byLoad.length - 1; d >= 0; d--) {
    const [from, fromLoad] = byLoad[d]!;
    for (const [to, toLoad] of byLoad) {
      if (fromLoad - toLoad <= 1) break;
      for (const [key, p] of partitions) {
        if (moved.has(key) || !p.replicas.includes(from) || p.replicas.includes(to)) continue;
        const after = replaced(p.replicas, from, to);
        if (place.rackAware && distinctRacks(place, after) < distinctRacks(place, p.replicas)) continue;
        return { key, from, to };
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** Registered, unfenced brokers among `ids`, by id. */
function liveBrokers(input: ScaleInput, ids: readonly number[]): Map<number, ScaleBroker> {
  const wanted = new Set(ids);
  const live = input.brokers.filter((b) => wanted.has(b.id) && b.registered && !b.fenced).sort((a, b) => a.id - b.id);
  return new Map(live.map((b) => [b.id, b]));
}

/** Claims at or above `keep` whose broker is empty, has no pod and is not registered. */
function claimsToDelete(input: ScaleInput, keep: number): number[] {
  if (!input.deleteClaim) return [];
  const hosting = new Set(input.partitions.flatMap((p) => p.replicas));
  const pods = new Set(input.podOrdinals);
  const registered = new Set(input.brokers.filter((b) => b.registered).map((b) => b.id));
  const slots = input.statefulSetReplicas ?? 0;
  return input.claimOrdinals
    .filter((o) => o >= keep && o >= slots && !hosting.has(o) && !pods.has(o) && !registered.has(o))
    .sort((a, b) => b - a);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function sortedPartitions(partitions: readonly ScalePartition[]): ScalePartition[] {
  return [...partitions].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}

function compareKeyStrings(a: string, b: string): number {
  const [ta, pa] = a.split('\u0000');
  const [tb, pb] = b.split('\u0000');
  return ta! < tb! ? -1 : ta! > tb! ? 1 : Number(pa) - Number(pb);
}

function clip(text: string): string {
  return text.length <= MESSAGE_LENGTH_MAX ? text : `${text.slice(0, MESSAGE_LENGTH_MAX - 3)}...`;
}
