/**
 * The KafkaCluster controller: watches KafkaClusters and the kinds they own (StatefulSet, Service,
 * ConfigMap, PodDisruptionBudget, ServiceAccount; a change to any wakes the owning cluster's key),
 * plus the broker Pods (owned by the StatefulSet, not the cluster: mapped to their cluster by the
 * operator's labels), so a restarted broker becoming Ready moves a roll on at once. Runs
 * `reconcileKafkaCluster` per key. See `plan.ts` for what it decides.
 *
 * Annotation `tributary.io/bootstrap-override` (`host:port[,host:port...]`) on a KafkaCluster points
 * the operator's Kafka connection (rolling-restart and scale decisions) at those brokers instead of
 * the cluster's bootstrap Service: for tests and for operators running outside the cluster.
 */
import { API_VERSION } from '../../api/v1alpha1.js';
import type { KubeObject } from '../../kube/api.js';
import { createController, type Controller, type ControllerMetrics } from '../../runtime/controller.js';
import { MANAGED_BY } from './names.js';
import { reconcileKafkaCluster, type KafkaClusterDeps } from './reconcile.js';

export { plan, withEffectFailures, type Plan, type PlanInput, type PlanOptions, type ObservedCluster, type ClusterEffect } from './plan.js';
export { reconcileKafkaCluster, observeCluster, type KafkaClusterDeps, type ReconcileReport } from './reconcile.js';
export type { ClusterObserver, ClusterObserverFactory, KafkaClusterState, KnownClusterState } from './cluster-observer.js';
export { kafkaClusterObserverFactory } from './kafka-cluster-observer.js';
export { BOOTSTRAP_OVERRIDE_ANNOTATION, operatorBootstrapServers } from './names.js';

/** The cluster key of a broker pod (by the labels the operator puts on the pod template), if any. */
export function clusterKeyOfPod(pod: KubeObject): string[] {
  const labels = pod.metadata.labels ?? {};
  const instance = labels['app.kubernetes.io/instance'];
  const ours = labels['app.kubernetes.io/managed-by'] === MANAGED_BY && labels['app.kubernetes.io/component'] === 'broker';
  return ours && instance && pod.metadata.namespace ? [`${pod.metadata.namespace}/${instance}`] : [];
}

export interface KafkaClusterControllerOptions extends KafkaClusterDeps {
  readonly namespaces: readonly string[] | null;
  readonly metrics?: ControllerMetrics;
  readonly resyncMs?: number;
  readonly workers?: number;
}

export const OWNED_KINDS = [
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
] as const;

export function kafkaClusterController(options: KafkaClusterControllerOptions): Controller {
  return createController({
    name: 'kafkacluster',
    api: options.api,
    clock: options.clock,
    logger: options.logger,
    primary: { apiVersion: API_VERSION, kind: 'KafkaCluster' },
    owned: OWNED_KINDS,
    extraWatches: [{ apiVersion: 'v1', kind: 'Pod', keysFor: clusterKeyOfPod }],
    namespaces: options.namespaces,
    reconcile: async (key) => {
      const report = await reconcileKafkaCluster(options, key);
      return report.requeueAfterMs === undefined ? {} : { requeueAfterMs: report.requeueAfterMs };
    },
    ...(options.metrics ? { metrics: options.metrics } : {}),
    resyncMs: options.resyncMs ?? 10 * 60_000,
    workers: options.workers ?? 2,
  });
}
