/**
 * Rolling-restart planner for a KafkaCluster: which broker's pod the operator may delete now (the
 * StatefulSet uses `OnDelete`, so the operator decides the order), and for every broker that still
 * runs an old image or config, why it needs a restart, what holds it back and since when. The
 * `entries` map 1:1 onto `status.rollout[]`.
 *
 * Pure: no I/O, no clock (`nowMs` comes in), deterministic. Level-based: the plan depends only on
 * what is observed now (pods, the cluster's metadata and quorum) plus the previous `status.rollout`,
 * which is read only to keep `since` stable while a broker stays blocked by the same thing.
 *
 * Safety rules, in the order they are checked:
 *  1. One broker down at a time. Nothing restarts while a pod is terminating, while a broker that
 *     already runs the desired spec is not ready, or while such a broker is out of the ISR of a
 *     partition it replicates ("the next waits until the restarted broker is back in every ISR").
 *  2. Order by tier, strictly: outdated brokers that are not ready (already down, so restarting
 *     them costs nothing, even the active controller's), then non-voters, then controller quorum voters, then the active
 *     controller very last; by ordinal inside a tier. Inside a tier a blocked broker is skipped for
 *     the next one; a later tier waits until the earlier tiers are done.
 *  3. Every partition whose in-sync replicas include the broker keeps at least
 *     `min.insync.replicas` in-sync replicas without it. In-sync counts only replicas on ready
 *     brokers: a broker whose pod is not ready is not serving, whatever the ISR still says.
 *  4. The controller quorum keeps a caught-up majority of voters without the broker.
 *
 * Departures, on purpose: a partition with no more replicas than `min.insync.replicas` (e.g. the
 * single replica of a one-broker cluster) drops below the minimum whichever broker restarts, so no
 * order can avoid it; it does not block (otherwise such a cluster could never be rolled). Likewise a
 * quorum of one voter cannot keep a majority through its own restart and does not block it.
 */
import type { RolloutEntry } from '../../api/v1alpha1.js';

/** One difference between a broker's running pod and the desired spec. */
export type BrokerChange =
  | { readonly kind: 'image'; readonly from?: string; readonly to: string }
  | { readonly kind: 'config'; readonly keys?: readonly string[] }
  | { readonly kind: 'pod'; readonly detail: string };

export interface RolloutBroker {
  /** Pod ordinal = `node.id`. */
  readonly id: number;
  /** The pod exists, is not terminating and is Ready. */
  readonly ready: boolean;
  /** The pod is being deleted (or is missing and not yet recreated): a restart is under way. */
  readonly terminating?: boolean;
  /** What the running pod lacks of the desired spec; empty when it runs the desired spec. */
  readonly changes: readonly BrokerChange[];
}

export interface RolloutPartition {
  readonly topic: string;
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** The topic's effective `min.insync.replicas`. */
  readonly minInsyncReplicas: number;
}

export interface QuorumState {
  /** Controller quorum voters (node ids). */
  readonly voters: readonly number[];
  /** Voters whose metadata log is caught up with the leader's (the leader included). */
  readonly caughtUp: readonly number[];
  /** The active controller (Raft leader), when known. */
  readonly leader?: number;
}

export interface RolloutInput {
  readonly brokers: readonly RolloutBroker[];
  readonly partitions: readonly RolloutPartition[];
  readonly quorum: QuorumState;
  readonly nowMs: number;
  /** `status.rollout` as last written (only `since` is carried over). */
  readonly previous?: readonly RolloutEntry[];
  /**
   * A blocker found outside this planner that holds every restart (the cluster could not be asked,
   * the StatefulSet has not yet taken the new template); checked before rule 1 and reported as
   * each waiting broker's `blockedBy`.
   */
  readonly hold?: string;
}

export interface RolloutPlan {
  /** Delete this broker's pod now; absent: nothing may restart now (or nothing needs to). */
  readonly restart?: number;
  /** `status.rollout`: every broker needing a restart, in the order they will go. */
  readonly entries: RolloutEntry[];
  /** One line for the Progressing condition; absent when no broker needs a restart. */
  readonly message?: string;
}

/** `blockedBy` fits the CRD's 1024 characters; this many partitions are named, then "and N more". */
const BLOCKING_PARTITIONS_NAMED_MAX = 3;
const TEXT_LENGTH_MAX = 1024;

export function planRollout(input: RolloutInput): RolloutPlan {
  const brokerById = new Map(input.brokers.map((b) => [b.id, b]));
  const ordered = orderForRestart(input);
  if (ordered.length === 0) return { entries: [] };
  const gate = input.hold ?? clusterGate(input);
  const blocks = new Map<number, string | undefined>();
  let restart: number | undefined;
  for (const { broker, tier } of ordered) {
    const earlier = ordered.filter((o) => o.tier < tier).map((o) => o.broker.id);
    let blockedBy: string | undefined;
    if (gate !== undefined) blockedBy = gate;
    else if (restart !== undefined) blockedBy = `waiting for broker ${restart} to restart first`;
    else if (earlier.length > 0) blockedBy = waitingForTier(earlier, tier);
    else blockedBy = brokerBlock(broker, input, brokerById);
    if (blockedBy === undefined) restart = broker.id;
    blocks.set(broker.id, blockedBy);
  }
  const sequence = restart === undefined ? ordered : [ordered.find((o) => o.broker.id === restart)!, ...ordered.filter((o) => o.broker.id !== restart)];
  const entries = sequence.map(({ broker }) => entry(broker, blocks.get(broker.id), input));
  return { ...(restart === undefined ? {} : { restart }), entries, message: summary(entries, restart) };
}

// ---------------------------------------------------------------------------------------------
// Order

interface Ranked {
  readonly broker: RolloutBroker;
  /** 0: outdated and not ready; 1: non-voter; 2: voter; 3: active controller. */
  readonly tier: number;
}

const TIER_NAMES = ['brokers that are down', 'non-voters', 'controller quorum voters', 'the active controller'];

function orderForRestart(input: RolloutInput): Ranked[] {
  const voters = new Set(input.quorum.voters);
  const rank = (broker: RolloutBroker): number => {
    if (!broker.ready && !broker.terminating) return 0;
    if (broker.id === input.quorum.leader) return 3;
    return voters.has(broker.id) ? 2 : 1;
  };
  return input.brokers
    .filter(needsRestart)
    .map((broker) => ({ broker, tier: rank(broker) }))
    .sort((a, b) => a.tier - b.tier || a.broker.id - b.broker.id);
}

export function needsRestart(broker: RolloutBroker): boolean {
  return broker.changes.length > 0;
}

function waitingForTier(ids: readonly number[], tier: number): string {
  const who = ids.length === 1 ? `broker ${ids[0]}` : `brokers ${ids.join(', ')}`;
  return tier === 3 ? `the active controller restarts last (waiting for ${who})` : `${TIER_NAMES[tier]} restart after ${who}`;
}

// ---------------------------------------------------------------------------------------------
// Rule 1: the cluster as a whole must be settled before any broker goes down.

/** Why no broker may go down now because one is still restarting or catching up, or undefined. */
export function clusterGate(input: Pick<RolloutInput, 'brokers' | 'partitions'>): string | undefined {
  const sorted = [...input.brokers].sort((a, b) => a.id - b.id);
  const terminating = sorted.find((b) => b.terminating);
  if (terminating) return `broker ${terminating.id} is restarting`;
  const notReady = sorted.find((b) => !needsRestart(b) && !b.ready);
  if (notReady) return `broker ${notReady.id} not ready`;
  for (const broker of sorted) {
    if (needsRestart(broker)) continue;
    const outOfIsr = input.partitions.filter((p) => p.replicas.includes(broker.id) && !p.isr.includes(broker.id));
    if (outOfIsr.length > 0) return `broker ${broker.id} not yet back in ISR of ${namePartitions(outOfIsr)}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Rules 3 and 4: what restarting this one broker would do.

function brokerBlock(broker: RolloutBroker, input: RolloutInput, brokerById: ReadonlyMap<number, RolloutBroker>): string | undefined {
  return minIsrBlock(broker.id, input.partitions, brokerById) ?? quorumBlock(broker.id, input.quorum, brokerById);
}

/** In-sync replicas that are actually serving: listed in the ISR and on a ready broker. */
export function servingIsr(partition: RolloutPartition, brokerById: ReadonlyMap<number, RolloutBroker>): number[] {
  return partition.isr.filter((id) => brokerById.get(id)?.ready === true);
}

/** Whether some restart order could keep this partition at min ISR at all. */
export function canSurviveOneRestart(partition: RolloutPartition): boolean {
  return partition.replicas.length > partition.minInsyncReplicas;
}

function minIsrBlock(id: number, partitions: readonly RolloutPartition[], brokerById: ReadonlyMap<number, RolloutBroker>): string | undefined {
  const blocking: string[] = [];
  for (const p of partitions) {
    if (!canSurviveOneRestart(p)) continue;
    const isr = servingIsr(p, brokerById);
    if (!isr.includes(id) || isr.length - 1 >= p.minInsyncReplicas) continue;
    const relation = isr.length === p.minInsyncReplicas ? '= min.insync.replicas' : `< min.insync.replicas=${p.minInsyncReplicas}`;
    blocking.push(`partition ${p.topic}/${p.partition} ISR=${isr.length} ${relation}`);
  }
  if (blocking.length === 0) return undefined;
  const named = blocking.slice(0, BLOCKING_PARTITIONS_NAMED_MAX).join('; ');
  const more = blocking.length - BLOCKING_PARTITIONS_NAMED_MAX;
  return more > 0 ? `${named} (and ${more} more)` : named;
}

/** Voters that count for the majority: caught up and on a ready broker (when the broker is known). */
function caughtUpVoters(quorum: QuorumState, brokerById: ReadonlyMap<number, RolloutBroker>): number[] {
  const voters = new Set(quorum.voters);
  return [...new Set(quorum.caughtUp)].filter((id) => voters.has(id) && brokerById.get(id)?.ready !== false);
}

export function quorumMajority(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

function quorumBlock(id: number, quorum: QuorumState, brokerById: ReadonlyMap<number, RolloutBroker>): string | undefined {
  if (quorum.voters.length <= 1) return undefined; // a quorum of one cannot survive any restart
  const caughtUp = caughtUpVoters(quorum, brokerById);
  const majority = quorumMajority(quorum.voters.length);
  const remaining = caughtUp.filter((v) => v !== id).length;
  if (remaining >= majority) return undefined;
  const counts = `${caughtUp.length} of ${quorum.voters.length} voters caught up, ${majority} needed`;
  return caughtUp.length < majority
    ? `controller quorum has no caught-up majority (${counts})`
    : `controller quorum would lose its caught-up majority (${counts})`;
}

// ---------------------------------------------------------------------------------------------
// Status entries

export function restartReason(changes: readonly BrokerChange[]): string {
  const parts = changes.map((change) => {
    switch (change.kind) {
      case 'image':
        return change.from === undefined ? `image changed to ${change.to}` : `image changed: ${change.from} -> ${change.to}`;
      case 'config':
        return change.keys && change.keys.length > 0 ? `config changed: ${[...change.keys].sort().join(', ')}` : 'config changed';
      case 'pod':
        return `pod changed: ${change.detail}`;
    }
  });
  return clip(parts.join('; '));
}

function entry(broker: RolloutBroker, blockedBy: string | undefined, input: RolloutInput): RolloutEntry {
  const previous = input.previous?.find((e) => e.broker === broker.id);
  const keepSince = previous?.since !== undefined && previous.blockedBy === (blockedBy === undefined ? undefined : clip(blockedBy));
  const since = keepSince ? previous.since! : rfc3339(input.nowMs);
  return {
    broker: broker.id,
    reason: restartReason(broker.changes),
    ...(blockedBy === undefined ? {} : { blockedBy: clip(blockedBy) }),
    since,
  };
}

function summary(entries: readonly RolloutEntry[], restart: number | undefined): string {
  const waiting = entries.length - (restart === undefined ? 0 : 1);
  if (restart !== undefined) {
    return clip(`restarting broker ${restart} (${entries[0]!.reason}); ${waiting} more to restart after it`);
  }
  const first = entries[0]!;
  return clip(`${entries.length} broker(s) to restart; broker ${first.broker} is blocked: ${first.blockedBy ?? 'unknown'}`);
}

function namePartitions(partitions: readonly RolloutPartition[]): string {
  const names = partitions.slice(0, BLOCKING_PARTITIONS_NAMED_MAX).map((p) => `${p.topic}/${p.partition}`);
  const more = partitions.length - names.length;
  return more > 0 ? `${names.join(', ')} (and ${more} more)` : names.join(', ');
}

function clip(text: string): string {
  return text.length <= TEXT_LENGTH_MAX ? text : `${text.slice(0, TEXT_LENGTH_MAX - 3)}...`;
}

/** RFC 3339 at second precision, as metav1.Time serialises. */
export function rfc3339(nowMs: number): string {
  return new Date(Math.floor(nowMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
