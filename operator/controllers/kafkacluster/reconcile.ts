/**
 * Reconcile one KafkaCluster: observe -> plan (pure) -> apply -> effects -> status -> events.
 *
 * - Observe: the KafkaCluster, its ConfigMap and StatefulSet by name, its Services and volume claims
 *   by the owned labels, its broker pods by the StatefulSet's selector. The Kafka side (a
 *   `ClusterObserver` session on the bootstrap Service, or the `tributary.io/bootstrap-override`
 *   annotation) only when the first plan says it matters (`kafkaNeeded`: a broker needs a restart,
 *   a scale-down or rebalance is under way); then the plan is made again with it. A steady cluster
 *   costs no Kafka connection.
 * - Apply: server-side apply under FIELD_MANAGER, only for objects that differ from what was last
 *   applied (`applyIfChanged`), so reconciling an unchanged spec performs no write at all.
 * - Effects, in the plan's order: delete at most one broker pod (the StatefulSet, `OnDelete`,
 *   recreates it from the new template), submit reassignments, unregister brokers, delete claims.
 *   A Kafka action the broker refuses (e.g. UNSUPPORTED_VERSION) is folded into the status
 *   (`withEffectFailures`), never thrown past it.
 * - Status: applied on the status subresource, once, under FIELD_MANAGER, only when the fields the
 *   operator writes changed (status.rollout and status.scaleDown included).
 * - An invalid spec writes its Degraded status and then throws `TerminalError` (no back-off retry;
 *   the next change of the object enqueues it again). Any other failure throws and is retried.
 * - Deletion: nothing to do here. Owned objects carry a controller ownerReference, so the garbage
 *   collector (kube-controller-manager) deletes them, and the StatefulSet's PVC retention policy
 *   decides about the volumes.
 */
import { API_VERSION, type KafkaCluster, type KafkaClusterStatus } from '../../api/v1alpha1.js';
import { FIELD_MANAGER, parseKey, type KubeApi, type KubeObject } from '../../kube/api.js';
import { applyIfChanged } from '../../kube/apply.js';
import { canonicalJson } from '../../kube/hash.js';
import type { Logger } from '../../../broker/io/logger.js';
import type { Clock } from '../../runtime/clock.js';
import { TerminalError, type ReconcileResult } from '../../runtime/controller.js';
import type { PodObserved } from './broker-pods.js';
import type { ClusterObserver, ClusterObserverFactory } from './cluster-observer.js';
import { kafkaClusterObserverFactory } from './kafka-cluster-observer.js';
import { clusterNames, operatorBootstrapServers, ownedSelector, selectorLabels } from './names.js';
import {
  plan, withEffectFailures, type ClusterEffect, type EffectFailure, type ObservedCluster, type Plan, type PlanInput, type PlanOptions,
  type ServiceObserved, type StatefulSetObserved,
} from './plan.js';

export interface KafkaClusterDeps {
  readonly api: KubeApi;
  readonly clock: Clock;
  readonly logger: Logger;
  /** A fresh Kafka cluster id (22-char base64url UUID); called once per reconcile, used only for new clusters. */
  readonly newClusterId: () => string;
  readonly options: PlanOptions;
  /** Look again this soon while brokers are starting (watches on the StatefulSet also wake us). */
  readonly progressRequeueMs?: number;
  /** Look again this soon while a roll or scale-down waits on the Kafka side (ISR, reassignments). */
  readonly rolloutRequeueMs?: number;
  /** Kafka-side sessions; default: the internal client with `kafkaTimeoutMs`. */
  readonly observers?: ClusterObserverFactory;
  readonly kafkaTimeoutMs?: number;
}

export interface ReconcileReport extends ReconcileResult {
  /** Kinds/names written (applied or deleted) and whether status was written: for logs and tests. */
  readonly written: string[];
  readonly statusWritten: boolean;
  /** What the Kafka side looked like, when it was asked. */
  readonly kafka?: PlanInput['kafka'];
}

/** Status fields this controller writes. */
const OWNED_STATUS_FIELDS = ['observedGeneration', 'conditions', 'readyBrokers', 'clusterId', 'listeners', 'rollout', 'scaleDown'] as const;
const DEFAULT_ROLLOUT_REQUEUE_MS = 10_000;

export async function observeCluster(api: KubeApi, cluster: KafkaCluster): Promise<ObservedCluster> {
  const names = clusterNames(cluster);
  const podSelector = Object.entries(selectorLabels(names)).map(([k, v]) => `${k}=${v}`).join(',');
  const [configMap, statefulSet, services, pods, claims] = await Promise.all([
    api.get<KubeObject & { data?: Record<string, string> }>({ apiVersion: 'v1', kind: 'ConfigMap', namespace: names.namespace, name: names.configMap }),
    api.get<StatefulSetObserved>({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: names.namespace, name: names.statefulSet }),
    api.list<ServiceObserved>('v1', 'Service', names.namespace, { labelSelector: ownedSelector(names) }),
    api.list<PodObserved>('v1', 'Pod', names.namespace, { labelSelector: podSelector }),
    api.list('v1', 'PersistentVolumeClaim', names.namespace, { labelSelector: ownedSelector(names) }),
  ]);
  return { configMap, statefulSet, services, pods, claims };
}

/** Objects that may already exist under the desired names (only what the plan writes is read). */
async function observedFor(api: KubeApi, desired: KubeObject, observed: ObservedCluster): Promise<KubeObject | null> {
  const name = desired.metadata.name;
  if (desired.kind === 'ConfigMap') return observed.configMap;
  if (desired.kind === 'StatefulSet') return observed.statefulSet;
  if (desired.kind === 'Service') return observed.services.find((s) => s.metadata.name === name) ?? null;
  return api.get({ apiVersion: desired.apiVersion, kind: desired.kind, namespace: desired.metadata.namespace ?? '', name: name ?? '' });
}

function statusChanged(current: KafkaClusterStatus | undefined, next: KafkaClusterStatus): boolean {
  return OWNED_STATUS_FIELDS.some((field) => canonicalJson(current?.[field] ?? null) !== canonicalJson(next[field] ?? null));
}

/** Carries out `effects` in order; Kafka-side refusals are returned, Kubernetes failures throw. */
async function carryOut(deps: KafkaClusterDeps, effects: readonly ClusterEffect[], session: ClusterObserver | null, written: string[]): Promise<EffectFailure[]> {
  const failures: EffectFailure[] = [];
  const kafka = (): ClusterObserver => {
    if (session === null) throw new Error('bug: a Kafka-side effect was planned without observing the Kafka side');
    return session;
  };
  for (const effect of effects) {
    if (effect.kind === 'restartBroker') {
      await deps.api.delete(effect.pod);
      written.push(`-Pod/${effect.pod.name}`);
    } else if (effect.kind === 'deleteClaim') {
      await deps.api.delete(effect.claim);
      written.push(`-PersistentVolumeClaim/${effect.claim.name}`);
    } else {
      const result = effect.kind === 'reassignPartitions'
        ? await kafka().alterPartitionReassignments(effect.reassignments)
        : await kafka().unregisterBrokers(effect.brokers);
      if (result.ok) written.push(`kafka:${effect.kind}`);
      else failures.push({ action: effect.kind, unsupported: result.unsupported, message: result.message });
    }
  }
  return failures;
}

export async function reconcileKafkaCluster(deps: KafkaClusterDeps, key: string): Promise<ReconcileReport> {
  const { namespace, name } = parseKey(key);
  const cluster = await deps.api.get<KafkaCluster & KubeObject>({ apiVersion: API_VERSION, kind: 'KafkaCluster', namespace: namespace ?? 'default', name });
  if (cluster === null || cluster.metadata.deletionTimestamp) return { written: [], statusWritten: false };
  const log = deps.logger.child('kafkacluster');
  const observed = await observeCluster(deps.api, cluster);
  const input: PlanInput = { cluster, observed, nowMs: deps.clock.nowMs(), newClusterId: deps.newClusterId(), options: deps.options };
  let result: Plan = plan(input);
  let session: ClusterObserver | null = null;
  let kafka: PlanInput['kafka'];
  const written: string[] = [];
  try {
    if (result.kafkaNeeded) {
      const observers = deps.observers ?? kafkaClusterObserverFactory(deps.clock, deps.kafkaTimeoutMs === undefined ? {} : { timeoutMs: deps.kafkaTimeoutMs });
      session = observers(operatorBootstrapServers(cluster, deps.options.clusterDomain));
      kafka = await session.observe();
      result = plan({ ...input, kafka });
    }
    for (const desired of result.desired) {
      const { written: wrote } = await applyIfChanged(deps.api, desired, await observedFor(deps.api, desired, observed));
      if (wrote) written.push(`${desired.kind}/${desired.metadata.name}`);
    }
    for (const ref of result.deletions) {
      await deps.api.delete(ref, { propagationPolicy: 'Background' });
      written.push(`-${ref.kind}/${ref.name}`);
    }
    result = withEffectFailures(result, await carryOut(deps, result.effects, session, written), cluster, input.nowMs);
  } finally {
    await session?.close();
  }
  let statusWritten = false;
  if (statusChanged(cluster.status, result.status)) {
    const statusObject = { apiVersion: API_VERSION, kind: 'KafkaCluster', metadata: { name, namespace: cluster.metadata.namespace }, status: result.status };
    await deps.api.applyStatus(statusObject, { fieldManager: FIELD_MANAGER, force: true });
    statusWritten = true;
  }
  for (const event of result.events) await deps.api.emitEvent(cluster, event);
  if (written.length > 0 || statusWritten) log.info('reconciled', { key, generation: cluster.metadata.generation, written, statusWritten });
  if (result.terminal !== null) throw new TerminalError(`KafkaCluster ${key}: ${result.terminal}`);
  return { written, statusWritten, ...requeueOf(deps, result), ...(kafka === undefined ? {} : { kafka }) };
}

function requeueOf(deps: KafkaClusterDeps, result: Plan): { requeueAfterMs?: number } {
  if (!result.progressing) return {};
  const waitingOnKafka = result.status.rollout !== undefined || result.status.scaleDown !== undefined;
  return { requeueAfterMs: waitingOnKafka ? (deps.rolloutRequeueMs ?? DEFAULT_ROLLOUT_REQUEUE_MS) : (deps.progressRequeueMs ?? 30_000) };
}
