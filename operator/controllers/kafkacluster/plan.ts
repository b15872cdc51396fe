/**
 * `plan(input) -> { desired, deletions, effects, status, events, terminal, kafkaNeeded }` for one
 * KafkaCluster: pure (STYLE rules 2 and 16). Time (`nowMs`), the would-be cluster id
 * (`newClusterId`, drawn by the caller from its random source) and the Kafka side (`kafka`, a
 * ClusterObserver's observation) come in as data.
 *
 * The caller (`reconcile.ts`) must, in this order: apply `desired` (server-side apply, skipping
 * objects that already match), delete `deletions`, carry out `effects` in order, write `status`
 * (one status apply under the one field manager), then emit `events`. Status goes last so it never
 * claims what was not done.
 *
 * Decisions:
 * - An invalid spec (unknown or ill-typed `spec.config` keys, a NodePort listener without
 *   `nodePortBase`, a reserved port) is terminal: nothing is applied (the last good objects stay),
 *   `Degraded=True` names the problem, and `terminal` tells the caller to stop retrying.
 * - The cluster id is generated once: the id already in the ConfigMap (what brokers formatted their
 *   storage with) wins, then `status.clusterId`, then `newClusterId`.
 * - `volumeClaimTemplates` are immutable in a StatefulSet: once it exists, its storage size and
 *   class are kept, and a grown `spec.storage.size` is reported (`Degraded`, StorageResizeUnsupported)
 *   rather than failing every apply.
 * - Per-broker external Services of brokers or listeners that are gone are deleted (only ones this
 *   cluster controls, by ownerReference uid).
 * - Rolling restarts (`rollout-step.ts` over `rollout-planner.ts`): pods that lack the desired
 *   image, config hash or template revision are restarted one at a time, in the planner's order and
 *   only while it is safe; the plan names at most one pod to delete (`effects`), and
 *   `status.rollout` lists every broker still to go with what blocks it and since when.
 * - Scaling (`scale-step.ts` over `scale-planner.ts`): the StatefulSet's replicas come from the
 *   planner (a scale-down drains before it shrinks), never straight from spec.brokers; Kafka-side
 *   actions (reassignments, unregistrations) and claim deletions are `effects`; `status.scaleDown`
 *   shows progress. The user's spec is never written.
 * - Both need the Kafka side (`input.kafka`, a `ClusterObserver` observation). Without it, nothing
 *   restarts and no scale-down moves; `kafkaNeeded` tells the caller that observing Kafka would
 *   change the decision, so it observes and plans again (a cluster with nothing to roll or drain
 *   costs no Kafka connection).
 *
 */
import type { KafkaCluster, KafkaClusterStatus } from '../../api/v1alpha1.js';
import type { KubeEvent, KubeObject, ObjectRef } from '../../kube/api.js';
import { needsApply, withAppliedHash } from '../../kube/apply.js';
import { contentHash } from '../../kube/hash.js';
import { clusterIdIn, quorumSizeOf, renderServerProperties, renderStartScript, specProblems, type BrokerFilesInput } from './broker-config.js';
import { claimName, claimOrdinal, podsByOrdinal, type PodObserved } from './broker-pods.js';
import type { KafkaClusterState } from './cluster-observer.js';
import { clusterNames, type ClusterNames } from './names.js';
import { rolloutStep, type RolloutStep } from './rollout-step.js';
import type { Reassignment } from './scale-planner.js';
import { REASSIGNMENT_UNSUPPORTED, scaleStep, type ScaleStep } from './scale-step.js';
import {
  bootstrapService, configMap, externalServices, headlessService, podDisruptionBudget, serviceAccount, statefulSet, type BuildContext,
} from './resources.js';
import { conditionOf, mergeConditions, transitions, type ConditionInput } from './status.js';

export interface StatefulSetObserved extends KubeObject {
  spec?: { replicas?: number; volumeClaimTemplates?: Array<{ spec?: { resources?: { requests?: { storage?: string | number } }; storageClassName?: string } }> };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    currentReplicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
}

export interface ServiceObserved extends KubeObject {
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

export interface ObservedCluster {
  readonly configMap: (KubeObject & { data?: Record<string, string> }) | null;
  readonly statefulSet: StatefulSetObserved | null;
  /** Every Service labelled as owned by this cluster. */
  readonly services: readonly ServiceObserved[];
  /** The broker pods (StatefulSet selector); absent = none. */
  readonly pods?: readonly PodObserved[];
  /** The brokers' PersistentVolumeClaims (owned labels); absent = none. */
  readonly claims?: readonly KubeObject[];
}

export interface PlanOptions {
  /** Broker image when spec.image is unset. */
  readonly defaultImage: string;
  /** The cluster DNS domain, normally cluster.local. */
  readonly clusterDomain: string;
}

export interface PlanInput {
  readonly cluster: KafkaCluster;
  readonly observed: ObservedCluster;
  readonly nowMs: number;
  /** Used only when the cluster has no id yet. */
  readonly newClusterId: string;
  readonly options: PlanOptions;
  /** The Kafka side, when observed; absent: not asked (see `Plan.kafkaNeeded`). */
  readonly kafka?: KafkaClusterState;
}

/** Work beyond applying objects, in the order the caller must carry it out. */
export type ClusterEffect =
  /** Delete this broker's pod; the StatefulSet (OnDelete) recreates it from the new template. */
  | { readonly kind: 'restartBroker'; readonly broker: number; readonly pod: ObjectRef; readonly reason: string }
  /** AlterPartitionReassignments. */
  | { readonly kind: 'reassignPartitions'; readonly reassignments: readonly Reassignment[] }
  /** UnregisterBroker, per id. */
  | { readonly kind: 'unregisterBrokers'; readonly brokers: readonly number[] }
  /** Delete the claim of a drained, stopped, unregistered broker (spec.storage.deleteClaim). */
  | { readonly kind: 'deleteClaim'; readonly broker: number; readonly claim: ObjectRef };

export interface Plan {
  readonly desired: KubeObject[];
  readonly deletions: ObjectRef[];
  readonly status: KafkaClusterStatus;
  readonly events: KubeEvent[];
  /** Set when the spec is invalid: do not retry until it changes. */
  readonly terminal: string | null;
  /** True while brokers are not all ready, a roll or a scale-down is under way (look again soon). */
  readonly progressing: boolean;
  /** Pod restarts, Kafka actions and claim deletions, in order (after `deletions`, before status). */
  readonly effects: ClusterEffect[];
  /** Observing the Kafka side could change this plan and `input.kafka` is absent. */
  readonly kafkaNeeded: boolean;
}

export function plan(input: PlanInput): Plan {
  const { cluster, observed } = input;
  const names = clusterNames(cluster);
  const clusterId = clusterIdIn(observed.configMap?.data?.['server.properties']) ?? cluster.status?.clusterId ?? input.newClusterId;
  const problems = specProblems(cluster);
  if (problems.length > 0) return invalidPlan(input, problems);

  const scale = scaleFor(input, names);
  const brokers = scale.replicas;
  const files: BrokerFilesInput = {
    cluster,
    clusterId,
    clusterDomain: input.options.clusterDomain,
    loadBalancerHosts: loadBalancerHosts(cluster, names, observed.services, brokers),
  };
  const data = { 'server.properties': renderServerProperties(files), 'start.sh': renderStartScript(files) };
  const storage = pinnedStorage(cluster, observed.statefulSet);
  const ctx: BuildContext = { cluster, names, image: cluster.spec.image ?? input.options.defaultImage, configHash: contentHash(data), storage: storage.use };
  const external = externalServices(ctx, brokers);
  const desired = [
    serviceAccount(ctx),
    configMap(ctx, data),
    headlessService(ctx),
    bootstrapService(ctx),
    ...external,
    podDisruptionBudget(ctx),
    statefulSet(ctx, brokers),
  ];
  const wanted = new Set(desired.filter((o) => o.kind === 'Service').map((o) => o.metadata.name));
  const deletions = observed.services
    .filter((s) => !wanted.has(s.metadata.name) && isControlledBy(s, cluster))
    .map((s): ObjectRef => ({ apiVersion: 'v1', kind: 'Service', namespace: names.namespace, name: s.metadata.name ?? '' }));
  const sts = desired[desired.length - 1]!;
  const rollout = rolloutFor(input, names, { image: ctx.image, configHash: ctx.configHash }, sts);
  const health = healthyStatus(input, names, clusterId, { storageProblem: storage.problem, rollout, scale });
  const status: KafkaClusterStatus = {
    ...health.status,
    ...(rollout.entries.length > 0 ? { rollout: rollout.entries } : {}),
    ...(scale.scaleDown ? { scaleDown: scale.scaleDown } : {}),
  };
  return {
    desired,
    deletions,
    status,
    events: [...health.events, ...rollout.events, ...scale.events],
    terminal: null,
    progressing: health.progressing || rollout.entries.length > 0 || scale.scaleDown !== undefined,
    effects: effectsOf(names, rollout, scale),
    kafkaNeeded: input.kafka === undefined && (rollout.needsKafka || scale.needsKafka),
  };
}

/** A Kafka-side effect that failed when the caller carried it out. */
export interface EffectFailure {
  readonly action: 'reassignPartitions' | 'unregisterBrokers';
  /** The broker lacks the API (UNSUPPORTED_VERSION). */
  readonly unsupported: boolean;
  readonly message: string;
}

/**
 * The plan's status after Kafka-side effects failed (pure): Degraded says what failed, and a
 * scale-down whose reassignment the broker cannot do is Blocked (the StatefulSet never shrank: it
 * only does once the brokers are empty).
 */
export function withEffectFailures(result: Plan, failures: readonly EffectFailure[], cluster: KafkaCluster, nowMs: number): Plan {
  const first = failures[0];
  if (first === undefined) return result;
  const reassign = first.action === 'reassignPartitions';
  const reason = !first.unsupported ? 'KafkaActionFailed' : reassign ? 'ReassignmentUnsupported' : 'UnregisterUnsupported';
  const message = first.unsupported && reassign
    ? `${REASSIGNMENT_UNSUPPORTED} (${first.message})`
    : `${reassign ? 'reassigning partitions' : 'unregistering brokers'} failed: ${first.message}`;
  const degraded: ConditionInput = { type: 'Degraded', status: 'True', reason, message };
  const others = (result.status.conditions ?? []).filter((c) => c.type !== 'Degraded');
  const [merged] = mergeConditions(cluster.status?.conditions, [degraded], cluster.metadata.generation ?? 0, nowMs);
  const scaleDown = result.status.scaleDown && first.unsupported && reassign
    ? { ...result.status.scaleDown, phase: 'Blocked' as const, message: clipMessage(message) }
    : result.status.scaleDown;
  const wasSame = conditionOf(cluster.status?.conditions, 'Degraded')?.reason === reason;
  return {
    ...result,
    status: { ...result.status, conditions: [...others, merged!], ...(scaleDown ? { scaleDown } : {}) },
    events: wasSame ? result.events : [...result.events, { type: 'Warning', reason, message }],
  };
}

function clipMessage(text: string): string {
  return text.length <= 4096 ? text : `${text.slice(0, 4093)}...`;
}

function scaleFor(input: PlanInput, names: ClusterNames): ScaleStep {
  const { cluster, observed } = input;
  const replicas = observed.statefulSet?.spec?.replicas;
  return scaleStep({
    cluster,
    ...(replicas === undefined ? {} : { statefulSetReplicas: replicas }),
    podOrdinals: [...podsByOrdinal(names, observed.pods ?? []).keys()].sort((a, b) => a - b),
    claimOrdinals: (observed.claims ?? []).map((c) => claimOrdinal(names, c)).filter((o): o is number => o !== null).sort((a, b) => a - b),
    kafka: input.kafka,
    quorumSize: quorumSizeOf(cluster),
    nowMs: input.nowMs,
  });
}

function rolloutFor(input: PlanInput, names: ClusterNames, pod: { image: string; configHash: string }, desiredSts: KubeObject): RolloutStep {
  const sts = input.observed.statefulSet;
  const current = sts !== null && (sts.status?.observedGeneration ?? 0) >= (sts.metadata.generation ?? 0);
  const revision = current ? sts.status?.updateRevision : undefined;
  return rolloutStep({
    cluster: input.cluster,
    names,
    pods: input.observed.pods ?? [],
    slots: sts?.spec?.replicas ?? 0,
    desired: { ...pod, ...(revision ? { updateRevision: revision } : {}) },
    kafka: input.kafka,
    statefulSetHold: statefulSetHold(desiredSts, sts),
    quorumSize: quorumSizeOf(input.cluster),
    nowMs: input.nowMs,
  });
}

/** Why a pod deleted now would not come back with the desired template, or undefined. */
export function statefulSetHold(desired: KubeObject, observed: StatefulSetObserved | null): string | undefined {
  if (observed === null) return 'the StatefulSet does not exist yet';
  if (needsApply(withAppliedHash(desired), observed)) return 'the StatefulSet is being updated to the new pod template';
  const generation = observed.metadata.generation ?? 0;
  const seen = observed.status?.observedGeneration ?? 0;
  if (seen < generation) return `waiting for the StatefulSet controller to observe generation ${generation} (it has seen ${seen})`;
  return undefined;
}

function effectsOf(names: ClusterNames, rollout: RolloutStep, scale: ScaleStep): ClusterEffect[] {
  const effects: ClusterEffect[] = [];
  if (rollout.restart) effects.push({ kind: 'restartBroker', ...rollout.restart });
  if (scale.reassignments.length > 0) effects.push({ kind: 'reassignPartitions', reassignments: scale.reassignments });
  if (scale.unregister.length > 0) effects.push({ kind: 'unregisterBrokers', brokers: scale.unregister });
  for (const broker of scale.deleteClaims) {
    effects.push({ kind: 'deleteClaim', broker, claim: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: names.namespace, name: claimName(names, broker) } });
  }
  return effects;
}

function isControlledBy(object: KubeObject, cluster: KafkaCluster): boolean {
  return object.metadata.ownerReferences?.some((r) => r.controller === true && r.uid === cluster.metadata.uid) ?? false;
}

function loadBalancerHosts(cluster: KafkaCluster, names: ClusterNames, services: readonly ServiceObserved[], brokers: number): Map<string, Map<number, string>> {
  const out = new Map<string, Map<number, string>>();
  for (const l of cluster.spec.listeners.filter((x) => x.type === 'LoadBalancer')) {
    const hosts = new Map<number, string>();
    for (let i = 0; i < brokers; i++) {
      const host = ingressHost(services.find((s) => s.metadata.name === names.externalBroker(l.name, i)));
      if (host) hosts.set(i, host);
    }
    out.set(l.name, hosts);
  }
  return out;
}

function ingressHost(service: ServiceObserved | undefined): string | null {
  const ingress = service?.status?.loadBalancer?.ingress?.[0];
  return ingress?.hostname || ingress?.ip || null;
}

function pinnedStorage(cluster: KafkaCluster, sts: StatefulSetObserved | null): { use: BuildContext['storage']; problem: string | null } {
  const wanted = { size: cluster.spec.storage.size, ...(cluster.spec.storage.storageClass !== undefined ? { storageClass: cluster.spec.storage.storageClass } : {}) };
  const existing = sts?.spec?.volumeClaimTemplates?.[0]?.spec;
  const size = existing?.resources?.requests?.storage;
  if (!existing || size === undefined) return { use: wanted, problem: null };
  const use = { size, ...(existing.storageClassName !== undefined ? { storageClass: existing.storageClassName } : {}) };
  const changed = String(size) !== String(wanted.size) || existing.storageClassName !== wanted.storageClass;
  const problem = changed
    ? `spec.storage (size ${wanted.size}) differs from the existing volume claims (size ${size}): resizing volumes is not supported yet; the StatefulSet keeps its claims`
    : null;
  return { use, problem };
}

function listenerStatus(input: PlanInput, names: ClusterNames): NonNullable<KafkaClusterStatus['listeners']> {
  const { cluster, observed, options } = input;
  const out: NonNullable<KafkaClusterStatus['listeners']> = [];
  for (const l of cluster.spec.listeners) {
    if (l.type === 'Internal') {
      out.push({ name: l.name, bootstrap: `${names.bootstrap}.${names.namespace}.svc.${options.clusterDomain}:${l.port}` });
    } else if (l.type === 'NodePort') {
      out.push({ name: l.name, bootstrap: `<node-address>:${l.nodePortBase}` });
    } else {
      const host = ingressHost(observed.services.find((s) => s.metadata.name === names.externalBootstrap(l.name)));
      if (host) out.push({ name: l.name, bootstrap: `${host}:${l.port}` });
    }
  }
  return out;
}

interface StatusParts {
  readonly storageProblem: string | null;
  readonly rollout: RolloutStep;
  readonly scale: ScaleStep;
}

function healthyStatus(input: PlanInput, names: ClusterNames, clusterId: string, parts: StatusParts) {
  const { cluster, observed, nowMs } = input;
  const generation = cluster.metadata.generation ?? 0;
  const sts = observed.statefulSet;
  const brokers = cluster.spec.brokers;
  const ready = sts?.status?.readyReplicas ?? 0;
  const stsCurrent = sts !== null && (sts.status?.observedGeneration ?? 0) >= (sts.metadata.generation ?? 0);
  const allReady = stsCurrent && ready >= brokers && (sts?.status?.replicas ?? 0) === brokers;
  const inputs: ConditionInput[] = [
    allReady
      ? { type: 'Ready', status: 'True', reason: 'BrokersReady', message: `${ready}/${brokers} brokers ready` }
      : { type: 'Ready', status: 'False', reason: 'BrokersNotReady', message: `${ready}/${brokers} brokers ready` },
    parts.rollout.progressing ??
      parts.scale.progressing ??
      (allReady
        ? { type: 'Progressing', status: 'False', reason: 'Stable', message: 'all brokers match the spec and are ready' }
        : { type: 'Progressing', status: 'True', reason: 'BrokersStarting', message: `waiting for brokers: ${ready}/${brokers} ready` }),
    parts.scale.degraded ??
      (parts.storageProblem
        ? { type: 'Degraded', status: 'True', reason: 'StorageResizeUnsupported', message: parts.storageProblem }
        : { type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'the spec is valid and applied' }),
  ];
  const conditions = mergeConditions(cluster.status?.conditions, inputs, generation, nowMs);
  const status: KafkaClusterStatus = {
    observedGeneration: generation,
    conditions,
    readyBrokers: ready,
    clusterId,
    listeners: listenerStatus(input, names),
  };
  const events = eventsFor(input, conditions, clusterId);
  return { status, events, progressing: !allReady };
}

function invalidPlan(input: PlanInput, problems: string[]): Plan {
  const { cluster, nowMs } = input;
  const generation = cluster.metadata.generation ?? 0;
  const message = problems.join('; ');
  const conditions = mergeConditions(
    cluster.status?.conditions,
    [
      { type: 'Ready', status: conditionOf(cluster.status?.conditions, 'Ready')?.status ?? 'False', reason: 'InvalidSpec', message: `not applied: ${message}` },
      { type: 'Progressing', status: 'False', reason: 'InvalidSpec', message: 'waiting for a valid spec; the last applied objects are kept' },
      { type: 'Degraded', status: 'True', reason: 'InvalidSpec', message },
    ],
    generation,
    nowMs,
  );
  const status: KafkaClusterStatus = {
    ...pickKept(cluster.status),
    observedGeneration: generation,
    conditions,
    ...(cluster.status?.clusterId ? { clusterId: cluster.status.clusterId } : {}),
  };
  return {
    desired: [],
    deletions: [],
    status,
    events: eventsFor(input, conditions, status.clusterId ?? ''),
    terminal: message,
    progressing: false,
    effects: [],
    kafkaNeeded: false,
  };
}

/** Status fields an invalid-spec plan leaves as they were. */
function pickKept(status: KafkaClusterStatus | undefined): Partial<KafkaClusterStatus> {
  const kept: Partial<KafkaClusterStatus> = {};
  if (status?.readyBrokers !== undefined) kept.readyBrokers = status.readyBrokers;
  if (status?.listeners !== undefined) kept.listeners = status.listeners;
  if (status?.rollout !== undefined) kept.rollout = status.rollout;
  if (status?.scaleDown !== undefined) kept.scaleDown = status.scaleDown;
  return kept;
}

function eventsFor(input: PlanInput, conditions: KafkaClusterStatus['conditions'], clusterId: string): KubeEvent[] {
  const { cluster, observed } = input;
  const events: KubeEvent[] = [];
  if (observed.statefulSet === null && conditionOf(conditions, 'Degraded')?.reason !== 'InvalidSpec') {
    events.push({ type: 'Normal', reason: 'Creating', message: `creating ${cluster.spec.brokers} brokers` });
  }
  if (clusterId !== '' && !cluster.status?.clusterId && !clusterIdIn(observed.configMap?.data?.['server.properties'])) {
    events.push({ type: 'Normal', reason: 'ClusterIdAssigned', message: `cluster id ${clusterId}` });
  }
  for (const t of transitions(cluster.status?.conditions, conditions ?? [])) {
    if (t.type === 'Ready' && t.to.status === 'True') events.push({ type: 'Normal', reason: 'ClusterReady', message: t.to.message });
    if (t.type === 'Ready' && t.to.status === 'False' && t.from === 'True') events.push({ type: 'Warning', reason: 'ClusterNotReady', message: t.to.message });
    if (t.type === 'Degraded' && t.to.status === 'True') events.push({ type: 'Warning', reason: t.to.reason, message: t.to.message });
    if (t.type === 'Degraded' && t.to.status === 'False' && t.from === 'True') events.push({ type: 'Normal', reason: 'Recovered', message: t.to.message });
  }
  return events;
}
