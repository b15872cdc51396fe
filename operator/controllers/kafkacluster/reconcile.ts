/**
 * Reconcile one KafkaCluster: observe -> plan (pure) -> apply -> status -> events.
 *
 * - Observe: the KafkaCluster, its ConfigMap and StatefulSet by name, its Services by label.
 * - Apply: server-side apply under FIELD_MANAGER, only for objects that differ from what was last
 *   applied (`applyIfChanged`), so reconciling an unchanged spec performs no write at all.
 * - Status: applied on the status subresource only when the fields the operator writes changed.
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
import { clusterNames, ownedSelector } from './names.js';
import { plan, type ObservedCluster, type PlanOptions, type ServiceObserved, type StatefulSetObserved } from './plan.js';

export interface KafkaClusterDeps {
  readonly api: KubeApi;
  readonly clock: Clock;
  readonly logger: Logger;
  /** A fresh Kafka cluster id (22-char base64url UUID); called once per reconcile, used only for new clusters. */
  readonly newClusterId: () => string;
  readonly options: PlanOptions;
  /** Look again this soon while brokers are starting (watches on the StatefulSet also wake us). */
  readonly progressRequeueMs?: number;
}

export interface ReconcileReport extends ReconcileResult {
  /** Kinds/names written (applied or deleted) and whether status was written: for logs and tests. */
  readonly written: string[];
  readonly statusWritten: boolean;
}

/** Status fields this controller writes (others, e.g. rollout, belong to the planners). */
const OWNED_STATUS_FIELDS = ['observedGeneration', 'conditions', 'readyBrokers', 'clusterId', 'listeners'] as const;

export async function observeCluster(api: KubeApi, cluster: KafkaCluster): Promise<ObservedCluster> {
  const names = clusterNames(cluster);
  const [configMap, statefulSet, services] = await Promise.all([
    api.get<KubeObject & { data?: Record<string, string> }>({ apiVersion: 'v1', kind: 'ConfigMap', namespace: names.namespace, name: names.configMap }),
    api.get<StatefulSetObserved>({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: names.namespace, name: names.statefulSet }),
    api.list<ServiceObserved>('v1', 'Service', names.namespace, { labelSelector: ownedSelector(names) }),
  ]);
  return { configMap, statefulSet, services };
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

export async function reconcileKafkaCluster(deps: KafkaClusterDeps, key: string): Promise<ReconcileReport> {
  const { namespace, name } = parseKey(key);
  const cluster = await deps.api.get<KafkaCluster & KubeObject>({ apiVersion: API_VERSION, kind: 'KafkaCluster', namespace: namespace ?? 'default', name });
  if (cluster === null || cluster.metadata.deletionTimestamp) return { written: [], statusWritten: false };
  const log = deps.logger.child('kafkacluster');
  const observed = await observeCluster(deps.api, cluster);
  const result = plan({ cluster, observed, nowMs: deps.clock.nowMs(), newClusterId: deps.newClusterId(), options: deps.options });

  const written: string[] = [];
  for (const desired of result.desired) {
    const { written: wrote } = await applyIfChanged(deps.api, desired, await observedFor(deps.api, desired, observed));
    if (wrote) written.push(`${desired.kind}/${desired.metadata.name}`);
  }
  for (const ref of result.deletions) {
    await deps.api.delete(ref, { propagationPolicy: 'Background' });
    written.push(`-${ref.kind}/${ref.name}`);
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
  return { written, statusWritten, ...(result.progressing ? { requeueAfterMs: deps.progressRequeueMs ?? 30_000 } : {}) };
}
