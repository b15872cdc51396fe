/**
 * `plan(input) -> { desired, deletions, status, events, terminal }` for one KafkaCluster: pure
 * (STYLE rules 2 and 16). Time (`nowMs`) and the would-be cluster id (`newClusterId`, drawn by the
 * caller from its random source) come in as data.
 *
 * The caller (`reconcile.ts`) must, in this order: apply `desired` (server-side apply, skipping
 * objects that already match), delete `deletions`, write `status`, then emit `events`. Status goes
 * last so it never claims what was not applied.
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
 *
 * Seams for the planners written separately (`rollout-planner.ts`, not in this module):
 * TODO(rollout-planner): `status.rollout` stays unset here. The rolling-restart planner in
 * `operator/controllers/kafkacluster/rollout-planner.ts` compares each pod's
 * `tributary.io/config-hash` annotation and image with the StatefulSet template (StatefulSet uses
 * `OnDelete`, so nothing restarts until it deletes a pod) and fills `status.rollout`.
 * TODO(scale-down planner): `desiredReplicas` returns `spec.brokers` as is; draining before a shrink
 * (`status.scaleDown`) is for the same planner module to decide.
 */
import type { KafkaCluster, KafkaClusterStatus } from '../../api/v1alpha1.js';
import type { KubeEvent, KubeObject, ObjectRef } from '../../kube/api.js';
import { contentHash } from '../../kube/hash.js';
import { clusterIdIn, renderServerProperties, renderStartScript, specProblems, type BrokerFilesInput } from './broker-config.js';
import { clusterNames, type ClusterNames } from './names.js';
import {
  bootstrapService, configMap, externalServices, headlessService, podDisruptionBudget, serviceAccount, statefulSet, type BuildContext,
} from './resources.js';
import { conditionOf, mergeConditions, transitions, type ConditionInput } from './status.js';

export interface StatefulSetObserved extends KubeObject {
  spec?: { replicas?: number; volumeClaimTemplates?: Array<{ spec?: { resources?: { requests?: { storage?: string | number } }; storageClassName?: string } }> };
  status?: { observedGeneration?: number; replicas?: number; readyReplicas?: number; currentReplicas?: number; updatedReplicas?: number };
}

export interface ServiceObserved extends KubeObject {
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

export interface ObservedCluster {
  readonly configMap: (KubeObject & { data?: Record<string, string> }) | null;
  readonly statefulSet: StatefulSetObserved | null;
  /** Every Service labelled as owned by this cluster. */
  readonly services: readonly ServiceObserved[];
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
}

export interface Plan {
  readonly desired: KubeObject[];
  readonly deletions: ObjectRef[];
  readonly status: KafkaClusterStatus;
  readonly events: KubeEvent[];
  /** Set when the spec is invalid: do not retry until it changes. */
  readonly terminal: string | null;
  /** True while brokers are not all ready (worth looking again soon). */
  readonly progressing: boolean;
}

export function plan(input: PlanInput): Plan {
  const { cluster, observed } = input;
  const names = clusterNames(cluster);
  const clusterId = clusterIdIn(observed.configMap?.data?.['server.properties']) ?? cluster.status?.clusterId ?? input.newClusterId;
  const problems = specProblems(cluster);
  if (problems.length > 0) return invalidPlan(input, problems);

  const brokers = desiredReplicas(cluster);
  const files: BrokerFilesInput = {
    cluster,
    clusterId,
    clusterDomain: input.options.clusterDomain,
    loadBalancerHosts: loadBalancerHosts(cluster, names, observed.services),
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
  const { status, events, progressing } = healthyStatus(input, names, clusterId, storage.problem);
  return { desired, deletions, status, events, terminal: null, progressing };
}

/** Brokers the StatefulSet should run. TODO(scale-down planner): drain before lowering. */
export function desiredReplicas(cluster: KafkaCluster): number {
  return cluster.spec.brokers;
}

function isControlledBy(object: KubeObject, cluster: KafkaCluster): boolean {
  return object.metadata.ownerReferences?.some((r) => r.controller === true && r.uid === cluster.metadata.uid) ?? false;
}

function loadBalancerHosts(cluster: KafkaCluster, names: ClusterNames, services: readonly ServiceObserved[]): Map<string, Map<number, string>> {
  const out = new Map<string, Map<number, string>>();
  for (const l of cluster.spec.listeners.filter((x) => x.type === 'LoadBalancer')) {
    const hosts = new Map<number, string>();
    for (let i = 0; i < cluster.spec.brokers; i++) {
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

function healthyStatus(input: PlanInput, names: ClusterNames, clusterId: string, storageProblem: string | null) {
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
    allReady
      ? { type: 'Progressing', status: 'False', reason: 'Stable', message: 'all brokers match the spec and are ready' }
      : { type: 'Progressing', status: 'True', reason: 'BrokersStarting', message: `waiting for brokers: ${ready}/${brokers} ready` },
    storageProblem
      ? { type: 'Degraded', status: 'True', reason: 'StorageResizeUnsupported', message: storageProblem }
      : { type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'the spec is valid and applied' },
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
  return { desired: [], deletions: [], status, events: eventsFor(input, conditions, status.clusterId ?? ''), terminal: message, progressing: false };
}

/** Status fields an invalid-spec plan leaves as they were. */
function pickKept(status: KafkaClusterStatus | undefined): Partial<KafkaClusterStatus> {
  const kept: Partial<KafkaClusterStatus> = {};
  if (status?.readyBrokers !== undefined) kept.readyBrokers = status.readyBrokers;
  if (status?.listeners !== undefined) kept.listeners = status.listeners;
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
